// LoadBalancer::pick per call: all hosts healthy on one locality level (the common case), one
// host out, and hosts on two locality levels; and OutlierDetector::report for a success on a
// host without failures (every call pays it when outlierDetection is set).
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "upstream/cluster_set.h"
#include "upstream/load_balancer.h"
#include "upstream/outlier_detector.h"

namespace meshgate::upstream {
namespace {

std::vector<HostInfo> makeHosts(size_t n, bool two_levels) {
  std::vector<HostInfo> out(n);
  for (size_t i = 0; i < n; ++i) {
    out[i].label = "10.0.0." + std::to_string(i + 1) + ":50051";
    out[i].priority = two_levels && i >= n / 2 ? 1 : 0;
  }
  return out;
}

// range(0): the LbKind; range(1): 0 all healthy, 1 one host out, 2 two locality levels.
void BM_Pick(benchmark::State& state) {
  LbSettings settings;
  settings.kind = static_cast<LbKind>(state.range(0));
  std::vector<HostInfo> hosts = makeHosts(8, state.range(1) == 2);
  ClusterHealth health(hosts.size());
  if (state.range(1) == 1) health.set(3, HealthFlag::kOutlierEjected);
  LoadBalancer lb(settings, hosts, nullptr, &health);
  uint64_t random = 88172645463325252ULL;
  for (auto _ : state) {
    random ^= random << 13;
    random ^= random >> 7;
    random ^= random << 17;
    benchmark::DoNotOptimize(lb.pick({std::nullopt, random, nullptr}));
  }
}
BENCHMARK(BM_Pick)->ArgsProduct({{static_cast<int>(LbKind::kRoundRobin),
                                  static_cast<int>(LbKind::kRandom),
                                  static_cast<int>(LbKind::kLeastRequest)},
                                 {0, 1, 2}});

void BM_ReportSuccess(benchmark::State& state) {
  auto health = std::make_shared<ClusterHealth>(8);
  OutlierDetector detector(OutlierSettings{}, health);
  uint32_t host = 0;
  for (auto _ : state) {
    detector.report(host, Outcome::kSuccess);
    host = (host + 1) & 7;
  }
}
BENCHMARK(BM_ReportSuccess);

}  // namespace
}  // namespace meshgate::upstream
