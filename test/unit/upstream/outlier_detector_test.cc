#include "upstream/outlier_detector.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "io/socket.h"
#include "upstream/cluster_set.h"

namespace meshgate::upstream {
namespace {

using Clock = OutlierDetector::Clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

struct Detector {
  explicit Detector(OutlierSettings settings, size_t hosts = 10)
      : health(std::make_shared<ClusterHealth>(hosts)), detector(settings, health) {}
  void fail(uint32_t host, Outcome outcome, int times) {
    for (int i = 0; i < times; ++i) detector.report(host, outcome, now);
  }
  std::shared_ptr<ClusterHealth> health;
  OutlierDetector detector;
  Clock::time_point now = Clock::time_point{} + seconds(1000);
};

OutlierSettings settings(uint32_t consecutive_5xx = 5) {
  OutlierSettings out;
  out.consecutive_5xx = consecutive_5xx;
  out.interval = seconds(1);
  out.base_ejection = seconds(30);
  out.max_ejection_percent = 100;
  return out;
}

TEST(OutlierDetectorTest, EjectsAtTheConsecutive5xxThreshold) {
  Detector d(settings(3));
  d.fail(2, Outcome::kServerError, 2);
  EXPECT_FALSE(d.detector.ejected(2));
  d.fail(2, Outcome::kServerError, 1);
  EXPECT_TRUE(d.detector.ejected(2));
  EXPECT_TRUE(d.health->has(2, HealthFlag::kOutlierEjected));
  EXPECT_EQ(d.health->healthyCount(), 9u);
  EXPECT_EQ(d.detector.ejectedCount(), 1u);
}

TEST(OutlierDetectorTest, ASuccessResetsTheCount) {
  Detector d(settings(3));
  d.fail(0, Outcome::kGatewayError, 2);
  d.fail(0, Outcome::kSuccess, 1);
  d.fail(0, Outcome::kGatewayError, 2);
  EXPECT_FALSE(d.detector.ejected(0));
  d.fail(0, Outcome::kGatewayError, 1);
  EXPECT_TRUE(d.detector.ejected(0));
}

TEST(OutlierDetectorTest, GatewayErrorsHaveTheirOwnThreshold) {
  OutlierSettings s = settings(0);  // 5xx detector off
  s.consecutive_gateway = 2;
  Detector d(s);
  d.fail(1, Outcome::kServerError, 10);  // INTERNAL is not a gateway error
  EXPECT_FALSE(d.detector.ejected(1));
  d.fail(1, Outcome::kGatewayError, 1);
  d.fail(1, Outcome::kServerError, 1);  // breaks the gateway run
  d.fail(1, Outcome::kGatewayError, 1);
  EXPECT_FALSE(d.detector.ejected(1));
  d.fail(1, Outcome::kGatewayError, 1);
  EXPECT_TRUE(d.detector.ejected(1));
}

TEST(OutlierDetectorTest, LocalOriginFailuresCountAs5xxUnlessSplit) {
  Detector joined(settings(3));
  joined.fail(0, Outcome::kLocalOrigin, 3);
  EXPECT_TRUE(joined.detector.ejected(0));

  OutlierSettings s = settings(3);
  s.split_local_origin = true;
  s.consecutive_local_origin = 4;
  Detector split(s);
  split.fail(0, Outcome::kLocalOrigin, 3);
  split.fail(0, Outcome::kServerError, 2);  // an answer: resets the local-origin run
  split.fail(0, Outcome::kLocalOrigin, 3);
  EXPECT_FALSE(split.detector.ejected(0));
  split.fail(0, Outcome::kLocalOrigin, 1);
  EXPECT_TRUE(split.detector.ejected(0));
  // Local-origin failures did not add to the 5xx run.
  split.fail(1, Outcome::kServerError, 2);
  split.fail(1, Outcome::kLocalOrigin, 1);
  split.fail(1, Outcome::kServerError, 1);
  EXPECT_TRUE(split.detector.ejected(1));
}

TEST(OutlierDetectorTest, MaxEjectionPercentLeavesTheRestIn) {
  OutlierSettings s = settings(1);
  s.max_ejection_percent = 20;
  Detector d(s, 10);
  for (uint32_t host = 0; host < 10; ++host) d.fail(host, Outcome::kServerError, 1);
  EXPECT_EQ(d.detector.ejectedCount(), 2u);
  EXPECT_EQ(d.health->healthyCount(), 8u);
}

TEST(OutlierDetectorTest, ASmallClusterStillEjectsOneHost) {
  OutlierSettings s = settings(1);
  s.max_ejection_percent = 10;  // one host of three is 33%
  Detector d(s, 3);
  for (uint32_t host = 0; host < 3; ++host) d.fail(host, Outcome::kGatewayError, 1);
  EXPECT_EQ(d.detector.ejectedCount(), 1u);
  EXPECT_TRUE(d.detector.ejected(0));
}

TEST(OutlierDetectorTest, ReturnsAfterTheBaseEjectionTime) {
  Detector d(settings(1));
  d.fail(4, Outcome::kServerError, 1);
  d.detector.sweep(d.now + seconds(29));
  EXPECT_TRUE(d.detector.ejected(4));
  d.detector.sweep(d.now + seconds(30));
  EXPECT_FALSE(d.detector.ejected(4));
  EXPECT_EQ(d.health->healthyCount(), 10u);
  EXPECT_EQ(d.detector.ejectedCount(), 0u);
}

TEST(OutlierDetectorTest, SweepsOnlyOncePerInterval) {
  Detector d(settings(1));
  d.detector.sweep(d.now);
  d.fail(0, Outcome::kServerError, 1);
  // Time is up at now + 30 s, but a sweep within a second of the last one does nothing.
  d.detector.sweep(d.now + seconds(30));
  d.detector.sweep(d.now + seconds(30) + milliseconds(500));
  EXPECT_FALSE(d.detector.ejected(0));
}

TEST(OutlierDetectorTest, RepeatedEjectionsLastLongerAndDecay) {
  Detector d(settings(1));
  Clock::time_point t = d.now;
  d.detector.report(0, Outcome::kServerError, t);
  EXPECT_EQ(d.detector.multiplier(0), 1u);
  t += seconds(30);
  d.detector.sweep(t);
  ASSERT_FALSE(d.detector.ejected(0));
  d.detector.report(0, Outcome::kServerError, t);  // ejected again at once: 60 s this time
  EXPECT_EQ(d.detector.multiplier(0), 2u);
  d.detector.sweep(t + seconds(59));
  EXPECT_TRUE(d.detector.ejected(0));
  d.detector.sweep(t + seconds(60));
  EXPECT_FALSE(d.detector.ejected(0));
  // Each interval the host stays in takes one step off.
  d.detector.sweep(t + seconds(61));
  EXPECT_EQ(d.detector.multiplier(0), 1u);
  d.detector.sweep(t + seconds(62));
  EXPECT_EQ(d.detector.multiplier(0), 0u);
}

TEST(OutlierDetectorTest, EjectionTimeIsCappedAtMaxEjectionTime) {
  OutlierSettings s = settings(1);
  s.base_ejection = seconds(100);  // the 300 s cap allows 3 steps
  Detector d(s);
  Clock::time_point t = d.now;
  for (int i = 0; i < 5; ++i) {
    d.detector.report(0, Outcome::kServerError, t);
    t += seconds(301);
    d.detector.sweep(t);
    ASSERT_FALSE(d.detector.ejected(0));
    // Re-eject right away: no interval passes with the host in, so no decay.
  }
  EXPECT_EQ(d.detector.multiplier(0), 3u);
}

TEST(OutlierDetectorTest, ANewConfigVersionKeepsEjections) {
  auto cluster = [](std::vector<std::string> labels) {
    ClusterInfo info;
    info.name = "c";
    for (const auto& label : labels) info.hosts.push_back({{}, label, 1, {}, label});
    info.outlier = settings(1);
    return info;
  };
  ClusterSet first({cluster({"a:1", "b:1"})});
  first.at(0).outlier_detector->report(1, Outcome::kServerError);
  ASSERT_TRUE(first.at(0).outlier_detector->ejected(1));
  ClusterSet second({cluster({"b:1", "c:1"})}, &first);
  EXPECT_TRUE(second.at(0).outlier_detector->ejected(0));
  EXPECT_EQ(second.at(0).outlier_detector->multiplier(0), 1u);
  EXPECT_EQ(second.at(0).health->healthyCount(), 1u);
  // Without outlierDetection in the new version, the ejection ends.
  ClusterInfo plain = cluster({"b:1"});
  plain.outlier.reset();
  ClusterSet third({plain}, &first);
  EXPECT_TRUE(third.at(0).health->healthy(0));
}

}  // namespace
}  // namespace meshgate::upstream
