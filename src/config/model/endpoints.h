#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/model/meta.h"

namespace meshgate::config {

struct ObjectReference {
  std::string kind;
  std::string name;
  std::string namespace_name;  // empty: the referring object's namespace
  bool operator==(const ObjectReference&) const = default;
};

struct EndpointPort {
  Located<std::string> name;
  Located<uint32_t> port;
  Located<std::string> protocol;
  Located<std::string> app_protocol;
  bool operator==(const EndpointPort&) const = default;
};

struct EndpointAddress {
  Located<std::string> ip;
  Located<std::string> hostname;
  std::optional<ObjectReference> target_ref;
  bool operator==(const EndpointAddress&) const = default;
};

struct EndpointSubset {
  std::vector<EndpointAddress> addresses;
  std::vector<EndpointAddress> not_ready_addresses;
  std::vector<EndpointPort> ports;
  SourceRef where;
  bool operator==(const EndpointSubset&) const = default;
};

// core/v1 Endpoints: named like its Service.
struct Endpoints {
  ObjectMeta meta;
  std::vector<EndpointSubset> subsets;
  bool operator==(const Endpoints&) const = default;
};

}  // namespace meshgate::config
