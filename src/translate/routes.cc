#include "translate/routes.h"

#include <chrono>

#include "translate/delegates.h"
#include "translate/fault.h"
#include "translate/retries.h"
#include "translate/route_actions.h"
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
  if (http.route.empty()) return true;  // redirect or directResponse
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
    std::optional<std::string> cluster = clusters.reference(
        destination.destination, vs.meta.namespace_name, destination_path + ".destination");
    if (!cluster) {
      ok = false;
      continue;
    }
    uint32_t weight =
        http.route.size() == 1 ? 100 : static_cast<uint32_t>(destination.weight.value);
    if (weight == 0) continue;  // Istio drops zero-weight destinations
    ir::HeaderOperations headers;
    if (destination.headers) {
      headers = translateHeaders(*destination.headers, destination_path + ".headers", d);
    }
    route.clusters.push_back({*cluster, weight, std::move(headers)});
  }
  return ok;
}

// One http[] route written at `path` of `vs` (the delegate, for a delegated route).
std::optional<ir::Route> translateRoute(const config::VirtualService& vs,
                                        const config::HttpRoute& http, const std::string& path,
                                        std::string name, ClusterTable& clusters,
                                        config::Diagnostics& d) {
  ir::Route route;
  route.name = std::move(name);
  route.source = http.where;
  route.matches = translateMatches(http, path, d);
  route.timeout = translateTimeout(http);
  bool retries_ok = true;
  route.retry = translateRetries(http.retries ? &*http.retries : nullptr, path, d, retries_ok);
  if (http.fault) route.fault = translateFault(*http.fault, path + ".fault", d);
  for (const auto& field : http.unimplemented) {
    warnUnimplemented(d, field.where, path + "." + field.value, field.value);
  }
  if (!translateActions(http, vs.meta.namespace_name, path, clusters, d, route)) {
    return std::nullopt;
  }
  bool ok = translateClusters(vs, http, path, clusters, d, route);
  if (!ok || !retries_ok) return std::nullopt;
  if (route.clusters.empty() && !route.redirect && !route.direct_response) return std::nullopt;
  if (route.clusters.empty()) route.retry.reset();  // answered locally: nothing to retry
  return route;
}

std::string routeName(const config::VirtualService& vs, size_t index) {
  return vs.meta.namespace_name + "/" + vs.meta.name + ".http[" + std::to_string(index) + "]";
}

}  // namespace

std::vector<ir::Route> translateRoutes(const config::Model& model, const config::VirtualService& vs,
                                       ClusterTable& clusters, config::Diagnostics& diagnostics) {
  std::vector<ir::Route> out;
  for (const auto& field : vs.unimplemented) {
    diagnostics.warning(field.where, "spec." + field.value,
                        "meshgate routes HTTP only; these " + field.value + " routes are ignored");
  }
  for (size_t i = 0; i < vs.http.size(); ++i) {
    const config::HttpRoute& http = vs.http[i];
    if (!http.delegate) {
      if (auto route =
              translateRoute(vs, http, httpPath(i), routeName(vs, i), clusters, diagnostics)) {
        out.push_back(std::move(*route));
      }
      continue;
    }
    // The delegate's routes take this one's place, in their order.
    for (auto& delegated : expandDelegate(model, vs, http, httpPath(i), diagnostics)) {
      std::string name = routeName(vs, i) + ":" + routeName(*delegated.delegate, delegated.index);
      if (auto route =
              translateRoute(*delegated.delegate, delegated.http, httpPath(delegated.index),
                             std::move(name), clusters, diagnostics)) {
        out.push_back(std::move(*route));
      }
    }
  }
  return out;
}

}  // namespace meshgate::translate
