// The gRPC interop test cases, through the gateway, on both topologies. Sizes, metadata values
// and the special status message follow the interop cases' descriptions.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "integration/gateway_fixture.h"

namespace meshgate::testing {
namespace {

using namespace std::chrono_literals;

void setDeadline(grpc::ClientContext& context) { context.set_deadline(deadlineIn(kWait)); }

StreamingOutputCallRequest responsesOf(std::initializer_list<int> sizes) {
  StreamingOutputCallRequest request;
  for (int size : sizes) request.add_response_parameters()->set_size(size);
  return request;
}

MESHGATE_TEST_BOTH_TOPOLOGIES(EmptyUnary) {
  ASSERT_TRUE(t.startWithOneBackend());
  grpc::ClientContext context;
  setDeadline(context);
  Empty response;
  grpc::Status status = t.stub()->EmptyCall(&context, Empty(), &response);
  ASSERT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
  EXPECT_EQ(initialMetadata(context, "x-backend-id"), "backend-a");
  EXPECT_EQ(t.backend().callCount(kEmptyCallMethod), 1u);
}

MESHGATE_TEST_BOTH_TOPOLOGIES(LargeUnary) {
  ASSERT_TRUE(t.startWithOneBackend());
  grpc::ClientContext context;
  setDeadline(context);
  SimpleRequest request;
  request.set_response_size(314159);
  request.mutable_payload()->set_body(std::string(271828, '\0'));
  SimpleResponse response;
  grpc::Status status = t.stub()->UnaryCall(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
  EXPECT_EQ(response.payload().body(), backendPayload(314159));
}

MESHGATE_TEST_BOTH_TOPOLOGIES(ClientStreaming) {
  ASSERT_TRUE(t.startWithOneBackend());
  grpc::ClientContext context;
  setDeadline(context);
  StreamingInputCallResponse response;
  auto stub = t.stub();
  auto writer = stub->StreamingInputCall(&context, &response);
  for (int size : {27182, 8, 1828, 45904}) {
    StreamingInputCallRequest request;
    request.mutable_payload()->set_body(std::string(static_cast<size_t>(size), '\0'));
    ASSERT_TRUE(writer->Write(request));
  }
  ASSERT_TRUE(writer->WritesDone());
  grpc::Status status = writer->Finish();
  ASSERT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
  EXPECT_EQ(response.aggregated_payload_size(), 74922);
}

MESHGATE_TEST_BOTH_TOPOLOGIES(ServerStreaming) {
  ASSERT_TRUE(t.startWithOneBackend());
  grpc::ClientContext context;
  setDeadline(context);
  auto stub = t.stub();
  auto reader = stub->StreamingOutputCall(&context, responsesOf({31415, 9, 2653, 58979}));
  std::vector<size_t> sizes;
  StreamingOutputCallResponse response;
  while (reader->Read(&response)) {
    EXPECT_EQ(response.payload().body(), backendPayload(response.payload().body().size()));
    sizes.push_back(response.payload().body().size());
  }
  grpc::Status status = reader->Finish();
  ASSERT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
  EXPECT_EQ(sizes, (std::vector<size_t>{31415, 9, 2653, 58979}));
}

MESHGATE_TEST_BOTH_TOPOLOGIES(PingPong) {
  ASSERT_TRUE(t.startWithOneBackend());
  grpc::ClientContext context;
  setDeadline(context);
  auto stub = t.stub();
  auto stream = stub->FullDuplexCall(&context);
  const int request_sizes[] = {27182, 8, 1828, 45904};
  const int response_sizes[] = {31415, 9, 2653, 58979};
  for (int i = 0; i < 4; ++i) {
    StreamingOutputCallRequest request = responsesOf({response_sizes[i]});
    request.mutable_payload()->set_body(std::string(static_cast<size_t>(request_sizes[i]), '\0'));
    ASSERT_TRUE(stream->Write(request)) << "ping " << i;
    StreamingOutputCallResponse response;
    ASSERT_TRUE(stream->Read(&response)) << "pong " << i;
    EXPECT_EQ(response.payload().body().size(), static_cast<size_t>(response_sizes[i]));
  }
  ASSERT_TRUE(stream->WritesDone());
  StreamingOutputCallResponse extra;
  EXPECT_FALSE(stream->Read(&extra));
  grpc::Status status = stream->Finish();
  EXPECT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
}

MESHGATE_TEST_BOTH_TOPOLOGIES(EmptyStream) {
  ASSERT_TRUE(t.startWithOneBackend());
  grpc::ClientContext context;
  setDeadline(context);
  auto stub = t.stub();
  auto stream = stub->FullDuplexCall(&context);
  ASSERT_TRUE(stream->WritesDone());
  StreamingOutputCallResponse response;
  EXPECT_FALSE(stream->Read(&response));
  grpc::Status status = stream->Finish();
  EXPECT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
}

MESHGATE_TEST_BOTH_TOPOLOGIES(CustomMetadata) {
  ASSERT_TRUE(t.startWithOneBackend());
  const std::string initial = "test_initial_metadata_value";
  const std::string initial_bin("\x00\xff\x80\n\r:", 6);
  const std::string trailing_bin("\x0a\x0b\x0a\x0b\x0a\x0b", 6);
  auto stub = t.stub();
  auto add = [&](grpc::ClientContext& context) {
    setDeadline(context);
    context.AddMetadata("x-echo-initial", initial);
    context.AddMetadata("x-echo-initial-bin", initial_bin);
    context.AddMetadata("x-echo-trailer-bin", trailing_bin);
  };
  {
    grpc::ClientContext context;
    add(context);
    SimpleRequest request;
    request.set_response_size(314159);
    request.mutable_payload()->set_body(std::string(271828, '\0'));
    SimpleResponse response;
    grpc::Status status = stub->UnaryCall(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
    EXPECT_EQ(initialMetadata(context, "x-echo-initial"), initial);
    EXPECT_EQ(initialMetadata(context, "x-echo-initial-bin"), initial_bin);
    EXPECT_EQ(trailingMetadata(context, "x-echo-trailer-bin"), trailing_bin);
  }
  grpc::ClientContext context;
  add(context);
  auto stream = stub->FullDuplexCall(&context);
  StreamingOutputCallRequest request = responsesOf({314159});
  request.mutable_payload()->set_body(std::string(271828, '\0'));
  ASSERT_TRUE(stream->Write(request));
  StreamingOutputCallResponse response;
  ASSERT_TRUE(stream->Read(&response));
  ASSERT_TRUE(stream->WritesDone());
  grpc::Status status = stream->Finish();
  ASSERT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
  EXPECT_EQ(initialMetadata(context, "x-echo-initial"), initial);
  EXPECT_EQ(initialMetadata(context, "x-echo-initial-bin"), initial_bin);
  EXPECT_EQ(trailingMetadata(context, "x-echo-trailer-bin"), trailing_bin);
}

void expectEchoedStatus(GatewayTest& t, const std::string& message) {
  auto stub = t.stub();
  {
    grpc::ClientContext context;
    setDeadline(context);
    SimpleRequest request;
    request.mutable_echo_status()->set_code(grpc::StatusCode::UNKNOWN);
    request.mutable_echo_status()->set_message(message);
    SimpleResponse response;
    grpc::Status status = stub->UnaryCall(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNKNOWN) << status.error_message();
    EXPECT_EQ(status.error_message(), message);
  }
  grpc::ClientContext context;
  setDeadline(context);
  auto stream = stub->FullDuplexCall(&context);
  StreamingOutputCallRequest request;
  request.mutable_echo_status()->set_code(grpc::StatusCode::UNKNOWN);
  request.mutable_echo_status()->set_message(message);
  ASSERT_TRUE(stream->Write(request));
  ASSERT_TRUE(stream->WritesDone());
  grpc::Status status = stream->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNKNOWN) << status.error_message();
  EXPECT_EQ(status.error_message(), message);
}

MESHGATE_TEST_BOTH_TOPOLOGIES(StatusCodeAndMessage) {
  ASSERT_TRUE(t.startWithOneBackend());
  expectEchoedStatus(t, "test status message");
}

MESHGATE_TEST_BOTH_TOPOLOGIES(SpecialStatusMessage) {
  ASSERT_TRUE(t.startWithOneBackend());
  expectEchoedStatus(t,
                     "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP "
                     "\U0001f608\t\n");
}

MESHGATE_TEST_BOTH_TOPOLOGIES(UnimplementedMethod) {
  ASSERT_TRUE(t.startWithOneBackend());
  grpc::ClientContext context;
  setDeadline(context);
  Empty response;
  grpc::Status status = t.stub()->UnimplementedCall(&context, Empty(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED) << status.error_message();
}

MESHGATE_TEST_BOTH_TOPOLOGIES(UnimplementedService) {
  ASSERT_TRUE(t.startWithOneBackend());
  grpc::ClientContext context;
  setDeadline(context);
  Empty response;
  auto stub = UnregisteredService::NewStub(t.channel());
  grpc::Status status = stub->UnimplementedCall(&context, Empty(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED) << status.error_message();
}

MESHGATE_TEST_BOTH_TOPOLOGIES(CancelAfterBegin) {
  ASSERT_TRUE(t.startWithOneBackend());
  grpc::ClientContext context;
  setDeadline(context);
  StreamingInputCallResponse response;
  auto stub = t.stub();
  auto writer = stub->StreamingInputCall(&context, &response);
  context.TryCancel();
  EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

MESHGATE_TEST_BOTH_TOPOLOGIES(CancelAfterFirstResponse) {
  ASSERT_TRUE(t.startWithOneBackend());
  grpc::ClientContext context;
  setDeadline(context);
  auto stub = t.stub();
  auto stream = stub->FullDuplexCall(&context);
  StreamingOutputCallRequest request = responsesOf({31415});
  request.mutable_payload()->set_body(std::string(27182, '\0'));
  ASSERT_TRUE(stream->Write(request));
  StreamingOutputCallResponse response;
  ASSERT_TRUE(stream->Read(&response));
  context.TryCancel();
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

MESHGATE_TEST_BOTH_TOPOLOGIES(TimeoutOnSleepingServer) {
  ASSERT_TRUE(t.startWithOneBackend());
  grpc::ClientContext context;
  context.set_deadline(deadlineIn(1ms));
  auto stub = t.stub();
  auto stream = stub->FullDuplexCall(&context);
  StreamingOutputCallRequest request;
  request.mutable_payload()->set_body(std::string(27182, '\0'));
  stream->Write(request);  // May fail: the deadline can pass first.
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
}

}  // namespace
}  // namespace meshgate::testing
