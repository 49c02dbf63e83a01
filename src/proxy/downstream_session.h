#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "http/h2/codec.h"
#include "io/connection.h"
#include "io/event_loop.h"
#include "proxy/active_stream.h"
#include "proxy/worker_context.h"

namespace meshgate::proxy {

// One accepted downstream connection speaking HTTP/2 (h2c with prior knowledge, or h2 over
// TLS): its codec and its streams. Owned by the worker; worker-local.
class DownstreamSession : public io::ConnectionCallbacks,
                          public http::h2::CodecCallbacks,
                          public io::Deletable {
 public:
  DownstreamSession(WorkerContext& context, io::Fd fd, size_t listener_index,
                    const io::Connection::TransportFactory& make_transport);
  ~DownstreamSession() override;

  // Starts the handshake (plaintext: sends SETTINGS). Call once the owner has registered the
  // session: it may close, and report onSessionClosed, from inside this call.
  void start();
  // Graceful shutdown: GOAWAY now, close once the open streams are done.
  void drain();

  // For ActiveStream.
  http::h2::Codec& codec() { return codec_; }
  WorkerContext& context() { return context_; }
  void scheduleFlush() { flush_.schedule(); }
  const std::string& peer() const { return peer_; }

 private:
  // io::ConnectionCallbacks
  void onConnected() override;
  void onData(const uint8_t* data, size_t length) override;
  void onWritable() override;
  void onClosed(std::string_view reason) override;
  // http::h2::CodecCallbacks
  void onStreamBegin(int32_t stream_id) override;
  bool onHeader(int32_t stream_id, std::string_view name, std::string_view value) override;
  void onHeadersEnd(int32_t stream_id, bool end_stream) override;
  void onData(int32_t stream_id, const uint8_t* data, size_t length) override;
  void onDataEnd(int32_t stream_id) override;
  void onStreamClose(int32_t stream_id, uint32_t error_code) override;
  http::h2::BodyChunk onBodyRead(int32_t stream_id, uint8_t* buffer, size_t length) override;
  void onGoAway(int32_t, uint32_t) override {}

  ActiveStream* find(int32_t stream_id) const;
  void flush();
  void updateIdleTimer();

  WorkerContext& context_;
  const size_t listener_index_;
  std::string peer_;
  http::h2::Codec codec_;
  io::Connection connection_;
  io::Deferred flush_;
  io::Timer idle_timer_;
  absl::flat_hash_map<int32_t, std::unique_ptr<ActiveStream>> streams_;
  bool draining_ = false;
  bool closed_ = false;
};

}  // namespace meshgate::proxy
