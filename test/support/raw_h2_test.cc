#include <gtest/gtest.h>

#include "proto/test_service.pb.h"
#include "support/grpc_clients.h"
#include "support/raw_h2_backend.h"
#include "support/raw_h2_client.h"
#include "support/sockets.h"
#include "support/test_backend.h"

namespace meshgate::testing {
namespace {

using namespace std::chrono_literals;

HeaderList plainRequest(const std::string& method, const std::string& path) {
  return {{":method", method}, {":scheme", "http"}, {":authority", "raw.test"}, {":path", path}};
}

TEST(RawH2Test, ClientGetsEchoFromRawBackend) {
  RawH2Backend backend("raw");
  std::string error;
  auto client = RawH2Client::connect(backend.port(), {}, &error);
  ASSERT_NE(client, nullptr) << error;
  int32_t stream = client->submit(plainRequest("POST", "/upload"), "hello");
  ASSERT_TRUE(client->waitClosed(stream, 5s));
  const auto& response = client->response(stream);
  EXPECT_EQ(response.header(":status"), "200");
  EXPECT_EQ(response.header("x-backend-id"), "raw");
  EXPECT_EQ(response.header("x-path"), "/upload");
  EXPECT_EQ(response.body, "echo:hello");
  ASSERT_TRUE(backend.waitForRequests(1, 1s));
  EXPECT_EQ(backend.requests()[0].authority, "raw.test");
}

TEST(RawH2Test, BackendResetsOnRequest) {
  RawH2Backend backend("raw");
  std::string error;
  auto client = RawH2Client::connect(backend.port(), {}, &error);
  ASSERT_NE(client, nullptr) << error;
  HeaderList before = plainRequest("GET", "/");
  before.emplace_back("x-raw-action", "reset-before-headers");
  HeaderList after = plainRequest("GET", "/");
  after.emplace_back("x-raw-action", "reset-after-headers");
  int32_t first = client->submit(before, "");
  int32_t second = client->submit(after, "");
  ASSERT_TRUE(client->waitClosed(first, 5s));
  ASSERT_TRUE(client->waitClosed(second, 5s));
  EXPECT_TRUE(client->response(first).reset);
  EXPECT_TRUE(client->response(first).headers.empty());
  EXPECT_TRUE(client->response(second).reset);
  EXPECT_EQ(client->response(second).header(":status"), "200");
}

TEST(RawH2Test, RawGrpcCallToTestBackend) {
  TestBackend backend("grpc");
  std::string error;
  auto client = RawH2Client::connect(backend.port(), {}, &error);
  ASSERT_NE(client, nullptr) << error;
  SimpleRequest request;
  request.set_response_size(3);
  int32_t stream =
      client->submit(grpcRequestHeaders("raw.test", kUnaryCallMethod), grpcFrame(request));
  ASSERT_TRUE(client->waitClosed(stream, 5s));
  const auto& response = client->response(stream);
  EXPECT_EQ(response.header(":status"), "200");
  EXPECT_EQ(response.trailer("grpc-status"), "0");
  auto messages = grpcMessages(response.body);
  ASSERT_EQ(messages.size(), 1u);
  SimpleResponse decoded;
  ASSERT_TRUE(decoded.ParseFromString(messages[0]));
  EXPECT_EQ(decoded.payload().body().size(), 3u);
}

TEST(SocketsTest, RefusingPortRefusesConnections) {
  auto [socket, port] = refusingPort();
  EXPECT_TRUE(connectionRefused(port));
  auto [listener, listening_port] = listenTcp();
  EXPECT_FALSE(connectionRefused(listening_port));
}

// The integration suite relies on this to check that Trailers-Only responses pass through.
TEST(RawH2Test, GrpcServerAnswersUnknownMethodTrailersOnly) {
  TestBackend backend("grpc");
  std::string error;
  auto client = RawH2Client::connect(backend.port(), {}, &error);
  ASSERT_NE(client, nullptr) << error;
  int32_t stream = client->submit(
      grpcRequestHeaders("raw.test", "/meshgate.testing.TestService/UnimplementedCall"),
      grpcFrame(Empty()));
  ASSERT_TRUE(client->waitClosed(stream, 5s));
  const auto& response = client->response(stream);
  EXPECT_EQ(response.header(":status"), "200");
  EXPECT_EQ(response.header("grpc-status"), "12");
  EXPECT_TRUE(response.trailers.empty());
  EXPECT_EQ(response.body_bytes, 0u);
}

}  // namespace
}  // namespace meshgate::testing
