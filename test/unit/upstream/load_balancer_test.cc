#include "upstream/load_balancer.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "io/event_loop.h"
#include "upstream/cluster_set.h"
#include "upstream/host_health.h"

namespace meshgate::upstream {
namespace {

std::vector<HostInfo> hosts(size_t n, std::vector<uint32_t> weights = {}) {
  std::vector<HostInfo> out;
  for (size_t i = 0; i < n; ++i) {
    std::string ip = "10.0.0." + std::to_string(i + 1);
    out.push_back(
        {*io::Address::fromNumeric(ip, 50051), ip + ":50051", weights.empty() ? 1u : weights[i]});
  }
  return out;
}

uint64_t xorshift(uint64_t& state) {
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 2685821657736338717ULL;
}

std::vector<int> counts(LoadBalancer& lb, size_t n, int calls, uint64_t seed = 7) {
  std::vector<int> out(n, 0);
  for (int i = 0; i < calls; ++i) ++out[lb.pick({std::nullopt, xorshift(seed), {}})];
  return out;
}

TEST(LoadBalancerTest, RoundRobinIsExactlyEven) {
  LbSettings settings;
  auto list = hosts(3);
  LoadBalancer lb(settings, list, nullptr);
  EXPECT_EQ(counts(lb, 3, 300), (std::vector<int>{100, 100, 100}));
}

TEST(LoadBalancerTest, RoundRobinHonoursWeightsSmoothly) {
  LbSettings settings;
  auto list = hosts(3, {1, 2, 7});
  LoadBalancer lb(settings, list, nullptr);
  EXPECT_EQ(counts(lb, 3, 1000), (std::vector<int>{100, 200, 700}));
  // Smooth: the heavy host never takes more than its share in a row (7 of 10 → at most 3).
  int run = 0, longest = 0;
  for (int i = 0; i < 100; ++i) {
    run = lb.pick({}) == 2 ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  EXPECT_LE(longest, 3);
}

TEST(LoadBalancerTest, RandomFollowsWeights) {
  LbSettings settings{LbKind::kRandom};
  auto list = hosts(2, {1, 3});
  LoadBalancer lb(settings, list, nullptr);
  std::vector<int> got = counts(lb, 2, 40000);
  EXPECT_NEAR(got[0], 10000, 600);
  EXPECT_NEAR(got[1], 30000, 600);
}

struct FixedLoad : HostLoad {
  std::vector<uint32_t> active;
  uint32_t activeRequests(uint32_t host_index) const override { return active[host_index]; }
};

TEST(LoadBalancerTest, LeastRequestFavoursTheIdleHost) {
  LbSettings settings{LbKind::kLeastRequest};
  auto list = hosts(3);
  LoadBalancer lb(settings, list, nullptr);
  FixedLoad load;
  load.active = {0, 0, 0};
  std::vector<int> idle(3, 0);
  uint64_t seed = 3;
  for (int i = 0; i < 3000; ++i) ++idle[lb.pick({std::nullopt, xorshift(seed), &load})];
  for (int c : idle) EXPECT_NEAR(c, 1000, 150);  // all idle: even
  // Host 0 busy: two distinct hosts are compared and one of them is always idle.
  load.active = {5, 0, 0};
  std::vector<int> busy(3, 0);
  for (int i = 0; i < 3000; ++i) ++busy[lb.pick({std::nullopt, xorshift(seed), &load})];
  EXPECT_EQ(busy[0], 0);
  // Two busy hosts: the idle one wins every comparison it is in (2 of 3 pairs).
  load.active = {5, 3, 0};
  std::vector<int> two(3, 0);
  for (int i = 0; i < 3000; ++i) ++two[lb.pick({std::nullopt, xorshift(seed), &load})];
  EXPECT_NEAR(two[2], 2000, 150);
  EXPECT_NEAR(two[1], 1000, 150);
  EXPECT_EQ(two[0], 0);
}

TEST(LoadBalancerTest, RingHashKeepsKeysAndMovesAboutOneNth) {
  auto four = hosts(4);
  RingHashTable ring(four, 1024);
  EXPECT_GE(ring.size(), 1024u);
  std::map<int, std::string> before;
  for (int key = 0; key < 4000; ++key) {
    uint32_t host = ring.hostFor(stableHash("user-" + std::to_string(key)));
    before[key] = four[host].label;
    EXPECT_EQ(ring.hostFor(stableHash("user-" + std::to_string(key))), host);  // stable
  }
  auto three = four;
  three.erase(three.begin() + 1);  // remove 10.0.0.2
  RingHashTable smaller(three, 1024);
  int moved = 0;
  std::vector<int> per_host(4, 0);
  for (int key = 0; key < 4000; ++key) {
    const std::string& now =
        three[smaller.hostFor(stableHash("user-" + std::to_string(key)))].label;
    if (now != before[key]) ++moved;
    // Every key of the removed host moves; the others mostly stay (the ring re-scales its
    // points to keep its minimum size, as Envoy's does, which moves a few more).
    if (before[key] == "10.0.0.2:50051") {
      EXPECT_NE(now, before[key]);
    }
  }
  EXPECT_GE(moved, 800);
  EXPECT_LE(moved, 1400);  // ~1/N of the keys
}

TEST(LoadBalancerTest, RingHashHonoursWeights) {
  auto list = hosts(2, {1, 3});
  RingHashTable ring(list, 4096);
  std::vector<int> got(2, 0);
  for (int key = 0; key < 20000; ++key) ++got[ring.hostFor(stableHash(std::to_string(key)))];
  EXPECT_NEAR(got[1] / 20000.0, 0.75, 0.05);
}

TEST(LoadBalancerTest, MaglevKeepsKeysAndMovesAboutOneNth) {
  auto four = hosts(4);
  MaglevTable table(four, 65537);
  auto three = four;
  three.erase(three.begin() + 3);
  MaglevTable smaller(three, 65537);
  int moved = 0;
  std::vector<int> spread(4, 0);
  for (int key = 0; key < 8000; ++key) {
    uint64_t hash = stableHash("k" + std::to_string(key));
    uint32_t host = table.hostFor(hash);
    ++spread[host];
    EXPECT_EQ(table.hostFor(hash), host);
    if (three[smaller.hostFor(hash)].label != four[host].label) ++moved;
  }
  for (int c : spread) EXPECT_NEAR(c, 2000, 300);
  // Maglev moves the removed host's keys plus a small disruption elsewhere.
  EXPECT_NEAR(moved, 2000, 400);
}

TEST(LoadBalancerTest, MaglevHonoursWeights) {
  auto list = hosts(3, {1, 1, 2});
  MaglevTable table(list, 65537);
  std::vector<int> got(3, 0);
  for (int key = 0; key < 20000; ++key) ++got[table.hostFor(stableHash(std::to_string(key)))];
  EXPECT_NEAR(got[2] / 20000.0, 0.5, 0.04);
}

TEST(LoadBalancerTest, HashPolicyWithoutKeyPicksAtRandom) {
  LbSettings settings{LbKind::kRingHash};
  auto list = hosts(3);
  auto table = HashTable::build(settings, list);
  LoadBalancer lb(settings, list, table);
  std::vector<int> got = counts(lb, 3, 3000);
  for (int c : got) EXPECT_GT(c, 800);
  uint64_t key = stableHash("same");
  uint32_t first = lb.pick({key, 1, {}});
  for (uint64_t r = 0; r < 50; ++r) EXPECT_EQ(lb.pick({key, r, {}}), first);
}

TEST(ClusterHealthTest, AHostReturnsOnlyWhenEveryReasonHasCleared) {
  ClusterHealth health(3);
  EXPECT_EQ(health.healthyCount(), 3u);
  EXPECT_TRUE(health.set(1, HealthFlag::kOutlierEjected));
  EXPECT_FALSE(health.set(1, HealthFlag::kFailedActiveCheck));  // already out
  EXPECT_EQ(health.unhealthyCount(), 1u);
  EXPECT_FALSE(health.clear(1, HealthFlag::kOutlierEjected));  // the check still fails
  EXPECT_FALSE(health.healthy(1));
  EXPECT_TRUE(health.clear(1, HealthFlag::kFailedActiveCheck));
  EXPECT_TRUE(health.healthy(1));
  EXPECT_FALSE(health.clear(1, HealthFlag::kFailedActiveCheck));  // not set: no change
  EXPECT_EQ(health.unhealthyCount(), 0u);
}

// Every policy leaves an unhealthy host out while enough others are healthy.
TEST(LoadBalancerTest, EveryPolicySkipsUnhealthyHosts) {
  for (LbKind kind : {LbKind::kRoundRobin, LbKind::kRandom, LbKind::kLeastRequest,
                      LbKind::kRingHash, LbKind::kMaglev}) {
    for (std::vector<uint32_t> weights :
         {std::vector<uint32_t>{}, std::vector<uint32_t>{1, 2, 3, 4}}) {
      LbSettings settings{kind};
      auto list = hosts(4, weights);
      ClusterHealth health(4);
      health.set(2, HealthFlag::kOutlierEjected);
      LoadBalancer lb(settings, list, HashTable::build(settings, list), &health);
      uint64_t seed = 11;
      std::vector<int> got(4, 0);
      for (int i = 0; i < 2000; ++i) {
        std::optional<uint64_t> key;
        if (kind == LbKind::kRingHash || kind == LbKind::kMaglev)
          key = stableHash(std::to_string(i));
        ++got[lb.pick({key, xorshift(seed), {}})];
      }
      EXPECT_EQ(got[2], 0) << static_cast<int>(kind);
      for (int host : {0, 1, 3}) EXPECT_GT(got[host], 100) << static_cast<int>(kind);
    }
  }
}

TEST(LoadBalancerTest, WeightedRoundRobinKeepsRatiosAmongHealthyHosts) {
  LbSettings settings;
  auto list = hosts(3, {1, 2, 7});
  ClusterHealth health(3);
  health.set(2, HealthFlag::kFailedActiveCheck);
  LoadBalancer lb(settings, list, nullptr, &health);
  EXPECT_EQ(counts(lb, 3, 300), (std::vector<int>{100, 200, 0}));
  health.clear(2, HealthFlag::kFailedActiveCheck);
  std::vector<int> after = counts(lb, 3, 1000);
  EXPECT_NEAR(after[2], 700, 10);
}

TEST(LoadBalancerTest, HashedKeysOfHealthyHostsStayWhenAnotherGoes) {
  LbSettings settings{LbKind::kRingHash};
  auto list = hosts(4);
  ClusterHealth health(4);
  LoadBalancer lb(settings, list, HashTable::build(settings, list), &health);
  std::vector<uint32_t> before;
  for (int key = 0; key < 1000; ++key)
    before.push_back(lb.pick({stableHash(std::to_string(key)), 0, {}}));
  health.set(0, HealthFlag::kOutlierEjected);
  for (int key = 0; key < 1000; ++key) {
    uint32_t now = lb.pick({stableHash(std::to_string(key)), 0, {}});
    EXPECT_NE(now, 0u);
    if (before[key] != 0) {
      EXPECT_EQ(now, before[key]);
    }
  }
}

// Envoy's panic mode: with fewer healthy hosts than the threshold, and always with none, the
// cluster uses every host instead of failing calls or overloading the last healthy one.
TEST(LoadBalancerTest, PanicModeBalancesOverEveryHost) {
  LbSettings settings;  // threshold 50%
  auto list = hosts(4);
  ClusterHealth health(4);
  health.set(0, HealthFlag::kOutlierEjected);
  health.set(1, HealthFlag::kOutlierEjected);
  LoadBalancer lb(settings, list, nullptr, &health);
  EXPECT_EQ(counts(lb, 4, 400), (std::vector<int>{0, 0, 200, 200}));  // 2 of 4: not below 50%
  health.set(2, HealthFlag::kFailedActiveCheck);
  EXPECT_EQ(counts(lb, 4, 400), (std::vector<int>{100, 100, 100, 100}));

  LbSettings no_panic;
  no_panic.panic_threshold_percent = 0;
  LoadBalancer strict(no_panic, list, nullptr, &health);
  EXPECT_EQ(counts(strict, 4, 400), (std::vector<int>{0, 0, 0, 400}));
  health.set(3, HealthFlag::kFailedActiveCheck);
  EXPECT_EQ(counts(strict, 4, 400), (std::vector<int>{100, 100, 100, 100}));  // none healthy
}

}  // namespace
}  // namespace meshgate::upstream

namespace meshgate::upstream {
namespace {

// Hosts with locality priorities, sorted as ClusterInfo has them.
std::vector<HostInfo> leveled(std::vector<uint32_t> priorities) {
  std::vector<HostInfo> out = hosts(priorities.size());
  for (size_t i = 0; i < priorities.size(); ++i) out[i].priority = priorities[i];
  return out;
}

TEST(LocalityPriorityTest, PriorityLoadFollowsEnvoy) {
  using Levels = std::vector<std::pair<uint32_t, uint32_t>>;
  // All healthy: the best priority takes everything.
  EXPECT_EQ(LoadBalancer::priorityLoad(Levels{{2, 2}, {3, 3}}), (std::vector<uint32_t>{100, 0}));
  // 1 of 2 healthy: 50% × 1.4 = 70% stays, 30% spills over.
  EXPECT_EQ(LoadBalancer::priorityLoad(Levels{{1, 2}, {3, 3}}), (std::vector<uint32_t>{70, 30}));
  // 3 of 4 healthy: 105% health, no spill.
  EXPECT_EQ(LoadBalancer::priorityLoad(Levels{{3, 4}, {3, 3}}), (std::vector<uint32_t>{100, 0}));
  // None healthy in the best: the next takes what its health allows (2/3 × 1.4 = 93%).
  EXPECT_EQ(LoadBalancer::priorityLoad(Levels{{0, 2}, {2, 3}, {3, 3}}),
            (std::vector<uint32_t>{0, 93, 7}));
  // Too little health everywhere: scaled up to 100% (28% + 28% → 50/50).
  EXPECT_EQ(LoadBalancer::priorityLoad(Levels{{1, 5}, {1, 5}}), (std::vector<uint32_t>{50, 50}));
  // Nothing healthy: the best priority (in panic).
  EXPECT_EQ(LoadBalancer::priorityLoad(Levels{{0, 1}, {0, 1}}), (std::vector<uint32_t>{100, 0}));
}

TEST(LocalityPriorityTest, CallsStayInTheBestPriorityWhileItIsHealthy) {
  LbSettings settings;
  settings.panic_threshold_percent = 0;
  auto members = leveled({0, 0, 1, 1});
  ClusterHealth health(members.size());
  LoadBalancer lb(settings, members, nullptr, &health);
  EXPECT_EQ(counts(lb, 4, 400), (std::vector<int>{200, 200, 0, 0}));
}

TEST(LocalityPriorityTest, APartlyHealthyPrioritySpillsOver) {
  for (LbKind kind : {LbKind::kRoundRobin, LbKind::kRandom, LbKind::kLeastRequest}) {
    SCOPED_TRACE(static_cast<int>(kind));
    LbSettings settings;
    settings.kind = kind;
    settings.panic_threshold_percent = 0;
    auto members = leveled({0, 0, 1, 1});
    ClusterHealth health(members.size());
    health.set(0, HealthFlag::kOutlierEjected);
    LoadBalancer lb(settings, members, nullptr, &health);
    std::vector<int> spread = counts(lb, 4, 10000);
    EXPECT_EQ(spread[0], 0);
    // 70% to the healthy host of priority 0, 30% to priority 1.
    EXPECT_NEAR(spread[1], 7000, 300);
    EXPECT_NEAR(spread[2] + spread[3], 3000, 300);
    EXPECT_GT(spread[2], 0);
    EXPECT_GT(spread[3], 0);
  }
}

TEST(LocalityPriorityTest, AnEjectedPriorityFailsOverAndComesBack) {
  LbSettings settings;
  settings.panic_threshold_percent = 0;
  auto members = leveled({0, 1, 2});
  ClusterHealth health(members.size());
  LoadBalancer lb(settings, members, nullptr, &health);
  health.set(0, HealthFlag::kOutlierEjected);
  EXPECT_EQ(counts(lb, 3, 100), (std::vector<int>{0, 100, 0}));
  health.set(1, HealthFlag::kOutlierEjected);
  EXPECT_EQ(counts(lb, 3, 100), (std::vector<int>{0, 0, 100}));
  health.clear(0, HealthFlag::kOutlierEjected);
  EXPECT_EQ(counts(lb, 3, 100), (std::vector<int>{100, 0, 0}));
}

TEST(LocalityPriorityTest, ConsistentHashIgnoresPriorities) {
  LbSettings settings;
  settings.kind = LbKind::kRingHash;
  auto members = leveled({0, 1});
  auto table = HashTable::build(settings, members);
  ClusterHealth health(members.size());
  LoadBalancer lb(settings, members, table, &health);
  std::set<uint32_t> seen;
  for (uint64_t key = 0; key < 200; ++key)
    seen.insert(lb.pick({stableHash(std::to_string(key)), key, {}}));
  EXPECT_EQ(seen.size(), 2u);
}

}  // namespace
}  // namespace meshgate::upstream
