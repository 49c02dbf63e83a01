#include <gtest/gtest.h>

#include "config/loader.h"

namespace meshgate::config {
namespace {

constexpr const char* kRule = R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: dr}
spec:
  host: svc
  trafficPolicy:
    loadBalancer:
      consistentHash:
        httpCookie: {name: c, path: /p, ttl: 1.5s}
        ringHash: {minimumRingSize: 4096}
      localityLbSetting:
        enabled: true
        failover: [{from: r1, to: r2}]
        failoverPriority: [topology.kubernetes.io/region]
        distribute: [{from: r1/*, to: {"r1/*": 80, "r2/*": 20}}]
    connectionPool:
      tcp: {maxConnections: 3, connectTimeout: 2s}
      http: {http2MaxRequests: 9, maxRequestsPerConnection: 4, maxConcurrentStreams: 5,
             idleTimeout: 1m, h2UpgradePolicy: UPGRADE}
    tls:
      mode: MUTUAL
      caCertificates: ca.pem
      clientCertificate: c.pem
      privateKey: k.pem
      sni: s.example
      subjectAltNames: [a, b]
      insecureSkipVerify: true
    portLevelSettings:
    - port: {number: 8080}
      loadBalancer: {simple: RANDOM}
      outlierDetection:
        consecutiveErrors: 2
        consecutive5xxErrors: 1
        consecutiveGatewayErrors: 3
        consecutiveLocalOriginFailures: 4
        splitExternalLocalOriginErrors: true
        interval: 5s
        baseEjectionTime: 1m
        maxEjectionPercent: 30
        minHealthPercent: 40
  subsets:
  - name: v1
    labels: {version: v1}
    trafficPolicy:
      loadBalancer: {consistentHash: {maglev: {tableSize: 7}, useSourceIp: true}}
      tunnel: {protocol: CONNECT}
)";

TEST(DecodeTrafficPolicyTest, EveryImplementedFieldIsDecoded) {
  LoadResult loaded = loadString(kRule, "dr.yaml");
  ASSERT_FALSE(loaded.diagnostics.hasErrors()) << loaded.diagnostics.format();
  ASSERT_EQ(loaded.model.destination_rules.size(), 1u);
  const DestinationRule& rule = loaded.model.destination_rules[0];
  ASSERT_TRUE(rule.traffic_policy);
  const TrafficPolicy& policy = *rule.traffic_policy;

  ASSERT_TRUE(policy.load_balancer && policy.load_balancer->consistent_hash);
  const ConsistentHash& hash = *policy.load_balancer->consistent_hash;
  ASSERT_TRUE(hash.http_cookie);
  EXPECT_EQ(hash.http_cookie->name.value, "c");
  EXPECT_EQ(hash.http_cookie->path.value, "/p");
  EXPECT_EQ(hash.http_cookie->ttl.value, std::chrono::milliseconds(1500));
  EXPECT_TRUE(hash.ring_hash);
  EXPECT_EQ(hash.ring_minimum_size.value, 4096u);

  ASSERT_TRUE(policy.connection_pool);
  const ConnectionPoolSettings& pool = *policy.connection_pool;
  EXPECT_EQ(pool.max_connections.value, 3u);
  EXPECT_EQ(pool.connect_timeout.value, std::chrono::seconds(2));
  EXPECT_EQ(pool.http2_max_requests.value, 9u);
  EXPECT_EQ(pool.max_requests_per_connection.value, 4u);
  EXPECT_EQ(pool.max_concurrent_streams.value, 5u);
  EXPECT_EQ(pool.idle_timeout.value, std::chrono::minutes(1));

  ASSERT_TRUE(policy.tls);
  EXPECT_EQ(policy.tls->mode.value, "MUTUAL");
  EXPECT_EQ(policy.tls->ca_certificates.value, "ca.pem");
  EXPECT_EQ(policy.tls->client_certificate.value, "c.pem");
  EXPECT_EQ(policy.tls->private_key.value, "k.pem");
  EXPECT_EQ(policy.tls->sni.value, "s.example");
  ASSERT_EQ(policy.tls->subject_alt_names.size(), 2u);
  EXPECT_TRUE(policy.tls->insecure_skip_verify.value);

  ASSERT_EQ(policy.port_level_settings.size(), 1u);
  EXPECT_EQ(policy.port_level_settings[0].port.value, 8080u);
  EXPECT_EQ(policy.port_level_settings[0].load_balancer->simple.value, "RANDOM");

  ASSERT_TRUE(policy.load_balancer->locality);
  const LocalityLbSettings& locality = *policy.load_balancer->locality;
  EXPECT_TRUE(locality.enabled.value);
  ASSERT_EQ(locality.failover.size(), 1u);
  EXPECT_EQ(locality.failover[0].from.value, "r1");
  EXPECT_EQ(locality.failover[0].to.value, "r2");
  ASSERT_EQ(locality.failover_priority.size(), 1u);
  EXPECT_EQ(locality.failover_priority[0].value, "topology.kubernetes.io/region");
  ASSERT_EQ(locality.distribute.size(), 1u);
  EXPECT_EQ(locality.distribute[0].to, (Labels{{"r1/*", "80"}, {"r2/*", "20"}}));

  const auto& outlier = policy.port_level_settings[0].outlier_detection;
  ASSERT_TRUE(outlier);
  EXPECT_EQ(outlier->consecutive_errors.value, 2);
  EXPECT_EQ(outlier->consecutive_5xx_errors.value, 1u);
  EXPECT_EQ(outlier->consecutive_gateway_errors.value, 3u);
  EXPECT_EQ(outlier->consecutive_local_origin_failures.value, 4u);
  EXPECT_TRUE(outlier->split_external_local_origin_errors.value);
  EXPECT_EQ(outlier->interval.value, std::chrono::seconds(5));
  EXPECT_EQ(outlier->base_ejection_time.value, std::chrono::minutes(1));
  EXPECT_EQ(outlier->max_ejection_percent.value, 30);
  EXPECT_EQ(outlier->min_health_percent.value, 40);
  EXPECT_EQ(outlier->where.line, 32);  // its first key

  // Not implemented: kept with their positions for translate's warnings.
  std::vector<std::string> unimplemented;
  for (const auto& field : policy.unimplemented) unimplemented.push_back(field.value);
  EXPECT_EQ(unimplemented, (std::vector<std::string>{"connectionPool.http.h2UpgradePolicy"}));
  EXPECT_TRUE(policy.port_level_settings[0].unimplemented.empty());

  const auto& subset_policy = rule.subsets.at(0).traffic_policy;
  ASSERT_TRUE(subset_policy && subset_policy->load_balancer);
  const auto& subset_hash = subset_policy->load_balancer->consistent_hash;
  ASSERT_TRUE(subset_hash);
  EXPECT_TRUE(subset_hash->maglev);
  EXPECT_EQ(subset_hash->maglev_table_size.value, 7u);
  EXPECT_TRUE(subset_hash->use_source_ip.value);
  ASSERT_EQ(subset_policy->unimplemented.size(), 1u);
  EXPECT_EQ(subset_policy->unimplemented[0].value, "tunnel");
}

TEST(DecodeTrafficPolicyTest, TypeErrorsAndUnknownFieldsHaveTheirPath) {
  LoadResult loaded = loadString(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: dr}
spec:
  host: svc
  trafficPolicy:
    connectionPool: {tcp: {maxConnections: many}}
    loadBalancer: {consistentHash: {httpHeader: x}}
)",
                                 "dr.yaml");
  std::string text = loaded.diagnostics.format();
  EXPECT_NE(text.find("dr.yaml:7:44: error: spec.trafficPolicy.connectionPool.tcp.maxConnections: "
                      "expected a number, got 'many'"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("spec.trafficPolicy.loadBalancer.consistentHash.httpHeader"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace meshgate::config
