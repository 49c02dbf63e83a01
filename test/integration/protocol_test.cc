// HTTP/2 below gRPC: ALPN on the TLS listener, and plain HTTP/2 requests that are not gRPC.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "integration/gateway_fixture.h"
#include "support/raw_h2_backend.h"
#include "support/raw_h2_client.h"

namespace meshgate::testing {
namespace {

using namespace std::chrono_literals;

// The grpc-status of a finished raw gRPC exchange: from trailers, or a Trailers-Only response.
std::string grpcStatusOf(const RawH2Client::Response& response) {
  std::string status = response.trailer("grpc-status");
  return status.empty() ? response.header("grpc-status") : status;
}

void expectAlpnH2AndGrpcCall(TlsH2ToH2c& t, int version, const std::string& version_name) {
  ASSERT_TRUE(t.startWithOneBackend());
  RawH2Client::Options options;
  options.tls = true;
  options.tls_options.ca_pem = t.certs().caCertPem();
  options.tls_options.version = version;
  options.tls_options.alpn = {"h2", "http/1.1"};
  std::string error;
  auto client = RawH2Client::connect(t.port(), options, &error);
  ASSERT_NE(client, nullptr) << error;
  EXPECT_EQ(client->transport().alpn(), "h2");
  EXPECT_EQ(client->transport().tlsVersion(), version_name);

  int32_t stream = client->submit(grpcRequestHeaders("grpc.example.com", kEmptyCallMethod, "https"),
                                  grpcFrame(Empty()));
  ASSERT_TRUE(client->waitClosed(stream, kWait));
  const auto& response = client->response(stream);
  EXPECT_EQ(response.header(":status"), "200");
  EXPECT_EQ(response.header("x-backend-id"), "backend-a");
  EXPECT_EQ(grpcStatusOf(response), "0");
}

TEST_F(TlsH2ToH2c, AlpnNegotiatesH2OverTls12) {
  expectAlpnH2AndGrpcCall(*this, TLS1_2_VERSION, "TLSv1.2");
}

TEST_F(TlsH2ToH2c, AlpnNegotiatesH2OverTls13) {
  expectAlpnH2AndGrpcCall(*this, TLS1_3_VERSION, "TLSv1.3");
}

// A gRPC error the backend sends as one HEADERS frame must reach the client as one.
TEST_F(H2cToH2c, TrailersOnlyResponsePassesThrough) {
  ASSERT_TRUE(startWithOneBackend());
  std::string error;
  auto client = RawH2Client::connect(port(), RawH2Client::Options(), &error);
  ASSERT_NE(client, nullptr) << error;
  int32_t stream = client->submit(
      grpcRequestHeaders("grpc.example.com", "/meshgate.testing.TestService/UnimplementedCall"),
      grpcFrame(Empty()));
  ASSERT_TRUE(client->waitClosed(stream, kWait));
  const auto& response = client->response(stream);
  EXPECT_EQ(response.header(":status"), "200");
  EXPECT_EQ(response.header("grpc-status"), "12");
  EXPECT_TRUE(response.trailers.empty()) << "trailers arrived in a second HEADERS frame";
  EXPECT_EQ(response.body_bytes, 0u);
}

// The gateway's own replies to gRPC requests are Trailers-Only gRPC responses.
TEST_F(H2cToH2c, LocalReplyIsTrailersOnlyGrpc) {
  ASSERT_TRUE(startWithOneBackend());
  std::string error;
  auto client = RawH2Client::connect(port(), RawH2Client::Options(), &error);
  ASSERT_NE(client, nullptr) << error;
  int32_t stream = client->submit(grpcRequestHeaders("unknown.example.org", kEmptyCallMethod),
                                  grpcFrame(Empty()));
  ASSERT_TRUE(client->waitClosed(stream, kWait));
  const auto& response = client->response(stream);
  EXPECT_EQ(response.header(":status"), "200");
  EXPECT_EQ(response.header("content-type"), "application/grpc");
  EXPECT_EQ(response.header("grpc-status"), "12");
  EXPECT_NE(response.header("grpc-message"), "");
  EXPECT_TRUE(response.trailers.empty());
  EXPECT_EQ(response.body_bytes, 0u);
}

// A raw HTTP/2 backend (not gRPC) behind raw.internal, routed for paths under /api/.
class H2cToPlainH2c : public H2cToH2c {
 protected:
  void SetUp() override {
    ServiceEntrySpec entry;
    entry.name = "raw";
    entry.host = "raw.internal";
    entry.port = 8080;
    entry.port_name = "http2";
    entry.protocol = "HTTP2";
    entry.endpoints = {{"127.0.0.1", raw_.port()}};
    HttpRoute route;
    route.prefix = "/api/";
    route.route = {{"raw.internal", 8080}};
    VirtualServiceSpec vs;
    vs.http = {route};
    MeshYaml yaml = gatewayYaml();
    yaml.add(vs).add(entry);
    ASSERT_TRUE(start(yaml));
    std::string error;
    client_ = RawH2Client::connect(port(), RawH2Client::Options(), &error);
    ASSERT_NE(client_, nullptr) << error;
  }

  HeaderList request(const std::string& method, const std::string& path) {
    return {{":method", method},
            {":scheme", "http"},
            {":authority", "grpc.example.com"},
            {":path", path},
            {"content-type", "text/plain"}};
  }

  RawH2Backend raw_{"raw"};
  std::unique_ptr<RawH2Client> client_;
};

TEST_F(H2cToPlainH2c, NonGrpcRequestIsProxied) {
  int32_t post = client_->submit(request("POST", "/api/upload"), "hello");
  int32_t get = client_->submit(request("GET", "/api/status"), "");
  ASSERT_TRUE(client_->waitClosed(post, kWait));
  ASSERT_TRUE(client_->waitClosed(get, kWait));

  const auto& posted = client_->response(post);
  EXPECT_EQ(posted.header(":status"), "200");
  EXPECT_EQ(posted.header("x-backend-id"), "raw");
  EXPECT_EQ(posted.header("x-path"), "/api/upload");
  EXPECT_EQ(posted.body, "echo:hello");
  const auto& got = client_->response(get);
  EXPECT_EQ(got.header(":status"), "200");
  EXPECT_EQ(got.header("x-method"), "GET");
  EXPECT_EQ(got.body, "echo:");

  ASSERT_TRUE(raw_.waitForRequests(2, kWait));
  for (const auto& seen : raw_.requests()) EXPECT_EQ(seen.authority, "grpc.example.com");
}

TEST_F(H2cToPlainH2c, NonGrpcRequestWithoutRouteGets404) {
  int32_t stream = client_->submit(request("GET", "/elsewhere"), "");
  ASSERT_TRUE(client_->waitClosed(stream, kWait));
  EXPECT_EQ(client_->response(stream).header(":status"), "404");
  EXPECT_EQ(client_->response(stream).header("grpc-status"), "");
  EXPECT_TRUE(raw_.requests().empty());
}

}  // namespace
}  // namespace meshgate::testing
