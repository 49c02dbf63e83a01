#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "ir/config.h"
#include "router/route_table.h"
#include "upstream/cluster_set.h"

namespace meshgate::proxy {

// What the data plane needs from one config version: compiled routes per listener and the
// resolved clusters. Immutable; each stream pins the version it started with.
struct ProxyConfig {
  std::shared_ptr<const ir::Config> ir;
  std::shared_ptr<const upstream::ClusterSet> clusters;
  std::vector<router::RouteTable> route_tables;  // parallel to ir->listeners
  uint64_t version = 0;
};

}  // namespace meshgate::proxy
