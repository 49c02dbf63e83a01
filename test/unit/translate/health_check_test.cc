// DestinationRule annotation meshgate.io/grpc-health-check → ir::Cluster::health_check.
#include "translate/health_check.h"

#include <algorithm>
#include <vector>

#include <gtest/gtest.h>

#include "unit/translate/translate_yaml.h"

namespace meshgate::translate {
namespace {

using std::chrono::milliseconds;

constexpr const char* kField = "metadata.annotations.meshgate.io/grpc-health-check";

struct Parsed {
  std::optional<ir::HealthCheck> check;
  config::Diagnostics diagnostics;
};

Parsed parse(const std::string& text) {
  Parsed out;
  config::Located<std::string> value{text, {"dr.yaml", 4, 36}, true};
  out.check = parseGrpcHealthCheck(value, kField, out.diagnostics);
  return out;
}

// The one error of a parse, formatted as the user sees it.
std::string onlyError(const Parsed& parsed) {
  EXPECT_EQ(parsed.diagnostics.errorCount(), 1u) << parsed.diagnostics.format();
  if (parsed.diagnostics.all().empty()) return "";
  std::string line = config::formatDiagnostic(parsed.diagnostics.all().front());
  return line.substr(0, line.find('\n'));  // without the hint
}

TEST(GrpcHealthCheckAnnotationTest, TrueMeansTheDefaults) {
  for (const char* text : {"true", "", " true "}) {
    Parsed parsed = parse(text);
    ASSERT_TRUE(parsed.check) << text;
    EXPECT_EQ(*parsed.check, ir::HealthCheck{});
    EXPECT_EQ(parsed.check->interval, milliseconds(5000));
    EXPECT_EQ(parsed.check->timeout, milliseconds(1000));
    EXPECT_EQ(parsed.check->unhealthy_threshold, 3u);
    EXPECT_EQ(parsed.check->healthy_threshold, 2u);
    EXPECT_EQ(parsed.check->service, "");
    EXPECT_FALSE(parsed.diagnostics.hasErrors());
  }
}

TEST(GrpcHealthCheckAnnotationTest, FalseTurnsItOff) {
  Parsed parsed = parse("false");
  EXPECT_FALSE(parsed.check);
  EXPECT_TRUE(parsed.diagnostics.all().empty());
}

TEST(GrpcHealthCheckAnnotationTest, EveryKey) {
  Parsed parsed = parse(
      "interval=250ms, timeout=100ms,unhealthy-threshold=5 ,healthy-threshold=1,"
      "service=my.pkg.Service");
  ASSERT_TRUE(parsed.check) << parsed.diagnostics.format();
  EXPECT_EQ(parsed.check->interval, milliseconds(250));
  EXPECT_EQ(parsed.check->timeout, milliseconds(100));
  EXPECT_EQ(parsed.check->unhealthy_threshold, 5u);
  EXPECT_EQ(parsed.check->healthy_threshold, 1u);
  EXPECT_EQ(parsed.check->service, "my.pkg.Service");
}

TEST(GrpcHealthCheckAnnotationTest, UnsetKeysKeepTheirDefaults) {
  Parsed parsed = parse("service=grpc.health.v1.Health");
  ASSERT_TRUE(parsed.check);
  EXPECT_EQ(parsed.check->interval, milliseconds(5000));
  EXPECT_EQ(parsed.check->service, "grpc.health.v1.Health");
}

TEST(GrpcHealthCheckAnnotationTest, UnknownKeyNamesItWithPositionAndSuggestion) {
  Parsed parsed = parse("intervall=5s");
  EXPECT_FALSE(parsed.check);
  EXPECT_EQ(onlyError(parsed),
            "dr.yaml:4:36: error: metadata.annotations.meshgate.io/grpc-health-check: unknown key "
            "'intervall'");
  EXPECT_EQ(parsed.diagnostics.all().front().hint, "did you mean 'interval'?");
}

TEST(GrpcHealthCheckAnnotationTest, BadValuesNameTheKey) {
  EXPECT_NE(onlyError(parse("timeout=soon")).find("timeout: 'soon' is not a duration"),
            std::string::npos);
  EXPECT_NE(onlyError(parse("interval=5ms")).find("interval: '5ms' is shorter than 10ms"),
            std::string::npos);
  EXPECT_NE(onlyError(parse("unhealthy-threshold=0"))
                .find("unhealthy-threshold: '0' is not a whole number from 1 to 1000"),
            std::string::npos);
  EXPECT_NE(onlyError(parse("healthy-threshold=-2")).find("healthy-threshold: '-2'"),
            std::string::npos);
  EXPECT_NE(onlyError(parse("interval=1s,interval=2s")).find("key 'interval' is set twice"),
            std::string::npos);
  EXPECT_NE(onlyError(parse("interval")).find("expected key=value, got 'interval'"),
            std::string::npos);
  EXPECT_NE(onlyError(parse("interval=1s,timeout=2s"))
                .find("timeout (2000ms) is longer than interval (1000ms)"),
            std::string::npos);
}

TEST(GrpcHealthCheckAnnotationTest, EveryProblemIsReported) {
  Parsed parsed = parse("interval=x,colour=red,healthy-threshold=0");
  EXPECT_FALSE(parsed.check);
  EXPECT_EQ(parsed.diagnostics.errorCount(), 3u) << parsed.diagnostics.format();
}

constexpr const char* kMesh = R"(apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*"]
---
apiVersion: v1
kind: Service
metadata: {name: svc}
spec:
  ports:
  - {name: grpc-a, port: 50051}
  - {name: grpc-b, port: 50052}
---
apiVersion: v1
kind: Service
metadata: {name: plain}
spec:
  ports:
  - {name: grpc, port: 50051}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: vs}
spec:
  hosts: ["*"]
  gateways: [gw]
  http:
  - match: [{uri: {prefix: /a}}]
    route: [{destination: {host: svc, port: {number: 50051}}}]
  - match: [{uri: {prefix: /b}}]
    route: [{destination: {host: svc, port: {number: 50052}, subset: v1}}]
  - route: [{destination: {host: plain}}]
---
)";

// The diagnostics about DestinationRule annotations (the mesh above has others: a subset no
// rule defines in some tests, Services without endpoints).
std::vector<config::Diagnostic> annotationDiagnostics(const Translated& t) {
  std::vector<config::Diagnostic> out;
  for (const auto& diagnostic : t.diagnostics.all()) {
    if (diagnostic.field.rfind("metadata.annotations.", 0) == 0) out.push_back(diagnostic);
  }
  return out;
}

TEST(GrpcHealthCheckTranslateTest, AppliesToEveryClusterOfTheRuleAndNoOther) {
  Translated t = translateYaml(std::string(kMesh) + R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: svc
  annotations:
    meshgate.io/grpc-health-check: "interval=2s,service=svc.Health"
spec:
  host: svc
  subsets:
  - {name: v1, labels: {version: v1}}
)");
  EXPECT_FALSE(t.diagnostics.hasErrors()) << t.diagnostics.format();
  for (const char* name : {"outbound|50051||svc.default.svc.cluster.local",
                           "outbound|50052|v1|svc.default.svc.cluster.local"}) {
    const ir::Cluster& cluster = clusterNamed(t, name);
    ASSERT_TRUE(cluster.health_check) << name;
    EXPECT_EQ(cluster.health_check->interval, milliseconds(2000));
    EXPECT_EQ(cluster.health_check->service, "svc.Health");
  }
  EXPECT_FALSE(clusterNamed(t, "outbound|50051||plain.default.svc.cluster.local").health_check);
}

TEST(GrpcHealthCheckTranslateTest, ErrorPointsAtTheAnnotationValue) {
  std::string yaml = std::string(kMesh) + R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: svc
  annotations:
    meshgate.io/grpc-health-check: "interval=5s,treshold=2"
spec:
  host: svc
)";
  Translated t = translateYaml(yaml, {}, "dr.yaml");
  auto found = annotationDiagnostics(t);
  ASSERT_EQ(found.size(), 1u) << t.diagnostics.format();
  const config::Diagnostic& error = found.front();
  EXPECT_EQ(error.severity, config::Severity::kError);
  EXPECT_EQ(error.field, kField);
  EXPECT_EQ(error.message, "unknown key 'treshold'");
  EXPECT_EQ(error.where.file, "dr.yaml");
  // The line and column of the annotation's value in the YAML text.
  size_t offset = yaml.find("\"interval=5s,treshold=2\"");
  int line = 1 + static_cast<int>(std::count(yaml.begin(), yaml.begin() + offset, '\n'));
  int column = static_cast<int>(offset - yaml.rfind('\n', offset));
  EXPECT_EQ(error.where.line, line);
  EXPECT_EQ(error.where.column, column);
}

TEST(GrpcHealthCheckTranslateTest, UnusedRuleIsCheckedToo) {
  Translated t = translateYaml(std::string(kMesh) + R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: nobody
  annotations: {meshgate.io/grpc-health-check: "timeout=never"}
spec:
  host: unused.example.com
)");
  auto found = annotationDiagnostics(t);
  ASSERT_EQ(found.size(), 1u) << t.diagnostics.format();
  EXPECT_EQ(found.front().message, "timeout: 'never' is not a duration");
}

TEST(GrpcHealthCheckTranslateTest, MisspeltAnnotationIsAWarning) {
  Translated t = translateYaml(std::string(kMesh) + R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: svc
  annotations: {meshgate.io/grpc-healthcheck: "true", other.io/x: "y"}
spec:
  host: svc
)");
  auto found = annotationDiagnostics(t);
  ASSERT_EQ(found.size(), 1u) << t.diagnostics.format();
  EXPECT_EQ(found.front().severity, config::Severity::kWarning);
  EXPECT_EQ(found.front().field, "metadata.annotations.meshgate.io/grpc-healthcheck");
  EXPECT_EQ(found.front().hint, "did you mean 'meshgate.io/grpc-health-check'?");
  EXPECT_FALSE(clusterNamed(t, "outbound|50051||svc.default.svc.cluster.local").health_check);
}

TEST(GrpcHealthCheckTranslateTest, FirstRuleWithTheAnnotationWins) {
  Translated t = translateYaml(std::string(kMesh) + R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: first}
spec:
  host: svc
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: second
  annotations: {meshgate.io/grpc-health-check: "interval=3s"}
spec:
  host: svc.default.svc.cluster.local
  subsets:
  - {name: v1, labels: {version: v1}}
)");
  const ir::Cluster& cluster = clusterNamed(t, "outbound|50051||svc.default.svc.cluster.local");
  ASSERT_TRUE(cluster.health_check);
  EXPECT_EQ(cluster.health_check->interval, milliseconds(3000));
}

}  // namespace
}  // namespace meshgate::translate
