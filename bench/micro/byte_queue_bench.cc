// ByteQueue: a frame appended and drained (the output path of a connection), and a queue that
// never empties, which exercises compaction.
#include <string>

#include <benchmark/benchmark.h>

#include "base/byte_queue.h"

namespace meshgate::base {
namespace {

void BM_AppendDrain(benchmark::State& state) {
  const std::string chunk(static_cast<size_t>(state.range(0)), 'x');
  ByteQueue queue;
  for (auto _ : state) {
    queue.append(chunk);
    benchmark::DoNotOptimize(queue.data());
    queue.drain(chunk.size());
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_AppendDrain)->Arg(64)->Arg(1024)->Arg(16 * 1024);

void BM_AppendDrainWithBacklog(benchmark::State& state) {
  const std::string chunk(static_cast<size_t>(state.range(0)), 'x');
  ByteQueue queue;
  queue.append(std::string(64 * 1024, 'b'));  // a write-blocked socket's backlog
  for (auto _ : state) {
    queue.append(chunk);
    queue.drain(chunk.size());
    benchmark::DoNotOptimize(queue.data());
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_AppendDrainWithBacklog)->Arg(64)->Arg(1024)->Arg(16 * 1024);

}  // namespace
}  // namespace meshgate::base
