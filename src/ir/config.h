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
  bool operator==(const Endpoint&) const = default;
};

struct Cluster {
  std::string name;          // Istio's name: outbound|50051||grpc-service.default.svc.cluster.local
  std::string service_host;  // grpc-service.default.svc.cluster.local
  uint16_t service_port = 0;
  bool resolve_dns = false;  // endpoints hold hostnames, resolved by the system resolver
  std::vector<Endpoint> endpoints;
  UpstreamProtocol declared_protocol = UpstreamProtocol::kUnknown;
  std::string protocol_reason;  // e.g. "port name 'http' declares HTTP/1.1"
  SourceRef source;
  bool operator==(const Cluster&) const = default;
};

enum class PathMatchKind { kAny, kExact, kPrefix, kRegex };

struct PathMatch {
  PathMatchKind kind = PathMatchKind::kAny;
  std::string value;
  bool ignore_case = false;
  bool operator==(const PathMatch&) const = default;
};

struct WeightedCluster {
  std::string cluster;  // Cluster::name
  uint32_t weight = 100;
  bool operator==(const WeightedCluster&) const = default;
};

struct Route {
  std::string name;                // "<namespace>/<virtualservice>.http[<i>]"
  std::vector<PathMatch> matches;  // ORed; empty means match everything
  std::vector<WeightedCluster> clusters;
  std::optional<std::chrono::milliseconds> timeout;  // nullopt: no route timeout (Istio default)
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
