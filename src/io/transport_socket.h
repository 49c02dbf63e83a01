#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace meshgate::io {

enum class IoStatus { kOk, kAgain, kClosed, kError };

struct IoResult {
  IoStatus status = IoStatus::kOk;
  size_t bytes = 0;
};

// The byte pipe under a Connection: plaintext, or TLS (tls::TlsSocket). Non-blocking.
class TransportSocket {
 public:
  virtual ~TransportSocket() = default;
  // Advances the handshake. kOk when established; kAgain when it must wait for the socket
  // (handshakeWantsWrite() says which direction); kError ends the connection.
  virtual IoResult handshake() { return {}; }
  virtual bool handshakeWantsWrite() const { return false; }
  virtual IoResult read(uint8_t* buffer, size_t length) = 0;
  virtual IoResult write(const uint8_t* data, size_t length) = 0;
  // Whether the transport holds decrypted input that the socket's readiness will not signal.
  virtual bool hasBufferedInput() const { return false; }
  // The ALPN protocol the handshake agreed on; empty for plaintext or none.
  virtual std::string_view alpn() const { return {}; }
  // Why the last kError happened, for logs and local replies.
  virtual std::string failureReason() const { return {}; }
};

class PlainSocket : public TransportSocket {
 public:
  explicit PlainSocket(int fd) : fd_(fd) {}
  IoResult read(uint8_t* buffer, size_t length) override;
  IoResult write(const uint8_t* data, size_t length) override;
  std::string failureReason() const override { return reason_; }

 private:
  int fd_;
  std::string reason_;
};

}  // namespace meshgate::io
