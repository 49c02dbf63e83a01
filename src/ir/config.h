#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/source_ref.h"

// The resolved, Envoy-shaped configuration that translate/ produces from the Istio model and
// that the data plane (and later xds/ and check/) consume. Plain aggregates: no Istio
// semantics are left to interpret here.
namespace meshgate::ir {

using base::SourceRef;

// The protocol the upstream port was declared with, and why (check/ explains the decision).
enum class UpstreamProtocol { kHttp2, kHttp11, kUnknown };

struct Endpoint {
  std::string address;  // IPv4/IPv6 literal, or a hostname when the cluster resolves by DNS
  uint16_t port = 0;
  uint32_t weight = 1;
  std::vector<std::pair<std::string, std::string>> labels;
  std::string locality;
  // Locality load balancing: 0 is the most preferred level; calls go to lower levels only when
  // the better ones lack healthy hosts (Envoy's priorities).
  uint32_t priority = 0;
  bool operator==(const Endpoint&) const = default;
};

// DestinationRule trafficPolicy.loadBalancer, resolved with Istio's precedence (subset over
// portLevelSettings over top level).
enum class LbPolicy { kRoundRobin, kLeastRequest, kRandom, kRingHash, kMaglev };

// consistentHash: what the hash of a call is computed from.
struct HashPolicy {
  enum class Kind { kHeader, kCookie, kSourceIp, kQueryParameter };
  Kind kind = Kind::kHeader;
  std::string name;                                     // header (lower-case), cookie or parameter
  std::optional<std::chrono::milliseconds> cookie_ttl;  // set: the gateway sets the cookie
  std::string cookie_path;
  bool operator==(const HashPolicy&) const = default;
};

struct LoadBalancer {
  LbPolicy policy = LbPolicy::kRoundRobin;
  std::optional<HashPolicy> hash;  // with kRingHash and kMaglev
  uint64_t ring_minimum_size = 1024;
  uint64_t maglev_table_size = 65537;
  bool operator==(const LoadBalancer&) const = default;
};

// DestinationRule trafficPolicy.connectionPool. Zero means "no limit set" (meshgate's defaults).
struct ConnectionPoolSettings {
  uint32_t max_connections = 0;                              // tcp.maxConnections (per host)
  std::optional<std::chrono::milliseconds> connect_timeout;  // tcp.connectTimeout
  uint32_t max_requests = 0;                 // http.http2MaxRequests (per cluster, active)
  uint32_t max_requests_per_connection = 0;  // http.maxRequestsPerConnection
  uint32_t max_concurrent_streams = 0;       // http.maxConcurrentStreams (per connection)
  std::optional<std::chrono::milliseconds> idle_timeout;  // http.idleTimeout
  bool operator==(const ConnectionPoolSettings&) const = default;
};

// DestinationRule trafficPolicy.outlierDetection with Istio's defaults filled in (Envoy's
// consecutive_5xx, consecutive_gateway_failure and consecutive_local_origin_failure; 0 turns
// one off).
struct OutlierDetection {
  uint32_t consecutive_5xx = 5;
  uint32_t consecutive_gateway = 0;
  uint32_t consecutive_local_origin = 5;  // only with split_local_origin
  bool split_local_origin = false;
  std::chrono::milliseconds interval{10000};
  std::chrono::milliseconds base_ejection_time{30000};
  uint32_t max_ejection_percent = 10;
  // Below this share of healthy hosts the cluster balances over all of them (Envoy's
  // healthy_panic_threshold; Istio sets it from minHealthPercent, 0 by default).
  uint32_t min_health_percent = 0;
  bool operator==(const OutlierDetection&) const = default;
};

// DestinationRule trafficPolicy.tls towards the upstream. Absent: plaintext (DISABLE).
struct UpstreamTls {
  enum class Mode { kSimple, kMutual };
  Mode mode = Mode::kSimple;
  std::string ca_pem;  // empty: the system trust store
  std::string cert_pem;
  std::string key_pem;
  std::string sni;
  std::vector<std::string> subject_alt_names;
  bool insecure_skip_verify = false;
  std::string source_name;  // credentialName or file paths, for messages
  bool operator==(const UpstreamTls&) const = default;
};

// Active gRPC health checking (grpc.health.v1.Health/Check), from the DestinationRule
// annotation meshgate.io/grpc-health-check: each host is probed every `interval` (plus jitter)
// and leaves the load-balancing set after `unhealthy_threshold` consecutive failures, returning
// after `healthy_threshold` consecutive successes.
struct HealthCheck {
  std::chrono::milliseconds interval{5000};
  std::chrono::milliseconds timeout{1000};
  uint32_t unhealthy_threshold = 3;
  uint32_t healthy_threshold = 2;
  std::string service;  // HealthCheckRequest.service; empty: the server as a whole
  bool operator==(const HealthCheck&) const = default;
};

struct Cluster {
  std::string name;          // Istio's name: outbound|50051||grpc-service.default.svc.cluster.local
  std::string service_host;  // grpc-service.default.svc.cluster.local
  uint16_t service_port = 0;
  bool resolve_dns = false;  // endpoints hold hostnames, resolved by the system resolver
  std::vector<Endpoint> endpoints;
  UpstreamProtocol declared_protocol = UpstreamProtocol::kUnknown;
  std::string protocol_reason;  // e.g. "port name 'http' declares HTTP/1.1"
  LoadBalancer load_balancer;
  ConnectionPoolSettings connection_pool;
  std::optional<UpstreamTls> tls;
  std::optional<HealthCheck> health_check;  // nullopt: never probed
  std::optional<OutlierDetection> outlier_detection;
  SourceRef source;
  bool operator==(const Cluster&) const = default;
};

enum class PathMatchKind { kAny, kExact, kPrefix, kRegex };

// An Istio StringMatch (exact, prefix, RE2 regex matched against the whole value).
struct PathMatch {
  PathMatchKind kind = PathMatchKind::kAny;
  std::string value;
  bool ignore_case = false;
  bool operator==(const PathMatch&) const = default;
};
using StringMatch = PathMatch;

// headers / withoutHeaders. kAny with invert=false: the header must be present; with
// invert=true (withoutHeaders and an empty match): it must be absent.
struct HeaderMatch {
  std::string name;  // lower-case; pseudo-headers (":authority") allowed
  StringMatch match;
  bool invert = false;
  bool operator==(const HeaderMatch&) const = default;
};

struct QueryParamMatch {
  std::string name;
  StringMatch match;  // kAny: the parameter is present
  bool operator==(const QueryParamMatch&) const = default;
};

// One element of http[].match: every condition must hold (ANDed). Matches are ORed.
// `gateways` and `sourceLabels` are settled by translate (the route is only emitted where they
// hold), so they have no field here.
struct RouteMatch {
  PathMatch path;  // uri (ignoreUriCase lives in path.ignore_case)
  std::optional<StringMatch> authority;
  std::optional<StringMatch> method;
  std::optional<StringMatch> scheme;
  std::vector<HeaderMatch> headers;
  std::vector<QueryParamMatch> query_params;
  std::optional<uint32_t> port;  // the Gateway server port the call arrived on
  bool operator==(const RouteMatch&) const = default;
};

// headers: request/response set, add, remove (Istio's Headers.HeaderOperations).
struct HeaderMutation {
  std::vector<std::pair<std::string, std::string>> set;  // names lower-case
  std::vector<std::pair<std::string, std::string>> add;
  std::vector<std::string> remove;
  bool operator==(const HeaderMutation&) const = default;
  bool empty() const { return set.empty() && add.empty() && remove.empty(); }
};

struct HeaderOperations {
  HeaderMutation request;
  HeaderMutation response;
  bool operator==(const HeaderOperations&) const = default;
};

struct WeightedCluster {
  std::string cluster;  // Cluster::name
  uint32_t weight = 100;
  HeaderOperations headers;  // destination-level, applied after the route's
  bool operator==(const WeightedCluster&) const = default;
};

// rewrite: uri replaces the matched prefix when the match was a prefix, the whole path otherwise
// (Istio); authority replaces :authority.
struct Rewrite {
  std::optional<std::string> uri;
  std::optional<std::string> authority;
  bool operator==(const Rewrite&) const = default;
};

// redirect: answered locally with a Location built from the request and these parts.
struct Redirect {
  std::optional<std::string> uri;
  std::optional<std::string> authority;
  std::optional<std::string> scheme;
  std::optional<uint32_t> port;
  uint32_t status = 301;  // redirectCode
  bool operator==(const Redirect&) const = default;
};

struct DirectResponse {
  uint32_t status = 200;
  std::string body;
  bool operator==(const DirectResponse&) const = default;
};

// mirror / mirrors: a copy of the call to cluster, its response discarded; the copy's
// :authority gets "-shadow" appended to the host.
struct Mirror {
  std::string cluster;
  double percent = 100.0;
  bool operator==(const Mirror&) const = default;
};

// http[].retries, as Envoy's RetryPolicy. Conditions are bits of retry_on; the numeric codes of
// retryOn (and the default 503) are retriable_status_codes. num_retries counts retries, so a
// call is tried at most num_retries + 1 times.
namespace retry_on {
enum Condition : uint32_t {
  k5xx = 1u << 0,
  kGatewayError = 1u << 1,
  kReset = 1u << 2,
  kResetBeforeRequest = 1u << 3,
  kConnectFailure = 1u << 4,
  kRefusedStream = 1u << 5,
  kRetriable4xx = 1u << 6,
  kRetriableStatusCodes = 1u << 7,
  kRetriableHeaders = 1u << 8,
  kEnvoyRateLimited = 1u << 9,
  kHttp3PostConnectFailure = 1u << 10,
  // gRPC statuses (grpc-status in response headers or trailers).
  kCancelled = 1u << 16,
  kDeadlineExceeded = 1u << 17,
  kInternal = 1u << 18,
  kResourceExhausted = 1u << 19,
  kUnavailable = 1u << 20,
};
inline constexpr uint32_t kGrpcConditions =
    kCancelled | kDeadlineExceeded | kInternal | kResourceExhausted | kUnavailable;
// Every condition with its retryOn spelling, in bit order.
struct Name {
  Condition condition;
  const char* name;
};
inline constexpr Name kNames[] = {
    {k5xx, "5xx"},
    {kGatewayError, "gateway-error"},
    {kReset, "reset"},
    {kResetBeforeRequest, "reset-before-request"},
    {kConnectFailure, "connect-failure"},
    {kRefusedStream, "refused-stream"},
    {kRetriable4xx, "retriable-4xx"},
    {kRetriableStatusCodes, "retriable-status-codes"},
    {kRetriableHeaders, "retriable-headers"},
    {kEnvoyRateLimited, "envoy-ratelimited"},
    {kHttp3PostConnectFailure, "http3-post-connect-failure"},
    {kCancelled, "cancelled"},
    {kDeadlineExceeded, "deadline-exceeded"},
    {kInternal, "internal"},
    {kResourceExhausted, "resource-exhausted"},
    {kUnavailable, "unavailable"},
};
}  // namespace retry_on

struct RetryPolicy {
  uint32_t num_retries = 2;
  std::optional<std::chrono::milliseconds> per_try_timeout;
  uint32_t retry_on = 0;  // retry_on::Condition bits
  std::vector<uint32_t> retriable_status_codes;
  bool retry_remote_localities = false;
  // Envoy's exponential backoff with full jitter: base doubling per retry, capped at 10 x base.
  std::chrono::milliseconds backoff_base{25};
  bool operator==(const RetryPolicy&) const = default;
};

// fault (VirtualService http[].fault): each call is delayed and/or aborted with these
// probabilities, drawn independently per call. Percentages are 0..100.
struct FaultDelay {
  std::chrono::milliseconds fixed_delay{0};
  double percent = 0;
  bool operator==(const FaultDelay&) const = default;
};

// Exactly one of http_status and grpc_status is set.
struct FaultAbort {
  std::optional<uint32_t> http_status;
  std::optional<uint32_t> grpc_status;  // the wire number (UNAVAILABLE: 14)
  double percent = 0;
  bool operator==(const FaultAbort&) const = default;
};

struct Fault {
  std::optional<FaultDelay> delay;
  std::optional<FaultAbort> abort;
  bool operator==(const Fault&) const = default;
};

struct Route {
  std::string name;                 // "<namespace>/<virtualservice>.http[<i>]"
  std::vector<RouteMatch> matches;  // ORed; empty means match everything
  // Exactly one action: clusters (forward), redirect or direct_response.
  std::vector<WeightedCluster> clusters;
  std::optional<Redirect> redirect;
  std::optional<DirectResponse> direct_response;
  std::optional<Rewrite> rewrite;
  HeaderOperations headers;
  std::vector<Mirror> mirrors;
  std::optional<std::chrono::milliseconds> timeout;  // nullopt: no route timeout (Istio default)
  std::optional<RetryPolicy> retry;                  // nullopt: calls are never retried
  std::optional<Fault> fault;
  SourceRef source;
  bool operator==(const Route&) const = default;
};

struct VirtualHost {
  std::string name;                  // "<host>:<port>" as Istio names gateway virtual hosts
  std::vector<std::string> domains;  // "grpc.example.com", "*.example.com", "*"
  std::vector<Route> routes;         // first match wins
  bool operator==(const VirtualHost&) const = default;
};

struct TlsCertificate {
  std::vector<std::string> server_names;  // SNI names this certificate serves ("*" = default)
  std::string cert_pem;
  std::string key_pem;
  std::string source_name;  // "istio-system/grpc-tls-credential" or the file paths
  bool operator==(const TlsCertificate&) const = default;
};

struct Listener {
  std::string name;   // "0.0.0.0_443"
  uint32_t port = 0;  // the Gateway server's port.number (the --listen flag may remap it)
  bool https_redirect = false;
  std::vector<TlsCertificate> tls;  // empty: plaintext (h2c)
  std::vector<VirtualHost> virtual_hosts;
  SourceRef source;
  bool operator==(const Listener&) const = default;
};

struct Config {
  std::vector<Listener> listeners;
  std::vector<Cluster> clusters;
  bool operator==(const Config&) const = default;
};

}  // namespace meshgate::ir
