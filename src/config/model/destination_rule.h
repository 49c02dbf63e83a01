#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/model/meta.h"

namespace meshgate::config {

// loadBalancer.consistentHash. Exactly one hash key should be set; translate checks that.
struct ConsistentHash {
  struct Cookie {
    Located<std::string> name;
    Located<std::string> path;
    Located<Duration> ttl;
    SourceRef where;
    bool operator==(const Cookie&) const = default;
  };
  Located<std::string> http_header_name;
  std::optional<Cookie> http_cookie;
  Located<bool> use_source_ip;
  Located<std::string> http_query_parameter_name;
  std::optional<SourceRef> ring_hash;  // where ringHash: is written
  Located<uint32_t> ring_minimum_size;
  std::optional<SourceRef> maglev;  // where maglev: is written
  Located<uint32_t> maglev_table_size;
  Located<uint32_t> minimum_ring_size;  // the deprecated top-level field
  SourceRef where;
  bool operator==(const ConsistentHash&) const = default;
};

// loadBalancer.localityLbSetting.
struct LocalityLbSettings {
  struct Failover {
    Located<std::string> from;  // regions
    Located<std::string> to;
    SourceRef where;
    bool operator==(const Failover&) const = default;
  };
  struct Distribute {
    Located<std::string> from;  // region/zone/subzone, '*' wildcards
    Labels to;                  // locality → weight (text, checked by translate)
    SourceRef where;
    bool operator==(const Distribute&) const = default;
  };
  Located<bool> enabled;
  std::vector<Failover> failover;
  std::vector<Located<std::string>> failover_priority;  // label names, best match first
  std::vector<Distribute> distribute;
  SourceRef where;
  bool operator==(const LocalityLbSettings&) const = default;
};

struct LoadBalancerSettings {
  Located<std::string> simple;  // ROUND_ROBIN, LEAST_REQUEST, RANDOM, PASSTHROUGH, ...
  std::optional<ConsistentHash> consistent_hash;
  std::optional<LocalityLbSettings> locality;
  SourceRef where;
  bool operator==(const LoadBalancerSettings&) const = default;
};

struct ConnectionPoolSettings {
  Located<uint32_t> max_connections;  // tcp
  Located<Duration> connect_timeout;  // tcp
  Located<uint32_t> http2_max_requests;
  Located<uint32_t> max_requests_per_connection;
  Located<uint32_t> max_concurrent_streams;
  Located<Duration> idle_timeout;  // http
  SourceRef where;
  bool operator==(const ConnectionPoolSettings&) const = default;
};

struct ClientTlsSettings {
  Located<std::string> mode;  // DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL
  Located<std::string> ca_certificates;
  Located<std::string> client_certificate;
  Located<std::string> private_key;
  Located<std::string> credential_name;
  Located<std::string> sni;
  std::vector<Located<std::string>> subject_alt_names;
  Located<bool> insecure_skip_verify;
  SourceRef where;
  bool operator==(const ClientTlsSettings&) const = default;
};

// trafficPolicy.outlierDetection. Percentages and the deprecated consecutiveErrors are int32
// in Istio's API; translate checks their ranges.
struct OutlierDetectionSettings {
  Located<int64_t> consecutive_errors;  // deprecated
  Located<uint32_t> consecutive_5xx_errors;
  Located<uint32_t> consecutive_gateway_errors;
  Located<uint32_t> consecutive_local_origin_failures;
  Located<bool> split_external_local_origin_errors;
  Located<Duration> interval;
  Located<Duration> base_ejection_time;
  Located<int64_t> max_ejection_percent;
  Located<int64_t> min_health_percent;
  SourceRef where;
  bool operator==(const OutlierDetectionSettings&) const = default;
};

// The field groups a portLevelSettings entry may carry (Istio's PortTrafficPolicy).
struct PortTrafficPolicy {
  Located<uint32_t> port;
  std::optional<LoadBalancerSettings> load_balancer;
  std::optional<ConnectionPoolSettings> connection_pool;
  std::optional<ClientTlsSettings> tls;
  std::optional<OutlierDetectionSettings> outlier_detection;
  // Fields meshgate parses but does not implement, as paths relative to this map
  // ("outlierDetection", "connectionPool.tcp.tcpKeepalive"), with their positions.
  std::vector<Located<std::string>> unimplemented;
  SourceRef where;
  bool operator==(const PortTrafficPolicy&) const = default;
};

struct TrafficPolicy {
  std::optional<LoadBalancerSettings> load_balancer;
  std::optional<ConnectionPoolSettings> connection_pool;
  std::optional<ClientTlsSettings> tls;
  std::optional<OutlierDetectionSettings> outlier_detection;
  std::vector<PortTrafficPolicy> port_level_settings;
  std::vector<Located<std::string>> unimplemented;  // as in PortTrafficPolicy
  SourceRef where;
  bool operator==(const TrafficPolicy&) const = default;
};

struct Subset {
  Located<std::string> name;
  Labels labels;
  std::optional<TrafficPolicy> traffic_policy;
  SourceRef where;
  bool operator==(const Subset&) const = default;
};

struct DestinationRule {
  ObjectMeta meta;
  Located<std::string> host;
  std::optional<TrafficPolicy> traffic_policy;
  std::vector<Subset> subsets;
  std::vector<Located<std::string>> export_to;
  bool operator==(const DestinationRule&) const = default;
};

}  // namespace meshgate::config
