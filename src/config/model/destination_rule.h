#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/model/meta.h"

namespace meshgate::config {

// trafficPolicy is kept as "which settings are present, where" until translate implements them.
struct TrafficPolicy {
  std::vector<Located<std::string>> settings;  // "loadBalancer", "connectionPool", "tls", ...
  Located<std::string> load_balancer_simple;   // ROUND_ROBIN, LEAST_REQUEST, RANDOM, ...
  SourceRef where;
  bool operator==(const TrafficPolicy&) const = default;
};

struct Subset {
  Located<std::string> name;
  Labels labels;
  std::optional<TrafficPolicy> traffic_policy;
  SourceRef where;
  bool operator==(const Subset&) const = default;
};

struct DestinationRule {
  ObjectMeta meta;
  Located<std::string> host;
  std::optional<TrafficPolicy> traffic_policy;
  std::vector<Subset> subsets;
  std::vector<Located<std::string>> export_to;
  bool operator==(const DestinationRule&) const = default;
};

}  // namespace meshgate::config
