#pragma once

#include <chrono>
#include <memory>
#include <random>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "http/limits.h"
#include "io/event_loop.h"
#include "ir/config.h"
#include "proxy/proxy_config.h"
#include "server/health_probe.h"
#include "server/host_check_state.h"
#include "upstream/cluster_set.h"
#include "upstream/connection_pool.h"

namespace meshgate::server {

// Active gRPC health checking (DestinationRule annotation meshgate.io/grpc-health-check), on the
// main loop. Every host of every checking cluster is probed with grpc.health.v1.Health/Check
// every interval plus up to 10% jitter, one call in flight per host, each bounded by the
// timeout; the verdict goes to the cluster's shared ClusterHealth as
// HealthFlag::kFailedActiveCheck, which every worker's load balancer reads on its next pick.
// Probes use their own h2c or TLS connections (the cluster's upstream transport), kept open
// between probes.
class HealthChecker {
 public:
  HealthChecker(io::EventLoop& loop, const http::Limits& limits);
  ~HealthChecker();
  HealthChecker(const HealthChecker&) = delete;
  HealthChecker& operator=(const HealthChecker&) = delete;

  // Follows a new config version, before the workers see it (so a new host is already out of
  // the set when the first call could pick it). Hosts a checking cluster keeps keep their state
  // and probe schedule; removed hosts stop being probed; new ones are probed soon. Clusters that
  // do not check clear the flag, so turning checking off returns every host.
  void update(const proxy::ProxyConfig& config);

  // Hosts probed now, for tests and an admin interface.
  size_t targetCount() const { return targets_.size(); }

 private:
  struct Target;
  void probe(Target& target);
  void onResult(Target& target, HealthProbe::Result result);
  void schedule(Target& target, std::chrono::milliseconds base, bool first);
  upstream::ConnectionPool& pool(const upstream::HostInfo& host,
                                 const upstream::PoolSettings& cluster_pool);

  io::EventLoop& loop_;
  const http::Limits& limits_;
  std::mt19937_64 random_;
  // Keyed by cluster name and the host's pool key; unique_ptr for stable addresses (timers and
  // probes point back at their target).
  absl::flat_hash_map<std::string, std::unique_ptr<Target>> targets_;
  // The probing connections of one host, shared by the clusters that probe it.
  absl::flat_hash_map<std::string, std::unique_ptr<upstream::ConnectionPool>> pools_;
};

}  // namespace meshgate::server
