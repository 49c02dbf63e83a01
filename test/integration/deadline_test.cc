// Deadlines enforced by the gateway itself: the caller's grpc-timeout and the route timeout,
// whichever is sooner, end the call with DEADLINE_EXCEEDED and cancel the upstream, and the
// upstream is told what is left. The raw HTTP/2 client never enforces a deadline of its own, so
// what it sees is the gateway's doing.
#include <gtest/gtest.h>

#include "integration/gateway_fixture.h"
#include "support/raw_h2_client.h"

namespace meshgate::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::unique_ptr<RawH2Client> rawClient(GatewayTest& t) {
  std::string error;
  auto client = RawH2Client::connect(t.port(), RawH2Client::Options{}, &error);
  EXPECT_NE(client, nullptr) << error;
  return client;
}

HeaderList callWithTimeout(const std::string& method, const std::string& grpc_timeout) {
  HeaderList headers = grpcRequestHeaders("grpc.example.com", method);
  headers.emplace_back("grpc-timeout", grpc_timeout);
  return headers;
}

// The call's grpc-status, from trailers or a Trailers-Only response; "" while there is none.
std::string grpcStatus(const RawH2Client::Response& response) {
  std::string status = response.trailer("grpc-status");
  return status.empty() ? response.header("grpc-status") : status;
}

// Pumps until the call has a status. The client never half-closes these calls, so the stream
// itself stays open until the gateway resets it.
bool waitStatus(RawH2Client& client, int32_t stream) {
  return client.pumpUntil([&] { return !grpcStatus(client.response(stream)).empty(); }, kWait);
}

long millisSince(Clock::time_point start) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
}

TEST_F(H2cToH2c, GatewayEndsTheCallAtTheCallersGrpcTimeout) {
  ASSERT_TRUE(startWithOneBackend());
  auto client = rawClient(*this);
  ASSERT_NE(client, nullptr);
  Clock::time_point start = Clock::now();
  // A bidi call that sends nothing: the backend waits for a message that never comes.
  int32_t stream = client->submit(callWithTimeout(kFullDuplexCallMethod, "300m"), "", false);
  ASSERT_TRUE(waitStatus(*client, stream));
  long elapsed = millisSince(start);
  EXPECT_EQ(grpcStatus(client->response(stream)), "4") << "DEADLINE_EXCEEDED expected";
  EXPECT_GE(elapsed, 300);
  EXPECT_LT(elapsed, 300 + 700) << "the gateway's deadline fired late";
  EXPECT_TRUE(backend().waitForCancelledCall(kFullDuplexCallMethod, kWait))
      << "the upstream stream was not cancelled";
}

TEST_F(H2cToH2c, DeadlineAfterTheResponseStartedEndsWithTrailers) {
  ASSERT_TRUE(startWithOneBackend());
  auto client = rawClient(*this);
  ASSERT_NE(client, nullptr);
  StreamingOutputCallRequest request;
  request.add_response_parameters()->set_size(10);
  // One message answered, then the backend waits for the next one.
  int32_t stream =
      client->submit(callWithTimeout(kFullDuplexCallMethod, "400m"), grpcFrame(request), false);
  ASSERT_TRUE(waitStatus(*client, stream));
  const RawH2Client::Response& response = client->response(stream);
  EXPECT_EQ(response.header(":status"), "200");
  EXPECT_GT(response.body.size(), 10u) << "the relayed message is kept";
  EXPECT_EQ(response.trailer("grpc-status"), "4");
  EXPECT_NE(response.trailer("grpc-message").find("grpc-timeout of 400 ms"), std::string::npos)
      << response.trailer("grpc-message");
}

TEST_F(H2cToH2c, MalformedGrpcTimeoutIsInternal) {
  ASSERT_TRUE(startWithOneBackend());
  auto client = rawClient(*this);
  ASSERT_NE(client, nullptr);
  int32_t stream = client->submit(callWithTimeout(kFullDuplexCallMethod, "1.5S"), "", true);
  ASSERT_TRUE(client->waitClosed(stream, kWait));
  EXPECT_EQ(client->response(stream).header("grpc-status"), "13");
  EXPECT_EQ(backend().callCount(kFullDuplexCallMethod), 0u);
}

TEST_F(H2cToH2c, BackendIsToldTheRouteTimeoutWhenItIsSooner) {
  auto backend = std::make_unique<TestBackend>("backend-a");
  ServiceSpec service;
  service.endpoints = {{"127.0.0.1", backend->port()}};
  VirtualServiceSpec vs;
  vs.http[0].timeout = "2s";
  MeshYaml yaml = gatewayYaml();
  yaml.add(vs).add(service);
  ASSERT_TRUE(start(yaml));
  grpc::ClientContext context;
  context.set_deadline(deadlineIn(20s));
  Empty response;
  ASSERT_TRUE(stub()->EmptyCall(&context, Empty(), &response).ok());
  auto calls = backend->calls();
  ASSERT_EQ(calls.size(), 1u);
  ASSERT_TRUE(calls[0].deadline.has_value()) << "no grpc-timeout reached the backend";
  EXPECT_LE(*calls[0].deadline, 2s);
  EXPECT_GT(*calls[0].deadline, 1s);
}

}  // namespace
}  // namespace meshgate::testing
