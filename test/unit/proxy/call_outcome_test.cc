#include "proxy/call_outcome.h"

#include <gtest/gtest.h>

namespace meshgate::proxy {
namespace {

using upstream::Outcome;

TEST(CallOutcomeTest, GrpcStatusDecides) {
  EXPECT_EQ(callOutcome("200", "0"), Outcome::kSuccess);
  EXPECT_EQ(callOutcome("200", "14"), Outcome::kGatewayError);  // UNAVAILABLE
  EXPECT_EQ(callOutcome("200", "4"), Outcome::kGatewayError);   // DEADLINE_EXCEEDED
  EXPECT_EQ(callOutcome("200", "13"), Outcome::kServerError);   // INTERNAL
  EXPECT_EQ(callOutcome("200", "2"), Outcome::kServerError);    // UNKNOWN
  // Application answers: never the host's fault.
  for (const char* code : {"3", "5", "6", "7", "8", "9", "10", "11", "12", "16"}) {
    EXPECT_EQ(callOutcome("200", code), Outcome::kSuccess) << code;
  }
  // Trailers carry no :status.
  EXPECT_EQ(callOutcome("", "14"), Outcome::kGatewayError);
  EXPECT_EQ(callOutcome("200", "garbage"), Outcome::kServerError);
}

TEST(CallOutcomeTest, HttpStatusDecidesWithoutGrpcStatus) {
  EXPECT_EQ(callOutcome("200", ""), Outcome::kSuccess);
  EXPECT_EQ(callOutcome("404", ""), Outcome::kSuccess);
  EXPECT_EQ(callOutcome("502", ""), Outcome::kGatewayError);
  EXPECT_EQ(callOutcome("503", ""), Outcome::kGatewayError);
  EXPECT_EQ(callOutcome("504", ""), Outcome::kGatewayError);
  EXPECT_EQ(callOutcome("500", ""), Outcome::kServerError);
  EXPECT_EQ(callOutcome("501", ""), Outcome::kServerError);
}

}  // namespace
}  // namespace meshgate::proxy
