// The pure parts of retries: which responses and failures a policy retries, and the backoff.
#include "proxy/retry_state.h"

#include <gtest/gtest.h>

namespace meshgate::proxy {
namespace {

using namespace ir::retry_on;
using namespace std::chrono_literals;

ir::RetryPolicy policyOn(uint32_t conditions, std::vector<uint32_t> codes = {}) {
  ir::RetryPolicy policy;
  policy.retry_on = conditions;
  policy.retriable_status_codes = std::move(codes);
  return policy;
}

http::HeaderList grpcStatus(int code) {
  http::HeaderList headers;
  headers.add("grpc-status", std::to_string(code));
  return headers;
}

TEST(RetryStateTest, GrpcNamesRetryTheirStatusOnly) {
  const std::pair<uint32_t, int> names[] = {{kCancelled, 1},
                                            {kDeadlineExceeded, 4},
                                            {kResourceExhausted, 8},
                                            {kInternal, 13},
                                            {kUnavailable, 14}};
  for (auto [condition, code] : names) {
    ir::RetryPolicy policy = policyOn(condition);
    for (int other = 0; other <= 16; ++other) {
      EXPECT_EQ(judgeResponse(policy, 200, grpcStatus(other), true).retriable, other == code)
          << "condition " << condition << " status " << other;
    }
    EXPECT_FALSE(judgeResponse(policy, 200, grpcStatus(code), false).retriable)
        << "grpc-status only counts for gRPC calls";
  }
}

TEST(RetryStateTest, HttpConditions) {
  http::HeaderList none;
  EXPECT_TRUE(judgeResponse(policyOn(k5xx), 500, none, true).retriable);
  EXPECT_TRUE(judgeResponse(policyOn(k5xx), 503, none, false).retriable);
  EXPECT_FALSE(judgeResponse(policyOn(k5xx), 404, none, false).retriable);
  EXPECT_TRUE(judgeResponse(policyOn(kGatewayError), 502, none, false).retriable);
  EXPECT_TRUE(judgeResponse(policyOn(kGatewayError), 504, none, false).retriable);
  EXPECT_FALSE(judgeResponse(policyOn(kGatewayError), 500, none, false).retriable);
  EXPECT_TRUE(judgeResponse(policyOn(kRetriable4xx), 409, none, false).retriable);
  EXPECT_FALSE(judgeResponse(policyOn(kRetriable4xx), 429, none, false).retriable);
  ir::RetryPolicy codes = policyOn(kRetriableStatusCodes, {503, 429});
  EXPECT_TRUE(judgeResponse(codes, 429, none, false).retriable);
  EXPECT_FALSE(judgeResponse(codes, 500, none, false).retriable);
  EXPECT_FALSE(judgeResponse(policyOn(0, {503}), 503, none, false).retriable)
      << "codes need retriable-status-codes";
  http::HeaderList limited;
  limited.add("x-envoy-ratelimited", "true");
  EXPECT_TRUE(judgeResponse(policyOn(kEnvoyRateLimited), 429, limited, false).retriable);
  EXPECT_FALSE(judgeResponse(policyOn(kEnvoyRateLimited), 429, none, false).retriable);
}

TEST(RetryStateTest, FailuresWithoutResponse) {
  EXPECT_TRUE(retriesFailure(policyOn(kConnectFailure), AttemptFailure::kConnectFailure, false));
  EXPECT_FALSE(retriesFailure(policyOn(kConnectFailure), AttemptFailure::kReset, false));
  EXPECT_TRUE(retriesFailure(policyOn(kRefusedStream), AttemptFailure::kRefusedStream, true));
  EXPECT_FALSE(retriesFailure(policyOn(kRefusedStream), AttemptFailure::kReset, true));
  for (uint32_t any : {k5xx, kGatewayError, kReset}) {
    EXPECT_TRUE(retriesFailure(policyOn(any), AttemptFailure::kReset, true));
    EXPECT_TRUE(retriesFailure(policyOn(any), AttemptFailure::kConnectFailure, true));
    EXPECT_TRUE(retriesFailure(policyOn(any), AttemptFailure::kPerTryTimeout, true));
  }
  EXPECT_TRUE(retriesFailure(policyOn(kResetBeforeRequest), AttemptFailure::kReset, false));
  EXPECT_FALSE(retriesFailure(policyOn(kResetBeforeRequest), AttemptFailure::kReset, true));
  EXPECT_TRUE(retriesFailure(policyOn(kDeadlineExceeded), AttemptFailure::kPerTryTimeout, true));
  EXPECT_FALSE(retriesFailure(policyOn(kUnavailable), AttemptFailure::kPerTryTimeout, true));
}

TEST(RetryStateTest, BackoffIsFullJitterDoublingUpToTenTimesTheBase) {
  const std::chrono::milliseconds ceilings[] = {25ms, 75ms, 175ms, 250ms, 250ms, 250ms};
  for (uint32_t retry = 1; retry <= 6; ++retry) {
    std::chrono::milliseconds most{0};
    for (uint64_t random = 0; random < 2000; ++random) {
      auto backoff = retryBackoff(25ms, retry, random * 7919);
      EXPECT_GE(backoff, 0ms);
      EXPECT_LT(backoff, ceilings[retry - 1]) << "retry " << retry;
      most = std::max(most, backoff);
    }
    EXPECT_GE(most, ceilings[retry - 1] - 2ms) << "the whole range is used";
  }
}

TEST(RetryStateTest, BudgetAllowsThreeOrTwentyPercent) {
  EXPECT_TRUE(upstream::retryFitsBudget(2, 0));
  EXPECT_FALSE(upstream::retryFitsBudget(3, 0));
  EXPECT_FALSE(upstream::retryFitsBudget(3, 15));
  EXPECT_TRUE(upstream::retryFitsBudget(19, 100));
  EXPECT_FALSE(upstream::retryFitsBudget(20, 100));
}

}  // namespace
}  // namespace meshgate::proxy
