// Start and stop: SIGTERM drains in-flight streams and refuses new connections.
#include <signal.h>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "integration/gateway_fixture.h"
#include "support/sockets.h"
#include "support/wait.h"

namespace meshgate::testing {
namespace {

using namespace std::chrono_literals;

StreamingOutputCallRequest threeResponses() {
  StreamingOutputCallRequest request;
  for (int i = 0; i < 3; ++i) request.add_response_parameters()->set_size(100);
  return request;
}

MESHGATE_TEST_BOTH_TOPOLOGIES(SigtermLetsInFlightStreamFinish) {
  ASSERT_TRUE(t.startWithOneBackend({"--drain-time", "15s"}));
  t.backend().hold();
  grpc::ClientContext context;
  context.set_deadline(deadlineIn(3 * kWait));
  auto stub = t.stub();
  auto reader = stub->StreamingOutputCall(&context, threeResponses());
  StreamingOutputCallResponse response;
  ASSERT_TRUE(reader->Read(&response));
  ASSERT_TRUE(t.backend().waitForParked(1, kWait));

  t.gateway().signal(SIGTERM);
  EXPECT_TRUE(eventually([&] { return connectionRefused(t.port()); }, kWait))
      << "the gateway still accepts connections while draining";
  EXPECT_TRUE(t.gateway().running()) << "the gateway exited with a stream in flight";

  t.backend().release();
  int received = 1;
  while (reader->Read(&response)) ++received;
  grpc::Status status = reader->Finish();
  EXPECT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
  EXPECT_EQ(received, 3);
  EXPECT_EQ(t.gateway().waitExit(kWait), 0);
}

TEST_F(H2cToH2c, DrainTimeEndsStreamsThatOutlastIt) {
  ASSERT_TRUE(startWithOneBackend({"--drain-time", "1s"}));
  backend().hold();
  grpc::ClientContext context;
  context.set_deadline(deadlineIn(3 * kWait));
  auto test_stub = stub();
  auto reader = test_stub->StreamingOutputCall(&context, threeResponses());
  StreamingOutputCallResponse response;
  ASSERT_TRUE(reader->Read(&response));
  ASSERT_TRUE(backend().waitForParked(1, kWait));

  auto signalled = std::chrono::steady_clock::now();
  gateway().signal(SIGTERM);
  EXPECT_EQ(gateway().waitExit(kWait), 0);
  EXPECT_GE(std::chrono::steady_clock::now() - signalled, 900ms) << "exited before --drain-time";
  EXPECT_FALSE(reader->Read(&response));
  EXPECT_FALSE(reader->Finish().ok());
}

// --idle-timeout closes connections without streams, never a stream that is only quiet.
TEST_F(H2cToH2c, QuietStreamOutlivesIdleTimeout) {
  ASSERT_TRUE(startWithOneBackend({"--idle-timeout", "300ms"}));
  grpc::ClientContext context;
  context.set_deadline(deadlineIn(kWait));
  StreamingOutputCallRequest request;
  request.add_response_parameters()->set_size(10);
  auto* quiet = request.add_response_parameters();
  quiet->set_size(10);
  quiet->set_interval_us(1'200'000);
  auto test_stub = stub();
  auto reader = test_stub->StreamingOutputCall(&context, request);
  StreamingOutputCallResponse response;
  int received = 0;
  while (reader->Read(&response)) ++received;
  grpc::Status status = reader->Finish();
  EXPECT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
  EXPECT_EQ(received, 2);
}

TEST_F(H2cToH2c, SigtermWhenIdleExitsZero) {
  ASSERT_TRUE(startWithOneBackend());
  grpc::ClientContext context;
  context.set_deadline(deadlineIn(kWait));
  Empty response;
  ASSERT_TRUE(stub()->EmptyCall(&context, Empty(), &response).ok());
  EXPECT_EQ(gateway().terminate(kWait), 0);
}

}  // namespace
}  // namespace meshgate::testing
