#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/byte_queue.h"
#include "io/event_loop.h"
#include "io/socket.h"
#include "io/transport_socket.h"

namespace meshgate::io {

class ConnectionCallbacks {
 public:
  virtual ~ConnectionCallbacks() = default;
  // The TCP connect and the transport handshake are complete.
  virtual void onConnected() = 0;
  // Bytes arrived. They are valid only during the call.
  virtual void onData(const uint8_t* data, size_t length) = 0;
  // Everything queued was written; the owner may produce more.
  virtual void onWritable() = 0;
  // The connection is closed (by the peer, an error, or a failed connect). Called once; the
  // owner may destroy the Connection only through EventLoop-deferred deletion after this.
  virtual void onClosed(std::string_view reason) = 0;
};

// A socket, its transport (plain or TLS) and its output queue, driven by one EventLoop.
// Owned by a session (downstream) or an upstream connection; loop-thread only.
class Connection {
 public:
  enum class State { kConnecting, kHandshaking, kOpen, kClosed };

  // Builds the transport over the connection's fd; nullptr means plaintext.
  using TransportFactory = std::function<std::unique_ptr<TransportSocket>(int fd)>;

  Connection(EventLoop& loop, Fd fd, const TransportFactory& make_transport,
             ConnectionCallbacks& callbacks, bool connecting);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Starts an accepted connection's handshake (plaintext completes at once and reports
  // onConnected). Separate from the constructor so that the owner is fully built first.
  void start();
  State state() const { return state_; }
  base::ByteQueue& output() { return output_; }
  // Writes as much of output() as the socket takes now; waits for writability for the rest.
  void flush();
  // Closes now; onClosed is called with the reason (unless the connection was closed already).
  void close(std::string_view reason);
  // Stops or restarts reading from the socket.
  void setReading(bool reading);
  std::string_view alpn() const { return transport_->alpn(); }
  int fd() const { return fd_.get(); }

 private:
  void onEvent(short what);
  void continueConnect();
  void continueHandshake();
  void readAvailable();
  void updateInterest();

  Fd fd_;
  std::unique_ptr<TransportSocket> transport_;
  ConnectionCallbacks& callbacks_;
  State state_;
  bool reading_ = true;
  base::ByteQueue output_;
  FdWatch watch_;
  Deferred read_again_;
};

}  // namespace meshgate::io
