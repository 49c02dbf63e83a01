// Regression: bytes of calls that ended before the gateway passed them on must still be returned
// to the connection-level flow-control window, or a long-lived upstream connection shrinks its
// window call by call until every call on it stalls.
#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "integration/gateway_fixture.h"

namespace meshgate::testing {
namespace {

// Each call moves 1 KiB each way; 2,000 calls move ~30x the 64 KiB connection window.
constexpr int kCalls = 2000;
constexpr int kBytesPerCall = 1024;

MESHGATE_TEST_BOTH_TOPOLOGIES(ManyCallsNeverExhaustTheConnectionWindow) {
  ASSERT_TRUE(t.startWithOneBackend(
      {"--connection-window", "65535", "--stream-window", "65535", "--workers", "1"}));
  auto stub = t.stub();
  for (int i = 0; i < kCalls; ++i) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + kWait);
    SimpleRequest request;
    request.set_response_size(kBytesPerCall);
    request.mutable_payload()->set_body(std::string(kBytesPerCall, 'x'));
    SimpleResponse response;
    grpc::Status status = stub->UnaryCall(&context, request, &response);
    ASSERT_TRUE(status.ok()) << "call " << i << ": " << status.error_code() << ": "
                             << status.error_message();
    ASSERT_EQ(response.payload().body().size(), static_cast<size_t>(kBytesPerCall));
  }
  EXPECT_EQ(t.backend().callCount(kUnaryCallMethod), static_cast<size_t>(kCalls));
}

}  // namespace
}  // namespace meshgate::testing
