#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meshgate::testing {

// Builders for the Istio and Kubernetes documents a user hands to `meshgate serve`. Each spec is a
// plain aggregate whose defaults follow the seed document's grpc.example.com example; MeshYaml
// renders them as one multi-document YAML stream.

struct GatewayServer {
  int port = 80;
  std::string port_name = "http";
  std::string protocol = "HTTP";
  std::vector<std::string> hosts = {"grpc.example.com"};
  // Non-empty: `tls: {mode: SIMPLE, credentialName: ...}`.
  std::string credential_name;
};

struct GatewaySpec {
  std::string name = "grpc-gateway";
  std::string ns = "istio-system";
  std::vector<GatewayServer> servers = {GatewayServer{}};
};

struct Destination {
  std::string host = "grpc-service";
  int port = 50051;
};

// One `http[]` entry. Without `prefix` and `exact` it has no match block and takes every request.
struct HttpRoute {
  std::string prefix;
  std::string exact;
  std::vector<Destination> route = {Destination{}};
  std::string timeout;
  // Non-empty: the `retries:` value as written, e.g. "{attempts: 3, retryOn: unavailable}".
  std::string retries;
  // `fault:` as flow YAML, e.g. "{abort: {grpcStatus: UNAVAILABLE, percentage: {value: 100}}}".
  std::string fault;
};

struct VirtualServiceSpec {
  std::string name = "grpc-vs";
  std::string ns = "default";
  std::vector<std::string> hosts = {"grpc.example.com"};
  std::vector<std::string> gateways = {"istio-system/grpc-gateway"};
  std::vector<HttpRoute> http = {HttpRoute{}};
};

struct Endpoint {
  std::string address = "127.0.0.1";
  int port = 0;
};

// A core/v1 Service with one port and, when `with_endpoints`, its Endpoints (one subset per
// endpoint, so endpoints may listen on different ports).
struct ServiceSpec {
  std::string name = "grpc-service";
  std::string ns = "default";
  int port = 50051;
  std::string port_name = "grpc";
  std::string app_protocol;
  std::vector<Endpoint> endpoints;
  bool with_endpoints = true;
};

// A networking.istio.io ServiceEntry with `resolution: STATIC` and one port.
struct ServiceEntrySpec {
  std::string name = "grpc-backends";
  std::string ns = "default";
  std::string host = "backends.internal";
  int port = 50051;
  std::string port_name = "grpc";
  std::string protocol = "GRPC";
  std::vector<Endpoint> endpoints;
};

// A `kubernetes.io/tls` Secret with `stringData` tls.crt and tls.key.
struct TlsSecretSpec {
  std::string name = "grpc-tls-credential";
  std::string ns = "istio-system";
  std::string cert_pem;
  std::string key_pem;
  std::string ca_pem;  // non-empty: also ca.crt (DestinationRule credentialName)
};

class MeshYaml {
 public:
  MeshYaml& add(const GatewaySpec& gateway);
  MeshYaml& add(const VirtualServiceSpec& virtual_service);
  MeshYaml& add(const ServiceSpec& service);
  MeshYaml& add(const ServiceEntrySpec& service_entry);
  MeshYaml& add(const TlsSecretSpec& secret);
  // A document written by hand, added as it is.
  MeshYaml& addRaw(std::string document);

  // Every document, separated by `---` lines.
  std::string str() const;

 private:
  std::vector<std::string> documents_;
};

// A YAML double-quoted scalar.
std::string quoted(std::string_view value);

// 1-based line and column of the first occurrence of `needle` in `text`; {0, 0} if absent.
std::pair<int, int> lineColumnOf(std::string_view text, std::string_view needle);

}  // namespace meshgate::testing
