#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "http/limits.h"
#include "io/event_loop.h"
#include "upstream/cluster_set.h"
#include "upstream/connection_pool.h"

namespace meshgate::upstream {

// A worker's view of the upstream world: per-cluster load-balancer state and one connection
// pool per host address. Pools are keyed by address, so they survive config changes that keep
// the host; a pool whose host no current cluster has is closed once its streams are done (calls
// in flight are never cut). Worker-local.
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
  };
  // Round robin over the cluster's hosts, per call. pool is null when it has no hosts.
  Pick pick(const ClusterSet& clusters, uint32_t cluster_index);

  // Closes the pools of hosts that are in no current cluster and carry no stream; returns how
  // many such pools are left (busy). Runs on every setClusters() and again while some are left.
  size_t pruneIdlePools();
  size_t poolCount() const { return pools_.size(); }

 private:
  ConnectionPool* poolFor(const HostInfo& host);
  void schedulePrune();

  io::EventLoop& loop_;
  const http::Limits& limits_;
  http::h2::CodecAllocator* allocator_;
  std::shared_ptr<const ClusterSet> current_;
  std::vector<uint32_t> next_host_;  // round-robin cursor per cluster
  uint32_t stale_cursor_ = 0;        // for calls pinned to an older cluster set
  std::vector<std::vector<ConnectionPool*>> host_pools_;  // current_'s hosts, resolved once
  absl::flat_hash_map<std::string, std::unique_ptr<ConnectionPool>> pools_;
  absl::flat_hash_set<std::string> current_hosts_;  // labels of current_'s hosts
  io::Timer prune_timer_;  // declared after pools_: cancelled before they go
};

}  // namespace meshgate::upstream
