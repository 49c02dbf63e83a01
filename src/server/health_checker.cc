#include "server/health_checker.h"

#include <algorithm>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "base/log.h"

namespace meshgate::server {

using upstream::HealthFlag;

struct HealthChecker::Target {
  Target(HealthChecker& checker, io::EventLoop& loop)
      : timer(loop, [this, &checker] { checker.probe(*this); }),
        probe(loop, [this, &checker](HealthProbe::Result result) {
          checker.onResult(*this, std::move(result));
        }) {}

  std::string cluster;
  upstream::HostInfo host;
  // The cluster's health in the config version the workers are given last; replaced on update.
  std::shared_ptr<upstream::ClusterHealth> health;
  std::vector<uint32_t> indices;  // the host's entries in the cluster (once, unless listed twice)
  ir::HealthCheck settings;
  HealthProbe::Request request;
  upstream::ConnectionPool* pool = nullptr;
  HostCheckState state;
  io::Timer timer;
  HealthProbe probe;  // last: it may report into the fields above while being destroyed
};

HealthChecker::HealthChecker(io::EventLoop& loop, const http::Limits& limits)
    : loop_(loop), limits_(limits), random_(std::random_device{}()) {}

HealthChecker::~HealthChecker() {
  // Probes cancel their streams before the pools close the connections under them.
  targets_.clear();
  pools_.clear();
}

void HealthChecker::update(const proxy::ProxyConfig& config) {
  absl::flat_hash_map<std::string, std::unique_ptr<Target>> next;
  const upstream::ClusterSet& clusters = *config.clusters;
  for (const ir::Cluster& cluster : config.ir->clusters) {
    auto index = clusters.indexOf(cluster.name);
    if (!index) continue;
    const upstream::ClusterInfo& info = clusters.at(*index);
    if (!cluster.health_check) {
      // Checking may have been on in the previous version, whose flags were carried over.
      for (uint32_t h = 0; h < info.hosts.size(); ++h) {
        info.health->clear(h, HealthFlag::kFailedActiveCheck);
      }
      continue;
    }
    for (uint32_t h = 0; h < info.hosts.size(); ++h) {
      const upstream::HostInfo& host = info.hosts[h];
      std::string key = cluster.name + '\n' + host.pool_key;
      Target* target = nullptr;
      if (auto listed = next.find(key); listed != next.end()) {
        target = listed->second.get();  // the host is listed twice: one probe, both entries
      } else {
        auto kept = targets_.find(key);
        bool fresh = kept == targets_.end();
        std::unique_ptr<Target> owned =
            fresh ? std::make_unique<Target>(*this, loop_) : std::move(kept->second);
        if (!fresh) targets_.erase(kept);
        target = owned.get();
        target->cluster = cluster.name;
        target->host = host;
        target->health = info.health;
        target->indices.clear();
        target->settings = *cluster.health_check;
        target->request = {info.service_host, cluster.health_check->service,
                           cluster.tls.has_value(), cluster.health_check->timeout};
        target->pool = &pool(host, info.pool);
        if (fresh) {
          MG_LOG(kDebug, "health check: {} {}: probing every {}ms", cluster.name, host.label,
                 target->settings.interval.count());
          schedule(*target, std::chrono::milliseconds(0), true);
        }
        next.emplace(std::move(key), std::move(owned));
      }
      target->indices.push_back(h);
      // The new version's flag: carried over for kept hosts, but set here from the state so
      // that it agrees with it whatever the carry-over did.
      if (target->state.healthy()) {
        info.health->clear(h, HealthFlag::kFailedActiveCheck);
      } else {
        info.health->set(h, HealthFlag::kFailedActiveCheck);
      }
    }
  }
  // What is left stopped being checked: its probes are cancelled as the targets go.
  targets_ = std::move(next);
  absl::flat_hash_set<std::string> used;
  for (const auto& [key, target] : targets_) used.insert(target->host.pool_key);
  absl::erase_if(pools_, [&](const auto& entry) { return !used.contains(entry.first); });
}

upstream::ConnectionPool& HealthChecker::pool(const upstream::HostInfo& host,
                                              const upstream::PoolSettings& cluster_pool) {
  auto& slot = pools_[host.pool_key];
  if (slot == nullptr) {
    upstream::PoolSettings settings;
    settings.connect_timeout = cluster_pool.connect_timeout;
    slot = std::make_unique<upstream::ConnectionPool>(loop_, host, limits_, nullptr, settings);
  }
  return *slot;
}

// The first probe of a host comes within a tenth of the interval, so that a new host joins soon;
// later ones every interval plus up to a tenth of it, so that probes of many hosts spread out.
void HealthChecker::schedule(Target& target, std::chrono::milliseconds base, bool first) {
  int64_t spread = std::max<int64_t>(1, target.settings.interval.count() / 10);
  auto jitter =
      std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(0, spread - 1)(random_));
  target.timer.arm(first ? jitter : base + jitter);
}

void HealthChecker::probe(Target& target) {
  if (target.probe.inFlight()) return;
  std::optional<HealthProbe::Result> failed = target.probe.start(*target.pool, target.request);
  if (failed) onResult(target, std::move(*failed));
}

void HealthChecker::onResult(Target& target, HealthProbe::Result result) {
  using Change = HostCheckState::Change;
  const ir::HealthCheck& settings = target.settings;
  bool was_pending = target.state.pending();
  Change change = result.healthy ? target.state.onSuccess(settings.healthy_threshold)
                                 : target.state.onFailure(settings.unhealthy_threshold);
  if (change == Change::kHealthy) {
    for (uint32_t index : target.indices)
      target.health->clear(index, HealthFlag::kFailedActiveCheck);
    MG_LOG(kInfo, "health check: {} {} is healthy ({} passed check{}); it takes calls",
           target.cluster, target.host.label, target.state.consecutiveSuccesses(),
           target.state.consecutiveSuccesses() == 1 ? "" : "s");
  } else if (change == Change::kUnhealthy) {
    for (uint32_t index : target.indices) target.health->set(index, HealthFlag::kFailedActiveCheck);
    if (was_pending) {
      MG_LOG(kInfo,
             "health check: {} {} is unhealthy: its first check failed ({}); it takes no calls",
             target.cluster, target.host.label, result.detail);
    } else {
      MG_LOG(
          kInfo,
          "health check: {} {} is unhealthy after {} failed checks (last: {}); it takes no calls",
          target.cluster, target.host.label, target.state.consecutiveFailures(), result.detail);
    }
  } else if (!result.healthy) {
    MG_LOG(kDebug, "health check: {} {} failed ({})", target.cluster, target.host.label,
           result.detail);
  }
  schedule(target, settings.interval, false);
}

}  // namespace meshgate::server
