#include "translate/virtual_hosts.h"

#include <set>

#include "translate/hosts.h"
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

const std::vector<ir::Route>& VirtualHostBuilder::routesOf(size_t vs_index) {
  auto it = routes_.find(vs_index);
  if (it == routes_.end()) {
    it = routes_
             .emplace(vs_index, translateRoutes(model_, model_.virtual_services[vs_index],
                                                clusters_, diagnostics_))
             .first;
  }
  return it->second;
}

std::vector<ir::VirtualHost> VirtualHostBuilder::build(const PortGroup& group) {
  // domain -> VirtualServices (by index, so in load order) bound to it on this port
  std::map<std::string, std::set<size_t>> bound;
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
          if (auto domain = intersectHosts(host, server_host->host)) bound[*domain].insert(v);
        }
      }
    }
  }
  std::vector<ir::VirtualHost> out;
  for (const auto& [domain, vs_indexes] : bound) {
    ir::VirtualHost host;
    host.name = domain + ":" + std::to_string(group.port);
    host.domains = {domain};
    for (size_t v : vs_indexes) {
      const std::vector<ir::Route>& routes = routesOf(v);
      host.routes.insert(host.routes.end(), routes.begin(), routes.end());
    }
    out.push_back(std::move(host));
  }
  return out;
}

}  // namespace meshgate::translate
