// The test backend answered directly, without the gateway: what the integration tests rely on.
#include "support/test_backend.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "proto/test_service.grpc.pb.h"
#include "support/grpc_clients.h"
#include "support/raw_h2_client.h"

namespace meshgate::testing {
namespace {

using namespace std::chrono_literals;

ChannelOptions directOptions() {
  ChannelOptions options;
  options.authority = "direct.test";
  options.max_message_bytes = 32 << 20;
  return options;
}

class TestBackendTest : public ::testing::Test {
 protected:
  TestBackend backend_{"direct"};
  std::shared_ptr<grpc::Channel> channel_ = makeChannel(backend_.port(), directOptions());
  std::unique_ptr<TestService::Stub> stub_ = TestService::NewStub(channel_);
};

TEST_F(TestBackendTest, UnaryCallCarriesBackendIdAndPayload) {
  grpc::ClientContext context;
  SimpleRequest request;
  request.set_response_size(1000);
  request.set_fill_server_id(true);
  SimpleResponse response;
  grpc::Status status = stub_->UnaryCall(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(initialMetadata(context, "x-backend-id"), "direct");
  EXPECT_EQ(response.server_id(), "direct");
  EXPECT_EQ(response.payload().body(), backendPayload(1000));
  ASSERT_EQ(backend_.calls().size(), 1u);
  EXPECT_EQ(backend_.calls()[0].authority, "direct.test");
}

TEST_F(TestBackendTest, EchoesMetadataAndStatus) {
  grpc::ClientContext context;
  context.AddMetadata("x-echo-initial", "hello");
  context.AddMetadata("x-echo-trailer-bin", std::string("\x00\xff\x01", 3));
  context.set_deadline(deadlineIn(5s));
  SimpleRequest request;
  request.mutable_echo_status()->set_code(grpc::StatusCode::FAILED_PRECONDITION);
  request.mutable_echo_status()->set_message("as asked");
  SimpleResponse response;
  grpc::Status status = stub_->UnaryCall(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(), "as asked");
  EXPECT_EQ(initialMetadata(context, "x-echo-initial"), "hello");
  EXPECT_EQ(trailingMetadata(context, "x-echo-trailer-bin"), std::string("\x00\xff\x01", 3));
  ASSERT_EQ(backend_.calls().size(), 1u);
  ASSERT_TRUE(backend_.calls()[0].deadline.has_value());
  EXPECT_GT(*backend_.calls()[0].deadline, 3s);
  // grpc rounds the encoded grpc-timeout up, so the server's deadline may be a few ms later.
  EXPECT_LE(*backend_.calls()[0].deadline, 5s + 100ms);
}

TEST_F(TestBackendTest, ServerStreamingHonoursSizesAndIntervals) {
  grpc::ClientContext context;
  StreamingOutputCallRequest request;
  for (int size : {10, 20, 30}) {
    auto* parameters = request.add_response_parameters();
    parameters->set_size(size);
    parameters->set_interval_us(20'000);
  }
  auto started = std::chrono::steady_clock::now();
  auto reader = stub_->StreamingOutputCall(&context, request);
  StreamingOutputCallResponse response;
  std::vector<size_t> sizes;
  while (reader->Read(&response)) sizes.push_back(response.payload().body().size());
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(sizes, (std::vector<size_t>{10, 20, 30}));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 60ms);
}

TEST_F(TestBackendTest, RecordsCancellationOfSleepingStream) {
  grpc::ClientContext context;
  StreamingOutputCallRequest request;
  request.add_response_parameters()->set_size(1);
  request.add_response_parameters()->set_interval_us(60'000'000);
  auto reader = stub_->StreamingOutputCall(&context, request);
  StreamingOutputCallResponse response;
  ASSERT_TRUE(reader->Read(&response));
  context.TryCancel();
  EXPECT_TRUE(backend_.waitForCancelledCall(kStreamingOutputCallMethod, 5s));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(backend_.waitForIdle(5s));
}

TEST_F(TestBackendTest, HoldParksStreamsUntilRelease) {
  backend_.hold();
  grpc::ClientContext context;
  StreamingOutputCallRequest request;
  request.add_response_parameters()->set_size(1);
  request.add_response_parameters()->set_size(2);
  auto reader = stub_->StreamingOutputCall(&context, request);
  StreamingOutputCallResponse response;
  ASSERT_TRUE(reader->Read(&response));
  ASSERT_TRUE(backend_.waitForParked(1, 5s));
  backend_.release();
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.payload().body().size(), 2u);
  EXPECT_TRUE(reader->Finish().ok());
}

TEST_F(TestBackendTest, ClientStreamingAggregatesAndBidiPingPongs) {
  {
    grpc::ClientContext context;
    StreamingInputCallResponse response;
    auto writer = stub_->StreamingInputCall(&context, &response);
    StreamingInputCallRequest request;
    for (int size : {5, 7}) {
      request.mutable_payload()->set_body(std::string(static_cast<size_t>(size), 'x'));
      ASSERT_TRUE(writer->Write(request));
    }
    writer->WritesDone();
    ASSERT_TRUE(writer->Finish().ok());
    EXPECT_EQ(response.aggregated_payload_size(), 12);
  }
  grpc::ClientContext context;
  auto stream = stub_->FullDuplexCall(&context);
  for (int size : {3, 4}) {
    StreamingOutputCallRequest request;
    request.add_response_parameters()->set_size(size);
    ASSERT_TRUE(stream->Write(request));
    StreamingOutputCallResponse response;
    ASSERT_TRUE(stream->Read(&response));
    EXPECT_EQ(response.payload().body().size(), static_cast<size_t>(size));
  }
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

// The mechanism of the gateway's flow-control test, checked without a gateway: a raw client that
// never returns window credit leaves the backend's write blocked.
TEST_F(TestBackendTest, WriteBlocksWhenRawClientGivesNoWindow) {
  std::string error;
  RawH2Client::Options options;
  options.auto_window_update = false;
  options.keep_bodies = false;
  auto client = RawH2Client::connect(backend_.port(), options, &error);
  ASSERT_NE(client, nullptr) << error;
  StreamingOutputCallRequest request;
  for (int i = 0; i < 64; ++i) request.add_response_parameters()->set_size(256 << 10);
  int32_t stream = client->submit(grpcRequestHeaders("direct.test", kStreamingOutputCallMethod),
                                  grpcFrame(request));
  ASSERT_GT(stream, 0);
  EXPECT_TRUE(client->pumpUntil([&] { return backend_.isWriteBlockedFor(300ms); }, 10s));
  EXPECT_LT(backend_.bytesWritten(), 8 << 20);
  EXPECT_LE(client->response(stream).body_bytes, 65535u);
  client->cancel(stream);
  EXPECT_TRUE(client->pumpUntil([&] { return backend_.cancellations() == 1; }, 5s));
}

}  // namespace
}  // namespace meshgate::testing
