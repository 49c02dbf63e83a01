#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "base/strings.h"
#include "router/request.h"
#include "router/request_matcher.h"

// Route lookup that does not grow with the number of routes for the common gRPC matches
// (an exact /pkg.Svc/Method, a /pkg.Svc/ prefix), with first-match-wins kept exactly.
namespace meshgate::router {

inline constexpr uint32_t kNoRoute = std::numeric_limits<uint32_t>::max();

// The lowest route among those whose prefix starts a path. A radix tree (edges carry strings),
// so a lookup walks the path once, however many prefixes there are, and the tree holds at most
// two nodes per prefix.
class PrefixTree {
 public:
  PrefixTree() : nodes_(1) {}
  // Keeps the lowest route given for a prefix.
  void insert(std::string_view prefix, uint32_t route);
  uint32_t lowest(std::string_view path) const;

 private:
  struct Node {
    std::string label;
    uint32_t route = kNoRoute;
    std::vector<std::pair<char, uint32_t>> children;  // by the first byte of their label
  };
  uint32_t child(uint32_t node, char first) const;

  std::vector<Node> nodes_;  // nodes_[0]: the root, with an empty label
};

// One virtual host's routes split in two: routes whose every match is a case-sensitive exact
// or prefix uri and nothing else are answered by a hash map and a PrefixTree; the others are
// scanned in order, but only while their position is below the best indexed candidate, so the
// first route that matches wins exactly as in a plain scan.
class RouteIndex {
 public:
  // Called for each route in order; an empty `matches` matches every request.
  void add(uint32_t route, const std::vector<CompiledMatch>& matches);

  // The position of the first route that matches, or kNoRoute. `matchesRoute(i)` evaluates
  // route i in full; it is called only for scanned routes.
  template <typename MatchesRoute>
  uint32_t first(const RequestView& request, const MatchesRoute& matchesRoute) const {
    uint32_t best = indexed(request.path);
    for (uint32_t route : scanned_) {
      if (route >= best) break;
      if (matchesRoute(route)) return route;
    }
    return best;
  }

  size_t scannedCount() const { return scanned_.size(); }

 private:
  uint32_t indexed(std::string_view path) const;

  absl::flat_hash_map<std::string, uint32_t> exact_;
  PrefixTree prefixes_;
  bool has_prefixes_ = false;
  std::vector<uint32_t> scanned_;  // ascending
};

}  // namespace meshgate::router
