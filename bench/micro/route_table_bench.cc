// RouteTable::match on one virtual host with N routes, for the route listed last (the longest
// scan): an exact /pkg.SvcN/Method path and a /pkg.SvcN/ service prefix. The bound:
// with 10,000 routes a lookup costs at most 2x the lookup with 10 (compare the /10 and /10000
// rows); BM_ScanExactPath is the plain in-order scan the index replaces, for scale.
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "router/route_table.h"

namespace meshgate::router {
namespace {

// The IR the table points into, and the table.
struct Fixture {
  ir::Listener listener;
  std::optional<RouteTable> table;
};

void buildTable(Fixture& fixture, int routes, ir::PathMatchKind kind) {
  ir::VirtualHost host;
  host.name = "grpc.example.com:443";
  host.domains = {"grpc.example.com", "*.example.org"};
  for (int i = 0; i < routes; ++i) {
    ir::Route route;
    route.name = "default/vs.http[" + std::to_string(i) + "]";
    std::string service = "/pkg.Svc" + std::to_string(i) + "/";
    route.matches = {
        {.path = {kind, kind == ir::PathMatchKind::kExact ? service + "Method" : service, false}}};
    route.clusters = {{"outbound|50051||backend.default.svc.cluster.local", 100}};
    host.routes.push_back(std::move(route));
  }
  fixture.listener.virtual_hosts = {std::move(host)};
  auto table = RouteTable::build(fixture.listener,
                                 [](std::string_view) { return std::optional<uint32_t>(0); });
  if (!table.ok()) std::abort();
  fixture.table.emplace(std::move(*table));
}

void matchLastRoute(benchmark::State& state, ir::PathMatchKind kind) {
  const int routes = static_cast<int>(state.range(0));
  Fixture fixture;
  buildTable(fixture, routes, kind);
  const std::string path = "/pkg.Svc" + std::to_string(routes - 1) + "/Method";
  const std::string authority = "grpc.example.com:443";
  for (auto _ : state) {
    const CompiledRoute* route = fixture.table->match({.authority = authority, .path = path});
    benchmark::DoNotOptimize(route);
    if (route == nullptr) state.SkipWithError("no match");
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_MatchExactPath(benchmark::State& state) {
  matchLastRoute(state, ir::PathMatchKind::kExact);
}
void BM_MatchServicePrefix(benchmark::State& state) {
  matchLastRoute(state, ir::PathMatchKind::kPrefix);
}
BENCHMARK(BM_MatchExactPath)->Arg(10)->Arg(10000);
BENCHMARK(BM_MatchServicePrefix)->Arg(10)->Arg(10000);

void BM_ScanExactPath(benchmark::State& state) {
  const int routes = static_cast<int>(state.range(0));
  Fixture fixture;
  buildTable(fixture, routes, ir::PathMatchKind::kExact);
  const std::string path = "/pkg.Svc" + std::to_string(routes - 1) + "/Method";
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        fixture.table->matchInOrder({.authority = "grpc.example.com:443", .path = path}));
  }
}
BENCHMARK(BM_ScanExactPath)->Arg(10)->Arg(10000);

// The virtual host lookup alone: exact domain, then a wildcard after the exact map misses.
void BM_FindVirtualHost(benchmark::State& state) {
  Fixture fixture;
  buildTable(fixture, 10, ir::PathMatchKind::kExact);
  const std::string authority = state.range(0) == 0 ? "grpc.example.com:443" : "api.example.org";
  for (auto _ : state) benchmark::DoNotOptimize(fixture.table->findVirtualHost(authority));
}
BENCHMARK(BM_FindVirtualHost)->Arg(0)->Arg(1);

}  // namespace
}  // namespace meshgate::router
