#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/model/endpoints.h"
#include "config/model/meta.h"

namespace meshgate::config {

struct SliceEndpoint {
  std::vector<Located<std::string>> addresses;
  Located<bool> ready;  // conditions.ready; absent means ready (Kubernetes API)
  Located<std::string> hostname;
  Located<std::string> zone;
  std::optional<ObjectReference> target_ref;
  SourceRef where;
  bool operator==(const SliceEndpoint&) const = default;
};

// discovery.k8s.io/v1 EndpointSlice: belongs to the Service named by the
// kubernetes.io/service-name label.
struct EndpointSlice {
  ObjectMeta meta;
  Located<std::string> address_type;  // IPv4, IPv6, FQDN
  std::vector<SliceEndpoint> endpoints;
  std::vector<EndpointPort> ports;
  std::string service_name;  // from the label; empty when missing
  bool operator==(const EndpointSlice&) const = default;
};

}  // namespace meshgate::config
