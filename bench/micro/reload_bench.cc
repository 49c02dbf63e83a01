// What one reload costs on the main thread for a large config: load (YAML parse and validation),
// translate, and build the snapshot (route tables, clusters), for a VirtualService with N routes
// of exact gRPC method matches. The workers' part of a reload is a pointer swap.
//   build/bench/micro/reload_bench --benchmark_min_time=1
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <benchmark/benchmark.h>

#include "config/loader.h"
#include "server/snapshot.h"
#include "translate/translate.h"

namespace {

std::string largeConfig(int routes) {
  std::string yaml =
      "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata:\n  name: gw\n"
      "  namespace: istio-system\nspec:\n  servers:\n  - port:\n      number: 80\n"
      "      name: http\n      protocol: HTTP\n    hosts:\n    - grpc.example.com\n---\n"
      "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: backends\n"
      "  namespace: default\nspec:\n  hosts:\n  - backends.internal\n  location: MESH_INTERNAL\n"
      "  resolution: STATIC\n  ports:\n  - number: 50051\n    name: grpc\n    protocol: GRPC\n"
      "  endpoints:\n  - address: 127.0.0.1\n---\n"
      "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: vs\n"
      "  namespace: default\nspec:\n  hosts:\n  - grpc.example.com\n  gateways:\n"
      "  - istio-system/gw\n  http:\n";
  for (int i = 0; i < routes; ++i) {
    yaml += "  - match:\n    - uri:\n        exact: /pkg.Service" + std::to_string(i / 10) +
            "/Method" + std::to_string(i % 10) +
            "\n    route:\n    - destination:\n        host: backends.internal\n";
  }
  return yaml;
}

void BM_LoadTranslateSnapshot(benchmark::State& state) {
  auto path = std::filesystem::temp_directory_path() / "meshgate-reload-bench.yaml";
  std::ofstream(path, std::ios::trunc) << largeConfig(static_cast<int>(state.range(0)));
  uint64_t version = 0;
  for (auto _ : state) {
    auto loaded = meshgate::config::loadPaths({path});
    auto ir = std::make_shared<const meshgate::ir::Config>(
        meshgate::translate::translate(loaded.model, {}, loaded.diagnostics));
    if (loaded.diagnostics.hasErrors()) {
      state.SkipWithError(loaded.diagnostics.format().c_str());
      break;
    }
    auto snapshot = meshgate::server::buildSnapshot(ir, ++version);
    if (!snapshot.ok()) {
      state.SkipWithError("snapshot failed");
      break;
    }
    benchmark::DoNotOptimize(snapshot);
  }
  std::filesystem::remove(path);
}
BENCHMARK(BM_LoadTranslateSnapshot)->Arg(10)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace
