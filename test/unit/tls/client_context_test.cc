#include "tls/client_context.h"

#include <sys/socket.h>

#include <gtest/gtest.h>

#include "io/socket.h"
#include "support/test_certs.h"
#include "tls/server_context.h"
#include "tls/tls_socket.h"

namespace meshgate::tls {
namespace {

using testing::TestCerts;

ClientOptions trusting(const TestCerts& certs) {
  ClientOptions options;
  options.ca_pem = certs.caCertPem();
  options.name = "test";
  return options;
}

struct HandshakeResult {
  bool ok = false;
  std::string client_alpn;
  std::string client_reason;
};

// Runs a client and a server TlsSocket against each other over a non-blocking socketpair.
HandshakeResult handshake(const ClientContext& client_context, const TestCerts& server_certs) {
  int fds[2];
  EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
  io::Fd client_fd(fds[0]), server_fd(fds[1]);
  auto server_context = ServerContext::build(
      {{{"*"}, server_certs.serverCertPem(), server_certs.serverKeyPem(), "server"}});
  EXPECT_TRUE(server_context.ok());
  TlsSocket server((*server_context)->defaultContext(), server_fd.get(), true);
  auto client = client_context.newSocket(client_fd.get());
  HandshakeResult result;
  bool client_done = false, server_done = false;
  // Each side needs a handful of turns; a stuck handshake ends the loop.
  for (int turn = 0; turn < 50 && !(client_done && server_done); ++turn) {
    if (!client_done) {
      io::IoResult step = client->handshake();
      if (step.status == io::IoStatus::kOk) client_done = true;
      if (step.status == io::IoStatus::kError || step.status == io::IoStatus::kClosed) {
        result.client_reason = client->failureReason();
        return result;
      }
    }
    if (!server_done) {
      io::IoResult step = server.handshake();
      if (step.status == io::IoStatus::kOk) server_done = true;
      if (step.status == io::IoStatus::kError || step.status == io::IoStatus::kClosed) break;
    }
  }
  result.ok = client_done && server_done;
  result.client_alpn = std::string(client->alpn());
  return result;
}

TEST(ClientContext, TrustedServerHandshakesAndNegotiatesH2) {
  TestCerts certs;
  auto context = ClientContext::build(trusting(certs));
  ASSERT_TRUE(context.ok()) << context.status();
  HandshakeResult result = handshake(**context, certs);
  EXPECT_TRUE(result.ok) << result.client_reason;
  EXPECT_EQ(result.client_alpn, "h2");
}

TEST(ClientContext, UnknownCaIsRefusedWithTheReason) {
  TestCerts certs, other;
  auto context = ClientContext::build(trusting(other));
  ASSERT_TRUE(context.ok());
  HandshakeResult result = handshake(**context, certs);
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.client_reason.find("certificate verify failed"), std::string::npos)
      << result.client_reason;
}

TEST(ClientContext, InsecureSkipVerifyAcceptsAnyServer) {
  TestCerts certs, other;
  ClientOptions options = trusting(other);
  options.insecure_skip_verify = true;
  auto context = ClientContext::build(options);
  ASSERT_TRUE(context.ok());
  EXPECT_TRUE(handshake(**context, certs).ok);
}

TEST(ClientContext, SniIsCheckedAgainstTheCertificateWhenNoSanIsGiven) {
  TestCerts certs;  // DNS SANs grpc.example.com, *.example.com, localhost
  ClientOptions options = trusting(certs);
  options.sni = "api.example.com";
  auto wildcard = ClientContext::build(options);
  ASSERT_TRUE(wildcard.ok());
  EXPECT_TRUE(handshake(**wildcard, certs).ok);

  options.sni = "backend.other.svc";
  auto mismatch = ClientContext::build(options);
  ASSERT_TRUE(mismatch.ok());
  HandshakeResult result = handshake(**mismatch, certs);
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.client_reason.find("mismatch"), std::string::npos) << result.client_reason;
}

TEST(ClientContext, SubjectAltNamesMatchDnsUriOrIp) {
  TestCerts certs;
  ClientOptions options = trusting(certs);
  options.subject_alt_names = {"spiffe://cluster.local/ns/default/sa/other", "127.0.0.1"};
  auto by_ip = ClientContext::build(options);
  ASSERT_TRUE(by_ip.ok());
  EXPECT_TRUE(handshake(**by_ip, certs).ok);

  options.subject_alt_names = {"backend.default.svc.cluster.local"};
  auto wrong = ClientContext::build(options);
  ASSERT_TRUE(wrong.ok());
  EXPECT_FALSE(handshake(**wrong, certs).ok);

  const ClientContext& context = **wrong;
  EXPECT_TRUE(context.acceptsPeerNames({"*.default.svc.cluster.local"}, {}, {}));
  EXPECT_FALSE(context.acceptsPeerNames({"*.svc.cluster.local"}, {}, {}))
      << "a wildcard covers one label only";
  EXPECT_TRUE(context.acceptsPeerNames({"BACKEND.default.svc.cluster.local"}, {}, {}));
}

TEST(ClientContext, UriSanMatchesExactly) {
  TestCerts certs;
  ClientOptions options = trusting(certs);
  options.subject_alt_names = {TestCerts::kClientUri};
  auto context = ClientContext::build(options);
  ASSERT_TRUE(context.ok());
  EXPECT_TRUE((*context)->acceptsPeerNames({}, {TestCerts::kClientUri}, {}));
  EXPECT_FALSE((*context)->acceptsPeerNames({}, {std::string(TestCerts::kClientUri) + "x"}, {}));
}

TEST(ClientContext, BadMaterialIsAnErrorNamingTheSource) {
  ClientOptions options;
  options.name = "default/backend-tls";
  options.ca_pem = "not a certificate";
  auto bad_ca = ClientContext::build(options);
  ASSERT_FALSE(bad_ca.ok());
  EXPECT_NE(std::string(bad_ca.status().message()).find("default/backend-tls"), std::string::npos);

  TestCerts certs, other;
  options = trusting(certs);
  options.name = "default/backend-tls";
  options.cert_pem = certs.clientCertPem();
  options.key_pem = other.clientKeyPem();
  auto mismatch = ClientContext::build(options);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(std::string(mismatch.status().message()).find("mismatch"), std::string::npos)
      << mismatch.status();
}

}  // namespace
}  // namespace meshgate::tls
