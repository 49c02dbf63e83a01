#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace meshgate::tls {

struct CertificateSource {
  std::vector<std::string> server_names;  // SNI names; "*" or empty: the default certificate
  std::string cert_pem;
  std::string key_pem;
  std::string name;  // for errors: "istio-system/grpc-tls-credential"
};

// The TLS side of one listener: a certificate per SNI name, ALPN preferring h2, TLS 1.2+.
// Immutable after build and shared by the workers' handshakes.
class ServerContext {
 public:
  static absl::StatusOr<std::shared_ptr<const ServerContext>> build(
      const std::vector<CertificateSource>& certificates);
  ~ServerContext();
  ServerContext(const ServerContext&) = delete;
  ServerContext& operator=(const ServerContext&) = delete;

  // The context new connections start with; SNI may switch to another one.
  SSL_CTX* defaultContext() const { return entries_.front().context; }
  // The context whose certificate serves this SNI name: exact, then the longest wildcard.
  SSL_CTX* contextFor(std::string_view server_name) const;

 private:
  struct Entry {
    std::vector<std::string> server_names;
    SSL_CTX* context;
  };
  ServerContext() = default;
  std::vector<Entry> entries_;
};

}  // namespace meshgate::tls
