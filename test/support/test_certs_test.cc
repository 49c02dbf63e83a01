#include "support/test_certs.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "proto/test_service.grpc.pb.h"
#include "support/client_transport.h"
#include "support/grpc_clients.h"
#include "support/test_backend.h"

namespace meshgate::testing {
namespace {

using namespace std::chrono_literals;

TestBackend::Options tlsBackend(const TestCerts& certs) {
  TestBackend::Options options;
  options.tls_cert_pem = certs.serverCertPem();
  options.tls_key_pem = certs.serverKeyPem();
  return options;
}

ChannelOptions tlsChannel(const std::string& ca_pem, const std::string& authority) {
  ChannelOptions options;
  options.authority = authority;
  options.ca_pem = ca_pem;
  return options;
}

ClientTlsOptions verifying(const std::string& ca_pem, const std::string& server_name) {
  ClientTlsOptions options;
  options.ca_pem = ca_pem;
  options.server_name = server_name;
  return options;
}

TEST(TestCertsTest, DirectTlsCallAcceptsServerCertificate) {
  TestCerts certs;
  TestBackend backend("tls", tlsBackend(certs));
  for (const char* authority : {"grpc.example.com", "other.example.com", "localhost"}) {
    auto stub =
        TestService::NewStub(makeChannel(backend.port(), tlsChannel(certs.caCertPem(), authority)));
    grpc::ClientContext context;
    context.set_deadline(deadlineIn(10s));
    Empty response;
    grpc::Status status = stub->EmptyCall(&context, Empty(), &response);
    EXPECT_TRUE(status.ok()) << authority << ": " << status.error_message();
  }
}

TEST(TestCertsTest, OtherCaIsRejected) {
  TestCerts certs;
  TestCerts stranger;
  TestBackend backend("tls", tlsBackend(certs));
  auto stub = TestService::NewStub(
      makeChannel(backend.port(), tlsChannel(stranger.caCertPem(), "grpc.example.com")));
  grpc::ClientContext context;
  context.set_deadline(deadlineIn(5s));
  Empty response;
  EXPECT_EQ(stub->EmptyCall(&context, Empty(), &response).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST(TestCertsTest, RawTlsClientVerifiesServerName) {
  TestCerts certs;
  TestBackend backend("tls", tlsBackend(certs));
  std::string error;
  auto good = ClientTransport::connectTls(backend.port(),
                                          verifying(certs.caCertPem(), "api.example.com"), &error);
  ASSERT_NE(good, nullptr) << error;
  EXPECT_EQ(good->alpn(), "h2");
  auto bad = ClientTransport::connectTls(backend.port(),
                                         verifying(certs.caCertPem(), "grpc.example.org"), &error);
  EXPECT_EQ(bad, nullptr) << "a certificate for *.example.com passed for grpc.example.org";
  EXPECT_NE(error.find("verify"), std::string::npos) << error;
}

}  // namespace
}  // namespace meshgate::testing
