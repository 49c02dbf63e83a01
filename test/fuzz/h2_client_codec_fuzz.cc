// A client Codec that has submitted two requests (the second with a body), fed arbitrary bytes
// as the server's replies. Its callbacks behave like an upstream connection: response headers
// are stored up to the limits, DATA is consumed, closed streams return their unconsumed bytes,
// and frames are produced after every read. The codec must never crash, leak or spin; the
// harness also checks the event order it reports and the frames it writes. The first four
// bytes are an InputHeader (h2_fuzz_support.h); flag bits:
//   0 send the requests before the first read   1 use a CodecAllocator   2 consume in onData
//   3 refuse oversized headers   4 small limits   5 open a new request when one closes
//   6 cancel stream 1 after the first read       7 the request body arrives in slices
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "h2_fuzz_support.h"
#include "http/h2/codec.h"
#include "http/h2/codec_allocator.h"

namespace {

using meshgate::base::ByteQueue;
using meshgate::fuzz::ChunkSplitter;
using meshgate::fuzz::feature;
using meshgate::fuzz::FrameScanner;
using meshgate::fuzz::InputHeader;
using meshgate::fuzz::WireStream;
using meshgate::http::HeaderList;
using meshgate::http::HeaderView;
using meshgate::http::Limits;
using meshgate::http::h2::BodyChunk;
using meshgate::http::h2::Codec;
using meshgate::http::h2::CodecAllocator;
using meshgate::http::h2::CodecCallbacks;

constexpr size_t kHeaderFieldOverhead = 32;  // RFC 7541 §4.1
constexpr size_t kMaxProduceRounds = 200000;
constexpr size_t kMaxRequests = 8;
constexpr uint32_t kNoError = 0x0;
constexpr uint32_t kRefusedStream = 0x7;
constexpr uint32_t kCancel = 0x8;

const HeaderView kRequest[] = {
    {":method", "POST"},
    {":scheme", "http"},
    {":path", "/pkg.Svc/Method"},
    {":authority", "grpc.example.com"},
    {"content-type", "application/grpc"},
    {"te", "trailers"},
};

// One request and what came back for it.
struct Call {
  int32_t id = 0;
  bool has_body = false;
  size_t body_bytes = 0;
  bool body_trailers = false;
  size_t body_sent = 0;
  size_t available = 0;  // body bytes the downstream has delivered so far
  bool source_done = false;
  bool cancelled = false;
  HeaderList headers;
  HeaderList trailers;
  size_t header_bytes = 0;
  bool too_large = false;
  bool final_headers = false;
  bool response_ended = false;
  size_t unconsumed = 0;
};

class ClientHarness : public CodecCallbacks {
 public:
  ClientHarness(const InputHeader& header, CodecAllocator* allocator)
      : header_(header),
        limits_(meshgate::fuzz::limitsFor(header)),
        codec_(Codec::Role::kClient, limits_, *this, allocator),
        scanner_(ledger_, true) {}

  ~ClientHarness() override = default;
  ClientHarness(const ClientHarness&) = delete;
  ClientHarness& operator=(const ClientHarness&) = delete;

  void run(ChunkSplitter& chunks) {
    static constexpr size_t kBodies[] = {0, 5, 1000, 70000};
    submit(false, 0, false);
    submit(true, kBodies[header_.seed & 3], (header_.seed & 4) != 0);
    if (header_.flag(0)) produceAll();
    const uint8_t* chunk;
    size_t length;
    int reads = 0;
    while (chunks.next(chunk, length)) {
      ++reads;
      if (!codec_.receive(chunk, length)) {
        // As the upstream connection does: flush the GOAWAY nghttp2 queued, then close.
        feature(0x50, reads > 8 ? 8 : reads);
        receive_failed_ = true;
        produceAll();
        return;
      }
      afterRead(chunks, reads);
    }
    finishing_ = true;
    afterRead(chunks, reads);
    checkLiveness();
  }

  // CodecCallbacks
  void onStreamBegin(int32_t) override { MG_FUZZ_CHECK(false); }  // server only

  bool onHeader(int32_t stream_id, std::string_view name, std::string_view value) override {
    event(2);
    Call& call = find(stream_id);
    MG_FUZZ_CHECK(!call.response_ended);
    meshgate::fuzz::checkField(name, value);
    HeaderList& target = call.final_headers ? call.trailers : call.headers;
    // RFC 9113 §8.3.2: a response has one pseudo-header, :status, first; trailers have none.
    if (name.front() == ':') {
      MG_FUZZ_CHECK(!call.final_headers && name == ":status");
      MG_FUZZ_CHECK(target.empty() || call.too_large);
    }
    call.header_bytes += name.size() + value.size() + kHeaderFieldOverhead;
    if (call.header_bytes > limits_.max_header_list_bytes ||
        target.size() >= limits_.max_header_count) {
      call.too_large = true;
      feature(0x20, header_.flag(3));
      return !header_.flag(3);  // false resets the stream
    }
    target.add(name, value);
    return true;
  }

  void onHeadersEnd(int32_t stream_id, bool end_stream) override {
    event(3, end_stream);
    Call& call = find(stream_id);
    MG_FUZZ_CHECK(!call.response_ended);
    if (call.final_headers) {
      MG_FUZZ_CHECK(end_stream);  // trailers end the stream
      call.response_ended = true;
      return;
    }
    std::string_view status = call.headers.get(":status");
    if (!call.too_large) MG_FUZZ_CHECK(status.size() == 3);
    if (status.size() == 3 && status[0] == '1') {
      // Informational: another header block follows; it never ends the stream.
      MG_FUZZ_CHECK(!end_stream);
      feature(0x40, status[2]);
      call.headers.clear();
      call.header_bytes = 0;
      return;
    }
    call.final_headers = true;
    call.response_ended = end_stream;
  }

  void onData(int32_t stream_id, const uint8_t* data, size_t length) override {
    event(4, length > 0);
    Call& call = find(stream_id);
    MG_FUZZ_CHECK(call.final_headers && !call.response_ended);
    MG_FUZZ_CHECK(data != nullptr || length == 0);
    if (header_.flag(2)) {
      codec_.consume(stream_id, length);
    } else {
      call.unconsumed += length;
    }
  }

  void onDataEnd(int32_t stream_id) override {
    event(5);
    Call& call = find(stream_id);
    MG_FUZZ_CHECK(call.final_headers && !call.response_ended);
    call.response_ended = true;
  }

  void onStreamClose(int32_t stream_id, uint32_t error_code) override {
    event(6, error_code < 16 ? error_code : 16);
    WireStream& wire = ledger_.at(stream_id);
    auto it = calls_.find(stream_id);
    if (it == calls_.end()) {
      // Every stream is reported closed exactly once (a request whose HEADERS never left used
      // to be reported twice: by onFrameNotSend, then by nghttp2).
      MG_FUZZ_CHECK(false);
      return;
    }
    MG_FUZZ_CHECK(!wire.closed);
    MG_FUZZ_CHECK(codec_.streamData(stream_id) == it->second.get());
    if (!wire.headers_sent && error_code == kRefusedStream) refused_unsent_.insert(stream_id);
    if (error_code == kNoError && !it->second->cancelled) {
      // By contract 0 is also a peer's RST_STREAM(NO_ERROR): the owner must check END_STREAM
      // (proxy::ActiveStream does), so completeness is not asserted here.
    }
    // Bytes nobody will consume now go back to the connection window.
    codec_.consumeConnection(it->second->unconsumed);
    calls_.erase(it);
    wire.closed = true;
  }

  BodyChunk onBodyRead(int32_t stream_id, uint8_t* buffer, size_t length) override {
    event(7);
    Call& call = find(stream_id);
    MG_FUZZ_CHECK(call.has_body && !call.source_done && !call.cancelled && length > 0);
    size_t n = std::min({length, call.body_bytes - call.body_sent, call.available});
    meshgate::fuzz::fillBody(buffer, n, stream_id, call.body_sent);
    call.body_sent += n;
    call.available -= n;
    WireStream& wire = ledger_.at(stream_id);
    wire.body_bytes += n;
    if (call.body_sent < call.body_bytes) {
      return {n > 0 ? BodyChunk::Kind::kData : BodyChunk::Kind::kDeferred, n};
    }
    call.source_done = true;
    wire.source_finished = true;
    if (call.body_trailers) {
      HeaderList trailers;
      trailers.add("x-checksum", "42");
      MG_FUZZ_CHECK(codec_.submitTrailers(stream_id, trailers));
      return {BodyChunk::Kind::kTrailers, n};
    }
    return {BodyChunk::Kind::kEnd, n};
  }

  void onGoAway(int32_t last_stream_id, uint32_t error_code) override {
    event(8, error_code < 16 ? error_code : 16);
    MG_FUZZ_CHECK(last_stream_id >= 0);
    goaway_received_ = true;
  }

 private:
  Call& find(int32_t stream_id) {
    auto it = calls_.find(stream_id);
    MG_FUZZ_CHECK(it != calls_.end());
    MG_FUZZ_CHECK(codec_.streamData(stream_id) == it->second.get());
    return *it->second;
  }

  void event(uint32_t kind, uint32_t detail = 0) {
    feature(last_event_ * 16 + kind, detail);
    last_event_ = kind;
  }

  void submit(bool has_body, size_t body_bytes, bool trailers) {
    auto call = std::make_unique<Call>();
    call->has_body = has_body;
    call->body_bytes = body_bytes;
    call->body_trailers = trailers;
    call->available = header_.flag(7) ? 0 : body_bytes;
    int32_t id = codec_.submitRequest(kRequest, has_body, call.get());
    ++submitted_;
    if (id < 0) return;  // the connection takes no more streams
    MG_FUZZ_CHECK((id & 1) == 1 && id > last_id_);
    last_id_ = id;
    call->id = id;
    WireStream& wire = ledger_[id];
    wire.opened = true;
    wire.submitted = true;
    if (!has_body) wire.source_finished = true;  // the HEADERS carry END_STREAM
    calls_.emplace(id, std::move(call));
  }

  void afterRead(ChunkSplitter& chunks, int reads) {
    if (header_.flag(6) && reads == 1) {
      // The downstream call went away: reset its upstream stream, as cancelStream does.
      auto it = calls_.find(1);
      if (it != calls_.end()) {
        codec_.consumeConnection(it->second->unconsumed);
        it->second->unconsumed = 0;
        it->second->cancelled = true;
        codec_.resetStream(1, kCancel);
      }
    }
    for (auto& [id, call] : calls_) {
      codec_.consume(id, call->unconsumed);
      call->unconsumed = 0;
      if (call->has_body && !call->source_done && !call->cancelled &&
          call->available < call->body_bytes) {
        size_t more = finishing_ ? call->body_bytes : chunks.random() % 20000;
        call->available = std::min(call->body_bytes, call->available + more);
        codec_.resumeData(id);
      }
    }
    // A pool hands the connection to the next call while the peer has not said GOAWAY.
    if (header_.flag(5) && !goaway_received_ && calls_.size() < 2 && submitted_ < kMaxRequests) {
      submit(chunks.random() & 1, chunks.random() % 3000, chunks.random() & 1);
    }
    produceAll();
  }

  void produceAll() {
    size_t rounds = 0;
    for (;;) {
      MG_FUZZ_CHECK(++rounds < kMaxProduceRounds);  // the codec must run out of output
      ByteQueue out;
      MG_FUZZ_CHECK(codec_.produce(out, limits_.output_high_watermark_bytes));
      if (out.empty()) break;
      scanner_.scan(out.data(), out.size());
    }
    meshgate::fuzz::checkBodiesOnWire(ledger_);
  }

  // With the input exhausted and every body delivered, each open request is on the wire and
  // finished, unless the peer's concurrency limit holds it back or the session is gone.
  void checkLiveness() {
    if (receive_failed_ || !codec_.alive()) return;
    size_t in_flight = 0;
    for (const auto& [id, call] : calls_) in_flight += ledger_.at(id).headers_sent;
    for (const auto& [id, call] : calls_) {
      const WireStream& wire = ledger_.at(id);
      if (call->cancelled || wire.rst_sent) continue;
      if (!wire.headers_sent) {
        MG_FUZZ_CHECK(in_flight >= codec_.peerMaxConcurrentStreams());
        continue;
      }
      if (wire.source_finished) MG_FUZZ_CHECK(wire.end_stream_sent);
    }
  }

  const InputHeader header_;
  const Limits limits_;
  std::map<int32_t, std::unique_ptr<Call>> calls_;
  std::map<int32_t, WireStream> ledger_;
  std::set<int32_t> refused_unsent_;
  int32_t last_id_ = 0;
  size_t submitted_ = 0;
  uint32_t last_event_ = 0;
  bool goaway_received_ = false;
  bool receive_failed_ = false;
  bool finishing_ = false;
  Codec codec_;  // after the state its callbacks touch
  FrameScanner scanner_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < InputHeader::kSize) return 0;
  InputHeader header = InputHeader::parse(data);
  data += InputHeader::kSize;
  size -= InputHeader::kSize;

  std::optional<CodecAllocator> allocator;
  if (header.flag(1)) allocator.emplace();
  {
    ClientHarness harness(header, allocator ? &*allocator : nullptr);
    ChunkSplitter chunks(header, data, size);
    harness.run(chunks);
  }
  return 0;
}
