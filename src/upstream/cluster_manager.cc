#include "upstream/cluster_manager.h"

#include <algorithm>

#include <fmt/format.h>

namespace meshgate::upstream {

ClusterManager::ClusterManager(io::EventLoop& loop, const http::Limits& limits,
                               http::h2::CodecAllocator* allocator, UpstreamStats* stats)
    : loop_(loop),
      limits_(limits),
      allocator_(allocator),
      stats_(stats),
      prune_timer_(loop,
                   [this] {
                     if (pruneIdlePools() > 0) schedulePrune();
                   }),
      random_(reinterpret_cast<uintptr_t>(this) | 1) {}

ClusterManager::~ClusterManager() = default;

void ClusterManager::setClusters(std::shared_ptr<const ClusterSet> clusters) {
  balancers_.clear();
  host_pools_.assign(clusters->size(), {});
  current_pool_keys_.clear();
  for (uint32_t i = 0; i < clusters->size(); ++i) {
    const ClusterInfo& cluster = clusters->at(i);
    balancers_.emplace_back(cluster.lb, cluster.hosts, cluster.hash_table, cluster.health.get());
    for (const auto& host : cluster.hosts) {
      host_pools_[i].push_back(poolFor(cluster, host));
      current_pool_keys_.insert(poolKey(cluster, host));
    }
  }
  current_ = std::move(clusters);
  if (pruneIdlePools() > 0) schedulePrune();
}

size_t ClusterManager::pruneIdlePools() {
  size_t busy = 0;
  for (auto it = pools_.begin(); it != pools_.end();) {
    auto current = it++;
    if (current_pool_keys_.contains(current->first)) continue;
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

// One pool per address, TLS settings and pool settings.
std::string ClusterManager::poolKey(const ClusterInfo& cluster, const HostInfo& host) {
  std::string key = host.pool_key.empty() ? host.label : host.pool_key;
  std::string settings = cluster.pool.key();
  if (!settings.empty()) key += "|" + settings;
  return key;
}

ConnectionPool* ClusterManager::poolFor(const ClusterInfo& cluster, const HostInfo& host) {
  auto& pool = pools_[poolKey(cluster, host)];
  if (!pool) {
    pool = std::make_unique<ConnectionPool>(loop_, host, limits_, allocator_, cluster.pool, stats_);
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

template <class PickFn>
uint32_t ClusterManager::pickAvoiding(PickFn&& pick, size_t host_count,
                                      std::span<const uint32_t> exclude) {
  auto excluded = [&](uint32_t index) {
    return std::find(exclude.begin(), exclude.end(), index) != exclude.end();
  };
  uint32_t index = pick();
  if (exclude.empty() || !excluded(index)) return index;
  // Round robin moves on by itself; random and least request draw again. Hash policies
  // return the same host, so the walk below finds its neighbour.
  constexpr int kRepicks = 3;
  for (int i = 0; i < kRepicks; ++i) {
    uint32_t again = pick();
    if (!excluded(again)) return again;
  }
  for (size_t step = 1; step < host_count; ++step) {
    auto next = static_cast<uint32_t>((index + step) % host_count);
    if (!excluded(next)) return next;
  }
  return index;  // every host was tried: any will do
}

ClusterManager::Pick ClusterManager::pick(const ClusterSet& clusters, uint32_t cluster_index,
                                          std::optional<uint64_t> hash,
                                          const PickOptions& options) {
  const ClusterInfo& cluster = clusters.at(cluster_index);
  Pick out;
  if (cluster.hosts.empty()) return out;
  // Counted only with a limit or a retry policy: the shared counter costs a contended atomic
  // per call.
  if (cluster.pool.max_requests != 0 || options.count_request) {
    out.slot = acquireActiveRequest(cluster.counters, cluster.pool.max_requests);
    if (!out.slot) {
      out.overflow = fmt::format("cluster {} is at connectionPool.http.http2MaxRequests ({})",
                                 cluster.name, cluster.pool.max_requests);
      return out;
    }
  }
  uint32_t host_index = 0;
  if (&clusters == current_.get()) {
    PoolLoad load(host_pools_[cluster_index]);
    host_index = pickAvoiding(
        [&] {
          return balancers_[cluster_index].pick({hash, nextRandom(), &load});
        },
        cluster.hosts.size(), options.exclude);
    out.pool = host_pools_[cluster_index][host_index];
  } else {
    // A call pinned to an older cluster set: a one-off balancer (no round-robin memory), pools
    // looked up by address.
    LbSettings settings = cluster.lb;
    if (settings.kind == LbKind::kRoundRobin || settings.kind == LbKind::kLeastRequest) {
      settings.kind = LbKind::kRandom;
    }
    LoadBalancer balancer(settings, cluster.hosts, cluster.hash_table, cluster.health.get());
    host_index = pickAvoiding(
        [&] {
          return balancer.pick({hash, nextRandom(), nullptr});
        },
        cluster.hosts.size(), options.exclude);
    out.pool = poolFor(cluster, cluster.hosts[host_index]);
    // A removed host's pool may come back for such a call: it is pruned again once idle.
    if (!current_pool_keys_.contains(poolKey(cluster, cluster.hosts[host_index]))) {
      schedulePrune();
    }
  }
  out.host = &cluster.hosts[host_index];
  out.host_index = host_index;
  return out;
}

}  // namespace meshgate::upstream
