#include "translate/endpoints.h"

#include <algorithm>

#include <absl/strings/ascii.h>

namespace meshgate::translate {

using base::SourceRef;
using config::Located;
namespace {

using config::Labels;

const config::Pod* findPod(const config::Model& model, const std::string& namespace_name,
                           const std::optional<config::ObjectReference>& ref,
                           const std::string& ip) {
  for (const config::Pod& pod : model.pods) {
    if (pod.meta.namespace_name != namespace_name) continue;
    if (ref && ref->kind == "Pod") {
      std::string ref_namespace =
          ref->namespace_name.empty() ? namespace_name : ref->namespace_name;
      if (pod.meta.name == ref->name && pod.meta.namespace_name == ref_namespace) return &pod;
    } else if (pod.pod_ip && pod.pod_ip.value == ip) {
      return &pod;
    }
  }
  return nullptr;
}

ir::Endpoint makeEndpoint(const config::Model& model, const std::string& namespace_name,
                          const std::string& address, uint32_t port,
                          const std::optional<config::ObjectReference>& ref) {
  ir::Endpoint endpoint;
  endpoint.address = address;
  endpoint.port = static_cast<uint16_t>(port);
  if (const config::Pod* pod = findPod(model, namespace_name, ref, address)) {
    endpoint.labels = pod->meta.labels;
  }
  return endpoint;
}

// The endpoint port serving a Service port: same name (Kubernetes copies Service port names
// to endpoints), or the only port when neither side is named.
const config::EndpointPort* matchPort(const std::vector<config::EndpointPort>& ports,
                                      const config::KubePort& service_port) {
  for (const config::EndpointPort& port : ports) {
    if (port.port && port.name.value == service_port.name.value) return &port;
  }
  if (ports.size() == 1 && ports[0].port && service_port.name.value.empty()) return &ports[0];
  return nullptr;
}

std::vector<ir::Endpoint> fromSlices(const config::Model& model, const config::Service& service,
                                     const config::KubePort& port, bool& found_any) {
  std::vector<ir::Endpoint> out;
  for (const config::EndpointSlice& slice : model.endpoint_slices) {
    if (slice.meta.namespace_name != service.meta.namespace_name ||
        slice.service_name != service.meta.name) {
      continue;
    }
    found_any = true;
    const config::EndpointPort* endpoint_port = matchPort(slice.ports, port);
    if (endpoint_port == nullptr) continue;
    for (const config::SliceEndpoint& endpoint : slice.endpoints) {
      if (endpoint.ready && !endpoint.ready.value) continue;
      for (const auto& address : endpoint.addresses) {
        ir::Endpoint item = makeEndpoint(model, service.meta.namespace_name, address.value,
                                         endpoint_port->port.value, endpoint.target_ref);
        item.locality = endpoint.zone.value;
        out.push_back(std::move(item));
      }
    }
  }
  return out;
}

std::vector<ir::Endpoint> fromEndpoints(const config::Model& model, const config::Service& service,
                                        const config::KubePort& port) {
  std::vector<ir::Endpoint> out;
  for (const config::Endpoints& endpoints : model.endpoints) {
    if (endpoints.meta.namespace_name != service.meta.namespace_name ||
        endpoints.meta.name != service.meta.name) {
      continue;
    }
    for (const config::EndpointSubset& subset : endpoints.subsets) {
      const config::EndpointPort* endpoint_port = matchPort(subset.ports, port);
      if (endpoint_port == nullptr) continue;
      for (const config::EndpointAddress& address : subset.addresses) {
        if (!address.ip) continue;
        out.push_back(makeEndpoint(model, service.meta.namespace_name, address.ip.value,
                                   endpoint_port->port.value, address.target_ref));
      }
    }
  }
  return out;
}

// ServiceEntry endpoint port: the endpoint's own mapping for the port name, else the port's
// targetPort, else its number (Istio's ServiceEntry semantics).
uint32_t workloadPort(const config::WorkloadEndpoint& endpoint,
                      const config::ServicePortSpec& port) {
  for (const auto& [name, number] : endpoint.ports) {
    if (name == port.name.value) return number.value;
  }
  return port.target_port ? port.target_port.value : port.number.value;
}

ir::Endpoint fromWorkload(const config::WorkloadEndpoint& endpoint,
                          const config::ServicePortSpec& port) {
  ir::Endpoint out;
  out.address = endpoint.address.value;
  out.port = static_cast<uint16_t>(workloadPort(endpoint, port));
  out.weight = endpoint.weight && endpoint.weight.value > 0 ? endpoint.weight.value : 1;
  out.labels = endpoint.labels;
  out.locality = endpoint.locality.value;
  return out;
}

}  // namespace

bool labelsMatch(const Labels& selector, const Labels& labels) {
  return std::all_of(selector.begin(), selector.end(), [&](const auto& wanted) {
    return std::find(labels.begin(), labels.end(), wanted) != labels.end();
  });
}

std::vector<ir::Endpoint> serviceEndpoints(const config::Model& model,
                                           const config::Service& service,
                                           const config::KubePort& port) {
  bool has_slices = false;
  std::vector<ir::Endpoint> out = fromSlices(model, service, port, has_slices);
  if (has_slices) return out;
  return fromEndpoints(model, service, port);
}

ServiceEntryEndpoints serviceEntryEndpoints(const config::Model& model,
                                            const config::ServiceEntry& entry,
                                            const config::ServicePortSpec& port,
                                            const std::string& host) {
  ServiceEntryEndpoints out;
  std::string resolution = absl::AsciiStrToUpper(entry.resolution.value);
  if (resolution.empty() || resolution == "NONE") return out;
  out.resolve_dns = resolution == "DNS" || resolution == "DNS_ROUND_ROBIN";
  for (const config::WorkloadEndpoint& endpoint : entry.endpoints) {
    if (endpoint.address) out.endpoints.push_back(fromWorkload(endpoint, port));
  }
  if (entry.workload_selector) {
    for (const config::WorkloadEntry& workload : model.workload_entries) {
      if (workload.meta.namespace_name == entry.meta.namespace_name &&
          labelsMatch(*entry.workload_selector, workload.spec.labels) && workload.spec.address) {
        out.endpoints.push_back(fromWorkload(workload.spec, port));
      }
    }
  }
  // Istio: a DNS ServiceEntry without endpoints resolves its own host.
  if (out.resolve_dns && out.endpoints.empty() && !entry.workload_selector) {
    uint32_t number = port.target_port ? port.target_port.value : port.number.value;
    ir::Endpoint self;
    self.address = host;
    self.port = static_cast<uint16_t>(number);
    out.endpoints.push_back(std::move(self));
  }
  return out;
}

}  // namespace meshgate::translate
