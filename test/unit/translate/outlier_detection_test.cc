// DestinationRule outlierDetection → ir::OutlierDetection (Istio's defaults and mapping,
// validation with positions) and locality priorities (Istio's failover rules).
#include "translate/outlier_detection.h"

#include <gtest/gtest.h>

#include "translate/locality.h"
#include "unit/translate/translate_yaml.h"

namespace meshgate::translate {
namespace {

// A Gateway route to a ServiceEntry whose endpoints sit in three localities.
constexpr const char* kBase = R"(apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  servers:
  - port: {number: 80, name: grpc, protocol: GRPC}
    hosts: ["*"]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: vs}
spec:
  hosts: ["*"]
  gateways: [gw]
  http:
  - match: [{uri: {prefix: /a}}]
    route: [{destination: {host: svc.internal, port: {number: 50051}}}]
  - match: [{uri: {prefix: /b}}]
    route: [{destination: {host: svc.internal, port: {number: 50052}}}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: svc}
spec:
  hosts: [svc.internal]
  resolution: STATIC
  ports:
  - {number: 50051, name: grpc-a, protocol: GRPC}
  - {number: 50052, name: grpc-b, protocol: GRPC}
  endpoints:
  - {address: 10.0.0.1, locality: us-east/a/1, labels: {version: v1}}
  - {address: 10.0.0.2, locality: us-east/a/2, labels: {version: v1}}
  - {address: 10.0.0.3, locality: us-east/b, labels: {version: v1}}
  - {address: 10.0.0.4, locality: us-west/a, labels: {version: v1}}
  - {address: 10.0.0.5, locality: eu-west/a, labels: {version: v1}}
---
)";

Translated run(const std::string& rules, const std::string& locality = "") {
  Options options;
  options.locality = locality;
  return translateYaml(kBase + rules, options);
}

const ir::Cluster& clusterOf(const Translated& t, uint32_t port, const std::string& subset = "") {
  return clusterNamed(t, "outbound|" + std::to_string(port) + "|" + subset + "|svc.internal");
}

std::vector<uint32_t> priorities(const ir::Cluster& cluster) {
  std::vector<uint32_t> out;
  for (const auto& endpoint : cluster.endpoints) out.push_back(endpoint.priority);
  return out;
}

TEST(OutlierDetectionTest, IstioDefaults) {
  Translated t = run(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: dr}
spec:
  host: svc.internal
  trafficPolicy:
    outlierDetection: {}
)");
  ASSERT_FALSE(t.diagnostics.hasErrors()) << t.diagnostics.format();
  const auto& outlier = clusterOf(t, 50051).outlier_detection;
  ASSERT_TRUE(outlier);
  EXPECT_EQ(*outlier, ir::OutlierDetection{});
  EXPECT_EQ(outlier->consecutive_5xx, 5u);
  EXPECT_EQ(outlier->consecutive_gateway, 0u);
  EXPECT_EQ(outlier->interval, std::chrono::seconds(10));
  EXPECT_EQ(outlier->base_ejection_time, std::chrono::seconds(30));
  EXPECT_EQ(outlier->max_ejection_percent, 10u);
  EXPECT_EQ(outlier->min_health_percent, 0u);
}

TEST(OutlierDetectionTest, EveryFieldAndItsPrecedence) {
  Translated t = run(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: dr}
spec:
  host: svc.internal
  trafficPolicy:
    outlierDetection:
      consecutive5xxErrors: 0
      consecutiveGatewayErrors: 3
      consecutiveLocalOriginFailures: 2
      splitExternalLocalOriginErrors: true
      interval: 1s
      baseEjectionTime: 2s
      maxEjectionPercent: 50
      minHealthPercent: 20
    portLevelSettings:
    - port: {number: 50052}
      loadBalancer: {simple: RANDOM}
  subsets:
  - name: v1
    labels: {version: v1}
    trafficPolicy:
      outlierDetection: {consecutive5xxErrors: 7}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: vs-v1}
spec:
  hosts: ["*"]
  gateways: [gw]
  http:
  - route: [{destination: {host: svc.internal, port: {number: 50051}, subset: v1}}]
)");
  ASSERT_FALSE(t.diagnostics.hasErrors()) << t.diagnostics.format();
  ir::OutlierDetection top;
  top.consecutive_5xx = 0;
  top.consecutive_gateway = 3;
  top.consecutive_local_origin = 2;
  top.split_local_origin = true;
  top.interval = std::chrono::seconds(1);
  top.base_ejection_time = std::chrono::seconds(2);
  top.max_ejection_percent = 50;
  top.min_health_percent = 20;
  EXPECT_EQ(clusterOf(t, 50051).outlier_detection, top);
  // Istio: a matching port entry replaces every group; its unset outlierDetection is none.
  EXPECT_FALSE(clusterOf(t, 50052).outlier_detection);
  // A subset's outlierDetection replaces the top level's as a whole.
  ir::OutlierDetection subset;
  subset.consecutive_5xx = 7;
  EXPECT_EQ(clusterOf(t, 50051, "v1").outlier_detection, subset);
}

TEST(OutlierDetectionTest, DeprecatedConsecutiveErrorsMeansGatewayErrors) {
  Translated t = run(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: dr}
spec:
  host: svc.internal
  trafficPolicy:
    outlierDetection: {consecutiveErrors: 4}
)");
  ASSERT_FALSE(t.diagnostics.hasErrors());
  const auto& outlier = *clusterOf(t, 50051).outlier_detection;
  EXPECT_EQ(outlier.consecutive_gateway, 4u);
  EXPECT_EQ(outlier.consecutive_5xx, 0u);
  EXPECT_NE(t.diagnostics.format().find(
                "test.yaml:43:43: warning: spec.trafficPolicy.outlierDetection.consecutiveErrors: "
                "consecutiveErrors is deprecated"),
            std::string::npos)
      << t.diagnostics.format();
}

TEST(OutlierDetectionTest, BadValuesAreErrorsWithLocation) {
  Translated t = run(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: dr}
spec:
  host: svc.internal
  trafficPolicy:
    outlierDetection:
      consecutiveErrors: -1
      interval: 0s
      baseEjectionTime: 0.5ms
      maxEjectionPercent: 101
      minHealthPercent: -5
      consecutiveLocalOriginFailures: 3
)");
  EXPECT_EQ(t.diagnostics.format(),
            "test.yaml:44:26: error: spec.trafficPolicy.outlierDetection.consecutiveErrors: "
            "consecutive errors cannot be negative\n"
            "test.yaml:49:39: warning: "
            "spec.trafficPolicy.outlierDetection.consecutiveLocalOriginFailures: has no effect "
            "without splitExternalLocalOriginErrors: local-origin failures count as gateway "
            "errors and 5xx\n"
            "  hint: set splitExternalLocalOriginErrors: true to count them on their own\n"
            "test.yaml:45:17: error: spec.trafficPolicy.outlierDetection.interval: must be at "
            "least 1ms\n"
            "test.yaml:46:25: error: spec.trafficPolicy.outlierDetection.baseEjectionTime: must "
            "be at least 1ms\n"
            "test.yaml:47:27: error: spec.trafficPolicy.outlierDetection.maxEjectionPercent: "
            "percentage 101 is outside 0-100\n"
            "test.yaml:48:25: error: spec.trafficPolicy.outlierDetection.minHealthPercent: "
            "percentage -5 is outside 0-100\n");
}

TEST(OutlierDetectionTest, AllDetectorsOffIsAWarning) {
  Translated t = run(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: dr}
spec:
  host: svc.internal
  trafficPolicy:
    outlierDetection: {consecutive5xxErrors: 0}
)");
  EXPECT_NE(
      t.diagnostics.format().find("test.yaml:43:23: warning: "
                                  "spec.trafficPolicy.outlierDetection: every detector is off"),
      std::string::npos)
      << t.diagnostics.format();
}

constexpr const char* kOutlierRule = R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: dr}
spec:
  host: svc.internal
  trafficPolicy:
    outlierDetection: {consecutive5xxErrors: 1}
)";

TEST(LocalityTest, PrioritiesFollowSharedLocality) {
  Translated t = run(kOutlierRule, "us-east/a/1");
  ASSERT_FALSE(t.diagnostics.hasErrors()) << t.diagnostics.format();
  // same subzone, same zone, same region, other regions.
  EXPECT_EQ(priorities(clusterOf(t, 50051)), (std::vector<uint32_t>{0, 1, 2, 3, 3}));
}

TEST(LocalityTest, UnusedLevelsAreRenumbered) {
  Translated t = run(kOutlierRule, "us-west/a");
  // us-west/a (0), then every us-east and eu-west endpoint (another region: 1).
  EXPECT_EQ(priorities(clusterOf(t, 50051)), (std::vector<uint32_t>{1, 1, 1, 0, 1}));
}

TEST(LocalityTest, NoLocalityFlagOrNoOutlierDetectionMeansOneLevel) {
  EXPECT_EQ(priorities(clusterOf(run(kOutlierRule), 50051)),
            (std::vector<uint32_t>{0, 0, 0, 0, 0}));
  Translated t = run("", "us-east/a/1");
  EXPECT_EQ(priorities(clusterOf(t, 50051)), (std::vector<uint32_t>{0, 0, 0, 0, 0}));
}

TEST(LocalityTest, DisabledLocalityLbKeepsOneLevel) {
  Translated t =
      run(std::string(kOutlierRule) + "    loadBalancer: {localityLbSetting: {enabled: false}}\n",
          "us-east/a/1");
  ASSERT_FALSE(t.diagnostics.hasErrors()) << t.diagnostics.format();
  EXPECT_EQ(priorities(clusterOf(t, 50051)), (std::vector<uint32_t>{0, 0, 0, 0, 0}));
}

TEST(LocalityTest, FailoverRegionComesBeforeOtherRegions) {
  Translated t = run(std::string(kOutlierRule) +
                         "    loadBalancer:\n"
                         "      localityLbSetting:\n"
                         "        failover: [{from: us-east, to: eu-west}]\n",
                     "us-east/a/1");
  ASSERT_FALSE(t.diagnostics.hasErrors()) << t.diagnostics.format();
  EXPECT_EQ(priorities(clusterOf(t, 50051)), (std::vector<uint32_t>{0, 1, 2, 4, 3}));
}

TEST(LocalityTest, FailoverPriorityRanksByLeadingLabels) {
  Translated t = run(std::string(kOutlierRule) +
                         "    loadBalancer:\n"
                         "      localityLbSetting:\n"
                         "        failoverPriority:\n"
                         "        - topology.kubernetes.io/region\n"
                         "        - topology.kubernetes.io/zone\n",
                     "us-east/a/1");
  ASSERT_FALSE(t.diagnostics.hasErrors()) << t.diagnostics.format();
  // Both labels (subzone not listed), region only, none.
  EXPECT_EQ(priorities(clusterOf(t, 50051)), (std::vector<uint32_t>{0, 0, 1, 2, 2}));
}

TEST(LocalityTest, BadSettingsAreReportedWithLocation) {
  Translated t = run(std::string(kOutlierRule) +
                         "    loadBalancer:\n"
                         "      localityLbSetting:\n"
                         "        failover: [{from: us-east, to: us-east}]\n"
                         "        distribute: [{from: us-east/*, to: {\"us-east/*\": 100}}]\n"
                         "        failoverPriority: [example.com/rack]\n",
                     "us-east/a/1");
  EXPECT_EQ(
      t.diagnostics.format(),
      "test.yaml:46:9: error: spec.trafficPolicy.loadBalancer.localityLbSetting: can not "
      "simultaneously set 'distribute' and 'failover'\n"
      "test.yaml:46:20: error: spec.trafficPolicy.loadBalancer.localityLbSetting.failover[0]: "
      "locality lb failover settings must specify different regions\n"
      "test.yaml:48:28: warning: "
      "spec.trafficPolicy.loadBalancer.localityLbSetting.failoverPriority: the gateway "
      "knows only its locality labels (topology.kubernetes.io/region, "
      "topology.kubernetes.io/zone, topology.istio.io/subzone); label 'example.com/rack' "
      "never matches, so it and later labels do not rank endpoints\n"
      "test.yaml:47:22: warning: "
      "spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0]: meshgate does not "
      "implement localityLbSetting.distribute yet; it is ignored\n");
}

TEST(LocalityTest, ParseLocality) {
  Locality l = parseLocality("r/z/s");
  EXPECT_EQ(l.region, "r");
  EXPECT_EQ(l.zone, "z");
  EXPECT_EQ(l.subzone, "s");
  EXPECT_EQ(parseLocality("r").zone, "");
}

}  // namespace
}  // namespace meshgate::translate
