#include "proxy/route_actions.h"

#include <algorithm>

#include "base/strings.h"

namespace meshgate::proxy {
namespace {

std::string_view queryOf(std::string_view path) {
  size_t query = path.find('?');
  return query == std::string_view::npos ? std::string_view() : path.substr(query);
}

// Where the port starts in an authority ("host:port", "[v6]:port"), or npos.
size_t portStart(std::string_view authority) {
  size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos) return colon;
  size_t bracket = authority.rfind(']');
  if (bracket != std::string_view::npos && bracket > colon) return std::string_view::npos;
  if (authority.front() != '[' && authority.find(':') != colon) return std::string_view::npos;
  return colon;
}

bool named(const std::vector<std::pair<std::string, std::string>>& fields, std::string_view name) {
  return std::any_of(fields.begin(), fields.end(),
                     [&](const auto& field) { return field.first == name; });
}

}  // namespace

std::string rewritePath(const ir::Route& route, std::string_view path, std::string_view uri) {
  std::string out(uri);
  for (const ir::RouteMatch& match : route.matches) {
    if (match.path.kind != ir::PathMatchKind::kPrefix) continue;
    const std::string& prefix = match.path.value;
    bool covers = match.path.ignore_case ? base::startsWithIgnoreCase(path, prefix)
                                         : path.starts_with(prefix);
    if (covers) return out.append(path.substr(prefix.size()));
  }
  return out.append(queryOf(path));
}

std::string redirectLocation(const ir::Redirect& redirect, std::string_view scheme,
                             std::string_view authority, std::string_view path) {
  std::string out(redirect.scheme ? std::string_view(*redirect.scheme)
                                  : (scheme.empty() ? std::string_view("http") : scheme));
  out.append("://");
  std::string_view host = redirect.authority ? std::string_view(*redirect.authority) : authority;
  if (redirect.port) {
    size_t port = portStart(host);
    out.append(port == std::string_view::npos ? host : host.substr(0, port));
    out.append(":").append(std::to_string(*redirect.port));
  } else {
    out.append(host);
  }
  if (redirect.uri) {
    out.append(*redirect.uri);
    if (redirect.uri->find('?') == std::string::npos) out.append(queryOf(path));
  } else {
    out.append(path);
  }
  return out;
}

std::string shadowAuthority(std::string_view authority) {
  size_t port = portStart(authority);
  if (port == std::string_view::npos) return std::string(authority) + "-shadow";
  std::string out(authority.substr(0, port));
  return out.append("-shadow").append(authority.substr(port));
}

void applyRequestMutation(const ir::HeaderMutation& mutation,
                          std::vector<http::HeaderView>& headers) {
  if (mutation.empty()) return;
  std::erase_if(headers, [&](const http::HeaderView& field) {
    return named(mutation.set, field.name) ||
           std::find(mutation.remove.begin(), mutation.remove.end(), field.name) !=
               mutation.remove.end();
  });
  for (const auto& [name, value] : mutation.set) headers.push_back({name, value});
  for (const auto& [name, value] : mutation.add) headers.push_back({name, value});
}

void applyResponseMutation(const ir::HeaderMutation& mutation, http::HeaderList& headers) {
  for (const auto& name : mutation.remove) headers.remove(name);
  for (const auto& [name, value] : mutation.set) headers.set(name, value);
  for (const auto& [name, value] : mutation.add) headers.add(name, value);
}

const ir::WeightedCluster* pickedDestination(const router::CompiledRoute& route,
                                             const router::Target& target) {
  size_t wanted = static_cast<size_t>(&target - route.targets.data());
  size_t seen = 0;
  for (const ir::WeightedCluster& cluster : route.route->clusters) {
    if (cluster.weight == 0) continue;
    if (seen++ == wanted) return &cluster;
  }
  return nullptr;
}

}  // namespace meshgate::proxy
