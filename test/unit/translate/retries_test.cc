// http[].retries: Istio's default policy, retryOn parsing (names, HTTP codes), and the errors
// Istio's webhook would raise, each with its location.
#include "translate/retries.h"

#include <gtest/gtest.h>

#include "unit/translate/translate_yaml.h"

namespace meshgate::translate {
namespace {

using namespace ir::retry_on;

constexpr const char* kPrelude = R"(apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public}
spec:
  servers:
  - port: {number: 80, name: grpc, protocol: GRPC}
    hosts: ["grpc.example.com"]
---
apiVersion: v1
kind: Service
metadata: {name: svc}
spec:
  ports: [{name: grpc, port: 50051}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: vs}
spec:
  hosts: ["grpc.example.com"]
  gateways: [public]
  http:
  - route: [{destination: {host: svc}}]
)";

// The VirtualService's route with `retries` (YAML flow mapping; empty: none) and diagnostics.
struct Result {
  std::optional<ir::Route> route;
  std::string diagnostics;
};

Result run(const std::string& retries) {
  std::string yaml = kPrelude;
  if (!retries.empty()) yaml += "    retries: " + retries + "\n";
  Translated translated = translateYaml(yaml, {}, "vs.yaml");
  Result out;
  out.diagnostics = translated.diagnostics.format();
  for (const auto& listener : translated.ir.listeners) {
    for (const auto& host : listener.virtual_hosts) {
      if (!host.routes.empty()) out.route = host.routes[0];
    }
  }
  return out;
}

TEST(RetriesTest, RouteWithoutRetriesGetsIstiosDefault) {
  Result result = run("");
  ASSERT_TRUE(result.route);
  ASSERT_TRUE(result.route->retry);
  EXPECT_EQ(*result.route->retry, defaultRetryPolicy());
  EXPECT_EQ(result.route->retry->num_retries, 2u);
  EXPECT_EQ(result.route->retry->retry_on,
            kConnectFailure | kRefusedStream | kUnavailable | kCancelled | kRetriableStatusCodes);
  EXPECT_EQ(result.route->retry->retriable_status_codes, std::vector<uint32_t>{503});
  EXPECT_EQ(result.diagnostics.find("retries"), std::string::npos) << result.diagnostics;
}

TEST(RetriesTest, EveryRetryOnNameIsAccepted) {
  std::string all;
  for (const auto& name : kNames) all += std::string(all.empty() ? "" : ",") + name.name;
  Result result = run("{attempts: 4, perTryTimeout: 250ms, retryOn: \"" + all + "\"}");
  ASSERT_TRUE(result.route && result.route->retry) << result.diagnostics;
  uint32_t every = 0;
  for (const auto& name : kNames) every |= name.condition;
  EXPECT_EQ(result.route->retry->retry_on, every);
  EXPECT_EQ(result.route->retry->num_retries, 4u);
  EXPECT_EQ(result.route->retry->per_try_timeout, std::chrono::milliseconds(250));
  EXPECT_TRUE(result.route->retry->retriable_status_codes.empty());
}

TEST(RetriesTest, HttpCodesInRetryOnAreRetriableStatusCodes) {
  Result result = run("{attempts: 1, retryOn: \"unavailable,503,409\"}");
  ASSERT_TRUE(result.route && result.route->retry) << result.diagnostics;
  EXPECT_EQ(result.route->retry->retry_on, kUnavailable | kRetriableStatusCodes);
  EXPECT_EQ(result.route->retry->retriable_status_codes, (std::vector<uint32_t>{503, 409}));
}

TEST(RetriesTest, RetryOnReplacesTheDefaultConditionsAndCodes) {
  Result result = run("{retryOn: internal}");
  ASSERT_TRUE(result.route && result.route->retry) << result.diagnostics;
  EXPECT_EQ(result.route->retry->num_retries, 2u) << "attempts absent keeps Istio's 2";
  EXPECT_EQ(result.route->retry->retry_on, kInternal);
  EXPECT_TRUE(result.route->retry->retriable_status_codes.empty());
}

TEST(RetriesTest, ZeroAttemptsDisablesRetries) {
  Result result = run("{attempts: 0}");
  ASSERT_TRUE(result.route);
  EXPECT_FALSE(result.route->retry);
  EXPECT_EQ(result.diagnostics.find("retries"), std::string::npos) << result.diagnostics;
  Result with_more = run("{attempts: 0, retryOn: unavailable}");
  ASSERT_TRUE(with_more.route);
  EXPECT_FALSE(with_more.route->retry);
  EXPECT_NE(with_more.diagnostics.find("warning: spec.http[0].retries.attempts"), std::string::npos)
      << with_more.diagnostics;
}

TEST(RetriesTest, UnknownRetryOnValueIsAnErrorWithLocation) {
  Result result = run("{attempts: 2, retryOn: \"unavailable,resource_exhausted\"}");
  EXPECT_FALSE(result.route) << "the route is not served with a broken policy";
  EXPECT_NE(result.diagnostics.find("vs.yaml:23:37: error: spec.http[0].retries.retryOn: "
                                    "'resource_exhausted' is not a valid retryOn policy"),
            std::string::npos)
      << result.diagnostics;
}

TEST(RetriesTest, SpacesAndUnknownCodesAreErrorsLikeIstios) {
  EXPECT_NE(run("{retryOn: \"5xx, reset\"}").diagnostics.find("' reset' is not a valid"),
            std::string::npos);
  EXPECT_NE(run("{retryOn: \"599\"}").diagnostics.find("'599' is not a valid"), std::string::npos);
}

TEST(RetriesTest, NegativeAttemptsAndTinyPerTryTimeoutAreErrors) {
  Result negative = run("{attempts: -1}");
  EXPECT_FALSE(negative.route);
  EXPECT_NE(negative.diagnostics.find(
                "vs.yaml:23:25: error: spec.http[0].retries.attempts: attempts cannot be negative"),
            std::string::npos)
      << negative.diagnostics;
  Result tiny = run("{perTryTimeout: 500us}");
  EXPECT_NE(tiny.diagnostics.find("error: spec.http[0].retries.perTryTimeout: perTryTimeout "
                                  "must be at least 1ms"),
            std::string::npos)
      << tiny.diagnostics;
}

TEST(RetriesTest, RetryRemoteLocalitiesAndBackoffAreAccepted) {
  Result result = run("{retryRemoteLocalities: true, backoff: 10ms}");
  ASSERT_TRUE(result.route && result.route->retry) << result.diagnostics;
  EXPECT_TRUE(result.route->retry->retry_remote_localities);
  EXPECT_EQ(result.route->retry->backoff_base, std::chrono::milliseconds(10));
  EXPECT_EQ(result.diagnostics.find("retries"), std::string::npos) << result.diagnostics;
}

}  // namespace
}  // namespace meshgate::translate
