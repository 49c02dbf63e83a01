#pragma once

#include <string>

#include "io/transport_socket.h"

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace meshgate::tls {

// TLS over a non-blocking socket (SSL_set_fd: OpenSSL reads and writes the fd itself, which
// saves a copy through memory BIOs). Server side (downstream) or client side (upstream, with
// the SNI name to send).
class TlsSocket : public io::TransportSocket {
 public:
  TlsSocket(SSL_CTX* context, int fd, bool server, const std::string& server_name = {});
  ~TlsSocket() override;

  io::IoResult handshake() override;
  bool handshakeWantsWrite() const override { return wants_write_; }
  io::IoResult read(uint8_t* buffer, size_t length) override;
  io::IoResult write(const uint8_t* data, size_t length) override;
  bool hasBufferedInput() const override;
  std::string_view alpn() const override { return alpn_; }
  std::string failureReason() const override { return reason_; }

 private:
  io::IoResult fail(int ret);

  SSL* ssl_;
  bool wants_write_ = false;
  std::string alpn_;
  std::string reason_;
};

}  // namespace meshgate::tls
