#include "translate/hosts.h"

#include <algorithm>
#include <cctype>

namespace meshgate::translate {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) { return lower(a) == lower(b); }

bool endsWithIgnoreCase(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         equalsIgnoreCase(text.substr(text.size() - suffix.size()), suffix);
}

}  // namespace

bool hostCovers(std::string_view pattern, std::string_view host) {
  if (pattern == "*") return true;
  if (equalsIgnoreCase(pattern, host)) return true;
  if (!pattern.starts_with("*.")) return false;
  std::string_view suffix = pattern.substr(1);  // ".example.com"
  if (host.size() <= suffix.size() || !endsWithIgnoreCase(host, suffix)) return false;
  // A wildcard host is covered only by a wildcard with a suffix at least as general.
  return host != "*";
}

std::optional<std::string> intersectHosts(std::string_view a, std::string_view b) {
  if (hostCovers(b, a)) return std::string(a);
  if (hostCovers(a, b)) return std::string(b);
  return std::nullopt;
}

std::optional<ServerHost> parseServerHost(std::string_view text,
                                          std::string_view gateway_namespace) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    if (text.empty()) return std::nullopt;
    return ServerHost{"*", lower(text)};
  }
  std::string_view ns = text.substr(0, slash);
  std::string_view host = text.substr(slash + 1);
  if (ns.empty() || host.empty() || host.find('/') != std::string_view::npos) return std::nullopt;
  if (ns == ".") ns = gateway_namespace;
  return ServerHost{std::string(ns), lower(host)};
}

std::string resolveFqdn(std::string_view host, std::string_view namespace_name) {
  if (host.empty() || host.find('.') != std::string_view::npos || host == "*") {
    return std::string(host);
  }
  return std::string(host) + "." + std::string(namespace_name) + "." + std::string(kClusterDomain);
}

std::optional<std::string> resolveGatewayName(std::string_view entry,
                                              std::string_view vs_namespace) {
  if (entry.empty() || entry == "mesh") return std::nullopt;
  size_t slash = entry.find('/');
  if (slash != std::string_view::npos) {
    if (slash == 0 || slash + 1 == entry.size()) return std::nullopt;
    return std::string(entry);
  }
  // Istio also accepts the legacy "name.namespace.svc.cluster.local" form.
  size_t dot = entry.find('.');
  if (dot != std::string_view::npos) {
    std::string_view rest = entry.substr(dot + 1);
    std::string_view ns = rest.substr(0, rest.find('.'));
    if (ns.empty()) return std::nullopt;
    return std::string(ns) + "/" + std::string(entry.substr(0, dot));
  }
  return std::string(vs_namespace) + "/" + std::string(entry);
}

}  // namespace meshgate::translate
