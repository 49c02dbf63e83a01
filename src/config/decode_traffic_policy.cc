// DestinationRule trafficPolicy: loadBalancer, connectionPool, tls, outlierDetection and
// portLevelSettings.
// Fields meshgate does not implement are recorded (with their position) for translate's warning.
#include "config/decode.h"

namespace meshgate::config {
namespace {

using Unimplemented = std::vector<Located<std::string>>;

// Records the keys present in `reader` as "<prefix><key>" for translate to warn about.
void recordPresent(MapReader& reader, std::initializer_list<std::string_view> keys,
                   const std::string& prefix, Unimplemented& out) {
  for (std::string_view key : keys) {
    Unimplemented found;
    reader.presence(key, found);
    for (auto& entry : found) {
      entry.value = prefix + entry.value;
      out.push_back(std::move(entry));
    }
  }
}

ConsistentHash decodeConsistentHash(MapReader& hash) {
  ConsistentHash out;
  out.where = hash.where();
  out.http_header_name = hash.string("httpHeaderName");
  hash.object("httpCookie", [&](MapReader& cookie) {
    ConsistentHash::Cookie decoded;
    decoded.where = cookie.where();
    decoded.name = cookie.string("name", true);
    decoded.path = cookie.string("path");
    decoded.ttl = cookie.duration("ttl");
    cookie.ignore({"attributes"});
    out.http_cookie = std::move(decoded);
  });
  out.use_source_ip = hash.boolean("useSourceIp");
  out.http_query_parameter_name = hash.string("httpQueryParameterName");
  hash.object("ringHash", [&](MapReader& ring) {
    out.ring_hash = ring.where();
    out.ring_minimum_size = ring.uint("minimumRingSize", 0x7fffffffu);
  });
  hash.object("maglev", [&](MapReader& maglev) {
    out.maglev = maglev.where();
    out.maglev_table_size = maglev.uint("tableSize", 0x7fffffffu);
  });
  out.minimum_ring_size = hash.uint("minimumRingSize", 0x7fffffffu);
  return out;
}

LocalityLbSettings decodeLocality(MapReader& locality) {
  LocalityLbSettings out;
  out.where = locality.where();
  out.enabled = locality.boolean("enabled");
  locality.list("failover", [&](MapReader& entry, size_t) {
    out.failover.push_back({entry.string("from"), entry.string("to"), entry.where()});
  });
  out.failover_priority = locality.stringList("failoverPriority");
  locality.list("distribute", [&](MapReader& entry, size_t) {
    out.distribute.push_back({entry.string("from"), entry.stringMap("to"), entry.where()});
  });
  return out;
}

OutlierDetectionSettings decodeOutlierDetection(MapReader& outlier) {
  OutlierDetectionSettings out;
  out.where = outlier.where();
  out.consecutive_errors = outlier.integer("consecutiveErrors");
  out.consecutive_5xx_errors = outlier.uint("consecutive5xxErrors", 0xffffffffu);
  out.consecutive_gateway_errors = outlier.uint("consecutiveGatewayErrors", 0xffffffffu);
  out.consecutive_local_origin_failures =
      outlier.uint("consecutiveLocalOriginFailures", 0xffffffffu);
  out.split_external_local_origin_errors = outlier.boolean("splitExternalLocalOriginErrors");
  out.interval = outlier.duration("interval");
  out.base_ejection_time = outlier.duration("baseEjectionTime");
  out.max_ejection_percent = outlier.integer("maxEjectionPercent");
  out.min_health_percent = outlier.integer("minHealthPercent");
  return out;
}

LoadBalancerSettings decodeLoadBalancer(MapReader& lb, const std::string& prefix,
                                        Unimplemented& unimplemented) {
  LoadBalancerSettings out;
  out.where = lb.where();
  out.simple = lb.string("simple");
  lb.object("consistentHash",
            [&](MapReader& hash) { out.consistent_hash = decodeConsistentHash(hash); });
  lb.object("localityLbSetting",
            [&](MapReader& locality) { out.locality = decodeLocality(locality); });
  recordPresent(lb, {"warmupDurationSecs", "warmup"}, prefix + "loadBalancer.", unimplemented);
  return out;
}

ConnectionPoolSettings decodeConnectionPool(MapReader& pool, const std::string& prefix,
                                            Unimplemented& unimplemented) {
  ConnectionPoolSettings out;
  out.where = pool.where();
  pool.object("tcp", [&](MapReader& tcp) {
    out.max_connections = tcp.uint("maxConnections", 0x7fffffffu);
    out.connect_timeout = tcp.duration("connectTimeout");
    recordPresent(tcp, {"tcpKeepalive", "maxConnectionDuration", "idleTimeout"},
                  prefix + "connectionPool.tcp.", unimplemented);
  });
  pool.object("http", [&](MapReader& http) {
    out.http2_max_requests = http.uint("http2MaxRequests", 0x7fffffffu);
    out.max_requests_per_connection = http.uint("maxRequestsPerConnection", 0x7fffffffu);
    out.max_concurrent_streams = http.uint("maxConcurrentStreams", 0x7fffffffu);
    out.idle_timeout = http.duration("idleTimeout");
    recordPresent(http,
                  {"http1MaxPendingRequests", "maxRetries", "h2UpgradePolicy", "useClientProtocol"},
                  prefix + "connectionPool.http.", unimplemented);
  });
  return out;
}

ClientTlsSettings decodeClientTls(MapReader& tls, const std::string& prefix,
                                  Unimplemented& unimplemented) {
  ClientTlsSettings out;
  out.where = tls.where();
  out.mode = tls.string("mode");
  out.ca_certificates = tls.string("caCertificates");
  out.client_certificate = tls.string("clientCertificate");
  out.private_key = tls.string("privateKey");
  out.credential_name = tls.string("credentialName");
  out.sni = tls.string("sni");
  out.subject_alt_names = tls.stringList("subjectAltNames");
  out.insecure_skip_verify = tls.boolean("insecureSkipVerify");
  recordPresent(tls, {"caCrl"}, prefix + "tls.", unimplemented);
  return out;
}

// The groups shared by a policy and a portLevelSettings entry.
template <typename Policy>
void decodeGroups(MapReader& reader, Policy& out) {
  reader.object("loadBalancer", [&](MapReader& lb) {
    out.load_balancer = decodeLoadBalancer(lb, "", out.unimplemented);
  });
  reader.object("connectionPool", [&](MapReader& pool) {
    out.connection_pool = decodeConnectionPool(pool, "", out.unimplemented);
  });
  reader.object("tls",
                [&](MapReader& tls) { out.tls = decodeClientTls(tls, "", out.unimplemented); });
  reader.object("outlierDetection", [&](MapReader& outlier) {
    out.outlier_detection = decodeOutlierDetection(outlier);
  });
}

}  // namespace

TrafficPolicy decodeTrafficPolicy(MapReader& policy) {
  TrafficPolicy out;
  out.where = policy.where();
  decodeGroups(policy, out);
  policy.list("portLevelSettings", [&](MapReader& port_reader, size_t index) {
    PortTrafficPolicy port;
    port.where = port_reader.where();
    port_reader.object("port",
                       [&](MapReader& selector) { port.port = selector.port("number", true); });
    if (!port.port) port_reader.require("port");
    decodeGroups(port_reader, port);
    // Reported from the policy, so the paths carry the index.
    std::string prefix = "portLevelSettings[" + std::to_string(index) + "].";
    for (auto& entry : port.unimplemented) entry.value = prefix + entry.value;
    out.port_level_settings.push_back(std::move(port));
  });
  recordPresent(policy, {"tunnel", "proxyProtocol"}, "", out.unimplemented);
  return out;
}

}  // namespace meshgate::config
