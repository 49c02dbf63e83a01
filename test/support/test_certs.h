#pragma once

#include <string>
#include <vector>

namespace meshgate::testing {

// A throwaway PKI made at test time with OpenSSL 3: a self-signed CA and a server certificate it
// signs, both EC P-256, as PEM strings. Nothing is written to disk unless a test does it.
class TestCerts {
 public:
  // The server certificate's subjectAltName entries: DNS names and IP addresses.
  struct ServerNames {
    std::vector<std::string> dns = {"grpc.example.com", "*.example.com", "localhost"};
    std::vector<std::string> ips = {"127.0.0.1"};
  };

  // Generates a new CA and server certificate; throws std::runtime_error on an OpenSSL failure.
  TestCerts() : TestCerts(ServerNames{}) {}
  explicit TestCerts(const ServerNames& names);

  const std::string& caCertPem() const { return ca_cert_pem_; }
  const std::string& serverCertPem() const { return server_cert_pem_; }
  const std::string& serverKeyPem() const { return server_key_pem_; }

 private:
  std::string ca_cert_pem_;
  std::string server_cert_pem_;
  std::string server_key_pem_;
};

}  // namespace meshgate::testing
