#include "upstream/cluster_manager.h"

#include <fmt/format.h>

namespace meshgate::upstream {

ClusterManager::ClusterManager(io::EventLoop& loop, const http::Limits& limits,
                               http::h2::CodecAllocator* allocator)
    : loop_(loop),
      limits_(limits),
      allocator_(allocator),
      random_(reinterpret_cast<uintptr_t>(this) | 1) {}

ClusterManager::~ClusterManager() = default;

void ClusterManager::setClusters(std::shared_ptr<const ClusterSet> clusters) {
  balancers_.clear();
  host_pools_.assign(clusters->size(), {});
  for (uint32_t i = 0; i < clusters->size(); ++i) {
    const ClusterInfo& cluster = clusters->at(i);
    balancers_.emplace_back(cluster.lb, cluster.hosts, cluster.hash_table);
    for (const auto& host : cluster.hosts) host_pools_[i].push_back(poolFor(cluster, host));
  }
  current_ = std::move(clusters);
}

ConnectionPool* ClusterManager::poolFor(const ClusterInfo& cluster, const HostInfo& host) {
  std::string settings = cluster.pool.key();
  auto& pool = pools_[settings.empty() ? host.label : host.label + "|" + settings];
  if (!pool) {
    pool = std::make_unique<ConnectionPool>(loop_, host, limits_, allocator_, cluster.pool);
  }
  return pool.get();
}

// xorshift64*: worker-local randomness for RANDOM, LEAST_REQUEST and hash misses.
uint64_t ClusterManager::nextRandom() {
  random_ ^= random_ >> 12;
  random_ ^= random_ << 25;
  random_ ^= random_ >> 27;
  return random_ * 2685821657736338717ULL;
}

namespace {
struct PoolLoad : HostLoad {
  explicit PoolLoad(const std::vector<ConnectionPool*>& host_pools) : pools(host_pools) {}
  uint32_t activeRequests(uint32_t host_index) const override {
    return pools[host_index]->activeRequests();
  }
  const std::vector<ConnectionPool*>& pools;
};
}  // namespace

ClusterManager::Pick ClusterManager::pick(const ClusterSet& clusters, uint32_t cluster_index,
                                          std::optional<uint64_t> hash) {
  const ClusterInfo& cluster = clusters.at(cluster_index);
  Pick out;
  if (cluster.hosts.empty()) return out;
  // Counted only with a limit: the shared counter costs a contended atomic per call.
  if (cluster.pool.max_requests != 0) {
    out.slot = ActiveRequest::tryAcquire(cluster.counters, cluster.pool.max_requests);
    if (!out.slot) {
      out.overflow = fmt::format("cluster {} is at connectionPool.http.http2MaxRequests ({})",
                                 cluster.name, cluster.pool.max_requests);
      return out;
    }
  }
  uint32_t host_index = 0;
  if (&clusters == current_.get()) {
    PoolLoad load(host_pools_[cluster_index]);
    host_index = balancers_[cluster_index].pick({hash, nextRandom(), &load});
    out.pool = host_pools_[cluster_index][host_index];
  } else {
    // A call pinned to an older cluster set: a one-off balancer (no round-robin memory), pools
    // looked up by address.
    LbSettings settings = cluster.lb;
    if (settings.kind == LbKind::kRoundRobin || settings.kind == LbKind::kLeastRequest) {
      settings.kind = LbKind::kRandom;
    }
    LoadBalancer balancer(settings, cluster.hosts, cluster.hash_table);
    host_index = balancer.pick({hash, nextRandom(), nullptr});
    out.pool = poolFor(cluster, cluster.hosts[host_index]);
  }
  out.host = &cluster.hosts[host_index];
  return out;
}

}  // namespace meshgate::upstream
