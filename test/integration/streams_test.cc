// Streams through the gateway: message size, concurrency, cancellation, deadlines and upstream
// resets.
#include <condition_variable>
#include <mutex>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "integration/gateway_fixture.h"
#include "support/raw_h2_backend.h"

namespace meshgate::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kSixteenMiB = 16 << 20;

MESHGATE_TEST_BOTH_TOPOLOGIES(SixteenMiBMessagesPassBothWays) {
  ASSERT_TRUE(t.startWithOneBackend());
  auto stub = TestService::NewStub(t.channel("grpc.example.com", 2 * kSixteenMiB));
  grpc::ClientContext context;
  context.set_deadline(deadlineIn(3 * kWait));
  SimpleRequest request;
  request.set_response_size(kSixteenMiB);
  request.mutable_payload()->set_body(backendPayload(kSixteenMiB));
  SimpleResponse response;
  grpc::Status status = stub->UnaryCall(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
  ASSERT_EQ(response.payload().body().size(), static_cast<size_t>(kSixteenMiB));
  EXPECT_TRUE(response.payload().body() == backendPayload(kSixteenMiB)) << "body corrupted";
}

// Counts the stages of many streams, for waits on all of them.
class StreamTally {
 public:
  void responded() { bump(responded_); }
  void done(const grpc::Status& status) {
    std::lock_guard lock(mutex_);
    if (!status.ok() && first_error_.empty()) {
      first_error_ = std::to_string(status.error_code()) + ": " + status.error_message();
    }
    ++done_;
    changed_.notify_all();
  }
  bool waitResponded(int count) { return waitFor(responded_, count); }
  bool waitDone(int count) { return waitFor(done_, count); }
  int respondedCount() {
    std::lock_guard lock(mutex_);
    return responded_;
  }
  std::string firstError() {
    std::lock_guard lock(mutex_);
    return first_error_;
  }

 private:
  void bump(int& counter) {
    std::lock_guard lock(mutex_);
    ++counter;
    changed_.notify_all();
  }
  bool waitFor(int& counter, int count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 3 * kWait, [&] { return counter >= count; });
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  int responded_ = 0;
  int done_ = 0;
  std::string first_error_;
};

// A bidi call that sends one request, reads its response and stays open until finish().
class OpenStream
    : public grpc::ClientBidiReactor<StreamingOutputCallRequest, StreamingOutputCallResponse> {
 public:
  OpenStream(TestService::Stub& stub, StreamTally& tally) : tally_(tally) {
    context_.set_deadline(deadlineIn(4 * kWait));
    request_.add_response_parameters()->set_size(64);
    stub.async()->FullDuplexCall(&context_, this);
    StartWrite(&request_);
    StartRead(&response_);
    StartCall();
  }
  void finish() { StartWritesDone(); }
  void cancel() { context_.TryCancel(); }

  void OnReadDone(bool ok) override {
    if (!ok) return;
    tally_.responded();
    StartRead(&response_);
  }
  void OnDone(const grpc::Status& status) override { tally_.done(status); }

 private:
  StreamTally& tally_;
  grpc::ClientContext context_;
  StreamingOutputCallRequest request_;
  StreamingOutputCallResponse response_;
};

MESHGATE_TEST_BOTH_TOPOLOGIES(HundredFiftyConcurrentStreamsOnOneConnection) {
  constexpr int kStreams = 150;
  ASSERT_TRUE(t.startWithOneBackend());
  auto stub = t.stub();
  StreamTally tally;
  std::vector<std::unique_ptr<OpenStream>> streams;
  for (int i = 0; i < kStreams; ++i) streams.push_back(std::make_unique<OpenStream>(*stub, tally));
  EXPECT_TRUE(tally.waitResponded(kStreams)) << tally.respondedCount() << " of " << kStreams
                                             << " streams answered; " << tally.firstError();
  // Every stream is open at the backend at the same time.
  EXPECT_GE(t.backend().activeCalls(), kStreams);
  for (auto& stream : streams) stream->finish();
  bool all_done = tally.waitDone(kStreams);
  if (!all_done) {
    // The reactors must outlive their calls: end the stragglers before they are destroyed.
    for (auto& stream : streams) stream->cancel();
    tally.waitDone(kStreams);
  }
  EXPECT_TRUE(all_done) << "streams did not finish after half-close";
  EXPECT_EQ(tally.firstError(), "");
}

MESHGATE_TEST_BOTH_TOPOLOGIES(ClientCancelReachesBackend) {
  ASSERT_TRUE(t.startWithOneBackend());
  auto stub = t.stub();
  {
    grpc::ClientContext context;
    context.set_deadline(deadlineIn(kWait));
    auto stream = stub->FullDuplexCall(&context);
    StreamingOutputCallRequest request;
    request.add_response_parameters()->set_size(10);
    ASSERT_TRUE(stream->Write(request));
    StreamingOutputCallResponse response;
    ASSERT_TRUE(stream->Read(&response));
    context.TryCancel();
    EXPECT_TRUE(t.backend().waitForCancelledCall(kFullDuplexCallMethod, kWait))
        << "the backend never saw the bidi stream cancelled";
    EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  // A server stream whose backend is between two responses (waiting a minute).
  grpc::ClientContext context;
  context.set_deadline(deadlineIn(kWait));
  StreamingOutputCallRequest request;
  request.add_response_parameters()->set_size(10);
  auto* sleeping = request.add_response_parameters();
  sleeping->set_size(10);
  sleeping->set_interval_us(60'000'000);
  auto reader = stub->StreamingOutputCall(&context, request);
  StreamingOutputCallResponse response;
  ASSERT_TRUE(reader->Read(&response));
  context.TryCancel();
  EXPECT_TRUE(t.backend().waitForCancelledCall(kStreamingOutputCallMethod, kWait))
      << "the backend never saw the server stream cancelled";
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(t.backend().waitForIdle(kWait));
}

MESHGATE_TEST_BOTH_TOPOLOGIES(DeadlineReachesBackend) {
  ASSERT_TRUE(t.startWithOneBackend());
  grpc::ClientContext context;
  context.set_deadline(deadlineIn(20s));
  Empty response;
  ASSERT_TRUE(t.stub()->EmptyCall(&context, Empty(), &response).ok());
  auto calls = t.backend().calls();
  ASSERT_EQ(calls.size(), 1u);
  ASSERT_TRUE(calls[0].deadline.has_value()) << "no grpc-timeout reached the backend";
  // grpc rounds an encoded grpc-timeout up, so a few ms more than the client set is fine.
  EXPECT_LE(*calls[0].deadline, 20s + 100ms);
  EXPECT_GT(*calls[0].deadline, 10s);
}

MESHGATE_TEST_BOTH_TOPOLOGIES(DeadlineEndsCallToSleepingBackend) {
  ASSERT_TRUE(t.startWithOneBackend());
  grpc::ClientContext context;
  context.set_deadline(deadlineIn(500ms));
  StreamingOutputCallRequest request;
  auto* sleeping = request.add_response_parameters();
  sleeping->set_size(10);
  sleeping->set_interval_us(60'000'000);
  auto started = std::chrono::steady_clock::now();
  auto stub = t.stub();
  auto reader = stub->StreamingOutputCall(&context, request);
  StreamingOutputCallResponse response;
  EXPECT_FALSE(reader->Read(&response));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_TRUE(t.backend().waitForCancelledCall(kStreamingOutputCallMethod, kWait))
      << "the backend kept the expired call open";
}

// A raw HTTP/2 backend behind raw.internal that resets streams when asked.
class H2cToResettingH2c : public H2cToH2c {
 protected:
  void SetUp() override {
    ServiceEntrySpec entry;
    entry.name = "raw";
    entry.host = "raw.internal";
    entry.endpoints = {{"127.0.0.1", raw_.port()}};
    HttpRoute route;
    route.route = {{"raw.internal", 50051}};
    VirtualServiceSpec vs;
    vs.http = {route};
    MeshYaml yaml = gatewayYaml();
    yaml.add(vs).add(entry);
    ASSERT_TRUE(start(yaml));
  }

  grpc::Status callWithAction(const std::string& action) {
    grpc::ClientContext context;
    context.set_deadline(deadlineIn(kWait));
    context.AddMetadata("x-raw-action", action);
    SimpleResponse response;
    return stub()->UnaryCall(&context, SimpleRequest(), &response);
  }

  RawH2Backend raw_{"raw"};
};

TEST_F(H2cToResettingH2c, ResetBeforeResponseIsUnavailableNamingDestination) {
  grpc::Status status = callWithAction("reset-before-headers");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_NE(status.error_message().find("raw.internal"), std::string::npos)
      << status.error_message();
  EXPECT_TRUE(raw_.waitForRequests(1, kWait));
}

TEST_F(H2cToResettingH2c, ResetAfterResponseHeadersEndsWithUnavailable) {
  grpc::Status status = callWithAction("reset-after-headers");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_TRUE(raw_.waitForRequests(1, kWait));
}

}  // namespace
}  // namespace meshgate::testing
