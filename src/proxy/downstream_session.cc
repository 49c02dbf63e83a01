#include "proxy/downstream_session.h"

#include "base/log.h"

namespace meshgate::proxy {
namespace {
constexpr uint32_t kNoError = 0x0;
}

DownstreamSession::DownstreamSession(WorkerContext& context, io::Fd fd, size_t listener_index,
                                     const io::Connection::TransportFactory& make_transport)
    : context_(context),
      listener_index_(listener_index),
      peer_(io::peerAddress(fd.get()).toString()),
      codec_(http::h2::Codec::Role::kServer, context.limits(), *this, &context.codecAllocator()),
      connection_(context.loop(), std::move(fd), make_transport, *this, false),
      flush_(context.loop(), [this] { flush(); }),
      idle_timer_(context.loop(), [this] {
        MG_LOG(kDebug, "downstream {}: idle for {} ms, closing", peer_,
               context_.limits().idle_timeout.count());
        drain();
      }) {
  context_.stats().downstream_connections.add();
  idle_timer_.arm(context.limits().idle_timeout);
}

void DownstreamSession::start() { connection_.start(); }

DownstreamSession::~DownstreamSession() { context_.stats().downstream_connections.sub(); }

void DownstreamSession::drain() {
  if (closed_) return;
  if (connection_.state() != io::Connection::State::kOpen) {
    // Still in the TLS handshake: there is no HTTP/2 session to say goodbye on.
    connection_.close("closed before the handshake completed");
    return;
  }
  if (draining_) return;
  draining_ = true;
  codec_.goAway(kNoError);
  flush();
}

void DownstreamSession::onConnected() {
  if (!connection_.alpn().empty() && connection_.alpn() != "h2") {
    connection_.close("client did not negotiate h2");
    return;
  }
  flush();
}

void DownstreamSession::onData(const uint8_t* data, size_t length) {
  if (!codec_.receive(data, length)) {
    // nghttp2 queued a GOAWAY with the error; send it, then close.
    draining_ = true;
    codec_.produce(connection_.output(), context_.limits().output_high_watermark_bytes);
    connection_.flush();
    connection_.close("http/2 protocol error from downstream");
    return;
  }
  flush();
}

void DownstreamSession::onWritable() { flush(); }

void DownstreamSession::flush() {
  if (closed_ || connection_.state() != io::Connection::State::kOpen) return;
  if (!codec_.produce(connection_.output(), context_.limits().output_high_watermark_bytes)) {
    connection_.close("http/2 session error");
    return;
  }
  connection_.flush();
  if (closed_) return;
  bool done = !codec_.alive() || (draining_ && streams_.empty());
  if (done && connection_.output().empty()) connection_.close("session finished");
}

void DownstreamSession::onClosed(std::string_view reason) {
  if (closed_) return;
  closed_ = true;
  MG_LOG(kDebug, "downstream {}: closed: {}", peer_, reason);
  flush_.cancel();
  idle_timer_.cancel();
  // Destroying the streams resets their upstream halves.
  streams_.clear();
  context_.onSessionClosed(*this);
}

void DownstreamSession::updateIdleTimer() {
  if (streams_.empty()) {
    idle_timer_.arm(context_.limits().idle_timeout);
  } else if (idle_timer_.armed()) {
    idle_timer_.cancel();
  }
}

ActiveStream* DownstreamSession::find(int32_t stream_id) const {
  auto it = streams_.find(stream_id);
  return it == streams_.end() ? nullptr : it->second.get();
}

void DownstreamSession::onStreamBegin(int32_t stream_id) {
  streams_.emplace(stream_id, std::make_unique<ActiveStream>(*this, stream_id, listener_index_,
                                                             context_.config()));
  if (streams_.size() == 1) updateIdleTimer();
}

bool DownstreamSession::onHeader(int32_t stream_id, std::string_view name, std::string_view value) {
  auto* stream = find(stream_id);
  return stream == nullptr || stream->onRequestHeader(name, value);
}

void DownstreamSession::onHeadersEnd(int32_t stream_id, bool end_stream) {
  if (auto* stream = find(stream_id)) stream->onRequestHeadersEnd(end_stream);
}

void DownstreamSession::onData(int32_t stream_id, const uint8_t* data, size_t length) {
  auto* stream = find(stream_id);
  if (stream == nullptr) {
    codec_.consume(stream_id, length);
    return;
  }
  stream->onRequestData(data, length);
}

void DownstreamSession::onDataEnd(int32_t stream_id) {
  if (auto* stream = find(stream_id)) stream->onRequestDataEnd();
}

void DownstreamSession::onStreamClose(int32_t stream_id, uint32_t) {
  auto it = streams_.find(stream_id);
  if (it == streams_.end()) return;
  // The stream's destructor cancels an upstream stream that is still open.
  streams_.erase(it);
  if (streams_.empty()) {
    updateIdleTimer();
    if (draining_) flush_.schedule();
  }
}

http::h2::BodyChunk DownstreamSession::onBodyRead(int32_t stream_id, uint8_t* buffer,
                                                  size_t length) {
  auto* stream = find(stream_id);
  if (stream == nullptr) return {http::h2::BodyChunk::Kind::kEnd, 0};
  return stream->onResponseBodyRead(buffer, length);
}

}  // namespace meshgate::proxy
