#include "server/reloader.h"

#include <cstdio>

#include <fmt/format.h>

#include "absl/container/flat_hash_map.h"
#include "base/log.h"
#include "base/status.h"
#include "config/loader.h"
#include "server/config_watcher.h"
#include "translate/translate.h"

namespace meshgate::server {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::microseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
}

double millis(std::chrono::microseconds duration) { return duration.count() / 1000.0; }

size_t routeCount(const ir::Config& config, const std::vector<bool>& open) {
  size_t routes = 0;
  for (size_t l = 0; l < config.listeners.size(); ++l) {
    if (l < open.size() && !open[l]) continue;
    for (const auto& host : config.listeners[l].virtual_hosts) routes += host.routes.size();
  }
  return routes;
}

// "clusters 4 (+1 -0 ~2)": added, removed and changed (endpoints, policies) by name.
std::string clusterChange(const ir::Config* before, const ir::Config& after) {
  absl::flat_hash_map<std::string, const ir::Cluster*> old;
  if (before != nullptr) {
    for (const auto& cluster : before->clusters) old.emplace(cluster.name, &cluster);
  }
  size_t added = 0;
  size_t changed = 0;
  for (const auto& cluster : after.clusters) {
    auto it = old.find(cluster.name);
    if (it == old.end()) {
      ++added;
      continue;
    }
    if (!(*it->second == cluster)) ++changed;
    old.erase(it);
  }
  return fmt::format("clusters {} (+{} -{} ~{})", after.clusters.size(), added, old.size(),
                     changed);
}

}  // namespace

Reloader::Reloader(const ServeOptions& options, std::vector<std::unique_ptr<Worker>>& workers)
    : options_(options),
      paths_(options.config_paths.begin(), options.config_paths.end()),
      workers_(workers) {}

Reloader::Loaded Reloader::load() const {
  Loaded loaded;
  auto start = Clock::now();
  config::LoadResult result = config::loadPaths(paths_);
  loaded.load_time = since(start);
  start = Clock::now();
  translate::Options translate_options;
  translate_options.gateway_selector = options_.selector;
  translate_options.locality = options_.locality;
  loaded.ir = std::make_shared<const ir::Config>(
      translate::translate(result.model, translate_options, result.diagnostics));
  loaded.translate_time = since(start);
  loaded.diagnostics = result.diagnostics.format();
  loaded.errors = result.diagnostics.errorCount();
  return loaded;
}

// Problems go to stderr as they are (file:line:col), once: a file saved again with the same
// problems, or reloaded with the same warnings, does not repeat them.
void Reloader::printDiagnostics(const std::string& text) {
  if (text == printed_diagnostics_) return;
  printed_diagnostics_ = text;
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

absl::StatusOr<Reloader::Prepared> Reloader::prepare(const ir::Config& config,
                                                     uint64_t version) const {
  std::vector<std::string> keys;
  for (const auto& listener : config.listeners)
    keys.push_back(listenerKey(listener, options_.listen));
  auto plan = slots_.plan(config.listeners, keys);
  if (!plan.ok()) return plan.status();
  Prepared prepared;
  prepared.plan = std::move(*plan);
  for (size_t slot : prepared.plan.added) {
    auto bound = bindListener(prepared.plan.listeners[slot], options_.listen, workers_.size());
    if (!bound.ok()) return bound.status();
    prepared.bound.push_back(std::move(*bound));
  }
  auto start = Clock::now();
  auto slotted = std::make_shared<ir::Config>();
  slotted->listeners = prepared.plan.listeners;
  slotted->clusters = config.clusters;
  prepared.slotted = slotted;
  auto snapshot = buildSnapshot(prepared.slotted, version, prepared.plan.open, current_.get());
  if (!snapshot.ok()) return snapshot.status();
  prepared.snapshot = std::move(*snapshot);
  prepared.snapshot_time = since(start);
  return prepared;
}

void Reloader::commit(Prepared& prepared, std::shared_ptr<const ir::Config> translated) {
  slots_.commit(prepared.plan);
  slot_addresses_.resize(slots_.size());
  for (size_t i = 0; i < prepared.plan.added.size(); ++i) {
    slot_addresses_[prepared.plan.added[i]] = prepared.bound[i].address.toString();
  }
  translated_ = std::move(translated);
  slotted_ = prepared.slotted;
  open_ = prepared.plan.open;
  version_ = prepared.snapshot->proxy->version;
  current_ = prepared.snapshot;
  std::lock_guard lock(status_mutex_);
  status_.version = version_;
  status_.last_refused = false;
  status_.last_attempt = std::chrono::system_clock::now();
}

int Reloader::start(std::string& announcement) {
  Loaded loaded = load();
  printDiagnostics(loaded.diagnostics);
  if (loaded.errors > 0) return 2;
  auto prepared = prepare(*loaded.ir, 1);
  if (!prepared.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(base::message(prepared.status())).c_str());
    // Bind failures are the environment's; everything else is the config's.
    return prepared.status().code() == absl::StatusCode::kUnavailable ? 1 : 2;
  }
  if (loaded.ir->listeners.empty()) MG_LOG(kWarn, "no Gateway server to serve: nothing listens");
  for (size_t i = 0; i < prepared->plan.added.size(); ++i) {
    for (size_t w = 0; w < workers_.size(); ++w) {
      workers_[w]->addListener(prepared->plan.added[i], std::move(prepared->bound[i].sockets[w]));
    }
  }
  if (observer_) observer_(*prepared->snapshot);
  for (auto& worker : workers_) worker->start(prepared->snapshot);
  std::string change = describeChange(loaded, *prepared);
  announcement += announce(*prepared);
  commit(*prepared, loaded.ir);
  MG_LOG(kInfo, "config version 1: {}", change);
  return 0;
}

Reloader::Result Reloader::reload(std::string_view trigger) {
  if (stopped_) return Result::kUnchanged;
  std::string stamp = filesStamp(paths_);
  Loaded loaded = load();
  if (filesStamp(paths_) != stamp) {
    MG_LOG(kDebug, "config ({}): files changed while being read; waiting for them to settle",
           trigger);
    return Result::kUnsettled;
  }
  printDiagnostics(loaded.diagnostics);
  if (loaded.errors > 0) {
    refuse(trigger, loaded.diagnostics, loaded.errors);
    return Result::kRefused;
  }
  if (translated_ != nullptr && *loaded.ir == *translated_) {
    MG_LOG(kDebug, "config ({}): unchanged, still version {}", trigger, version_);
    std::lock_guard lock(status_mutex_);
    status_.last_refused = false;
    return Result::kUnchanged;
  }
  auto prepared = prepare(*loaded.ir, version_ + 1);
  if (!prepared.ok()) {
    std::string message(base::message(prepared.status()));
    std::fprintf(stderr, "error: %s\n", message.c_str());
    refuse(trigger, message, 1);
    return Result::kRefused;
  }
  if (observer_) observer_(*prepared->snapshot);
  // One update per worker, posted in one go: each swaps its snapshot and listeners at once.
  for (size_t w = 0; w < workers_.size(); ++w) {
    auto update = std::make_shared<Worker::Update>();
    update->snapshot = prepared->snapshot;
    for (size_t i = 0; i < prepared->plan.added.size(); ++i) {
      update->open.emplace_back(prepared->plan.added[i], std::move(prepared->bound[i].sockets[w]));
    }
    update->close = prepared->plan.removed;
    workers_[w]->update(std::move(update));
  }
  std::string change = describeChange(loaded, *prepared);
  std::string lines = announce(*prepared);
  commit(*prepared, loaded.ir);
  {
    std::lock_guard lock(status_mutex_);
    ++status_.accepted;
  }
  MG_LOG(kInfo, "config version {} applied ({}): {}", version_, trigger, change);
  std::fwrite(lines.data(), 1, lines.size(), stdout);
  std::fflush(stdout);
  return Result::kApplied;
}

void Reloader::refuse(std::string_view trigger, std::string error, size_t errors) {
  MG_LOG(kError, "config change refused ({}): {} error{}; still serving version {}", trigger,
         errors, errors == 1 ? "" : "s", version_);
  std::lock_guard lock(status_mutex_);
  ++status_.refused;
  status_.last_refused = true;
  status_.last_error = std::move(error);
  status_.last_attempt = std::chrono::system_clock::now();
}

void Reloader::refreshDns() {
  if (stopped_ || slotted_ == nullptr) return;
  bool dns = false;
  for (const auto& cluster : slotted_->clusters) dns = dns || cluster.resolve_dns;
  if (!dns) return;
  auto snapshot = buildSnapshot(slotted_, version_ + 1, open_, current_.get());
  if (!snapshot.ok()) {
    MG_LOG(kWarn, "dns refresh: {}", base::message(snapshot.status()));
    return;
  }
  if (observer_) observer_(**snapshot);
  for (auto& worker : workers_) worker->publish(*snapshot);
  version_ = (*snapshot)->proxy->version;
  current_ = *snapshot;
  std::lock_guard lock(status_mutex_);
  status_.version = version_;
}

ConfigStatus Reloader::status() const {
  std::lock_guard lock(status_mutex_);
  return status_;
}

std::string Reloader::describeChange(const Loaded& loaded, const Prepared& prepared) const {
  const auto& plan = prepared.plan;
  return fmt::format(
      "listeners +{} -{} ={}, {}, routes {}; load {:.1f} ms, translate {:.1f} ms, snapshot "
      "{:.1f} ms",
      plan.added.size(), plan.removed.size(), plan.added.size() + plan.kept.size(),
      clusterChange(translated_.get(), *loaded.ir), routeCount(*prepared.slotted, plan.open),
      millis(loaded.load_time), millis(loaded.translate_time), millis(prepared.snapshot_time));
}

// `listening <Gateway port> <address>` for each opened listener (start-up prints them before
// `ready`), `closed <Gateway port> <address>` for each closed one.
std::string Reloader::announce(const Prepared& prepared) {
  std::string lines;
  for (size_t i = 0; i < prepared.plan.added.size(); ++i) {
    const ir::Listener& listener = prepared.plan.listeners[prepared.plan.added[i]];
    std::string address = prepared.bound[i].address.toString();
    lines += fmt::format("listening {} {}\n", listener.port, address);
    MG_LOG(kInfo, "listener {}: {} on {}", listener.name,
           listener.tls.empty() ? "h2c" : "h2 over TLS", address);
  }
  for (size_t slot : prepared.plan.removed) {
    const ir::Listener& listener = prepared.plan.listeners[slot];
    lines += fmt::format("closed {} {}\n", listener.port, slot_addresses_[slot]);
    MG_LOG(kInfo, "listener {}: closed; its connections drain", listener.name);
  }
  return lines;
}

}  // namespace meshgate::server
