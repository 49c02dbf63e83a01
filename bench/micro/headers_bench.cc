// HeaderList for a typical gRPC request: ten fields built as the codec delivers them, then the
// lookups the proxy makes per call.
#include <string_view>

#include <benchmark/benchmark.h>

#include "http/headers.h"

namespace meshgate::http {
namespace {

constexpr HeaderView kGrpcRequest[] = {
    {":method", "POST"},
    {":scheme", "https"},
    {":path", "/helloworld.Greeter/SayHello"},
    {":authority", "grpc.example.com:443"},
    {"content-type", "application/grpc"},
    {"te", "trailers"},
    {"grpc-timeout", "4999m"},
    {"grpc-accept-encoding", "identity,deflate,gzip"},
    {"user-agent", "grpc-c++/1.51.1 grpc-c/29.0.0 (linux; chttp2)"},
    {"x-request-id", "3f0c2a51-7d4e-4b8e-9a0b-5c1f6e2d9a77"},
};

HeaderList buildRequest() {
  HeaderList headers;
  headers.reserve(12, 320);  // as proxy::ActiveStream does
  for (HeaderView field : kGrpcRequest) headers.add(field.name, field.value);
  return headers;
}

void BM_BuildGrpcRequestHeaders(benchmark::State& state) {
  for (auto _ : state) {
    HeaderList headers = buildRequest();
    benchmark::DoNotOptimize(headers);
  }
  state.SetItemsProcessed(state.iterations() * std::size(kGrpcRequest));
}
BENCHMARK(BM_BuildGrpcRequestHeaders);

// What one call reads: authority, path, content-type, grpc-timeout, and a field that is absent.
void BM_LookupGrpcRequestHeaders(benchmark::State& state) {
  HeaderList headers = buildRequest();
  for (auto _ : state) {
    benchmark::DoNotOptimize(headers.get(":authority"));
    benchmark::DoNotOptimize(headers.get(":path"));
    benchmark::DoNotOptimize(headers.get("content-type"));
    benchmark::DoNotOptimize(headers.get("grpc-timeout"));
    benchmark::DoNotOptimize(headers.has("grpc-previous-rpc-attempts"));
  }
  state.SetItemsProcessed(state.iterations() * 5);
}
BENCHMARK(BM_LookupGrpcRequestHeaders);

// Forwarding: every field visited once, connection-specific ones skipped.
void BM_IterateGrpcRequestHeaders(benchmark::State& state) {
  HeaderList headers = buildRequest();
  for (auto _ : state) {
    size_t kept = 0;
    for (HeaderView field : headers) kept += isConnectionSpecific(field.name) ? 0 : 1;
    benchmark::DoNotOptimize(kept);
  }
}
BENCHMARK(BM_IterateGrpcRequestHeaders);

}  // namespace
}  // namespace meshgate::http
