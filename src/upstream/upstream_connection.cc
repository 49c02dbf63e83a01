#include "upstream/upstream_connection.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "base/log.h"
#include "upstream/connection_pool.h"

namespace meshgate::upstream {
namespace {
constexpr uint32_t kRefusedStream = 0x7;
constexpr uint32_t kNoError = 0x0;
}  // namespace

UpstreamConnection::UpstreamConnection(io::EventLoop& loop, io::Fd fd, ConnectionPool& pool,
                                       const http::Limits& limits, std::string label,
                                       http::h2::CodecAllocator* allocator,
                                       const io::Connection::TransportFactory& transport)
    : loop_(loop),
      pool_(pool),
      stats_(pool.stats()),
      limits_(limits),
      label_(std::move(label)),
      codec_(http::h2::Codec::Role::kClient, limits, *this, allocator),
      connection_(loop, std::move(fd), transport, *this, true),
      flush_(loop, [this] { flush(); }),
      connect_timer_(loop, [this] { connection_.close("connect timeout"); }),
      idle_timer_(loop, [this] { connection_.close("idle timeout"); }) {
  connect_timer_.arm(pool.settings().connect_timeout.value_or(limits.connect_timeout));
  if (stats_ != nullptr) {
    stats_->connections.add();
    stats_->connections_opened.inc();
  }
}

UpstreamConnection::~UpstreamConnection() {
  countStreams(-static_cast<int64_t>(streams_.size()));
  if (stats_ != nullptr) stats_->connections.sub();
}

void UpstreamConnection::countStreams(int64_t delta) {
  if (stats_ != nullptr) stats_->streams.add(delta);
}

int32_t UpstreamConnection::startStream(std::span<const http::HeaderView> headers, bool has_body,
                                        UpstreamStreamCallbacks& callbacks) {
  if (!acceptsStreams()) return -1;
  int32_t stream_id = codec_.submitRequest(headers, has_body, nullptr);
  if (stream_id < 0) return -1;
  streams_.emplace(stream_id, StreamEntry{&callbacks});
  countStreams(1);
  idle_timer_.cancel();
  uint32_t per_connection = pool_.settings().max_requests_per_connection;
  if (per_connection != 0 && ++streams_started_ >= per_connection) exhausted_ = true;
  flush_.schedule();
  return stream_id;
}

void UpstreamConnection::resumeData(int32_t stream_id) {
  codec_.resumeData(stream_id);
  flush_.schedule();
}

void UpstreamConnection::consume(int32_t stream_id, size_t bytes) {
  StreamEntry* entry = find(stream_id);
  if (entry == nullptr) return;  // closed: its bytes went back to the connection window
  entry->unconsumed -= std::min(entry->unconsumed, bytes);
  codec_.consume(stream_id, bytes);
  flush_.schedule();
}

bool UpstreamConnection::submitTrailers(int32_t stream_id, const http::HeaderList& trailers) {
  flush_.schedule();
  return codec_.submitTrailers(stream_id, trailers);
}

void UpstreamConnection::cancelStream(int32_t stream_id, uint32_t error_code) {
  auto it = streams_.find(stream_id);
  if (it == streams_.end()) return;
  codec_.consumeConnection(it->second.unconsumed);
  streams_.erase(it);
  countStreams(-1);
  codec_.resetStream(stream_id, error_code);
  flush_.schedule();
}

bool UpstreamConnection::acceptsStreams() const {
  uint32_t limit =
      std::min<uint32_t>(codec_.peerMaxConcurrentStreams(), limits_.max_concurrent_streams);
  if (pool_.settings().max_concurrent_streams != 0) {
    limit = std::min(limit, pool_.settings().max_concurrent_streams);
  }
  return !going_away_ && !closed_ && !exhausted_ && streams_.size() < limit;
}

// After the last stream: an exhausted connection closes, an idle one arms its idle timeout.
void UpstreamConnection::onLastStreamClosed() {
  if (exhausted_) {
    connection_.close("maxRequestsPerConnection reached");
    return;
  }
  if (pool_.settings().idle_timeout) idle_timer_.arm(*pool_.settings().idle_timeout);
}

UpstreamConnection::StreamEntry* UpstreamConnection::find(int32_t stream_id) {
  auto it = streams_.find(stream_id);
  return it == streams_.end() ? nullptr : &it->second;
}

void UpstreamConnection::onConnected() {
  connected_ = true;
  connect_timer_.cancel();
  flush();
}

void UpstreamConnection::onData(const uint8_t* data, size_t length) {
  if (!codec_.receive(data, length)) {
    flush();
    connection_.close("http/2 protocol error from upstream");
    return;
  }
  flush();
}

void UpstreamConnection::onWritable() { flush(); }

void UpstreamConnection::flush() {
  if (closed_ || connection_.state() != io::Connection::State::kOpen) return;
  if (!codec_.produce(connection_.output(), limits_.output_high_watermark_bytes)) {
    connection_.close("http/2 session error");
    return;
  }
  connection_.flush();
  if (!closed_ && !codec_.alive() && connection_.output().empty()) {
    connection_.close("http/2 session finished");
    return;
  }
  // Deferred to here (out of the codec's callbacks) so the close never runs inside them.
  if (!closed_ && streams_.empty() && connection_.output().empty() && !idle_timer_.armed()) {
    onLastStreamClosed();
  }
}

void UpstreamConnection::close(std::string_view reason) { connection_.close(reason); }

void UpstreamConnection::onClosed(std::string_view reason) {
  if (closed_) return;
  closed_ = true;
  connect_timer_.cancel();
  idle_timer_.cancel();
  flush_.cancel();
  std::string message = fmt::format("{}: {}", label_, reason);
  MG_LOG(kDebug, "upstream connection {} closed: {}", label_, reason);
  // Calls may start new attempts from inside onUpstreamClose; take the list first.
  auto streams = std::move(streams_);
  streams_.clear();
  countStreams(-static_cast<int64_t>(streams.size()));
  uint32_t code = connected_ ? kConnectionTerminated : kConnectFailure;
  for (auto& [id, entry] : streams) entry.callbacks->onUpstreamClose(code, message);
  pool_.retire(this);
}

bool UpstreamConnection::onHeader(int32_t stream_id, std::string_view name,
                                  std::string_view value) {
  auto* entry = find(stream_id);
  return entry == nullptr || entry->callbacks->onUpstreamHeader(name, value);
}

void UpstreamConnection::onHeadersEnd(int32_t stream_id, bool end_stream) {
  if (auto* entry = find(stream_id)) entry->callbacks->onUpstreamHeadersEnd(end_stream);
}

void UpstreamConnection::onData(int32_t stream_id, const uint8_t* data, size_t length) {
  auto* entry = find(stream_id);
  if (entry == nullptr) {
    // The call is gone; keep the connection window open for the others.
    codec_.consume(stream_id, length);
    flush_.schedule();
    return;
  }
  entry->unconsumed += length;
  entry->callbacks->onUpstreamData(data, length);
}

void UpstreamConnection::onDataEnd(int32_t stream_id) {
  if (auto* entry = find(stream_id)) entry->callbacks->onUpstreamDataEnd();
}

void UpstreamConnection::onStreamClose(int32_t stream_id, uint32_t error_code) {
  auto it = streams_.find(stream_id);
  if (it == streams_.end()) return;
  auto* callbacks = it->second.callbacks;
  // The call may still hold these bytes, but no more can arrive on a closed stream.
  codec_.consumeConnection(it->second.unconsumed);
  streams_.erase(it);
  countStreams(-1);
  std::string reason =
      error_code == kNoError
          ? std::string()
          : fmt::format("{}: stream reset by upstream (code {})", label_, error_code);
  if (error_code == kRefusedStream) reason = fmt::format("{}: stream refused", label_);
  callbacks->onUpstreamClose(error_code, reason);
  flush_.schedule();
}

http::h2::BodyChunk UpstreamConnection::onBodyRead(int32_t stream_id, uint8_t* buffer,
                                                   size_t length) {
  auto* entry = find(stream_id);
  if (entry == nullptr) return {http::h2::BodyChunk::Kind::kEnd, 0};
  return entry->callbacks->onUpstreamBodyRead(buffer, length);
}

void UpstreamConnection::onGoAway(int32_t, uint32_t) {
  // Streams above last_stream_id are closed by the codec with REFUSED_STREAM; the rest finish.
  going_away_ = true;
}

}  // namespace meshgate::upstream
