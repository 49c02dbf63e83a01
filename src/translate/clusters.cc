#include "translate/clusters.h"

#include <algorithm>

#include "translate/endpoints.h"
#include "translate/hosts.h"
#include "translate/port_protocol.h"

namespace meshgate::translate {

using base::SourceRef;
using config::Located;
namespace {

constexpr std::string_view kHttp11Consequence =
    "Istio would send gRPC over HTTP/1.1 to this port and clients would see RST_STREAM; "
    "meshgate uses HTTP/2 anyway";
constexpr std::string_view kHttp11Fix = "name the port grpc-* or http2-*, or set appProtocol: grpc";
constexpr std::string_view kHttp11EntryFix = "set the port's protocol: GRPC (or HTTP2)";

std::string qualified(const config::ObjectMeta& meta) {
  return meta.namespace_name + "/" + meta.name;
}

std::string serviceFqdn(const config::Service& service) {
  return resolveFqdn(service.meta.name, service.meta.namespace_name);
}

template <typename Port, typename Number>
std::string portList(const std::vector<Port>& ports, Number number) {
  std::string list;
  for (const Port& port : ports) {
    if (!list.empty()) list += ", ";
    list += std::to_string(number(port).value);
  }
  return list.empty() ? "none" : list;
}

void filterBySubset(std::vector<ir::Endpoint>& endpoints, const config::Labels& labels) {
  std::erase_if(endpoints, [&](const ir::Endpoint& e) { return !labelsMatch(labels, e.labels); });
}

}  // namespace

std::string clusterName(uint32_t port, const std::string& subset, const std::string& fqdn) {
  return "outbound|" + std::to_string(port) + "|" + subset + "|" + fqdn;
}

std::optional<std::string> ClusterTable::reference(const config::Destination& destination,
                                                   const std::string& vs_namespace,
                                                   const std::string& path) {
  if (!destination.host) return std::nullopt;  // reported by the loader
  std::string fqdn = resolveFqdn(destination.host.value, vs_namespace);
  for (const config::Service& service : model_.services) {
    if (serviceFqdn(service) == fqdn) return referenceService(service, destination, fqdn, path);
  }
  for (const config::ServiceEntry& entry : model_.service_entries) {
    for (const auto& host : entry.hosts) {
      if (host.value == destination.host.value || host.value == fqdn) {
        return referenceEntry(entry, destination, host.value, path);
      }
    }
  }
  reportNoHost(destination, fqdn, path);
  return std::nullopt;
}

void ClusterTable::reportNoHost(const config::Destination& destination, const std::string& fqdn,
                                const std::string& path) {
  std::string hint;
  std::string short_name = destination.host.value.substr(0, destination.host.value.find('.'));
  for (const config::Service& service : model_.services) {
    if (service.meta.name == short_name) {
      hint = "Service " + qualified(service.meta) + " exists; write host: " + serviceFqdn(service);
      break;
    }
  }
  if (hint.empty()) {
    hint = "add the Service (with its Endpoints) or a ServiceEntry for this host to the config";
  }
  std::string message = "no Service or ServiceEntry named '" + destination.host.value + "'";
  if (fqdn != destination.host.value) message += " (" + fqdn + ")";
  diagnostics_.error(destination.host.where, path + ".host", message, hint);
}

std::optional<config::Labels> ClusterTable::subsetLabels(const config::Destination& destination,
                                                         const std::string& fqdn,
                                                         const std::string& path) {
  if (!destination.subset || destination.subset.value.empty()) return config::Labels{};
  for (const config::DestinationRule& rule : model_.destination_rules) {
    if (resolveFqdn(rule.host.value, rule.meta.namespace_name) != fqdn) continue;
    for (const config::Subset& subset : rule.subsets) {
      if (subset.name.value == destination.subset.value) return subset.labels;
    }
  }
  diagnostics_.error(
      destination.subset.where, path + ".subset",
      "no DestinationRule defines subset '" + destination.subset.value + "' for host " + fqdn,
      "add the subset to a DestinationRule with host: " + fqdn);
  return std::nullopt;
}

std::optional<std::string> ClusterTable::referenceService(const config::Service& service,
                                                          const config::Destination& destination,
                                                          const std::string& fqdn,
                                                          const std::string& path) {
  size_t index = service.ports.size();
  if (destination.port) {
    for (size_t i = 0; i < service.ports.size(); ++i) {
      if (service.ports[i].port.value == destination.port.value) index = i;
    }
    if (index == service.ports.size()) {
      diagnostics_.error(destination.port.where, path + ".port.number",
                         "Service " + qualified(service.meta) + " has no port " +
                             std::to_string(destination.port.value) + " (its ports: " +
                             portList(service.ports, [](auto& p) { return p.port; }) + ")");
      return std::nullopt;
    }
  } else if (service.ports.size() == 1) {
    index = 0;  // Istio: a destination without a port uses the Service's only port
  } else {
    diagnostics_.error(
        destination.where, path + ".port",
        "destination has no port and Service " + qualified(service.meta) + " has " +
            std::to_string(service.ports.size()) + " ports",
        "set port.number to one of: " + portList(service.ports, [](auto& p) { return p.port; }));
    return std::nullopt;
  }
  std::optional<config::Labels> labels = subsetLabels(destination, fqdn, path);
  if (!labels) return std::nullopt;
  const config::KubePort& port = service.ports[index];
  std::string name = clusterName(port.port.value, destination.subset.value, fqdn);
  if (clusters_.count(name) != 0) return name;

  ProtocolDecision protocol = decideProtocol(port.name.value, port.app_protocol.value, "");
  ir::Cluster cluster;
  cluster.name = name;
  cluster.service_host = fqdn;
  cluster.service_port = static_cast<uint16_t>(port.port.value);
  cluster.endpoints = serviceEndpoints(model_, service, port);
  cluster.declared_protocol = protocol.protocol;
  cluster.protocol_reason = protocol.reason;
  cluster.source = port.where;
  filterBySubset(cluster.endpoints, *labels);
  if (protocol.protocol == ir::UpstreamProtocol::kHttp11)
    warnHttp11(service, index, protocol.reason);
  if (cluster.endpoints.empty()) warnNoEndpoints(cluster, service.meta, "Service");
  policies_.apply(fqdn, destination.subset.value, port.port.value, cluster);
  cluster.health_check = health_checks_.forHost(fqdn);
  clusters_.emplace(name, std::move(cluster));
  return name;
}

std::optional<std::string> ClusterTable::referenceEntry(const config::ServiceEntry& entry,
                                                        const config::Destination& destination,
                                                        const std::string& host,
                                                        const std::string& path) {
  const config::ServicePortSpec* port = nullptr;
  for (const config::ServicePortSpec& candidate : entry.ports) {
    if (destination.port ? candidate.number.value == destination.port.value : true) {
      port = &candidate;
      if (destination.port) break;
    }
  }
  if (port == nullptr || (!destination.port && entry.ports.size() != 1)) {
    std::string ports = portList(entry.ports, [](auto& p) { return p.number; });
    if (destination.port) {
      diagnostics_.error(destination.port.where, path + ".port.number",
                         "ServiceEntry " + qualified(entry.meta) + " has no port " +
                             std::to_string(destination.port.value) + " (its ports: " + ports +
                             ")");
    } else {
      diagnostics_.error(destination.where, path + ".port",
                         "destination has no port and ServiceEntry " + qualified(entry.meta) +
                             " does not have exactly one port",
                         "set port.number to one of: " + ports);
    }
    return std::nullopt;
  }
  std::optional<config::Labels> labels = subsetLabels(destination, host, path);
  if (!labels) return std::nullopt;
  std::string name = clusterName(port->number.value, destination.subset.value, host);
  if (clusters_.count(name) != 0) return name;

  ProtocolDecision protocol = decideProtocol(port->name.value, "", port->protocol.value);
  if (protocol.protocol == ir::UpstreamProtocol::kHttp11) {
    auto index = static_cast<size_t>(port - entry.ports.data());
    diagnostics_.warning(port->protocol.where, "spec.ports[" + std::to_string(index) + "].protocol",
                         "ServiceEntry " + qualified(entry.meta) + " port " +
                             std::to_string(port->number.value) + ": " + protocol.reason + "; " +
                             std::string(kHttp11Consequence),
                         std::string(kHttp11EntryFix));
  }
  ServiceEntryEndpoints endpoints = serviceEntryEndpoints(model_, entry, *port, host);
  ir::Cluster cluster;
  cluster.name = name;
  cluster.service_host = host;
  cluster.service_port = static_cast<uint16_t>(port->number.value);
  cluster.resolve_dns = endpoints.resolve_dns;
  cluster.endpoints = std::move(endpoints.endpoints);
  cluster.declared_protocol = protocol.protocol;
  cluster.protocol_reason = protocol.reason;
  cluster.source = port->where;
  filterBySubset(cluster.endpoints, *labels);
  std::string resolution = entry.resolution.value.empty() ? "NONE" : entry.resolution.value;
  if (resolution == "NONE") {
    // Istio: NONE forwards to the connection's original destination, which a gateway lacks.
    diagnostics_.warning(entry.resolution ? entry.resolution.where : entry.meta.where,
                         "spec.resolution",
                         "ServiceEntry " + qualified(entry.meta) +
                             " has resolution NONE: traffic would go to the original destination "
                             "address, which a gateway does not have; " +
                             cluster.name + " has no endpoints",
                         "use resolution: STATIC with endpoints, or resolution: DNS");
  } else if (cluster.endpoints.empty()) {
    warnNoEndpoints(cluster, entry.meta, "ServiceEntry");
  }
  policies_.apply(host, destination.subset.value, port->number.value, cluster);
  cluster.health_check = health_checks_.forHost(host);
  clusters_.emplace(name, std::move(cluster));
  return name;
}

void ClusterTable::warnHttp11(const config::Service& service, size_t port_index,
                              const std::string& reason) {
  const config::KubePort& port = service.ports[port_index];
  bool by_app_protocol = port.app_protocol.present;
  std::string field = "spec.ports[" + std::to_string(port_index) + "]." +
                      (by_app_protocol ? "appProtocol" : "name");
  diagnostics_.warning(by_app_protocol ? port.app_protocol.where : port.name.where, field,
                       "Service " + qualified(service.meta) + " port " +
                           std::to_string(port.port.value) + ": " + reason + "; " +
                           std::string(kHttp11Consequence),
                       std::string(kHttp11Fix));
}

void ClusterTable::warnNoEndpoints(const ir::Cluster& cluster, const config::ObjectMeta& meta,
                                   const std::string& kind) {
  diagnostics_.warning(cluster.source, "",
                       kind + " " + qualified(meta) + " has no ready endpoints for " +
                           cluster.name + "; calls routed to it will fail with UNAVAILABLE",
                       kind == "Service" ? "add its Endpoints or EndpointSlice to the config "
                                           "(kubectl get endpointslices -o yaml)"
                                         : "list endpoints, or use resolution: DNS");
}

std::vector<ir::Cluster> ClusterTable::take() {
  std::vector<ir::Cluster> out;
  for (auto& [name, cluster] : clusters_) out.push_back(std::move(cluster));
  clusters_.clear();
  return out;
}

}  // namespace meshgate::translate
