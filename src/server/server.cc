#include "server/server.h"

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <signal.h>
#include <unistd.h>

#include "base/log.h"
#include "base/status.h"
#include "config/loader.h"
#include "io/event_loop.h"
#include "server/listener_binder.h"
#include "server/snapshot.h"
#include "server/worker.h"
#include "translate/translate.h"

namespace meshgate::server {
namespace {

// Loads, validates and translates the config; prints every diagnostic. nullptr on errors.
std::shared_ptr<const ir::Config> loadConfig(const ServeOptions& options) {
  std::vector<std::filesystem::path> paths(options.config_paths.begin(),
                                           options.config_paths.end());
  config::LoadResult loaded = config::loadPaths(paths);
  translate::Options translate_options;
  translate_options.gateway_selector = options.selector;
  auto ir = std::make_shared<ir::Config>(
      translate::translate(loaded.model, translate_options, loaded.diagnostics));
  if (!loaded.diagnostics.all().empty()) {
    std::string text = loaded.diagnostics.format();
    std::fwrite(text.data(), 1, text.size(), stderr);
  }
  if (loaded.diagnostics.hasErrors()) return nullptr;
  return ir;
}

// Drives SIGTERM/SIGINT: every worker drains; the main loop ends when all are idle or the
// drain time is over.
class Drainer {
 public:
  Drainer(io::EventLoop& loop, std::vector<std::unique_ptr<Worker>>& workers,
          std::chrono::milliseconds drain_time)
      : loop_(loop),
        workers_(workers),
        deadline_(loop, [this] { finish("drain time is over"); }),
        drain_time_(drain_time) {}

  void start() {
    if (started_) return;
    started_ = true;
    MG_LOG(kInfo, "draining: no new connections; open streams get up to {} ms",
           drain_time_.count());
    deadline_.arm(drain_time_);
    remaining_ = workers_.size();
    for (auto& worker : workers_) {
      worker->drain([this] { loop_.post([this] { onWorkerIdle(); }); });
    }
  }

 private:
  void onWorkerIdle() {
    if (--remaining_ == 0) finish("all streams finished");
  }
  void finish(const char* why) {
    MG_LOG(kInfo, "drain complete: {}", why);
    loop_.exit();
  }

  io::EventLoop& loop_;
  std::vector<std::unique_ptr<Worker>>& workers_;
  io::Timer deadline_;
  std::chrono::milliseconds drain_time_;
  size_t remaining_ = 0;
  bool started_ = false;
};

bool hasDnsClusters(const ir::Config& config) {
  for (const auto& cluster : config.clusters) {
    if (cluster.resolve_dns) return true;
  }
  return false;
}

// Re-resolves DNS clusters on the main thread (getaddrinfo blocks) and hands the workers a
// snapshot with the new addresses. Calls in flight keep the addresses they started with.
class DnsRefresher {
 public:
  DnsRefresher(io::EventLoop& loop, std::shared_ptr<const ir::Config> config,
               std::vector<std::unique_ptr<Worker>>& workers, std::chrono::milliseconds every)
      : config_(std::move(config)),
        workers_(workers),
        every_(every),
        timer_(loop, [this] { refresh(); }) {
    if (hasDnsClusters(*config_)) timer_.arm(every_);
  }

 private:
  void refresh() {
    auto snapshot = buildSnapshot(config_, ++version_);
    if (snapshot.ok()) {
      for (auto& worker : workers_) worker->publish(*snapshot);
    } else {
      MG_LOG(kWarn, "dns refresh: {}", base::message(snapshot.status()));
    }
    timer_.arm(every_);
  }

  std::shared_ptr<const ir::Config> config_;
  std::vector<std::unique_ptr<Worker>>& workers_;
  std::chrono::milliseconds every_;
  io::Timer timer_;
  uint64_t version_ = 1;
};

}  // namespace

int serve(const ServeOptions& options) {
  ::signal(SIGPIPE, SIG_IGN);
  auto ir = loadConfig(options);
  if (ir == nullptr) return 2;
  auto snapshot = buildSnapshot(ir, 1);
  if (!snapshot.ok()) {
    std::fprintf(stderr, "error: %s\n", std::string(base::message(snapshot.status())).c_str());
    return 2;
  }
  if (ir->listeners.empty()) MG_LOG(kWarn, "no Gateway server to serve: nothing listens");

  std::vector<std::unique_ptr<Worker>> workers;
  for (size_t i = 0; i < options.workers; ++i) {
    workers.push_back(std::make_unique<Worker>(i, options.limits));
  }
  std::string announcement;
  for (size_t l = 0; l < ir->listeners.size(); ++l) {
    auto bound = bindListener(ir->listeners[l], options.listen, options.workers);
    if (!bound.ok()) {
      std::fprintf(stderr, "error: %s\n", std::string(base::message(bound.status())).c_str());
      return 1;
    }
    for (size_t w = 0; w < options.workers; ++w) {
      workers[w]->addListener(l, std::move(bound->sockets[w]));
    }
    announcement +=
        fmt::format("listening {} {}\n", ir->listeners[l].port, bound->address.toString());
    MG_LOG(kInfo, "listener {}: {} on {}", ir->listeners[l].name,
           ir->listeners[l].tls.empty() ? "h2c" : "h2 over TLS", bound->address.toString());
  }
  for (auto& worker : workers) worker->start(*snapshot);

  io::EventLoop main_loop;
  Drainer drainer(main_loop, workers, options.limits.drain_time);
  DnsRefresher dns(main_loop, ir, workers, options.dns_refresh);
  io::SignalWatch term(main_loop, SIGTERM, [&drainer] { drainer.start(); });
  io::SignalWatch interrupt(main_loop, SIGINT, [&drainer] { drainer.start(); });

  announcement += "ready\n";
  std::fwrite(announcement.data(), 1, announcement.size(), stdout);
  std::fflush(stdout);
  main_loop.run();

  for (auto& worker : workers) worker->stop();
  for (auto& worker : workers) worker->join();
  return 0;
}

}  // namespace meshgate::server
