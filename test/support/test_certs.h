#pragma once

#include <string>
#include <vector>

namespace meshgate::testing {

// A throwaway PKI made at test time with OpenSSL 3: a self-signed CA, and a server and a client
// certificate it signs, all EC P-256, as PEM strings. Nothing is written to disk unless a test
// does it. The client certificate carries the URI SAN kClientUri (a SPIFFE identity).
class TestCerts {
 public:
  // The server certificate's subjectAltName entries: DNS names and IP addresses.
  struct ServerNames {
    std::vector<std::string> dns = {"grpc.example.com", "*.example.com", "localhost"};
    std::vector<std::string> ips = {"127.0.0.1"};
    std::vector<std::string> uris = {};
  };

  // Generates a new CA and server certificate; throws std::runtime_error on an OpenSSL failure.
  TestCerts() : TestCerts(ServerNames{}) {}
  explicit TestCerts(const ServerNames& names);

  const std::string& caCertPem() const { return ca_cert_pem_; }
  const std::string& serverCertPem() const { return server_cert_pem_; }
  const std::string& serverKeyPem() const { return server_key_pem_; }
  const std::string& clientCertPem() const { return client_cert_pem_; }
  const std::string& clientKeyPem() const { return client_key_pem_; }
  static constexpr const char* kClientUri = "spiffe://cluster.local/ns/istio-system/sa/meshgate";

 private:
  std::string ca_cert_pem_;
  std::string server_cert_pem_;
  std::string server_key_pem_;
  std::string client_cert_pem_;
  std::string client_key_pem_;
};

}  // namespace meshgate::testing
