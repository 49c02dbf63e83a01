#include "translate/virtual_hosts.h"

#include <set>

#include "translate/hosts.h"
#include "translate/route_matches.h"
#include "translate/routes.h"

namespace meshgate::translate {

using base::SourceRef;
using config::Located;

bool bindsTo(const config::VirtualService& vs, const config::Gateway& gateway) {
  std::string wanted = gateway.meta.namespace_name + "/" + gateway.meta.name;
  for (const auto& entry : vs.gateways) {
    if (resolveGatewayName(entry.value, vs.meta.namespace_name) == wanted) return true;
  }
  return false;
}

const std::vector<VirtualHostBuilder::TranslatedRoute>& VirtualHostBuilder::routesOf(
    size_t vs_index) {
  auto it = routes_.find(vs_index);
  if (it != routes_.end()) return it->second;
  const config::VirtualService& vs = model_.virtual_services[vs_index];
  // A route's source is its http[] entry's position, unique within the VirtualService.
  std::map<std::pair<int, int>, const config::HttpRoute*> by_position;
  for (const auto& http : vs.http) {
    by_position.emplace(std::pair(http.where.line, http.where.column), &http);
  }
  std::vector<TranslatedRoute> translated;
  for (ir::Route& route : translateRoutes(model_, vs, clusters_, diagnostics_)) {
    auto http = by_position.find({route.source.line, route.source.column});
    const config::HttpRoute* source = http == by_position.end() ? nullptr : http->second;
    translated.push_back({std::move(route), source});
  }
  return routes_.emplace(vs_index, std::move(translated)).first->second;
}

std::vector<ir::VirtualHost> VirtualHostBuilder::build(const PortGroup& group) {
  // domain -> VirtualServices (by index, so in load order) bound to it on this port -> the
  // Gateways ("namespace/name") that bind them
  std::map<std::string, std::map<size_t, std::set<std::string>>> bound;
  for (const ServedServer& served : group.servers) {
    const config::Gateway& gateway = *served.gateway;
    for (size_t v = 0; v < model_.virtual_services.size(); ++v) {
      const config::VirtualService& vs = model_.virtual_services[v];
      if (!bindsTo(vs, gateway)) continue;
      for (const auto& server_host_text : served.server().hosts) {
        auto server_host = parseServerHost(server_host_text.value, gateway.meta.namespace_name);
        if (!server_host) continue;
        if (server_host->namespace_name != "*" &&
            server_host->namespace_name != vs.meta.namespace_name) {
          continue;
        }
        for (const auto& vs_host : vs.hosts) {
          std::string host = resolveFqdn(vs_host.value, vs.meta.namespace_name);
          if (auto domain = intersectHosts(host, server_host->host)) {
            bound[*domain][v].insert(gateway.meta.namespace_name + "/" + gateway.meta.name);
          }
        }
      }
    }
  }
  std::vector<ir::VirtualHost> out;
  for (const auto& [domain, bindings] : bound) {
    ir::VirtualHost host;
    host.name = domain + ":" + std::to_string(group.port);
    host.domains = {domain};
    for (const auto& [v, gateways] : bindings) {
      const std::string& vs_namespace = model_.virtual_services[v].meta.namespace_name;
      for (const TranslatedRoute& translated : routesOf(v)) {
        if (translated.http == nullptr) {
          host.routes.push_back(translated.route);
        } else if (auto route = restrictToGateways(translated.route, *translated.http, vs_namespace,
                                                   gateways)) {
          host.routes.push_back(std::move(*route));
        }
      }
    }
    out.push_back(std::move(host));
  }
  return out;
}

}  // namespace meshgate::translate
