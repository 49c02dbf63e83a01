#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "http/limits.h"
#include "io/event_loop.h"
#include "upstream/cluster_set.h"
#include "upstream/connection_pool.h"
#include "upstream/load_balancer.h"

namespace meshgate::upstream {

// A worker's view of the upstream world: per-cluster load-balancer state and one connection
// pool per host address (and pool settings). Pools are keyed by address, so they survive
// config changes that keep the host. Worker-local.
class ClusterManager {
 public:
  ClusterManager(io::EventLoop& loop, const http::Limits& limits,
                 http::h2::CodecAllocator* allocator);
  ~ClusterManager();

  // Makes this the current cluster set (new calls balance over it).
  void setClusters(std::shared_ptr<const ClusterSet> clusters);

  struct Pick {
    ConnectionPool* pool = nullptr;
    const HostInfo* host = nullptr;
    // Set when the cluster is at its http2MaxRequests: the call must be refused with this.
    std::string overflow;
    ActiveRequest slot;  // held by the call while it is active
  };
  // A host of the cluster by its load balancer, per call; `hash` is the call's consistent-hash
  // key (nullopt: none). pool is null when the cluster has no hosts or is overflowing.
  Pick pick(const ClusterSet& clusters, uint32_t cluster_index,
            std::optional<uint64_t> hash = std::nullopt);

 private:
  ConnectionPool* poolFor(const ClusterInfo& cluster, const HostInfo& host);
  uint64_t nextRandom();

  io::EventLoop& loop_;
  const http::Limits& limits_;
  http::h2::CodecAllocator* allocator_;
  std::shared_ptr<const ClusterSet> current_;
  std::vector<LoadBalancer> balancers_;                   // per cluster of current_
  std::vector<std::vector<ConnectionPool*>> host_pools_;  // current_'s hosts, resolved once
  absl::flat_hash_map<std::string, std::unique_ptr<ConnectionPool>> pools_;
  uint64_t random_;
};

}  // namespace meshgate::upstream
