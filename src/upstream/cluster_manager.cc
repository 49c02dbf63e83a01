#include "upstream/cluster_manager.h"

namespace meshgate::upstream {

ClusterManager::ClusterManager(io::EventLoop& loop, const http::Limits& limits,
                               http::h2::CodecAllocator* allocator)
    : loop_(loop), limits_(limits), allocator_(allocator), prune_timer_(loop, [this] {
        if (pruneIdlePools() > 0) schedulePrune();
      }) {}

ClusterManager::~ClusterManager() = default;

void ClusterManager::setClusters(std::shared_ptr<const ClusterSet> clusters) {
  current_ = std::move(clusters);
  next_host_.assign(current_->size(), 0);
  host_pools_.assign(current_->size(), {});
  current_hosts_.clear();
  for (uint32_t i = 0; i < current_->size(); ++i) {
    for (const auto& host : current_->at(i).hosts) {
      host_pools_[i].push_back(poolFor(host));
      current_hosts_.insert(host.label);
    }
  }
  if (pruneIdlePools() > 0) schedulePrune();
}

size_t ClusterManager::pruneIdlePools() {
  size_t busy = 0;
  for (auto it = pools_.begin(); it != pools_.end();) {
    auto current = it++;
    if (current_hosts_.contains(current->first)) continue;
    if (current->second->activeStreams() > 0) {
      ++busy;
      continue;
    }
    pools_.erase(current);
  }
  return busy;
}

// Busy pools are looked at again later; this is rare (hosts removed while calls run on them)
// and cheap, so a coarse timer is enough.
void ClusterManager::schedulePrune() {
  constexpr std::chrono::seconds kPruneRetry{1};
  if (!prune_timer_.armed()) prune_timer_.arm(kPruneRetry);
}

ConnectionPool* ClusterManager::poolFor(const HostInfo& host) {
  auto& pool = pools_[host.pool_key.empty() ? host.label : host.pool_key];
  if (!pool) pool = std::make_unique<ConnectionPool>(loop_, host, limits_, allocator_);
  return pool.get();
}

ClusterManager::Pick ClusterManager::pick(const ClusterSet& clusters, uint32_t cluster_index) {
  const ClusterInfo& cluster = clusters.at(cluster_index);
  if (cluster.hosts.empty()) return {};
  // A call pinned to an older set may name a cluster the current set does not have.
  uint32_t& cursor = cluster_index < next_host_.size() ? next_host_[cluster_index] : stale_cursor_;
  uint32_t host_index = cursor++ % cluster.hosts.size();
  const HostInfo& host = cluster.hosts[host_index];
  // Calls pinned to an older cluster set look their pool up by address.
  if (&clusters == current_.get()) return {host_pools_[cluster_index][host_index], &host};
  ConnectionPool* pool = poolFor(host);
  // A removed host's pool may come back for such a call: it is pruned again once idle.
  if (!current_hosts_.contains(host.label)) schedulePrune();
  return {pool, &host};
}

}  // namespace meshgate::upstream
