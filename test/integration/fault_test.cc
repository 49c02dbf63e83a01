// VirtualService fault injection, end to end: aborts answered as proper gRPC responses, delays
// held on the gateway before the call goes upstream, rates within statistical tolerance, and
// the call deadline still applying during a delay.
#include <cmath>

#include <gtest/gtest.h>

#include "integration/gateway_fixture.h"
#include "support/raw_h2_client.h"

namespace meshgate::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// One backend behind a route with `fault`, then start().
bool startWithFault(GatewayTest& t, std::unique_ptr<TestBackend>& backend,
                    const std::string& fault) {
  backend = std::make_unique<TestBackend>("backend-a");
  ServiceSpec service;
  service.endpoints = {{"127.0.0.1", backend->port()}};
  VirtualServiceSpec vs;
  vs.http[0].fault = fault;
  MeshYaml yaml = t.gatewayYaml();
  yaml.add(vs).add(service);
  return t.start(yaml);
}

grpc::Status emptyCall(TestService::Stub& stub, std::chrono::milliseconds deadline = 10s) {
  grpc::ClientContext context;
  context.set_deadline(deadlineIn(deadline));
  Empty request, response;
  return stub.EmptyCall(&context, request, &response);
}

long millisSince(Clock::time_point start) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
}

// Nothing in flight: every gauge the admin reports is back to zero.
void expectIdle(GatewayTest& t) {
  std::string stats;
  EXPECT_TRUE(t.gateway().waitForStats({{"meshgate_downstream_streams", 0},
                                        {"meshgate_upstream_streams", 0},
                                        {"meshgate_request_buffered_bytes", 0},
                                        {"meshgate_response_buffered_bytes", 0}},
                                       kWait, &stats))
      << stats;
}

MESHGATE_TEST_BOTH_TOPOLOGIES(FaultAbortWithGrpcStatusAnswersEveryCall) {
  std::unique_ptr<TestBackend> backend;
  ASSERT_TRUE(startWithFault(
      t, backend, "{abort: {grpcStatus: RESOURCE_EXHAUSTED, percentage: {value: 100}}}"));
  auto stub = t.stub();
  for (int i = 0; i < 5; ++i) {
    grpc::Status status = emptyCall(*stub);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  }
  EXPECT_EQ(backend->callCount(kEmptyCallMethod), 0u) << "an aborted call reached the backend";
  EXPECT_EQ(t.gateway().stat("meshgate_fault_aborts_total"), 5);
  expectIdle(t);
}

// httpStatus to a gRPC caller: Trailers-Only with that :status and the grpc-status the gRPC
// spec maps it to.
TEST_F(H2cToH2c, FaultAbortWithHttpStatusMapsToTheGrpcStatus) {
  std::unique_ptr<TestBackend> backend;
  ASSERT_TRUE(
      startWithFault(*this, backend, "{abort: {httpStatus: 503, percentage: {value: 100}}}"));
  grpc::Status status = emptyCall(*stub());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();

  std::string error;
  auto client = RawH2Client::connect(port(), RawH2Client::Options{}, &error);
  ASSERT_NE(client, nullptr) << error;
  int32_t stream =
      client->submit(grpcRequestHeaders("grpc.example.com", kEmptyCallMethod), "", true);
  ASSERT_TRUE(client->pumpUntil([&] { return client->response(stream).closed; }, kWait));
  const auto& response = client->response(stream);
  EXPECT_EQ(response.header(":status"), "503");
  EXPECT_EQ(response.header("grpc-status"), "14");
  EXPECT_EQ(response.body_bytes, 0u) << "a Trailers-Only response has no body";
}

TEST_F(H2cToH2c, FaultDelayHoldsTheCallAtLeastTheFixedDelay) {
  std::unique_ptr<TestBackend> backend;
  ASSERT_TRUE(
      startWithFault(*this, backend, "{delay: {fixedDelay: 300ms, percentage: {value: 100}}}"));
  auto stub = this->stub();
  ASSERT_TRUE(emptyCall(*stub).ok());  // the connection is up: time only the delay below
  Clock::time_point start = Clock::now();
  grpc::Status status = emptyCall(*stub);
  long elapsed = millisSince(start);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_GE(elapsed, 300);
  EXPECT_LT(elapsed, 300 + 1000);
  EXPECT_EQ(backend->callCount(kEmptyCallMethod), 2u);
  EXPECT_EQ(gateway().stat("meshgate_fault_delays_total"), 2);
  expectIdle(*this);
}

// A delayed client stream keeps every byte sent during the delay.
TEST_F(H2cToH2c, FaultDelayKeepsTheRequestBodySentDuringTheDelay) {
  std::unique_ptr<TestBackend> backend;
  ASSERT_TRUE(
      startWithFault(*this, backend, "{delay: {fixedDelay: 200ms, percentage: {value: 100}}}"));
  auto stub = this->stub();
  grpc::ClientContext context;
  context.set_deadline(deadlineIn(kWait));
  StreamingInputCallResponse response;
  auto writer = stub->StreamingInputCall(&context, &response);
  StreamingInputCallRequest request;
  int sent = 0;
  for (int i = 0; i < 20; ++i) {
    request.mutable_payload()->set_body(std::string(1000 + i, 'x'));
    ASSERT_TRUE(writer->Write(request));
    sent += 1000 + i;
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.aggregated_payload_size(), sent);
  expectIdle(*this);
}

// 50% over N calls: the count of aborts is binomial(N, 0.5); 4 sigma make a false failure
// about one in 15000 runs.
TEST_F(H2cToH2c, FaultAbortRateIsWithinStatisticalTolerance) {
  std::unique_ptr<TestBackend> backend;
  ASSERT_TRUE(startWithFault(*this, backend,
                             "{abort: {grpcStatus: UNAVAILABLE, percentage: {value: 50}}}"));
  constexpr int kCalls = 400;
  auto stub = this->stub();
  int aborted = 0;
  for (int i = 0; i < kCalls; ++i) {
    grpc::Status status = emptyCall(*stub);
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      ++aborted;
    } else {
      ASSERT_TRUE(status.ok()) << status.error_message();
    }
  }
  const double sigma = std::sqrt(kCalls * 0.5 * 0.5);
  EXPECT_NEAR(aborted, kCalls / 2, 4 * sigma);
  EXPECT_EQ(backend->callCount(kEmptyCallMethod), static_cast<size_t>(kCalls - aborted));
  EXPECT_EQ(gateway().stat("meshgate_fault_aborts_total"), aborted);
}

// The deadline still applies while the fault delay holds the call: the gateway answers
// DEADLINE_EXCEEDED at the caller's grpc-timeout, and the call never reaches the backend.
TEST_F(H2cToH2c, FaultDelayLongerThanTheDeadlineEndsWithDeadlineExceeded) {
  std::unique_ptr<TestBackend> backend;
  ASSERT_TRUE(
      startWithFault(*this, backend, "{delay: {fixedDelay: 5s, percentage: {value: 100}}}"));
  std::string error;
  auto client = RawH2Client::connect(port(), RawH2Client::Options{}, &error);
  ASSERT_NE(client, nullptr) << error;
  HeaderList headers = grpcRequestHeaders("grpc.example.com", kEmptyCallMethod);
  headers.emplace_back("grpc-timeout", "300m");
  Clock::time_point start = Clock::now();
  int32_t stream = client->submit(headers, "", true);
  ASSERT_TRUE(client->pumpUntil([&] { return client->response(stream).closed; }, kWait));
  long elapsed = millisSince(start);
  EXPECT_EQ(client->response(stream).header("grpc-status"), "4") << "DEADLINE_EXCEEDED expected";
  EXPECT_GE(elapsed, 300);
  EXPECT_LT(elapsed, 300 + 700);
  EXPECT_EQ(backend->callCount(kEmptyCallMethod), 0u);
  expectIdle(*this);
}

}  // namespace
}  // namespace meshgate::testing
