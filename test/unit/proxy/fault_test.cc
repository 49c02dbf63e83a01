#include "proxy/fault.h"

#include <gtest/gtest.h>

namespace meshgate::proxy {
namespace {

TEST(FaultTest, DrawPercentHonoursTheEdgesAndTheResolution) {
  EXPECT_FALSE(drawPercent(0, 0));
  EXPECT_TRUE(drawPercent(100, 999999));
  // A millionth of resolution: 0.0001% fires for exactly one residue out of a million.
  EXPECT_TRUE(drawPercent(0.0001, 0));
  EXPECT_FALSE(drawPercent(0.0001, 1));
  EXPECT_TRUE(drawPercent(50, 499999));
  EXPECT_FALSE(drawPercent(50, 500000));
}

TEST(FaultTest, PlanDrawsDelayAndAbortIndependently) {
  ir::Fault fault;
  fault.delay = ir::FaultDelay{std::chrono::milliseconds(250), 50};
  fault.abort = ir::FaultAbort{std::nullopt, 14, 50};
  FaultPlan both = planFault(fault, 0, 0);
  ASSERT_TRUE(both.delay.has_value());
  EXPECT_EQ(both.delay->count(), 250);
  EXPECT_EQ(both.abort, &*fault.abort);
  FaultPlan delay_only = planFault(fault, 0, 999999);
  EXPECT_TRUE(delay_only.delay.has_value());
  EXPECT_EQ(delay_only.abort, nullptr);
  EXPECT_FALSE(planFault(fault, 999999, 999999).any());
}

TEST(FaultTest, GrpcStatusAbortIsTrailersOnlyWithThatStatus) {
  LocalReply reply = faultAbortReply(ir::FaultAbort{std::nullopt, 8, 100});
  EXPECT_EQ(reply.code, grpcwire::Code::kResourceExhausted);
  http::HeaderList headers = grpcReplyHeaders(reply);
  EXPECT_EQ(headers.get(":status"), "200");
  EXPECT_EQ(headers.get("grpc-status"), "8");
}

TEST(FaultTest, HttpStatusAbortKeepsTheStatusAndMapsItForGrpcCallers) {
  LocalReply unavailable = faultAbortReply(ir::FaultAbort{503, std::nullopt, 100});
  http::HeaderList headers = grpcReplyHeaders(unavailable);
  EXPECT_EQ(headers.get(":status"), "503");
  EXPECT_EQ(headers.get("grpc-status"), "14");
  EXPECT_EQ(httpReplyHeaders(unavailable).get(":status"), "503");
  // grpc/doc/http-grpc-status-mapping.md: 404 → UNIMPLEMENTED, 429 → UNAVAILABLE.
  EXPECT_EQ(faultAbortReply(ir::FaultAbort{404, std::nullopt, 100}).code,
            grpcwire::Code::kUnimplemented);
  EXPECT_EQ(faultAbortReply(ir::FaultAbort{429, std::nullopt, 100}).code,
            grpcwire::Code::kUnavailable);
}

}  // namespace
}  // namespace meshgate::proxy
