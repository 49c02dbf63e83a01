#include "translate/routes.h"

#include <chrono>

#include "translate/route_matches.h"

namespace meshgate::translate {

using base::SourceRef;
using config::Located;
namespace {

std::string httpPath(size_t index) { return "spec.http[" + std::to_string(index) + "]"; }

void warnUnimplemented(config::Diagnostics& d, const SourceRef& where, const std::string& field,
                       const std::string& what) {
  d.warning(where, field, "meshgate does not implement " + what + " yet; it is ignored");
}

std::optional<std::chrono::milliseconds> translateTimeout(const config::HttpRoute& http) {
  // Istio: timeout 0s (or none) disables the route timeout; streams then last as long as the
  // client and backend want.
  if (!http.timeout || http.timeout.value.count() == 0) return std::nullopt;
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(http.timeout.value);
  return ms;
}

bool translateClusters(const config::VirtualService& vs, const config::HttpRoute& http,
                       const std::string& path, ClusterTable& clusters, config::Diagnostics& d,
                       ir::Route& route) {
  bool all_weighted = true;
  for (const auto& destination : http.route) all_weighted = all_weighted && destination.weight;
  if (http.route.size() > 1 && !all_weighted) {
    d.error(http.route[0].where, path + ".route",
            "a route with " + std::to_string(http.route.size()) +
                " destinations needs a weight on each",
            "give every destination a weight; weights are relative (Istio expects a sum of 100)");
    return false;
  }
  bool ok = true;
  for (size_t j = 0; j < http.route.size(); ++j) {
    const config::HttpRouteDestination& destination = http.route[j];
    std::string destination_path = path + ".route[" + std::to_string(j) + "]";
    if (destination.has_headers) {
      warnUnimplemented(d, destination.has_headers.where, destination_path + ".headers",
                        "header manipulation");
    }
    std::optional<std::string> cluster = clusters.reference(
        destination.destination, vs.meta.namespace_name, destination_path + ".destination");
    if (!cluster) {
      ok = false;
      continue;
    }
    uint32_t weight =
        http.route.size() == 1 ? 100 : static_cast<uint32_t>(destination.weight.value);
    if (weight == 0) continue;  // Istio drops zero-weight destinations
    route.clusters.push_back({*cluster, weight});
  }
  return ok;
}

std::optional<ir::Route> translateRoute(const config::VirtualService& vs, size_t index,
                                        ClusterTable& clusters, config::Diagnostics& d) {
  const config::HttpRoute& http = vs.http[index];
  std::string path = httpPath(index);
  ir::Route route;
  route.name = vs.meta.namespace_name + "/" + vs.meta.name + ".http[" + std::to_string(index) + "]";
  route.source = http.where;
  route.matches = translateMatches(http, path, d);
  route.timeout = translateTimeout(http);
  if (http.retries) {
    d.warning(http.retries->where, path + ".retries",
              "meshgate does not implement retries yet; calls on this route are not retried");
  }
  for (const auto& field : http.unimplemented) {
    warnUnimplemented(d, field.where, path + "." + field.value, field.value);
  }
  if (http.route.empty()) {
    if (http.unimplemented.empty()) {
      d.error(http.where, path, "route, redirect or directResponse is required");
    }
    return std::nullopt;
  }
  bool ok = translateClusters(vs, http, path, clusters, d, route);
  if (!ok || route.clusters.empty()) return std::nullopt;
  return route;
}

}  // namespace

std::vector<ir::Route> translateRoutes(const config::VirtualService& vs, ClusterTable& clusters,
                                       config::Diagnostics& diagnostics) {
  std::vector<ir::Route> out;
  for (const auto& field : vs.unimplemented) {
    diagnostics.warning(field.where, "spec." + field.value,
                        "meshgate routes HTTP only; these " + field.value + " routes are ignored");
  }
  for (size_t i = 0; i < vs.http.size(); ++i) {
    if (auto route = translateRoute(vs, i, clusters, diagnostics)) out.push_back(std::move(*route));
  }
  return out;
}

}  // namespace meshgate::translate
