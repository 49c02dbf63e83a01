#pragma once

#include <optional>
#include <string>
#include <string_view>

// Istio's host names: wildcards, short names and namespace-qualified references.
namespace meshgate::translate {

inline constexpr std::string_view kClusterDomain = "svc.cluster.local";

// Whether `pattern` covers `host` (which may itself be a wildcard): "*" covers everything,
// "*.example.com" covers "a.example.com", "a.b.example.com" and "*.a.example.com" but not
// "example.com". Case-insensitive.
bool hostCovers(std::string_view pattern, std::string_view host);

// The more specific of two hosts when one covers the other (Istio picks the narrower of a
// VirtualService host and a Gateway server host), or nullopt when they do not intersect.
std::optional<std::string> intersectHosts(std::string_view a, std::string_view b);

// A Gateway server host: "host" and "*/host" admit VirtualServices from every namespace,
// "ns/host" only from ns, "./host" only from the Gateway's namespace.
struct ServerHost {
  std::string namespace_name;  // "*" for any
  std::string host;
  bool operator==(const ServerHost&) const = default;
};
std::optional<ServerHost> parseServerHost(std::string_view text,
                                          std::string_view gateway_namespace);

// Istio resolves a host without dots in the namespace of the object that names it:
// "grpc-service" in "default" is grpc-service.default.svc.cluster.local. Hosts with dots and
// wildcards stay as written (istio pkg/config/host ResolveShortnameToFQDN).
std::string resolveFqdn(std::string_view host, std::string_view namespace_name);

// A VirtualService `gateways` entry as "namespace/name": "name" resolves in the
// VirtualService's namespace, "ns/name" is kept. nullopt for "mesh" or a malformed entry.
std::optional<std::string> resolveGatewayName(std::string_view entry,
                                              std::string_view vs_namespace);

}  // namespace meshgate::translate
