#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/channel.h>
#include <gtest/gtest.h>

#include "proto/test_service.grpc.pb.h"
#include "support/gateway_process.h"
#include "support/grpc_clients.h"
#include "support/mesh_yaml.h"
#include "support/temp_dir.h"
#include "support/test_backend.h"
#include "support/test_certs.h"

namespace meshgate::testing {

// The real `meshgate serve` (MESHGATE_BINARY) in front of real peers. A test builds its YAML,
// starts the gateway and calls through it; the fixture owns the temp dir, the certificates and
// the process, and prints the gateway's command line and stderr when a test fails.
// The topology picks the downstream side: h2c on Gateway port 80 (protocol HTTP), or TLS on port
// 443 (protocol HTTPS, credentialName → a kubernetes.io/tls Secret with certificates made per
// test). Backends are always reached over h2c.
class GatewayTest : public ::testing::Test {
 public:
  explicit GatewayTest(bool tls) : tls_(tls) {}

  bool tls() const { return tls_; }
  int gatewayPort() const { return tls_ ? 443 : 80; }
  const TestCerts& certs() const { return certs_; }
  const TempDir& dir() const { return dir_; }
  GatewayProcess& gateway() { return *gateway_; }

  // The seed's Gateway for `hosts` on this topology's port, plus its Secret when TLS.
  MeshYaml gatewayYaml(std::vector<std::string> hosts = {"grpc.example.com"}) const;

  // Writes `yaml` as mesh.yaml, starts the gateway and waits for `ready`. On failure records
  // it (with the gateway's stderr) and returns false.
  [[nodiscard]] bool start(const MeshYaml& yaml, std::vector<std::string> extra_args = {});

  // One TestBackend ("backend-a") behind the Service grpc-service:50051 with its Endpoints and a
  // VirtualService sending everything for grpc.example.com to it; then start().
  [[nodiscard]] bool startWithOneBackend(std::vector<std::string> extra_args = {});
  TestBackend& backend() { return *backend_; }

  // The bound local port of the topology's Gateway port.
  int port() const;
  // A new channel (its own connection) through the gateway, TLS when the topology is.
  std::shared_ptr<grpc::Channel> channel(const std::string& authority = "grpc.example.com",
                                         int max_message_bytes = 0) const;
  std::unique_ptr<TestService::Stub> stub(const std::string& authority = "grpc.example.com") const;

 protected:
  void TearDown() override;

 private:
  const bool tls_;
  TempDir dir_;
  TestCerts certs_;
  std::unique_ptr<TestBackend> backend_;
  std::unique_ptr<GatewayProcess> gateway_;
};

// Plaintext HTTP/2 with prior knowledge downstream, h2c upstream.
class H2cToH2c : public GatewayTest {
 public:
  H2cToH2c() : GatewayTest(false) {}
};

// TLS with ALPN h2 downstream, h2c upstream.
class TlsH2ToH2c : public GatewayTest {
 public:
  TlsH2ToH2c() : GatewayTest(true) {}
};

// Defines the test `name` on both topologies, H2cToH2c.name and TlsH2ToH2c.name, with one body
// that reaches the fixture as `t`.
#define MESHGATE_TEST_BOTH_TOPOLOGIES(name)             \
  void name##Body(::meshgate::testing::GatewayTest& t); \
  TEST_F(H2cToH2c, name) { name##Body(*this); }         \
  TEST_F(TlsH2ToH2c, name) { name##Body(*this); }       \
  void name##Body(::meshgate::testing::GatewayTest& t)

// The gateway binary: $MESHGATE_BINARY when set (to run the suite against another build), else
// the one this test was built with.
std::filesystem::path meshgateBinary();

// The bound of every wait in these tests: generous for ASan on 2 cores, and only reached when
// something is broken.
inline constexpr std::chrono::seconds kWait{10};

}  // namespace meshgate::testing
