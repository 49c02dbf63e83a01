// Kubernetes core/v1 Service, Endpoints, Pod, Secret and discovery.k8s.io/v1 EndpointSlice.
#include "config/decode.h"
#include "config/scalars.h"

namespace meshgate::config {
namespace {

KubePort decodeKubePort(MapReader& port) {
  KubePort out;
  out.where = port.where();
  out.name = port.string("name");
  out.port = port.port("port", true);
  if (const YamlNode* target = port.get("targetPort")) {
    // IntOrString: a plain number is a port, anything else a container port name.
    if (target->isScalar() && !target->quoted && parseUnsigned(target->scalar, 0xffffffffu)) {
      out.target_port_number = readPort(*target, port.child("targetPort"), port.diagnostics());
    } else {
      out.target_port_name = readString(*target, port.child("targetPort"), port.diagnostics());
    }
  }
  out.protocol = port.string("protocol");
  out.app_protocol = port.string("appProtocol");
  port.ignore({"nodePort"});
  return out;
}

std::optional<ObjectReference> decodeTargetRef(MapReader& parent) {
  std::optional<ObjectReference> out;
  parent.object("targetRef", [&](MapReader& ref) {
    out = ObjectReference{ref.string("kind").value, ref.string("name").value,
                          ref.string("namespace").value};
    ref.ignore({"uid", "resourceVersion", "apiVersion", "fieldPath"});
  });
  return out;
}

EndpointPort decodeEndpointPort(MapReader& port) {
  EndpointPort out;
  out.name = port.string("name");
  out.port = port.port("port", true);
  out.protocol = port.string("protocol");
  out.app_protocol = port.string("appProtocol");
  return out;
}

std::vector<EndpointAddress> decodeAddresses(MapReader& subset, std::string_view key) {
  std::vector<EndpointAddress> out;
  subset.list(key, [&](MapReader& address, size_t) {
    EndpointAddress item;
    item.ip = address.string("ip", true);
    item.hostname = address.string("hostname");
    item.target_ref = decodeTargetRef(address);
    address.ignore({"nodeName"});
    out.push_back(std::move(item));
  });
  return out;
}

}  // namespace

Service decodeService(MapReader& doc) {
  Service out;
  out.meta = decodeMeta(doc);
  doc.object("spec", [&](MapReader& spec) {
    spec.list("ports", [&](MapReader& port, size_t) { out.ports.push_back(decodeKubePort(port)); });
    out.selector = spec.stringMap("selector");
    out.type = spec.string("type");
    out.external_name = spec.string("externalName");
    spec.ignore({"clusterIP", "clusterIPs", "externalIPs", "sessionAffinity",
                 "sessionAffinityConfig", "ipFamilies", "ipFamilyPolicy", "externalTrafficPolicy",
                 "internalTrafficPolicy", "loadBalancerIP", "loadBalancerSourceRanges",
                 "loadBalancerClass", "healthCheckNodePort", "publishNotReadyAddresses",
                 "allocateLoadBalancerNodePorts", "trafficDistribution"});
  });
  return out;
}

Endpoints decodeEndpoints(MapReader& doc) {
  Endpoints out;
  out.meta = decodeMeta(doc);
  doc.list("subsets", [&](MapReader& subset_reader, size_t) {
    EndpointSubset subset;
    subset.where = subset_reader.where();
    subset.addresses = decodeAddresses(subset_reader, "addresses");
    subset.not_ready_addresses = decodeAddresses(subset_reader, "notReadyAddresses");
    subset_reader.list("ports", [&](MapReader& port, size_t) {
      subset.ports.push_back(decodeEndpointPort(port));
    });
    out.subsets.push_back(std::move(subset));
  });
  return out;
}

EndpointSlice decodeEndpointSlice(MapReader& doc) {
  EndpointSlice out;
  out.meta = decodeMeta(doc);
  for (const auto& [key, value] : out.meta.labels) {
    if (key == "kubernetes.io/service-name") out.service_name = value;
  }
  if (out.service_name.empty()) {
    doc.diagnostics().warning(out.meta.where, "metadata.labels",
                              "EndpointSlice has no kubernetes.io/service-name label; it "
                              "belongs to no Service and is ignored");
  }
  out.address_type = doc.string("addressType");
  doc.list("endpoints", [&](MapReader& endpoint, size_t) {
    SliceEndpoint item;
    item.where = endpoint.where();
    item.addresses = endpoint.stringList("addresses");
    endpoint.object("conditions", [&](MapReader& conditions) {
      item.ready = conditions.boolean("ready");
      conditions.ignore({"serving", "terminating"});
    });
    item.hostname = endpoint.string("hostname");
    item.zone = endpoint.string("zone");
    item.target_ref = decodeTargetRef(endpoint);
    endpoint.ignore({"nodeName", "hints", "deprecatedTopology"});
    out.endpoints.push_back(std::move(item));
  });
  doc.list("ports",
           [&](MapReader& port, size_t) { out.ports.push_back(decodeEndpointPort(port)); });
  return out;
}

Pod decodePod(MapReader& doc) {
  Pod out;
  out.meta = decodeMeta(doc);
  doc.ignore({"spec"});  // containers and volumes: nothing meshgate needs
  doc.object("status", [&](MapReader& status) {
    out.pod_ip = status.string("podIP");
    status.ignore({"podIPs", "phase", "conditions", "hostIP", "hostIPs", "startTime",
                   "containerStatuses", "initContainerStatuses", "qosClass", "message", "reason",
                   "nominatedNodeName", "ephemeralContainerStatuses", "resize",
                   "resourceClaimStatuses"});
  });
  return out;
}

Secret decodeSecret(MapReader& doc) {
  Secret out;
  out.meta = decodeMeta(doc);
  out.type = doc.string("type");
  doc.ignore({"immutable"});
  const YamlNode* data = doc.get("data");
  const YamlNode* string_data = doc.get("stringData");
  for (const YamlNode* map : {data, string_data}) {
    if (map != nullptr && !map->isMap()) {
      doc.diagnostics().error(map->where, map == data ? "data" : "stringData",
                              "expected a map, got " + describeKind(*map));
    }
  }
  if (data != nullptr && data->isMap()) {
    for (const YamlEntry& entry : data->entries) {
      std::string path = childPath("data", entry.key);
      Located<std::string> encoded = readString(entry.value, path, doc.diagnostics());
      if (!encoded) continue;
      std::optional<std::string> decoded = decodeBase64(encoded.value);
      if (!decoded) {
        doc.diagnostics().error(encoded.where, path, "value is not valid base64",
                                "use stringData for values that are not base64-encoded");
        continue;
      }
      out.values.emplace_back(entry.key, Located<std::string>{*decoded, encoded.where, true});
    }
  }
  if (string_data != nullptr && string_data->isMap()) {
    for (const YamlEntry& entry : string_data->entries) {
      Located<std::string> value =
          readString(entry.value, childPath("stringData", entry.key), doc.diagnostics());
      if (!value) continue;
      std::erase_if(out.values, [&](const auto& item) { return item.first == entry.key; });
      out.values.emplace_back(entry.key, value);
    }
  }
  return out;
}

}  // namespace meshgate::config
