// Backends that break the rules (issue 5, "Bad input"): each misbehaviour gives the caller a
// precise gRPC status, never a hang, and leaves nothing behind in the gateway: the admin's
// stream and buffer gauges return to zero. The raw HTTP/2 backend misbehaves on request (its
// x-raw-action header), which a grpc++ server cannot be made to do.
#include <gtest/gtest.h>

#include "integration/gateway_fixture.h"
#include "support/raw_h2_backend.h"
#include "support/raw_h2_client.h"

namespace meshgate::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Case {
  const char* action;
  grpc::StatusCode expected;
  const char* why;
};

// What the caller sees, per the gRPC spec and grpc++'s own reading of a broken response.
const Case kCases[] = {
    {"reset-before-headers", grpc::StatusCode::UNAVAILABLE,
     "a reset before any response: the gateway answers UNAVAILABLE naming the upstream"},
    {"reset-after-headers", grpc::StatusCode::UNAVAILABLE,
     "a reset after the headers: the gateway ends the response with UNAVAILABLE trailers"},
    {"close-before-headers", grpc::StatusCode::UNAVAILABLE,
     "a dropped connection before any response"},
    {"close-after-headers", grpc::StatusCode::UNAVAILABLE,
     "a dropped connection after the headers: UNAVAILABLE trailers"},
    {"grpc-no-trailers", grpc::StatusCode::INTERNAL,
     "END_STREAM without grpc-status: the gateway ends the call with INTERNAL trailers"},
    {"grpc-truncated", grpc::StatusCode::INTERNAL,
     "a message cut short by END_STREAM: the gateway ends the call with INTERNAL trailers"},
    {"grpc-oversized", grpc::StatusCode::INTERNAL,
     "trailers claiming OK inside a message announced at 2 GiB: INTERNAL naming the upstream"},
};

class BadBackendTest : public H2cToH2c {
 protected:
  // The raw backend behind grpc-service, reached by every call to grpc.example.com.
  bool startWithRawBackend() {
    raw_ = std::make_unique<RawH2Backend>("raw");
    ServiceSpec service;
    service.endpoints = {{"127.0.0.1", raw_->port()}};
    MeshYaml yaml = gatewayYaml();
    yaml.add(VirtualServiceSpec{}).add(service);
    return start(yaml);
  }

  grpc::Status call(TestService::Stub& stub, const std::string& action,
                    std::chrono::milliseconds deadline = kWait) {
    grpc::ClientContext context;
    context.set_deadline(deadlineIn(deadline));
    context.AddMetadata("x-raw-action", action);
    Empty request, response;
    return stub.EmptyCall(&context, request, &response);
  }

  void expectNothingLeft() {
    std::string stats;
    EXPECT_TRUE(gateway().waitForStats({{"meshgate_downstream_streams", 0},
                                        {"meshgate_upstream_streams", 0},
                                        {"meshgate_request_buffered_bytes", 0},
                                        {"meshgate_response_buffered_bytes", 0}},
                                       kWait, &stats))
        << stats;
  }

  std::unique_ptr<RawH2Backend> raw_;
};

TEST_F(BadBackendTest, EveryMisbehaviourGivesAPreciseStatusAndLeaksNothing) {
  ASSERT_TRUE(startWithRawBackend());
  auto stub = this->stub();
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.action);
    Clock::time_point start = Clock::now();
    grpc::Status status = call(*stub, c.action);
    EXPECT_EQ(status.error_code(), c.expected) << c.why << "; got: " << status.error_message();
    EXPECT_LT(Clock::now() - start, 5s) << "the call hung";
    expectNothingLeft();
  }
  // The gateway still serves after all of that.
  EXPECT_EQ(call(*stub, "reset-before-headers").error_code(), grpc::StatusCode::UNAVAILABLE);
}

// A backend that never answers: the deadline ends the call, the gateway cancels the upstream
// stream, and nothing is left open.
TEST_F(BadBackendTest, HangingBackendEndsAtTheDeadline) {
  ASSERT_TRUE(startWithRawBackend());
  auto stub = this->stub();
  Clock::time_point start = Clock::now();
  grpc::Status status = call(*stub, "hang", 300ms);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << status.error_message();
  EXPECT_LT(Clock::now() - start, 300ms + 700ms);
  expectNothingLeft();
}

// The gateway's own deadline on a hanging backend (the raw client enforces none itself).
TEST_F(BadBackendTest, HangingBackendGetsTheGatewaysDeadlineExceeded) {
  ASSERT_TRUE(startWithRawBackend());
  std::string error;
  auto client = RawH2Client::connect(port(), RawH2Client::Options{}, &error);
  ASSERT_NE(client, nullptr) << error;
  HeaderList headers = grpcRequestHeaders("grpc.example.com", kEmptyCallMethod);
  headers.emplace_back("grpc-timeout", "200m");
  headers.emplace_back("x-raw-action", "hang");
  int32_t stream = client->submit(headers, std::string(5, '\0'), true);
  ASSERT_TRUE(client->pumpUntil([&] { return client->response(stream).closed; }, kWait));
  EXPECT_EQ(client->response(stream).header("grpc-status"), "4");
  expectNothingLeft();
}

// RFC 9113 §8.1: a server that has sent a complete response while the request is still open
// ends the stream with RST_STREAM(NO_ERROR), so the client stops sending and the stream does
// not linger half-open until an idle timeout.
TEST_F(BadBackendTest, CompleteResponseToAnOpenRequestEndsTheStreamWithNoError) {
  ASSERT_TRUE(startWithRawBackend());
  std::string error;
  auto client = RawH2Client::connect(port(), RawH2Client::Options{}, &error);
  ASSERT_NE(client, nullptr) << error;
  HeaderList headers = grpcRequestHeaders("grpc.example.com", kEmptyCallMethod);
  headers.emplace_back("x-raw-action", "reset-before-headers");
  // The client keeps its side open: no END_STREAM.
  int32_t stream = client->submit(headers, std::string(5, '\0'), false);
  ASSERT_TRUE(client->pumpUntil([&] { return client->response(stream).closed; }, kWait))
      << "the stream stayed half-open after a complete response";
  const auto& response = client->response(stream);
  EXPECT_EQ(response.header("grpc-status"), "14");
  EXPECT_TRUE(response.reset);
  EXPECT_EQ(response.error_code, 0u) << "RST_STREAM(NO_ERROR) expected";
  expectNothingLeft();
}

}  // namespace
}  // namespace meshgate::testing
