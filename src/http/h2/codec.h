#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "base/byte_queue.h"
#include "http/headers.h"
#include "http/limits.h"

typedef struct nghttp2_session nghttp2_session;

namespace meshgate::http::h2 {

// What a body source hands to the codec when it is asked for DATA.
struct BodyChunk {
  enum class Kind {
    kData,      // bytes were written; more may follow
    kDeferred,  // nothing now; the owner calls resumeData() when bytes arrive
    kEnd,       // bytes (maybe 0) were written and they end the stream
    kTrailers,  // bytes (maybe 0) were written; trailers were submitted and end the stream
  };
  Kind kind;
  size_t bytes = 0;
};

// Events from the peer. Stream ids are the codec's; the owner keeps its per-stream state in
// the codec (setStreamData) to find it again without a lookup of its own.
class CodecCallbacks {
 public:
  virtual ~CodecCallbacks() = default;
  // Server only: the peer opened a request stream.
  virtual void onStreamBegin(int32_t stream_id) = 0;
  // One field of the header block being received. False resets the stream (a limit was hit).
  virtual bool onHeader(int32_t stream_id, std::string_view name, std::string_view value) = 0;
  // A header block is complete; end_stream says whether it also ended the peer's side.
  virtual void onHeadersEnd(int32_t stream_id, bool end_stream) = 0;
  virtual void onData(int32_t stream_id, const uint8_t* data, size_t length) = 0;
  // The peer ended its side with a DATA frame.
  virtual void onDataEnd(int32_t stream_id) = 0;
  // The stream is gone from the codec. error_code is the RST_STREAM code, 0 when none was sent;
  // a peer resetting with NO_ERROR also gives 0, so whether the stream ended cleanly is known
  // only by having seen END_STREAM. A request whose HEADERS could not be sent (the session was
  // closing) is closed with REFUSED_STREAM.
  virtual void onStreamClose(int32_t stream_id, uint32_t error_code) = 0;
  // The codec wants body bytes for a stream submitted with a body source.
  virtual BodyChunk onBodyRead(int32_t stream_id, uint8_t* buffer, size_t length) = 0;
  // The peer sent GOAWAY: streams above last_stream_id were not processed.
  virtual void onGoAway(int32_t last_stream_id, uint32_t error_code) = 0;
};

class CodecAllocator;

// An HTTP/2 connection state machine over nghttp2: bytes in, events out, bytes out. It never
// touches a socket. Flow control is manual: received DATA is acknowledged with consume()
// only once it has been passed on, so windows bound what a peer can make us buffer.
class Codec {
 public:
  enum class Role { kServer, kClient };
  // allocator may be null (the C heap); otherwise it must outlive the codec.
  Codec(Role role, const Limits& limits, CodecCallbacks& callbacks,
        CodecAllocator* allocator = nullptr);
  ~Codec();
  Codec(const Codec&) = delete;
  Codec& operator=(const Codec&) = delete;

  // Feeds received bytes. False on a fatal connection error: the GOAWAY nghttp2 queued
  // should still be sent (produce()) before the connection is closed.
  bool receive(const uint8_t* data, size_t length);
  // Appends pending frames to out until it holds high_watermark bytes. False on error.
  bool produce(base::ByteQueue& out, size_t high_watermark);
  // True while the session has anything left to read or write.
  bool alive() const;
  bool wantsWrite() const;

  // Client: opens a stream. Returns the stream id, or <0 when no stream can be opened.
  int32_t submitRequest(std::span<const HeaderView> headers, bool has_body, void* stream_data);
  // Server: answers a stream; without a body the headers end the stream.
  bool submitResponse(int32_t stream_id, const HeaderList& headers, bool has_body);
  // Sends trailers; valid while the body source runs or after headers without END_STREAM.
  bool submitTrailers(int32_t stream_id, const HeaderList& trailers);
  void resumeData(int32_t stream_id);
  // Reopens the peer's flow-control window by bytes the owner has passed on.
  void consume(int32_t stream_id, size_t bytes);
  // Reopens only the connection window: for bytes of a stream that is already closed.
  void consumeConnection(size_t bytes);
  void resetStream(int32_t stream_id, uint32_t error_code);
  // Graceful: GOAWAY with the last stream processed; open streams may finish.
  void goAway(uint32_t error_code);
  // Server: the first GOAWAY of a graceful shutdown (last stream id 2^31-1).
  void shutdownNotice();

  void setStreamData(int32_t stream_id, void* data);
  void* streamData(int32_t stream_id) const;
  // The peer's SETTINGS_MAX_CONCURRENT_STREAMS (unlimited until its SETTINGS arrive).
  uint32_t peerMaxConcurrentStreams() const;

 private:
  friend struct CodecGlue;
  nghttp2_session* session_ = nullptr;
  CodecCallbacks& callbacks_;
  Role role_;
};

}  // namespace meshgate::http::h2
