#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/model/meta.h"

namespace meshgate::config {

struct ServicePortSpec {
  Located<uint32_t> number;
  Located<std::string> name;
  Located<std::string> protocol;  // HTTP, HTTP2, GRPC, GRPC-WEB, HTTPS, TCP, TLS, ...
  Located<uint32_t> target_port;
  SourceRef where;
  bool operator==(const ServicePortSpec&) const = default;
};

using NamedPorts = std::vector<std::pair<std::string, Located<uint32_t>>>;  // port name -> number

// A ServiceEntry endpoint, and the spec of a WorkloadEntry (same schema).
struct WorkloadEndpoint {
  Located<std::string> address;
  NamedPorts ports;
  Labels labels;
  Located<uint32_t> weight;
  Located<std::string> locality;
  Located<std::string> network;
  SourceRef where;
  bool operator==(const WorkloadEndpoint&) const = default;
};

struct ServiceEntry {
  ObjectMeta meta;
  std::vector<Located<std::string>> hosts;
  std::vector<Located<std::string>> addresses;
  std::vector<ServicePortSpec> ports;
  Located<std::string> location;    // MESH_EXTERNAL, MESH_INTERNAL
  Located<std::string> resolution;  // NONE (default), STATIC, DNS, DNS_ROUND_ROBIN
  std::vector<WorkloadEndpoint> endpoints;
  std::optional<Labels> workload_selector;
  SourceRef workload_selector_where;
  std::vector<Located<std::string>> export_to;
  bool operator==(const ServiceEntry&) const = default;
};

struct WorkloadEntry {
  ObjectMeta meta;
  WorkloadEndpoint spec;
  bool operator==(const WorkloadEntry&) const = default;
};

}  // namespace meshgate::config
