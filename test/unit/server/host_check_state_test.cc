// The consecutive-result thresholds of active health checking.
#include "server/host_check_state.h"

#include <gtest/gtest.h>

namespace meshgate::server {
namespace {

using Change = HostCheckState::Change;

TEST(HostCheckStateTest, NewHostIsOutUntilOneCheckPasses) {
  HostCheckState state;
  EXPECT_FALSE(state.healthy());
  EXPECT_TRUE(state.pending());
  EXPECT_EQ(state.onSuccess(/*healthy_threshold=*/3), Change::kHealthy);
  EXPECT_TRUE(state.healthy());
  EXPECT_FALSE(state.pending());
}

TEST(HostCheckStateTest, NewHostWhoseFirstCheckFailsNeedsTheHealthyThreshold) {
  HostCheckState state;
  EXPECT_EQ(state.onFailure(3), Change::kUnhealthy);
  EXPECT_FALSE(state.pending());
  EXPECT_EQ(state.onSuccess(2), Change::kNone);
  EXPECT_FALSE(state.healthy());
  EXPECT_EQ(state.onSuccess(2), Change::kHealthy);
}

TEST(HostCheckStateTest, LeavesAfterUnhealthyThresholdConsecutiveFailures) {
  HostCheckState state;
  state.onSuccess(1);
  EXPECT_EQ(state.onFailure(3), Change::kNone);
  EXPECT_EQ(state.onFailure(3), Change::kNone);
  EXPECT_TRUE(state.healthy());
  EXPECT_EQ(state.onFailure(3), Change::kUnhealthy);
  EXPECT_FALSE(state.healthy());
  EXPECT_EQ(state.consecutiveFailures(), 3u);
  // Further failures change nothing.
  EXPECT_EQ(state.onFailure(3), Change::kNone);
}

TEST(HostCheckStateTest, ASuccessResetsTheFailureCount) {
  HostCheckState state;
  state.onSuccess(1);
  state.onFailure(3);
  state.onFailure(3);
  EXPECT_EQ(state.onSuccess(2), Change::kNone);
  EXPECT_EQ(state.consecutiveFailures(), 0u);
  EXPECT_EQ(state.onFailure(3), Change::kNone);
  EXPECT_EQ(state.onFailure(3), Change::kNone);
  EXPECT_TRUE(state.healthy());
}

TEST(HostCheckStateTest, ReturnsAfterHealthyThresholdConsecutiveSuccesses) {
  HostCheckState state;
  state.onSuccess(1);
  state.onFailure(1);
  ASSERT_FALSE(state.healthy());
  EXPECT_EQ(state.onSuccess(3), Change::kNone);
  EXPECT_EQ(state.onSuccess(3), Change::kNone);
  EXPECT_EQ(state.onFailure(1), Change::kNone);  // the run starts again
  EXPECT_EQ(state.consecutiveSuccesses(), 0u);
  EXPECT_EQ(state.onSuccess(3), Change::kNone);
  EXPECT_EQ(state.onSuccess(3), Change::kNone);
  EXPECT_EQ(state.onSuccess(3), Change::kHealthy);
  EXPECT_EQ(state.onSuccess(3), Change::kNone);
}

TEST(HostCheckStateTest, ThresholdOfOneFlipsOnEveryChange) {
  HostCheckState state;
  EXPECT_EQ(state.onSuccess(1), Change::kHealthy);
  EXPECT_EQ(state.onFailure(1), Change::kUnhealthy);
  EXPECT_EQ(state.onSuccess(1), Change::kHealthy);
}

}  // namespace
}  // namespace meshgate::server
