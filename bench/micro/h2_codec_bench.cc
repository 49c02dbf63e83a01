// One unary gRPC call per iteration through two h2 codecs wired back to back in memory: client
// HEADERS + one 100-byte message, server HEADERS + one message + trailers, with flow-control
// acknowledgements. Arg 0 uses the C heap, arg 1 a CodecAllocator shared by both codecs.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>

#include "http/h2/codec.h"
#include "http/h2/codec_allocator.h"

namespace meshgate::http::h2 {
namespace {

constexpr HeaderView kRequest[] = {
    {":method", "POST"},
    {":scheme", "http"},
    {":path", "/helloworld.Greeter/SayHello"},
    {":authority", "grpc.example.com"},
    {"content-type", "application/grpc"},
    {"te", "trailers"},
    {"grpc-timeout", "4999m"},
    {"grpc-accept-encoding", "identity,deflate,gzip"},
    {"user-agent", "grpc-c++/1.51.1 grpc-c/29.0.0 (linux; chttp2)"},
    {"x-request-id", "3f0c2a51-7d4e-4b8e-9a0b-5c1f6e2d9a77"},
};

// A gRPC message: 5-byte prefix and 100 bytes of payload.
std::string grpcMessage() {
  std::string message(5, '\0');
  message[4] = 100;
  message.append(100, 'm');
  return message;
}

// One side of the call. The server answers as soon as the request has ended.
class Side : public CodecCallbacks {
 public:
  Side(Codec::Role role, CodecAllocator* allocator)
      : is_server_(role == Codec::Role::kServer), codec(role, Limits(), *this, allocator) {
    response_headers_.add(":status", "200");
    response_headers_.add("content-type", "application/grpc");
    trailers_.add("grpc-status", "0");
  }

  void onStreamBegin(int32_t) override {}
  bool onHeader(int32_t, std::string_view, std::string_view) override { return true; }
  void onHeadersEnd(int32_t stream_id, bool end_stream) override {
    if (end_stream) onPeerEnded(stream_id);
  }
  void onData(int32_t stream_id, const uint8_t*, size_t length) override {
    codec.consume(stream_id, length);
  }
  void onDataEnd(int32_t stream_id) override { onPeerEnded(stream_id); }
  void onStreamClose(int32_t, uint32_t) override { ++closed; }
  BodyChunk onBodyRead(int32_t stream_id, uint8_t* buffer, size_t length) override {
    if (body_sent_ || length < message_.size()) return {BodyChunk::Kind::kDeferred, 0};
    std::memcpy(buffer, message_.data(), message_.size());
    body_sent_ = true;
    if (!is_server_) return {BodyChunk::Kind::kEnd, message_.size()};
    codec.submitTrailers(stream_id, trailers_);
    return {BodyChunk::Kind::kTrailers, message_.size()};
  }
  void onGoAway(int32_t, uint32_t) override {}

  int32_t call() {
    body_sent_ = false;
    return codec.submitRequest(kRequest, true, nullptr);
  }

  int closed = 0;

 private:
  void onPeerEnded(int32_t stream_id) {
    if (!is_server_) return;
    body_sent_ = false;
    codec.submitResponse(stream_id, response_headers_, true);
  }

  bool is_server_;
  bool body_sent_ = false;
  std::string message_ = grpcMessage();
  HeaderList response_headers_;
  HeaderList trailers_;

 public:
  Codec codec;  // last: built after the state its callbacks touch
};

// Moves what from has to send into to; false when there was nothing.
bool transfer(Side& from, Side& to, base::ByteQueue& wire) {
  wire.clear();
  if (!from.codec.produce(wire, SIZE_MAX)) std::abort();
  if (wire.empty()) return false;
  if (!to.codec.receive(wire.data(), wire.size())) std::abort();
  return true;
}

void BM_UnaryCallRoundTrip(benchmark::State& state) {
  std::unique_ptr<CodecAllocator> allocator;
  if (state.range(0) == 1) allocator = std::make_unique<CodecAllocator>();
  Side client(Codec::Role::kClient, allocator.get());
  Side server(Codec::Role::kServer, allocator.get());
  base::ByteQueue wire;
  while (transfer(client, server, wire) | transfer(server, client, wire)) {
  }
  size_t bytes = 0;
  for (auto _ : state) {
    int before = client.closed;
    if (client.call() < 0) {
      state.SkipWithError("no stream id left");
      break;
    }
    while (client.closed == before) {
      bool moved = transfer(client, server, wire);
      bytes += wire.size();
      moved |= transfer(server, client, wire);
      bytes += wire.size();
      if (!moved) {
        state.SkipWithError("the call stalled");
        break;
      }
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["wire_bytes_per_call"] =
      benchmark::Counter(static_cast<double>(bytes), benchmark::Counter::kAvgIterations);
  state.SetLabel(allocator ? "CodecAllocator" : "malloc");
}
BENCHMARK(BM_UnaryCallRoundTrip)->Arg(0)->Arg(1);

}  // namespace
}  // namespace meshgate::http::h2
