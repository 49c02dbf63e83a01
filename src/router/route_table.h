#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "ir/config.h"
#include "router/request.h"
#include "router/request_matcher.h"
#include "router/route_index.h"

namespace meshgate::router {

// One weighted target of a route, with the cluster as an index into the snapshot's clusters.
struct Target {
  uint32_t cluster_index;
  uint32_t cumulative_weight;  // running sum, for a binary-search-free linear pick
};

struct CompiledRoute {
  const ir::Route* route;               // points into the snapshot's IR, which outlives the table
  std::vector<CompiledMatch> matchers;  // ORed; empty matches everything
  std::vector<Target> targets;
  uint32_t total_weight = 0;

  bool matches(const RequestView& request) const;
  // Picks a target by weight; random is any uniformly distributed number.
  const Target& pick(uint64_t random) const;
};

struct CompiledVirtualHost {
  const ir::VirtualHost* virtual_host;
  std::vector<CompiledRoute> routes;
  RouteIndex index;
};

// The routes of one listener: virtual hosts by domain, then routes in order (first match wins).
// Immutable and shared by all workers.
class RouteTable {
 public:
  using ClusterIndex = std::function<std::optional<uint32_t>(std::string_view cluster)>;
  static absl::StatusOr<RouteTable> build(const ir::Listener& listener,
                                          const ClusterIndex& cluster_index);

  // Exact domains first, then the longest wildcard suffix, then "*". Port is ignored.
  const CompiledVirtualHost* findVirtualHost(std::string_view authority) const;
  // The first route of the request's virtual host whose conditions all hold, through the
  // index; matchInOrder is the same answer by a plain in-order scan (tests compare the two).
  const CompiledRoute* match(const RequestView& request) const;
  const CompiledRoute* matchInOrder(const RequestView& request) const;

 private:
  std::vector<CompiledVirtualHost> virtual_hosts_;
  absl::flat_hash_map<std::string, uint32_t> exact_domains_;
  std::vector<std::pair<std::string, uint32_t>> suffix_domains_;  // ".example.com", longest first
  std::optional<uint32_t> catch_all_;
};

// The host part of an :authority, lower-cased, without port or IPv6 brackets' port.
std::string normalizeHost(std::string_view authority);

}  // namespace meshgate::router
