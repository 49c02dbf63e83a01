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

// The Gateway, a VirtualService with `timeout` sending everything to `backend`, and its Service.
MeshYaml routeTimeoutYaml(GatewayTest& t, const TestBackend& backend, const std::string& timeout) {
  ServiceSpec service;
  service.endpoints = {{"127.0.0.1", backend.port()}};
  VirtualServiceSpec vs;
  vs.http[0].timeout = timeout;
  MeshYaml yaml = t.gatewayYaml();
  yaml.add(vs).add(service);
  return yaml;
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
  // The backend was told what was left of the 400 ms, so its own deadline may end the call at
  // the same moment as the gateway's; either way the caller gets DEADLINE_EXCEEDED in trailers.
  std::string message = response.trailer("grpc-message");
  EXPECT_TRUE(message.find("grpc-timeout of 400 ms") != std::string::npos ||
              message.find("Deadline Exceeded") != std::string::npos)
      << message;
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
  TestBackend backend("backend-a");
  MeshYaml yaml = routeTimeoutYaml(*this, backend, "2s");
  ASSERT_TRUE(start(yaml));
  grpc::ClientContext context;
  context.set_deadline(deadlineIn(20s));
  Empty response;
  ASSERT_TRUE(stub()->EmptyCall(&context, Empty(), &response).ok());
  auto calls = backend.calls();
  ASSERT_EQ(calls.size(), 1u);
  ASSERT_TRUE(calls[0].deadline.has_value()) << "no grpc-timeout reached the backend";
  EXPECT_LE(*calls[0].deadline, 2s);
  EXPECT_GT(*calls[0].deadline, 1s);
}

// The deadline is kept to within 10% of what was configured, whether the route timeout or the
// caller's grpc-timeout sets it.
TEST_F(H2cToH2c, DeadlineExceededComesWithinTenPercentOfTheConfiguredValue) {
  TestBackend backend("backend-a");
  MeshYaml yaml = routeTimeoutYaml(*this, backend, "1s");
  ASSERT_TRUE(start(yaml));
  auto client = rawClient(*this);
  ASSERT_NE(client, nullptr);
  struct Case {
    std::string grpc_timeout;  // "" for none: the route's 1 s applies
    long configured_ms;
  };
  for (const Case& c : {Case{"", 1000}, Case{"700m", 700}}) {
    HeaderList headers = grpcRequestHeaders("grpc.example.com", kFullDuplexCallMethod);
    if (!c.grpc_timeout.empty()) headers.emplace_back("grpc-timeout", c.grpc_timeout);
    Clock::time_point start = Clock::now();
    int32_t stream = client->submit(headers, "", false);
    ASSERT_TRUE(waitStatus(*client, stream));
    long elapsed = millisSince(start);
    EXPECT_EQ(grpcStatus(client->response(stream)), "4") << c.configured_ms;
    EXPECT_GE(elapsed, c.configured_ms);
    EXPECT_LE(elapsed, c.configured_ms * 11 / 10) << "more than 10% late";
  }
}

// `timeout: 0s` is no route timeout at all: a server stream that takes 30 s ends normally, and
// idle timeouts of half a second (gateway connections and the upstream pool) never cut it while
// its messages flow a second apart.
TEST_F(H2cToH2c, StreamOnRouteWithTimeoutZeroLivesThirtySeconds) {
  TestBackend backend("backend-a");
  MeshYaml yaml = routeTimeoutYaml(*this, backend, "0s");
  yaml.addRaw(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: grpc-service
  namespace: default
spec:
  host: grpc-service.default.svc.cluster.local
  trafficPolicy:
    connectionPool:
      http:
        idleTimeout: 500ms
)");
  ASSERT_TRUE(start(yaml, {"--idle-timeout", "500ms"}));
  constexpr int kMessages = 30;
  StreamingOutputCallRequest request;
  for (int i = 0; i < kMessages; ++i) {
    auto* response = request.add_response_parameters();
    response->set_size(16);
    response->set_interval_us(1'000'000);
  }
  grpc::ClientContext context;
  context.set_deadline(deadlineIn(90s));  // only a guard against a hang
  Clock::time_point start = Clock::now();
  auto reader = stub()->StreamingOutputCall(&context, request);
  StreamingOutputCallResponse response;
  int received = 0;
  while (reader->Read(&response)) ++received;
  grpc::Status status = reader->Finish();
  EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  EXPECT_EQ(received, kMessages);
  EXPECT_GE(millisSince(start), (kMessages - 1) * 1000L);
}

}  // namespace
}  // namespace meshgate::testing
