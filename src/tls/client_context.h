#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "io/transport_socket.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace meshgate::tls {

// How meshgate connects to an upstream over TLS (DestinationRule trafficPolicy.tls).
struct ClientOptions {
  std::string ca_pem;    // trusted roots; empty: the system trust store
  std::string cert_pem;  // with key_pem: the client certificate (mutual TLS)
  std::string key_pem;
  std::string sni;
  // The server certificate must carry one of these (DNS, URI or IP SAN). Empty: it must carry
  // `sni` as a DNS name when sni is set; otherwise only the chain is verified.
  std::vector<std::string> subject_alt_names;
  bool insecure_skip_verify = false;  // no chain or name check at all
  std::string name;                   // for errors: the credentialName or the file paths
};

// An upstream TLS client context: TLS 1.2+, ALPN h2, verification as configured. Immutable
// after build; shared by the workers' connections.
class ClientContext {
 public:
  static absl::StatusOr<std::shared_ptr<const ClientContext>> build(ClientOptions options);
  ~ClientContext();
  ClientContext(const ClientContext&) = delete;
  ClientContext& operator=(const ClientContext&) = delete;

  // A TLS transport over a connecting socket, in client mode with SNI.
  std::unique_ptr<io::TransportSocket> newSocket(int fd) const;
  const ClientOptions& options() const { return options_; }

  // Whether the certificate's SANs satisfy the options (exposed for the verify callback).
  bool acceptsPeerNames(const std::vector<std::string>& dns, const std::vector<std::string>& uris,
                        const std::vector<std::string>& ips) const;

 private:
  explicit ClientContext(ClientOptions options) : options_(std::move(options)) {}
  ClientOptions options_;
  SSL_CTX* context_ = nullptr;
};

}  // namespace meshgate::tls
