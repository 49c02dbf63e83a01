// DestinationRule trafficPolicy → ir::Cluster: Istio's precedence and the refused settings.
#include "translate/traffic_policy.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "config/loader.h"
#include "translate/translate.h"
#include "unit/translate/translate_yaml.h"

namespace meshgate::translate {
namespace {

// A Service with ports 50051 and 50052 and a VirtualService with one route per (port,
// subset) pair, so each cluster below exists.
constexpr const char* kBase = R"(apiVersion: networking.istio.io/v1
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
    route: [{destination: {host: svc, port: {number: 50052}}}]
  - match: [{uri: {prefix: /c}}]
    route: [{destination: {host: svc, port: {number: 50051}, subset: v1}}]
  - match: [{uri: {prefix: /d}}]
    route: [{destination: {host: svc, port: {number: 50052}, subset: v1}}]
---
)";

Translated run(const std::string& rules, const std::string& file = "test.yaml") {
  return translateYaml(kBase + rules, {}, file);
}

// The cluster of svc.default for a port and subset.
const ir::Cluster& clusterOf(const Translated& t, uint32_t port, const std::string& subset = "") {
  return clusterNamed(
      t, "outbound|" + std::to_string(port) + "|" + subset + "|svc.default.svc.cluster.local");
}

// The errors and warnings about the DestinationRules only (endpoint warnings left out).
std::string policyDiagnostics(const Translated& t) {
  std::string out;
  for (const auto& d : t.diagnostics.all()) {
    if (d.message.find("no ready endpoints") != std::string::npos) continue;
    out += config::formatDiagnostic(d);
  }
  return out;
}

constexpr const char* kPrecedence = R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: dr}
spec:
  host: svc
  trafficPolicy:
    loadBalancer: {simple: RANDOM}
    connectionPool: {http: {http2MaxRequests: 100}}
    portLevelSettings:
    - port: {number: 50052}
      loadBalancer: {simple: LEAST_REQUEST}
  subsets:
  - name: v1
    labels: {version: v1}
    trafficPolicy:
      connectionPool: {tcp: {maxConnections: 7}}
      portLevelSettings:
      - port: {number: 50052}
        connectionPool: {http: {maxConcurrentStreams: 3}}
)";

// Istio's MergeTrafficPolicy: port-level replaces the groups as a whole (unset → default);
// the subset's groups replace the merged top level; the subset's own port entry replaces all.
TEST(TrafficPolicyTest, PrecedenceTable) {
  Translated t = run(kPrecedence);
  ASSERT_FALSE(t.diagnostics.hasErrors()) << t.diagnostics.format();
  struct Row {
    uint32_t port;
    std::string subset;
    ir::LbPolicy lb;
    uint32_t max_requests, max_connections, max_streams;
  };
  std::vector<Row> table = {
      {50051, "", ir::LbPolicy::kRandom, 100, 0, 0},      // top level
      {50052, "", ir::LbPolicy::kLeastRequest, 0, 0, 0},  // port entry: pool back to default
      {50051, "v1", ir::LbPolicy::kRandom, 0, 7, 0},      // subset pool over top level
      {50052, "v1", ir::LbPolicy::kRoundRobin, 0, 0, 3},  // subset port entry replaces all
  };
  for (const Row& row : table) {
    SCOPED_TRACE(std::to_string(row.port) + " subset '" + row.subset + "'");
    const ir::Cluster& c = clusterOf(t, row.port, row.subset);
    EXPECT_EQ(c.load_balancer.policy, row.lb);
    EXPECT_EQ(c.connection_pool.max_requests, row.max_requests);
    EXPECT_EQ(c.connection_pool.max_connections, row.max_connections);
    EXPECT_EQ(c.connection_pool.max_concurrent_streams, row.max_streams);
  }
}

TEST(TrafficPolicyTest, ConsistentHashKindsAndTables) {
  Translated t = run(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: dr}
spec:
  host: svc
  trafficPolicy:
    loadBalancer:
      consistentHash: {httpHeaderName: X-User, ringHash: {minimumRingSize: 2048}}
    portLevelSettings:
    - port: {number: 50052}
      loadBalancer:
        consistentHash:
          httpCookie: {name: affinity, path: /, ttl: 60s}
          maglev: {tableSize: 131071}
  subsets:
  - name: v1
    labels: {version: v1}
    trafficPolicy:
      loadBalancer: {consistentHash: {useSourceIp: true, minimumRingSize: 512}}
)");
  ASSERT_FALSE(t.diagnostics.hasErrors()) << t.diagnostics.format();
  const ir::LoadBalancer& header = clusterOf(t, 50051).load_balancer;
  EXPECT_EQ(header.policy, ir::LbPolicy::kRingHash);
  EXPECT_EQ(header.ring_minimum_size, 2048u);
  ASSERT_TRUE(header.hash);
  EXPECT_EQ(header.hash->kind, ir::HashPolicy::Kind::kHeader);
  EXPECT_EQ(header.hash->name, "x-user");

  const ir::LoadBalancer& cookie = clusterOf(t, 50052).load_balancer;
  EXPECT_EQ(cookie.policy, ir::LbPolicy::kMaglev);
  EXPECT_EQ(cookie.maglev_table_size, 131071u);
  ASSERT_TRUE(cookie.hash);
  EXPECT_EQ(cookie.hash->kind, ir::HashPolicy::Kind::kCookie);
  EXPECT_EQ(cookie.hash->name, "affinity");
  EXPECT_EQ(cookie.hash->cookie_path, "/");
  EXPECT_EQ(cookie.hash->cookie_ttl, std::chrono::milliseconds(60000));

  const ir::LoadBalancer& source = clusterOf(t, 50051, "v1").load_balancer;
  EXPECT_EQ(source.policy, ir::LbPolicy::kRingHash);
  EXPECT_EQ(source.ring_minimum_size, 512u);  // the deprecated field still counts
  EXPECT_EQ(source.hash->kind, ir::HashPolicy::Kind::kSourceIp);
}

TEST(TrafficPolicyTest, ConnectionPoolFields) {
  Translated t = run(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: dr}
spec:
  host: svc
  trafficPolicy:
    connectionPool:
      tcp: {maxConnections: 4, connectTimeout: 250ms, tcpKeepalive: {time: 10s}}
      http: {http2MaxRequests: 10, maxRequestsPerConnection: 5, maxConcurrentStreams: 2,
             idleTimeout: 30s, maxRetries: 3}
  subsets: [{name: v1, labels: {version: v1}}]
)");
  ASSERT_FALSE(t.diagnostics.hasErrors()) << t.diagnostics.format();
  const ir::ConnectionPoolSettings& pool = clusterOf(t, 50051).connection_pool;
  EXPECT_EQ(pool.max_connections, 4u);
  EXPECT_EQ(pool.connect_timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(pool.max_requests, 10u);
  EXPECT_EQ(pool.max_requests_per_connection, 5u);
  EXPECT_EQ(pool.max_concurrent_streams, 2u);
  EXPECT_EQ(pool.idle_timeout, std::chrono::milliseconds(30000));
  EXPECT_EQ(policyDiagnostics(t),
            "test.yaml:40:55: warning: spec.trafficPolicy.connectionPool.tcp.tcpKeepalive: "
            "meshgate does not implement trafficPolicy.connectionPool.tcp.tcpKeepalive yet; it "
            "is ignored\n"
            "test.yaml:42:32: warning: spec.trafficPolicy.connectionPool.http.maxRetries: "
            "meshgate does not implement trafficPolicy.connectionPool.http.maxRetries yet; it is "
            "ignored\n");
}

TEST(TrafficPolicyTest, RefusedSettingsAreErrorsWithLocationAndFix) {
  Translated t = run(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: dr}
spec:
  host: svc
  trafficPolicy:
    loadBalancer: {simple: PASSTHROUGH}
    tls: {mode: ISTIO_MUTUAL}
    outlierDetection: {maxEjectionPercent: 150}
  subsets: [{name: v1, labels: {version: v1}}]
)");
  EXPECT_EQ(policyDiagnostics(t),
            "test.yaml:39:28: error: spec.trafficPolicy.loadBalancer.simple: PASSTHROUGH forwards "
            "to the original destination address of the connection, which a gateway does not "
            "have\n  hint: use ROUND_ROBIN, LEAST_REQUEST or RANDOM\n"
            "test.yaml:40:17: error: spec.trafficPolicy.tls.mode: ISTIO_MUTUAL needs the mesh's "
            "certificate authority, which a standalone gateway does not have\n"
            "  hint: use mode: MUTUAL with clientCertificate and privateKey (or credentialName)\n"
            "test.yaml:41:44: error: spec.trafficPolicy.outlierDetection.maxEjectionPercent: "
            "percentage 150 is outside 0-100\n");
}

TEST(TrafficPolicyTest, ProblemsOfUnusedPoliciesAreReportedToo) {
  Translated t = run(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: other}
spec:
  host: nobody-routes-here
  trafficPolicy:
    loadBalancer: {consistentHash: {httpHeaderName: a, useSourceIp: true}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: dr}
spec:
  host: svc
  subsets: [{name: v1, labels: {version: v1}}]
)");
  EXPECT_NE(policyDiagnostics(t).find("error: spec.trafficPolicy.loadBalancer.consistentHash: "
                                      "consistentHash sets 2 hash keys"),
            std::string::npos)
      << policyDiagnostics(t);
}

TEST(TrafficPolicyTest, TlsFilesAreReadAndUnreadableOnesAreErrors) {
  auto dir = std::filesystem::temp_directory_path() / "meshgate_traffic_policy_test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "ca.pem") << "-----BEGIN CERTIFICATE-----\nY2E=\n-----END CERTIFICATE-----\n";
  std::ofstream(dir / "client.pem")
      << "-----BEGIN CERTIFICATE-----\nYw==\n-----END CERTIFICATE-----\n";
  std::ofstream(dir / "client.key")
      << "-----BEGIN PRIVATE KEY-----\naw==\n-----END PRIVATE KEY-----\n";
  Translated t = run(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: dr}
spec:
  host: svc
  trafficPolicy:
    tls: {mode: MUTUAL, caCertificates: ca.pem, clientCertificate: client.pem,
          privateKey: client.key, sni: backend.internal, subjectAltNames: [spiffe://x]}
    portLevelSettings:
    - port: {number: 50052}
      tls: {mode: SIMPLE, caCertificates: missing.pem}
  subsets: [{name: v1, labels: {version: v1}}]
)",
                     (dir / "dr.yaml").string());
  std::filesystem::remove_all(dir);
  const auto& tls = clusterOf(t, 50051).tls;
  ASSERT_TRUE(tls);
  EXPECT_EQ(tls->mode, ir::UpstreamTls::Mode::kMutual);
  EXPECT_NE(tls->ca_pem.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_NE(tls->key_pem.find("BEGIN PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(tls->sni, "backend.internal");
  EXPECT_EQ(tls->subject_alt_names, std::vector<std::string>{"spiffe://x"});
  EXPECT_NE(policyDiagnostics(t).find("dr.yaml:43:43: error: "
                                      "spec.trafficPolicy.portLevelSettings[0].tls.caCertificates: "
                                      "cannot read 'missing.pem'"),
            std::string::npos)
      << policyDiagnostics(t);
}

TEST(TrafficPolicyTest, CredentialNameReadsGenericAndCacertSecrets) {
  Translated t = run(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: dr}
spec:
  host: svc
  trafficPolicy:
    tls: {mode: MUTUAL, credentialName: client}
  subsets: [{name: v1, labels: {version: v1}}]
---
apiVersion: v1
kind: Secret
metadata: {name: client}
stringData: {cert: "-----BEGIN CERTIFICATE----- c", key: "-----BEGIN KEY----- k"}
---
apiVersion: v1
kind: Secret
metadata: {name: client-cacert}
stringData: {cacert: "-----BEGIN CERTIFICATE----- ca"}
)");
  ASSERT_FALSE(t.diagnostics.hasErrors()) << t.diagnostics.format();
  const auto& tls = clusterOf(t, 50051).tls;
  ASSERT_TRUE(tls);
  EXPECT_EQ(tls->cert_pem, "-----BEGIN CERTIFICATE----- c");
  EXPECT_EQ(tls->key_pem, "-----BEGIN KEY----- k");
  EXPECT_EQ(tls->ca_pem, "-----BEGIN CERTIFICATE----- ca");
  EXPECT_EQ(tls->source_name, "default/client");
}

TEST(TrafficPolicyTest, TheFirstOfSeveralRulesForAHostWinsWithAWarning) {
  Translated t = run(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: first}
spec:
  host: svc
  trafficPolicy: {loadBalancer: {simple: RANDOM}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: second}
spec:
  host: svc.default.svc.cluster.local
  trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}
  subsets: [{name: v1, labels: {version: v1}}]
)");
  ASSERT_FALSE(t.diagnostics.hasErrors()) << t.diagnostics.format();
  EXPECT_EQ(clusterOf(t, 50051).load_balancer.policy, ir::LbPolicy::kRandom);
  EXPECT_EQ(clusterOf(t, 50051, "v1").load_balancer.policy, ir::LbPolicy::kRandom);
  std::string diagnostics = policyDiagnostics(t);
  EXPECT_NE(diagnostics.find("DestinationRule default/second and DestinationRule default/first"),
            std::string::npos)
      << diagnostics;
}

}  // namespace
}  // namespace meshgate::translate
