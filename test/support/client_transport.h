#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "support/sockets.h"

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace meshgate::testing {

// TLS settings of a raw client connection.
struct ClientTlsOptions {
  // Verify the server's chain against this CA and its name against `server_name`.
  std::string ca_pem;
  std::string server_name = "grpc.example.com";  // also sent as SNI
  // TLS1_2_VERSION or TLS1_3_VERSION pins the version (min = max); 0 leaves OpenSSL's range.
  int version = 0;
  std::vector<std::string> alpn = {"h2"};
};

// The byte stream under a raw client: a TCP connection to 127.0.0.1, plain or TLS (OpenSSL).
// Reads never block; writes block until everything is sent. One thread.
class ClientTransport {
 public:
  // Connects and, for TLS, completes the handshake. nullptr with `*error` set on failure.
  static std::unique_ptr<ClientTransport> connectPlain(int port, std::string* error);
  static std::unique_ptr<ClientTransport> connectTls(int port, const ClientTlsOptions& options,
                                                     std::string* error);
  ~ClientTransport();
  ClientTransport(const ClientTransport&) = delete;
  ClientTransport& operator=(const ClientTransport&) = delete;

  // Bytes read (> 0), 0 on end of stream or error, -1 when nothing is ready yet.
  long readSome(char* buffer, size_t size);
  bool writeAll(const void* data, size_t size);
  // Waits until readSome() may return something, up to `timeout`.
  void waitReadable(std::chrono::milliseconds timeout);

  // Negotiated ALPN protocol ("" if none) and TLS version (e.g. "TLSv1.3"; "" when plain).
  std::string alpn() const;
  std::string tlsVersion() const;

 private:
  explicit ClientTransport(Fd fd) : fd_(std::move(fd)) {}

  Fd fd_;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
};

}  // namespace meshgate::testing
