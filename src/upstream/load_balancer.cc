#include "upstream/load_balancer.h"

#include <algorithm>
#include <cmath>

#include "upstream/cluster_set.h"

namespace meshgate::upstream {
namespace {

// splitmix64's finalizer: spreads FNV's weak low bits over the whole word.
uint64_t mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t totalWeight(const std::vector<HostInfo>& hosts) {
  uint64_t total = 0;
  for (const HostInfo& host : hosts) total += std::max<uint32_t>(host.weight, 1);
  return total;
}

}  // namespace

uint64_t stableHash(std::string_view text) {
  uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a 64
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return mix(hash);
}

std::shared_ptr<const HashTable> HashTable::build(const LbSettings& settings,
                                                  const std::vector<HostInfo>& hosts) {
  if (hosts.empty()) return nullptr;
  if (settings.kind == LbKind::kRingHash) {
    return std::make_shared<RingHashTable>(hosts, settings.ring_minimum_size);
  }
  if (settings.kind == LbKind::kMaglev) {
    return std::make_shared<MaglevTable>(hosts, settings.maglev_table_size);
  }
  return nullptr;
}

RingHashTable::RingHashTable(const std::vector<HostInfo>& hosts, uint64_t minimum_size) {
  uint64_t total = totalWeight(hosts);
  // Every host gets at least one point; the smallest weight share gets at least one of
  // minimum_size points, so the ring may grow beyond minimum_size for skewed weights.
  double scale = static_cast<double>(std::max<uint64_t>(minimum_size, hosts.size())) /
                 static_cast<double>(total);
  for (uint32_t i = 0; i < hosts.size(); ++i) {
    auto points = static_cast<uint64_t>(
        std::max(1.0, std::ceil(scale * std::max<uint32_t>(hosts[i].weight, 1))));
    // Points are named by the host's address, so a host keeps its points when others come
    // and go: only the keys of a removed host move.
    for (uint64_t p = 0; p < points; ++p) {
      ring_.emplace_back(stableHash(hosts[i].label + "_" + std::to_string(p)), i);
    }
  }
  std::sort(ring_.begin(), ring_.end());
}

uint32_t RingHashTable::hostFor(uint64_t key_hash) const {
  auto it = std::lower_bound(ring_.begin(), ring_.end(), std::make_pair(key_hash, uint32_t{0}));
  if (it == ring_.end()) it = ring_.begin();
  return it->second;
}

MaglevTable::MaglevTable(const std::vector<HostInfo>& hosts, uint64_t table_size) {
  const uint64_t size = std::max<uint64_t>(table_size, 2);
  constexpr uint32_t kEmpty = UINT32_MAX;
  table_.assign(size, kEmpty);
  struct Permutation {
    uint64_t offset, skip, next = 0;
    double credit = 0;
  };
  std::vector<Permutation> permutations;
  uint32_t max_weight = 1;
  for (const HostInfo& host : hosts) {
    permutations.push_back(
        {stableHash(host.label) % size, stableHash(host.label + "#skip") % (size - 1) + 1});
    max_weight = std::max(max_weight, host.weight);
  }
  uint64_t filled = 0;
  while (filled < size) {
    for (uint32_t i = 0; i < hosts.size() && filled < size; ++i) {
      Permutation& p = permutations[i];
      // Weighted turns: a host fills a slot each time its accumulated share reaches one.
      p.credit += static_cast<double>(std::max<uint32_t>(hosts[i].weight, 1)) / max_weight;
      if (p.credit < 1.0) continue;
      p.credit -= 1.0;
      uint64_t slot = 0;
      do {
        slot = (p.offset + p.next * p.skip) % size;
        ++p.next;
      } while (table_[slot] != kEmpty);
      table_[slot] = i;
      ++filled;
    }
  }
}

uint32_t MaglevTable::hostFor(uint64_t key_hash) const { return table_[key_hash % table_.size()]; }

// One locality priority of a cluster: its hosts (a stable heap copy, the balancer refers to it)
// and their balancer.
struct LoadBalancer::Level {
  std::unique_ptr<std::vector<HostInfo>> hosts;
  std::unique_ptr<LoadBalancer> balancer;
  uint32_t begin = 0;  // index of hosts[0] in the cluster
};

LoadBalancer::LoadBalancer(const LbSettings& settings, const std::vector<HostInfo>& hosts,
                           std::shared_ptr<const HashTable> table, const ClusterHealth* health)
    : settings_(settings), hosts_(hosts), table_(std::move(table)), health_(health) {
  total_weight_ = totalWeight(hosts);
  for (const HostInfo& host : hosts)
    equal_weights_ = equal_weights_ && host.weight == hosts[0].weight;
  if (!equal_weights_) current_.assign(hosts.size(), 0);
  // Hosts come sorted by priority. Consistent hashing keeps one table over every host (a key
  // must not move with the gateway's locality), so it balances without priorities.
  bool hashing = settings.kind == LbKind::kRingHash || settings.kind == LbKind::kMaglev;
  if (hashing || hosts.empty() || hosts.front().priority == hosts.back().priority) return;
  for (uint32_t begin = 0; begin < hosts.size();) {
    uint32_t end = begin;
    while (end < hosts.size() && hosts[end].priority == hosts[begin].priority) ++end;
    Level level;
    level.hosts =
        std::make_unique<std::vector<HostInfo>>(hosts.begin() + begin, hosts.begin() + end);
    level.balancer.reset(new LoadBalancer(settings, *level.hosts, health, begin));
    level.begin = begin;
    levels_.push_back(std::move(level));
    begin = end;
  }
}

LoadBalancer::LoadBalancer(const LbSettings& settings, const std::vector<HostInfo>& hosts,
                           const ClusterHealth* health, uint32_t offset)
    : settings_(settings), hosts_(hosts), health_(health), offset_(offset) {
  total_weight_ = totalWeight(hosts);
  for (const HostInfo& host : hosts)
    equal_weights_ = equal_weights_ && host.weight == hosts[0].weight;
  if (!equal_weights_) current_.assign(hosts.size(), 0);
}

LoadBalancer::~LoadBalancer() = default;
LoadBalancer::LoadBalancer(LoadBalancer&&) noexcept = default;

// Envoy's priority load: each priority's health is its healthy share × the overprovisioning
// factor 1.4 (capped at 100%); the best priorities take calls up to their health and the rest
// spills over. When the health of all of them adds up to less than 100%, the loads are scaled
// up to 100%; with no healthy host anywhere, everything goes to the best priority.
std::vector<uint32_t> LoadBalancer::priorityLoad(
    const std::vector<std::pair<uint32_t, uint32_t>>& levels) {
  constexpr uint64_t kOverprovisioning = 140;
  std::vector<uint32_t> health;
  uint32_t total = 0;
  for (const auto& [healthy, size] : levels) {
    uint32_t h = size == 0 ? 0
                           : static_cast<uint32_t>(std::min<uint64_t>(
                                 100, uint64_t{healthy} * kOverprovisioning / size));
    health.push_back(h);
    total += h;
  }
  std::vector<uint32_t> load(levels.size(), 0);
  if (load.empty()) return load;
  if (total == 0) {
    load[0] = 100;
    return load;
  }
  uint32_t normalized = std::min<uint32_t>(100, total);
  uint32_t remaining = 100;
  for (size_t i = 0; i < levels.size(); ++i) {
    load[i] = std::min(remaining, health[i] * 100 / normalized);
    remaining -= load[i];
  }
  // Rounding leftovers go to the best priority that has healthy hosts.
  for (size_t i = 0; i < levels.size() && remaining > 0; ++i) {
    if (health[i] == 0) continue;
    load[i] += remaining;
    remaining = 0;
  }
  return load;
}

namespace {
// The host loads of one priority, whose hosts start at `offset` in the cluster.
struct OffsetLoad : HostLoad {
  OffsetLoad(const HostLoad* cluster_load, uint32_t first) : inner(cluster_load), offset(first) {}
  uint32_t activeRequests(uint32_t host_index) const override {
    return inner->activeRequests(offset + host_index);
  }
  const HostLoad* inner;
  uint32_t offset;
};
}  // namespace

uint32_t LoadBalancer::pickLevel(const PickContext& context) {
  size_t chosen = 0;
  // All healthy: the best priority is at 140% health and takes every call.
  if (health_ != nullptr && health_->unhealthyCount() != 0) {
    std::vector<std::pair<uint32_t, uint32_t>> counts;
    for (const Level& level : levels_) {
      counts.emplace_back(level.balancer->healthyCount(),
                          static_cast<uint32_t>(level.hosts->size()));
    }
    std::vector<uint32_t> load = priorityLoad(counts);
    // Bits of the random value that the host pick below does not use as they are.
    auto point = static_cast<uint32_t>(mix(context.random ^ 0x9e3779b97f4a7c15ULL) % 100);
    for (; chosen + 1 < levels_.size(); ++chosen) {
      if (point < load[chosen]) break;
      point -= load[chosen];
    }
  }
  Level& level = levels_[chosen];
  OffsetLoad load(context.load, level.begin);
  PickContext inner{context.hash, context.random, context.load != nullptr ? &load : nullptr};
  return level.begin + level.balancer->pick(inner);
}

uint32_t LoadBalancer::healthyCount() const {
  if (offset_ == 0 && hosts_.size() == health_->size()) return health_->healthyCount();
  uint32_t healthy = 0;
  for (uint32_t i = 0; i < hosts_.size(); ++i) healthy += health_->healthy(offset_ + i) ? 1 : 0;
  return healthy;
}

uint32_t LoadBalancer::pick(const PickContext& context) {
  if (!levels_.empty()) return pickLevel(context);
  // The common case, every host healthy, costs one relaxed load.
  bool filter = health_ != nullptr && health_->unhealthyCount() != 0 && !panicking();
  switch (settings_.kind) {
    case LbKind::kRingHash:
    case LbKind::kMaglev:
      // A call without a hash key (a missing header or cookie) goes to a random host.
      if (context.hash && table_ != nullptr) {
        if (auto host = hashed(*context.hash, filter)) return *host;
      }
      return weightedRandom(context.random, filter);
    case LbKind::kRandom:
      return weightedRandom(context.random, filter);
    case LbKind::kLeastRequest:
      return leastRequest(context, filter);
    case LbKind::kRoundRobin:
      break;
  }
  return roundRobin(filter);
}

// Envoy's panic mode: below the threshold share of healthy hosts (and always with none), the
// cluster balances over every host rather than overloading the few healthy ones or failing.
bool LoadBalancer::panicking() const {
  uint64_t healthy = healthyCount();
  return healthy == 0 ||
         healthy * 100 < static_cast<uint64_t>(settings_.panic_threshold_percent) * hosts_.size();
}

bool LoadBalancer::usable(uint32_t host, bool filter) const {
  return !filter || health_->healthy(offset_ + host);
}

// The rank-th usable host; rank < the number of usable hosts.
uint32_t LoadBalancer::nthUsable(uint32_t rank, bool filter) const {
  if (!filter) return rank;
  for (uint32_t i = 0; i < hosts_.size(); ++i) {
    if (health_->healthy(offset_ + i) && rank-- == 0) return i;
  }
  return 0;
}

uint32_t LoadBalancer::usableCount(bool filter) const {
  return filter ? healthyCount() : static_cast<uint32_t>(hosts_.size());
}

// A key whose host is out is hashed again, so only that host's keys move (as when a ring is
// rebuilt without it) and keys of healthy hosts stay put.
std::optional<uint32_t> LoadBalancer::hashed(uint64_t key_hash, bool filter) const {
  constexpr int kRehashes = 8;
  for (int i = 0; i <= kRehashes; ++i) {
    uint32_t host = table_->hostFor(key_hash);
    if (usable(host, filter)) return host;
    key_hash = mix(key_hash + 1);
  }
  return std::nullopt;
}

// Equal weights: a plain cursor. Otherwise nginx's smooth weighted round robin, which spreads a
// heavy host's turns between the others' instead of sending them in a burst.
uint32_t LoadBalancer::roundRobin(bool filter) {
  if (equal_weights_) {
    for (size_t tries = 0; tries < hosts_.size(); ++tries) {
      uint32_t host = cursor_++ % hosts_.size();
      if (usable(host, filter)) return host;
    }
    return 0;
  }
  std::optional<uint32_t> best;
  int64_t total = 0;
  for (uint32_t i = 0; i < hosts_.size(); ++i) {
    if (!usable(i, filter)) continue;
    int64_t weight = std::max<uint32_t>(hosts_[i].weight, 1);
    current_[i] += weight;
    total += weight;
    if (!best || current_[i] > current_[*best]) best = i;
  }
  current_[*best] -= total;
  return *best;
}

uint32_t LoadBalancer::weightedRandom(uint64_t random, bool filter) const {
  if (equal_weights_) return nthUsable(static_cast<uint32_t>(random % usableCount(filter)), filter);
  uint64_t total = 0;
  for (uint32_t i = 0; i < hosts_.size(); ++i) {
    if (usable(i, filter)) total += std::max<uint32_t>(hosts_[i].weight, 1);
  }
  uint64_t point = random % total;
  for (uint32_t i = 0; i < hosts_.size(); ++i) {
    if (!usable(i, filter)) continue;
    uint64_t weight = std::max<uint32_t>(hosts_[i].weight, 1);
    if (point < weight) return i;
    point -= weight;
  }
  return static_cast<uint32_t>(hosts_.size() - 1);
}

// Power of two choices: two random hosts, the one with fewer active requests (per unit of
// weight) wins; ties go to the first.
uint32_t LoadBalancer::leastRequest(const PickContext& context, bool filter) const {
  uint32_t n = usableCount(filter);
  if (n == 1) return nthUsable(0, filter);
  auto a = static_cast<uint32_t>(context.random % n);
  auto b = static_cast<uint32_t>((context.random >> 32) % (n - 1));
  if (b >= a) ++b;  // distinct from a
  a = nthUsable(a, filter);
  b = nthUsable(b, filter);
  auto load = [&](uint32_t i) {
    double active =
        context.load != nullptr ? static_cast<double>(context.load->activeRequests(i)) : 0.0;
    return active / std::max<uint32_t>(hosts_[i].weight, 1);
  };
  return load(b) < load(a) ? b : a;
}

}  // namespace meshgate::upstream
