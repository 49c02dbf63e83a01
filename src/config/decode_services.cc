// DestinationRule, ServiceEntry, WorkloadEntry and EnvoyFilter.
#include "config/decode.h"

namespace meshgate::config {
namespace {

NamedPorts decodeNamedPorts(MapReader& reader, std::string_view key) {
  NamedPorts out;
  const YamlNode* node = reader.get(key);
  if (node == nullptr) return out;
  if (!node->isMap()) {
    reader.diagnostics().error(
        node->where, reader.child(key),
        "expected a map of port names to numbers, got " + describeKind(*node));
    return out;
  }
  for (const YamlEntry& entry : node->entries) {
    Located<uint32_t> number =
        readPort(entry.value, childPath(reader.child(key), entry.key), reader.diagnostics());
    if (number) out.emplace_back(entry.key, number);
  }
  return out;
}

ServicePortSpec decodeServicePort(MapReader& port) {
  ServicePortSpec out;
  out.where = port.where();
  out.number = port.port("number", true);
  out.name = port.string("name");
  out.protocol = port.string("protocol");
  out.target_port = port.port("targetPort");
  return out;
}

}  // namespace

WorkloadEndpoint decodeWorkloadEndpoint(MapReader& reader) {
  WorkloadEndpoint out;
  out.where = reader.where();
  out.address = reader.string("address");
  out.ports = decodeNamedPorts(reader, "ports");
  out.labels = reader.stringMap("labels");
  out.weight = reader.uint("weight", 0xffffffffu);
  out.locality = reader.string("locality");
  out.network = reader.string("network");
  reader.ignore({"serviceAccount"});
  return out;
}

DestinationRule decodeDestinationRule(MapReader& doc) {
  DestinationRule out;
  out.meta = decodeMeta(doc);
  bool has_spec = doc.object("spec", [&](MapReader& spec) {
    out.host = spec.string("host", true);
    spec.object("trafficPolicy",
                [&](MapReader& policy) { out.traffic_policy = decodeTrafficPolicy(policy); });
    spec.list("subsets", [&](MapReader& subset_reader, size_t) {
      Subset subset;
      subset.where = subset_reader.where();
      subset.name = subset_reader.string("name", true);
      subset.labels = subset_reader.stringMap("labels");
      subset_reader.object("trafficPolicy", [&](MapReader& policy) {
        subset.traffic_policy = decodeTrafficPolicy(policy);
      });
      out.subsets.push_back(std::move(subset));
    });
    out.export_to = spec.stringList("exportTo");
    spec.ignore({"workloadSelector"});
  });
  if (!has_spec) doc.require("spec");
  return out;
}

ServiceEntry decodeServiceEntry(MapReader& doc) {
  ServiceEntry out;
  out.meta = decodeMeta(doc);
  bool has_spec = doc.object("spec", [&](MapReader& spec) {
    if (spec.require("hosts", "at least one host")) out.hosts = spec.stringList("hosts");
    out.addresses = spec.stringList("addresses");
    spec.list("ports",
              [&](MapReader& port, size_t) { out.ports.push_back(decodeServicePort(port)); });
    out.location = spec.string("location");
    out.resolution = spec.string("resolution");
    spec.list("endpoints", [&](MapReader& endpoint, size_t) {
      out.endpoints.push_back(decodeWorkloadEndpoint(endpoint));
    });
    spec.object("workloadSelector", [&](MapReader& selector) {
      out.workload_selector = selector.stringMap("labels");
      out.workload_selector_where = selector.where();
    });
    out.export_to = spec.stringList("exportTo");
    spec.ignore({"subjectAltNames"});
  });
  if (!has_spec) doc.require("spec");
  return out;
}

WorkloadEntry decodeWorkloadEntry(MapReader& doc) {
  WorkloadEntry out;
  out.meta = decodeMeta(doc);
  bool has_spec = doc.object("spec", [&](MapReader& spec) {
    out.spec = decodeWorkloadEndpoint(spec);
    if (!out.spec.address) spec.require("address");
  });
  if (!has_spec) doc.require("spec");
  return out;
}

EnvoyFilter decodeEnvoyFilter(MapReader& doc) {
  EnvoyFilter out;
  out.meta = decodeMeta(doc);
  doc.object("spec", [&](MapReader& spec) {
    spec.object("workloadSelector",
                [&](MapReader& selector) { out.workload_selector = selector.stringMap("labels"); });
    spec.ignore({"targetRefs", "priority"});
    const YamlNode* patches = spec.get("configPatches");
    if (patches == nullptr || !patches->isSequence()) return;
    out.config_patches_where = patches->where;
    out.patch_count = patches->items.size();
    // Opaque: only recognize "patch.value.name: envoy.filters.http.grpc_web" on every patch.
    out.is_grpc_web = !patches->items.empty();
    for (const YamlNode& patch : patches->items) {
      const YamlNode* body = patch.isMap() ? patch.get("patch") : nullptr;
      const YamlNode* value = body != nullptr && body->isMap() ? body->get("value") : nullptr;
      const YamlNode* name = value != nullptr && value->isMap() ? value->get("name") : nullptr;
      if (name == nullptr || name->scalar != "envoy.filters.http.grpc_web") out.is_grpc_web = false;
    }
  });
  return out;
}

}  // namespace meshgate::config
