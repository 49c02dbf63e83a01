#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "http/h2/codec.h"
#include "http/headers.h"
#include "http/limits.h"
#include "io/connection.h"
#include "io/event_loop.h"
#include "upstream/upstream_stats.h"

namespace meshgate::upstream {

// onUpstreamClose codes beyond HTTP/2's (which fit in 0..0xd): the connection carrying the
// stream never opened, or closed with the stream open.
inline constexpr uint32_t kConnectFailure = 0x10000;
inline constexpr uint32_t kConnectionTerminated = 0x10001;

// How an upstream stream reports to the call that opened it (proxy::ActiveStream).
class UpstreamStreamCallbacks {
 public:
  virtual ~UpstreamStreamCallbacks() = default;
  virtual bool onUpstreamHeader(std::string_view name, std::string_view value) = 0;
  virtual void onUpstreamHeadersEnd(bool end_stream) = 0;
  virtual void onUpstreamData(const uint8_t* data, size_t length) = 0;
  virtual void onUpstreamDataEnd() = 0;
  // The stream ended. error_code 0 is a clean end; otherwise the stream was reset or the
  // connection failed, and reason says how. The stream must not be used afterwards.
  virtual void onUpstreamClose(uint32_t error_code, std::string_view reason) = 0;
  virtual http::h2::BodyChunk onUpstreamBodyRead(uint8_t* buffer, size_t length) = 0;
};

class ConnectionPool;

// One HTTP/2 (h2c) connection to one upstream host, multiplexing many calls' streams.
// Owned by its ConnectionPool; worker-local.
class UpstreamConnection : public io::ConnectionCallbacks,
                           public http::h2::CodecCallbacks,
                           public io::Deletable {
 public:
  UpstreamConnection(io::EventLoop& loop, io::Fd fd, ConnectionPool& pool,
                     const http::Limits& limits, std::string label,
                     http::h2::CodecAllocator* allocator,
                     const io::Connection::TransportFactory& transport = nullptr);
  ~UpstreamConnection() override;

  // Opens a stream; nullopt-like -1 when the connection takes no more streams.
  int32_t startStream(std::span<const http::HeaderView> headers, bool has_body,
                      UpstreamStreamCallbacks& callbacks);
  void resumeData(int32_t stream_id);
  void consume(int32_t stream_id, size_t bytes);
  bool submitTrailers(int32_t stream_id, const http::HeaderList& trailers);
  // The call went away: reset the stream with error_code and forget its callbacks.
  void cancelStream(int32_t stream_id, uint32_t error_code);

  // True while new streams may be opened here.
  bool acceptsStreams() const;
  // Took its maxRequestsPerConnection streams: finishes them, then closes.
  bool exhausted() const { return exhausted_; }
  size_t activeStreams() const { return streams_.size(); }
  const std::string& label() const { return label_; }
  // Closes the connection (drain: it is already retired from the pool).
  void close(std::string_view reason);

 private:
  // io::ConnectionCallbacks
  void onConnected() override;
  void onData(const uint8_t* data, size_t length) override;
  void onWritable() override;
  void onClosed(std::string_view reason) override;
  // http::h2::CodecCallbacks
  void onStreamBegin(int32_t) override {}
  bool onHeader(int32_t stream_id, std::string_view name, std::string_view value) override;
  void onHeadersEnd(int32_t stream_id, bool end_stream) override;
  void onData(int32_t stream_id, const uint8_t* data, size_t length) override;
  void onDataEnd(int32_t stream_id) override;
  void onStreamClose(int32_t stream_id, uint32_t error_code) override;
  http::h2::BodyChunk onBodyRead(int32_t stream_id, uint8_t* buffer, size_t length) override;
  void onGoAway(int32_t last_stream_id, uint32_t error_code) override;

  // A call's stream, and the DATA bytes received for it that the call has not consumed yet:
  // they are returned to the connection window when the stream closes.
  struct StreamEntry {
    UpstreamStreamCallbacks* callbacks;
    size_t unconsumed = 0;
  };
  StreamEntry* find(int32_t stream_id);
  void flush();
  void retire();
  void onLastStreamClosed();
  // Keeps the worker's stream gauge in step with streams_ (delta: streams added or removed).
  void countStreams(int64_t delta);

  io::EventLoop& loop_;
  ConnectionPool& pool_;
  UpstreamStats* stats_;  // the worker's, or null
  const http::Limits& limits_;
  std::string label_;
  http::h2::Codec codec_;
  io::Connection connection_;
  io::Deferred flush_;
  io::Timer connect_timer_;
  io::Timer idle_timer_;  // connectionPool.http.idleTimeout, armed while no stream is open
  uint32_t streams_started_ = 0;
  bool exhausted_ = false;
  absl::flat_hash_map<int32_t, StreamEntry> streams_;
  bool going_away_ = false;
  bool connected_ = false;
  bool closed_ = false;
};

}  // namespace meshgate::upstream
