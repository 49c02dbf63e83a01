#include "translate/translate.h"

#include "translate/clusters.h"
#include "translate/delegates.h"
#include "translate/gateway_listeners.h"
#include "translate/hosts.h"
#include "translate/virtual_hosts.h"

namespace meshgate::translate {
namespace {

bool gatewayExists(const config::Model& model, const std::string& qualified_name) {
  for (const config::Gateway& gateway : model.gateways) {
    if (gateway.meta.namespace_name + "/" + gateway.meta.name == qualified_name) return true;
  }
  return false;
}

// A gateways entry that names no Gateway is almost always a typo; Istio ignores it silently.
void checkGatewayReferences(const config::Model& model, config::Diagnostics& d) {
  for (const config::VirtualService& vs : model.virtual_services) {
    for (size_t i = 0; i < vs.gateways.size(); ++i) {
      const auto& entry = vs.gateways[i];
      if (entry.value == "mesh") continue;
      std::optional<std::string> name = resolveGatewayName(entry.value, vs.meta.namespace_name);
      std::string field = "spec.gateways[" + std::to_string(i) + "]";
      if (!name) {
        d.error(entry.where, field, "malformed gateway reference '" + entry.value + "'",
                "write name, namespace/name or mesh");
      } else if (!gatewayExists(model, *name)) {
        d.warning(entry.where, field,
                  "no Gateway " + *name +
                      " in the config; this VirtualService is not served "
                      "through it");
      }
    }
  }
}

bool admitsAnyHost(const config::VirtualService& vs, const config::Gateway& gateway) {
  for (const config::GatewayServer& server : gateway.servers) {
    for (const auto& text : server.hosts) {
      auto server_host = parseServerHost(text.value, gateway.meta.namespace_name);
      if (!server_host || (server_host->namespace_name != "*" &&
                           server_host->namespace_name != vs.meta.namespace_name)) {
        continue;
      }
      for (const auto& host : vs.hosts) {
        if (intersectHosts(resolveFqdn(host.value, vs.meta.namespace_name), server_host->host)) {
          return true;
        }
      }
    }
  }
  return false;
}

// istioctl analyze's IST0132: a VirtualService bound to a Gateway none of whose server hosts
// admit it serves nothing there, which at runtime looks like UNIMPLEMENTED for every call.
void checkHostsAdmitted(const config::Model& model, const Options& options,
                        config::Diagnostics& d) {
  for (const config::VirtualService& vs : model.virtual_services) {
    if (vs.hosts.empty()) continue;
    for (const config::Gateway& gateway : model.gateways) {
      if (!selectorMatches(gateway, options) || !bindsTo(vs, gateway)) continue;
      if (admitsAnyHost(vs, gateway)) continue;
      d.warning(vs.hosts[0].where, "spec.hosts",
                "no server of Gateway " + gateway.meta.namespace_name + "/" + gateway.meta.name +
                    " admits these hosts from namespace " + vs.meta.namespace_name +
                    "; this VirtualService is not served through it",
                "add the host to the Gateway's servers[].hosts (or its namespace/host form)");
    }
  }
}

void warnUnimplementedFilters(const config::Model& model, config::Diagnostics& d) {
  for (const config::EnvoyFilter& filter : model.envoy_filters) {
    if (filter.is_grpc_web) continue;  // the gRPC-Web filter is meshgate's own (issue 6)
    d.warning(filter.meta.where, "spec.configPatches",
              "meshgate does not apply EnvoyFilter patches; EnvoyFilter " +
                  filter.meta.namespace_name + "/" + filter.meta.name + " is ignored",
              "only the patch that inserts envoy.filters.http.grpc_web is recognized");
  }
}

}  // namespace

ir::Config translate(const config::Model& model, const Options& options,
                     config::Diagnostics& diagnostics) {
  checkGatewayReferences(model, diagnostics);
  checkHostsAdmitted(model, options, diagnostics);
  checkHostlessVirtualServices(model, diagnostics);
  ClusterTable clusters(model, diagnostics, options.locality);
  VirtualHostBuilder virtual_hosts(model, clusters, diagnostics);
  ir::Config config;
  for (const PortGroup& group : groupServers(model, options, diagnostics)) {
    ir::Listener listener;
    bool ok = buildListener(group, model, diagnostics, listener);
    // Virtual hosts are built even for a broken listener, so their problems are reported too.
    listener.virtual_hosts = virtual_hosts.build(group);
    if (ok) config.listeners.push_back(std::move(listener));
  }
  clusters.reportPolicies();
  config.clusters = clusters.take();
  warnUnimplementedFilters(model, diagnostics);
  return config;
}

}  // namespace meshgate::translate
