// Retries (VirtualService http[].retries): which failures are retried, on gRPC statuses in
// Trailers-Only responses and in trailers after headers, never once a message went to the
// client; perTryTimeout, the retry budget, backoff, gRFC A6's grpc-previous-rpc-attempts, the
// replay buffer, and retries going to another endpoint. The grpc++ backend's x-fail-* knobs
// (support/fail_knobs.h) fail the first attempts of a call and record every attempt; the raw
// HTTP/2 backend answers with HTTP statuses, resets and refusals.
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "integration/gateway_fixture.h"
#include "support/raw_h2_backend.h"
#include "support/raw_h2_client.h"
#include "support/sockets.h"

namespace meshgate::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Starts the gateway with a VirtualService whose route has `retries` (empty: none written)
// in front of endpoints on `ports`.
bool startWithRetries(GatewayTest& t, const std::vector<int>& ports, const std::string& retries,
                      std::vector<std::string> extra_args = {}) {
  ServiceSpec service;
  for (int port : ports) service.endpoints.push_back({"127.0.0.1", port});
  VirtualServiceSpec vs;
  vs.http[0].retries = retries;
  MeshYaml yaml = t.gatewayYaml();
  yaml.add(vs).add(service);
  return t.start(yaml, std::move(extra_args));
}

struct Knobs {
  std::string call_id;
  int fail_attempts = 1;
  int status = 14;
  std::string mode;  // empty: trailers-only
};

void applyKnobs(grpc::ClientContext& context, const Knobs& knobs) {
  context.AddMetadata("x-fail-call-id", knobs.call_id);
  context.AddMetadata("x-fail-attempts", std::to_string(knobs.fail_attempts));
  context.AddMetadata("x-fail-status", std::to_string(knobs.status));
  if (!knobs.mode.empty()) context.AddMetadata("x-fail-mode", knobs.mode);
  context.set_deadline(deadlineIn(kWait));
}

grpc::Status unaryWithKnobs(GatewayTest& t, const Knobs& knobs) {
  grpc::ClientContext context;
  applyKnobs(context, knobs);
  SimpleRequest request;
  SimpleResponse response;
  return t.stub()->UnaryCall(&context, request, &response);
}

class Retries : public H2cToH2c {};

TEST_F(Retries, UnavailableInTrailersOnlyIsRetriedUntilItSucceeds) {
  TestBackend backend("backend-a");
  ASSERT_TRUE(startWithRetries(*this, {backend.port()}, "{attempts: 3, retryOn: unavailable}"));
  grpc::Status status = unaryWithKnobs(*this, {"trailers-only", 2});
  EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  EXPECT_EQ(backend.attempts("trailers-only").size(), 3u);
}

TEST_F(Retries, StatusInTrailersAfterHeadersIsRetried) {
  TestBackend backend("backend-a");
  ASSERT_TRUE(startWithRetries(*this, {backend.port()}, "{attempts: 3, retryOn: unavailable}"));
  grpc::Status status = unaryWithKnobs(*this, {"after-headers", 2, 14, "headers-then-trailers"});
  EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  EXPECT_EQ(backend.attempts("after-headers").size(), 3u);
}

TEST_F(Retries, NoRetryOnceAMessageWentToTheClient) {
  TestBackend backend("backend-a");
  ASSERT_TRUE(startWithRetries(*this, {backend.port()}, "{attempts: 3, retryOn: unavailable}"));
  grpc::ClientContext context;
  applyKnobs(context, {"committed", 1, 14, "after-message"});
  StreamingOutputCallRequest request;
  auto reader = stub()->StreamingOutputCall(&context, request);
  StreamingOutputCallResponse response;
  int messages = 0;
  while (reader->Read(&response)) ++messages;
  grpc::Status status = reader->Finish();
  EXPECT_EQ(messages, 1);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(status.error_message().find("injected failure of attempt 1"), std::string::npos)
      << "the client gets the backend's own status: " << status.error_message();
  EXPECT_EQ(backend.attempts("committed").size(), 1u);
}

TEST_F(Retries, EveryGrpcRetryOnNameRetriesItsStatusAndNoOther) {
  TestBackend backend("backend-a");
  ASSERT_TRUE(startWithRetries(
      *this, {backend.port()},
      "{attempts: 2, retryOn: \"cancelled,deadline-exceeded,internal,resource-exhausted\"}"));
  for (int code : {1, 4, 13, 8}) {
    std::string id = "named-" + std::to_string(code);
    grpc::Status status = unaryWithKnobs(*this, {id, 1, code});
    EXPECT_TRUE(status.ok()) << code << ": " << status.error_message();
    EXPECT_EQ(backend.attempts(id).size(), 2u) << "grpc-status " << code;
  }
  // unavailable is not in this retryOn: the failure is the call's.
  grpc::Status status = unaryWithKnobs(*this, {"not-named", 1, 14});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(backend.attempts("not-named").size(), 1u);
}

TEST_F(Retries, WhenAttemptsRunOutTheClientGetsTheLastResponse) {
  TestBackend backend("backend-a");
  ASSERT_TRUE(startWithRetries(*this, {backend.port()}, "{attempts: 2, retryOn: internal}"));
  grpc::Status status = unaryWithKnobs(*this, {"exhausted", 10, 13});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_NE(status.error_message().find("injected failure of attempt 3"), std::string::npos)
      << status.error_message();
  EXPECT_EQ(backend.attempts("exhausted").size(), 3u);
}

TEST_F(Retries, DefaultPolicyRetriesUnavailableButNotInternal) {
  TestBackend backend("backend-a");
  ASSERT_TRUE(startWithRetries(*this, {backend.port()}, ""));
  EXPECT_TRUE(unaryWithKnobs(*this, {"default-14", 1, 14}).ok());
  EXPECT_EQ(backend.attempts("default-14").size(), 2u);
  EXPECT_EQ(unaryWithKnobs(*this, {"default-13", 1, 13}).error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(backend.attempts("default-13").size(), 1u);
}

TEST_F(Retries, ZeroAttemptsDisablesRetries) {
  TestBackend backend("backend-a");
  ASSERT_TRUE(startWithRetries(*this, {backend.port()}, "{attempts: 0}"));
  EXPECT_EQ(unaryWithKnobs(*this, {"disabled", 1, 14}).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(backend.attempts("disabled").size(), 1u);
}

TEST_F(Retries, RetriesCarryPreviousAttemptsAndWhatIsLeftOfTheDeadline) {
  TestBackend backend("backend-a");
  ASSERT_TRUE(startWithRetries(*this, {backend.port()}, "{attempts: 2, retryOn: unavailable}"));
  grpc::ClientContext context;
  applyKnobs(context, {"a6", 2});
  context.set_deadline(deadlineIn(5s));
  SimpleResponse response;
  ASSERT_TRUE(stub()->UnaryCall(&context, SimpleRequest(), &response).ok());
  auto attempts = backend.attempts("a6");
  ASSERT_EQ(attempts.size(), 3u);
  EXPECT_EQ(attempts[0].previous_attempts, "");
  EXPECT_EQ(attempts[1].previous_attempts, "1");
  EXPECT_EQ(attempts[2].previous_attempts, "2");
  for (size_t i = 0; i < attempts.size(); ++i) {
    ASSERT_TRUE(attempts[i].deadline.has_value()) << "attempt " << i << " had no grpc-timeout";
    EXPECT_LE(*attempts[i].deadline, 5s);
    if (i > 0) {
      EXPECT_LE(*attempts[i].deadline, *attempts[i - 1].deadline);
    }
  }
}

TEST_F(Retries, BackoffBetweenAttemptsIsJitteredAndCapped) {
  TestBackend backend("backend-a");
  ASSERT_TRUE(startWithRetries(*this, {backend.port()}, "{attempts: 4, retryOn: unavailable}"));
  ASSERT_TRUE(unaryWithKnobs(*this, {"backoff", 4}).ok());
  auto attempts = backend.attempts("backoff");
  ASSERT_EQ(attempts.size(), 5u);
  Clock::duration total{};
  for (size_t i = 1; i < attempts.size(); ++i) {
    Clock::duration gap = attempts[i].arrived - attempts[i - 1].arrived;
    // Full jitter below (2^i - 1) x 25 ms, capped at 250 ms; slack for a loaded machine.
    EXPECT_LT(gap, 250ms + 200ms) << "retry " << i;
    total += gap;
  }
  // 25 + 75 + 175 + 250 ms is the most four backoffs can add up to.
  EXPECT_GT(total, 5ms) << "retries were not backed off";
  EXPECT_LT(total, 525ms + 400ms);
}

TEST_F(Retries, PerTryTimeoutCancelsEachAttemptThenTheCallEndsWithDeadlineExceeded) {
  TestBackend backend("backend-a");
  ASSERT_TRUE(startWithRetries(*this, {backend.port()},
                               "{attempts: 2, perTryTimeout: 200ms, retryOn: reset}"));
  std::string error;
  auto client = RawH2Client::connect(port(), RawH2Client::Options{}, &error);
  ASSERT_NE(client, nullptr) << error;
  Clock::time_point start = Clock::now();
  // A bidi call that sends nothing: every attempt waits for a message that never comes.
  int32_t stream =
      client->submit(grpcRequestHeaders("grpc.example.com", kFullDuplexCallMethod), "", false);
  ASSERT_TRUE(client->pumpUntil(
      [&] { return !client->response(stream).header("grpc-status").empty(); }, kWait));
  auto elapsed = Clock::now() - start;
  EXPECT_EQ(client->response(stream).header("grpc-status"), "4");
  EXPECT_NE(client->response(stream).header("grpc-message").find("perTryTimeout of 200 ms"),
            std::string::npos);
  EXPECT_EQ(backend.callCount(kFullDuplexCallMethod), 3u);
  EXPECT_GE(elapsed, 600ms);
  EXPECT_LT(elapsed, 600ms + 2 * 250ms + 700ms);
  EXPECT_TRUE(backend.waitForIdle(kWait)) << "an attempt was not cancelled";
}

TEST_F(Retries, DeadlinePassingDuringRetriesEndsTheCallWithDeadlineExceeded) {
  TestBackend backend("backend-a");
  ASSERT_TRUE(startWithRetries(*this, {backend.port()},
                               "{attempts: 10, retryOn: unavailable, backoff: 100ms}"));
  std::string error;
  auto client = RawH2Client::connect(port(), RawH2Client::Options{}, &error);
  ASSERT_NE(client, nullptr) << error;
  HeaderList headers = grpcRequestHeaders("grpc.example.com", kUnaryCallMethod);
  headers.emplace_back("grpc-timeout", "300m");
  headers.emplace_back("x-fail-call-id", "deadline");
  headers.emplace_back("x-fail-attempts", "100");
  Clock::time_point start = Clock::now();
  int32_t stream = client->submit(headers, grpcFrame(SimpleRequest()), true);
  ASSERT_TRUE(client->waitClosed(stream, kWait));
  auto elapsed = Clock::now() - start;
  EXPECT_EQ(client->response(stream).header("grpc-status"), "4");
  EXPECT_NE(client->response(stream).header("grpc-message").find("grpc-timeout of 300 ms"),
            std::string::npos)
      << client->response(stream).header("grpc-message");
  EXPECT_GE(elapsed, 300ms);
  EXPECT_LT(elapsed, 300ms + 500ms);
  EXPECT_LT(backend.attempts("deadline").size(), 11u);
}

TEST_F(Retries, BudgetLimitsRetriesOfABurstOfFailingCalls) {
  TestBackend backend("backend-a");
  ASSERT_TRUE(startWithRetries(*this, {backend.port()}, "{attempts: 5, retryOn: unavailable}"));
  constexpr int kCalls = 20;
  std::vector<std::thread> threads;
  std::atomic<int> failed{0};
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&, i] {
      grpc::Status status = unaryWithKnobs(*this, {"burst-" + std::to_string(i), 100});
      if (!status.ok()) ++failed;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failed, kCalls);
  size_t attempts = 0;
  for (int i = 0; i < kCalls; ++i)
    attempts += backend.attempts("burst-" + std::to_string(i)).size();
  // Without a budget every call would make 6 attempts.
  EXPECT_GE(attempts, static_cast<size_t>(kCalls));
  EXPECT_LT(attempts, static_cast<size_t>(kCalls) * 6 / 2) << "retries were not budgeted";
  // The admin counts both the retries made and those the budget refused.
  EXPECT_EQ(gateway().stat("meshgate_retries_total"), static_cast<int64_t>(attempts) - kCalls);
  EXPECT_GT(gateway().stat("meshgate_retry_budget_exceeded_total").value_or(0), 0);
}

TEST_F(Retries, ClientStreamLargerThanTheReplayBufferIsNotRetried) {
  TestBackend backend("backend-a");
  ASSERT_TRUE(startWithRetries(*this, {backend.port()}, "{attempts: 2, retryOn: unavailable}",
                               {"--retry-buffer-bytes", "65536"}));
  auto stream = [&](const std::string& id, int messages, size_t size, int32_t* aggregated) {
    grpc::ClientContext context;
    applyKnobs(context, {id, 1});
    StreamingInputCallResponse response;
    auto writer = stub()->StreamingInputCall(&context, &response);
    StreamingInputCallRequest request;
    request.mutable_payload()->set_body(std::string(size, 'x'));
    for (int i = 0; i < messages; ++i) writer->Write(request);
    writer->WritesDone();
    grpc::Status status = writer->Finish();
    *aggregated = response.aggregated_payload_size();
    return status;
  };
  int32_t aggregated = 0;
  grpc::Status small = stream("small-stream", 2, 10000, &aggregated);
  EXPECT_TRUE(small.ok()) << small.error_message();
  EXPECT_EQ(aggregated, 20000) << "the retry replayed the whole request";
  EXPECT_EQ(backend.attempts("small-stream").size(), 2u);
  grpc::Status large = stream("large-stream", 3, 40000, &aggregated);
  EXPECT_EQ(large.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(backend.attempts("large-stream").size(), 1u);
  EXPECT_EQ(gateway().stat("meshgate_retry_buffer_overflows_total"), 1);
}

TEST_F(Retries, RetryGoesToAnotherEndpoint) {
  TestBackend a("backend-a");
  TestBackend b("backend-b");
  ASSERT_TRUE(startWithRetries(*this, {a.port(), b.port()}, "{attempts: 1, retryOn: unavailable}"));
  // backend-a fails every attempt: with one retry, a call that tried it first succeeds only
  // because its retry went to backend-b.
  int tried_a_first = 0;
  for (int i = 0; i < 6; ++i) {
    std::string id = "hosts-" + std::to_string(i);
    grpc::ClientContext context;
    applyKnobs(context, {id, 100});
    context.AddMetadata("x-fail-backend", "backend-a");
    SimpleResponse response;
    grpc::Status status = stub()->UnaryCall(&context, SimpleRequest(), &response);
    EXPECT_TRUE(status.ok()) << id << ": " << status.error_message();
    EXPECT_LE(a.attempts(id).size(), 1u) << id;
    EXPECT_EQ(b.attempts(id).size(), 1u) << id;
    tried_a_first += static_cast<int>(a.attempts(id).size());
  }
  EXPECT_GT(tried_a_first, 0) << "round robin never picked backend-a first";
}

TEST_F(Retries, ConnectFailureIsRetriedOnAnotherEndpoint) {
  TestBackend backend("backend-a");
  auto [dead, dead_port] = refusingPort();
  ASSERT_TRUE(startWithRetries(*this, {dead_port, backend.port()},
                               "{attempts: 1, retryOn: connect-failure}"));
  for (int i = 0; i < 4; ++i) {
    grpc::ClientContext context;
    context.set_deadline(deadlineIn(kWait));
    Empty response;
    grpc::Status status = stub()->EmptyCall(&context, Empty(), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
  }
}

// retryOn conditions about HTTP statuses, resets and refusals, against the raw backend: a
// retried condition makes 1 + attempts requests, another makes one.
struct HttpCase {
  std::string retry_on;
  std::string action;  // x-raw-action
  size_t requests;
};

TEST_F(Retries, EveryHttpRetryOnValue) {
  const std::vector<HttpCase> cases = {
      {"5xx", "status-500", 3},
      {"5xx", "reset-before-headers", 3},
      {"gateway-error", "status-502", 3},
      {"gateway-error", "status-504", 3},
      {"gateway-error", "status-500", 1},
      {"reset", "reset-before-headers", 3},
      {"reset", "status-503", 1},
      {"refused-stream", "refuse", 3},
      {"refused-stream", "reset-before-headers", 1},
      {"retriable-4xx", "status-409", 3},
      {"retriable-4xx", "status-404", 1},
      {"retriable-status-codes,503", "status-503", 3},
      {"503", "status-503", 3},
      {"503", "status-502", 1},
      {"envoy-ratelimited", "ratelimited", 3},
      {"retriable-headers", "status-500", 1},
      {"connect-failure", "status-503", 1},
      {"unavailable", "status-503", 1},
  };
  RawH2Backend raw("raw");
  VirtualServiceSpec vs;
  vs.http.clear();
  for (size_t i = 0; i < cases.size(); ++i) {
    HttpRoute route;
    route.prefix = "/case" + std::to_string(i) + "/";
    route.retries = "{attempts: 2, retryOn: \"" + cases[i].retry_on + "\"}";
    vs.http.push_back(route);
  }
  ServiceSpec service;
  service.endpoints = {{"127.0.0.1", raw.port()}};
  MeshYaml yaml = gatewayYaml();
  yaml.add(vs).add(service);
  ASSERT_TRUE(start(yaml));
  std::string error;
  auto client = RawH2Client::connect(port(), RawH2Client::Options{}, &error);
  ASSERT_NE(client, nullptr) << error;
  for (size_t i = 0; i < cases.size(); ++i) {
    size_t before = raw.requests().size();
    HeaderList headers =
        grpcRequestHeaders("grpc.example.com", "/case" + std::to_string(i) + "/Call");
    headers.emplace_back("x-raw-action", cases[i].action);
    int32_t stream = client->submit(headers, grpcFrame(Empty()), true);
    ASSERT_TRUE(client->waitClosed(stream, kWait)) << cases[i].retry_on;
    EXPECT_EQ(raw.requests().size() - before, cases[i].requests)
        << "retryOn " << cases[i].retry_on << " with " << cases[i].action;
  }
}

}  // namespace
}  // namespace meshgate::testing
