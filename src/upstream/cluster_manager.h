#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "http/limits.h"
#include "io/event_loop.h"
#include "upstream/cluster_set.h"
#include "upstream/connection_pool.h"
#include "upstream/load_balancer.h"
#include "upstream/upstream_stats.h"

namespace meshgate::upstream {

// How ClusterManager::pick chooses for one attempt of a call.
struct PickOptions {
  // Hosts a retry should avoid (the ones already tried): the balancer picks again, and falls
  // back to one of them only when every host is excluded.
  std::span<const uint32_t> exclude;
  // Count the call in the cluster's active requests even without http2MaxRequests (the retry
  // budget is a share of them).
  bool count_request = false;
};

// A worker's view of the upstream world: per-cluster load-balancer state and one connection
// pool per host address, TLS settings and pool settings. Pools survive config changes that keep
// them; a pool that no current cluster uses is closed once its streams are done (calls in
// flight are never cut). Worker-local.
class ClusterManager {
 public:
  // `stats` (optional) must outlive every connection the pools open.
  ClusterManager(io::EventLoop& loop, const http::Limits& limits,
                 http::h2::CodecAllocator* allocator, UpstreamStats* stats = nullptr);
  ~ClusterManager();

  // Makes this the current cluster set (new calls balance over it).
  void setClusters(std::shared_ptr<const ClusterSet> clusters);

  struct Pick {
    ConnectionPool* pool = nullptr;
    const HostInfo* host = nullptr;
    uint32_t host_index = 0;  // of host in the cluster, for report()
    // Set when the cluster is at its http2MaxRequests: the call must be refused with this.
    std::string overflow;
    ActiveRequest slot;  // held by the call while it is active
  };
  // A host of the cluster by its load balancer, per call; `hash` is the call's consistent-hash
  // key (nullopt: none). pool is null when the cluster has no hosts or is overflowing.
  Pick pick(const ClusterSet& clusters, uint32_t cluster_index,
            std::optional<uint64_t> hash = std::nullopt,
            const PickOptions& options = PickOptions());

  // How a call on host `host_index` of `cluster` ended, for outlier detection; the cluster may
  // belong to an older set (a call pinned to it). Cheap when nothing failed; any thread.
  static void report(const ClusterInfo& cluster, uint32_t host_index, Outcome outcome) {
    if (cluster.outlier_detector != nullptr) cluster.outlier_detector->report(host_index, outcome);
  }

  // Closes the pools of hosts that are in no current cluster and carry no stream; returns how
  // many such pools are left (busy). Runs on every setClusters() and again while some are left.
  size_t pruneIdlePools();
  size_t poolCount() const { return pools_.size(); }

 private:
  static std::string poolKey(const ClusterInfo& cluster, const HostInfo& host);
  ConnectionPool* poolFor(const ClusterInfo& cluster, const HostInfo& host);
  void schedulePrune();
  uint64_t nextRandom();
  // Another host than the excluded ones when there is one: a few more picks by the balancer,
  // then the next host in order.
  template <class PickFn>
  static uint32_t pickAvoiding(PickFn&& pick, size_t host_count, std::span<const uint32_t> exclude);

  io::EventLoop& loop_;
  const http::Limits& limits_;
  http::h2::CodecAllocator* allocator_;
  UpstreamStats* stats_;
  std::shared_ptr<const ClusterSet> current_;
  std::vector<LoadBalancer> balancers_;                   // per cluster of current_
  std::vector<std::vector<ConnectionPool*>> host_pools_;  // current_'s hosts, resolved once
  absl::flat_hash_map<std::string, std::unique_ptr<ConnectionPool>> pools_;
  absl::flat_hash_set<std::string> current_pool_keys_;  // pools current_'s hosts use
  io::Timer prune_timer_;  // declared after pools_: cancelled before they go
  uint64_t random_;
};

}  // namespace meshgate::upstream
