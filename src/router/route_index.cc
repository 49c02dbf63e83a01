#include "router/route_index.h"

#include <algorithm>

namespace meshgate::router {

uint32_t PrefixTree::child(uint32_t node, char first) const {
  for (const auto& [byte, index] : nodes_[node].children) {
    if (byte == first) return index;
  }
  return kNoRoute;
}

void PrefixTree::insert(std::string_view prefix, uint32_t route) {
  uint32_t node = 0;
  std::string_view rest = prefix;
  while (!rest.empty()) {
    uint32_t next = child(node, rest.front());
    if (next == kNoRoute) {
      auto created = static_cast<uint32_t>(nodes_.size());
      nodes_.push_back({std::string(rest), kNoRoute, {}});
      nodes_[node].children.emplace_back(rest.front(), created);
      node = created;
      rest = {};
      break;
    }
    const std::string& label = nodes_[next].label;
    size_t common = 0;
    while (common < label.size() && common < rest.size() && label[common] == rest[common]) {
      ++common;
    }
    if (common < label.size()) {
      // Split the edge: a new node takes the common part and adopts `next` below it. It has
      // the same first byte, so it takes `next`'s place among the parent's children.
      auto middle = static_cast<uint32_t>(nodes_.size());
      nodes_.push_back({label.substr(0, common), kNoRoute, {}});
      nodes_[next].label.erase(0, common);
      nodes_[middle].children.emplace_back(nodes_[next].label.front(), next);
      for (auto& entry : nodes_[node].children) {
        if (entry.second == next) entry.second = middle;
      }
      next = middle;
    }
    node = next;
    rest.remove_prefix(common);
  }
  nodes_[node].route = std::min(nodes_[node].route, route);
}

uint32_t PrefixTree::lowest(std::string_view path) const {
  uint32_t best = nodes_[0].route;
  uint32_t node = 0;
  while (!path.empty()) {
    uint32_t next = child(node, path.front());
    if (next == kNoRoute) break;
    const Node& entry = nodes_[next];
    if (!path.starts_with(entry.label)) break;
    best = std::min(best, entry.route);
    path.remove_prefix(entry.label.size());
    node = next;
  }
  return best;
}

void RouteIndex::add(uint32_t route, const std::vector<CompiledMatch>& matches) {
  bool indexable = !matches.empty() && std::all_of(matches.begin(), matches.end(),
                                                   [](const auto& m) { return m.pathOnly(); });
  if (!indexable) {
    scanned_.push_back(route);
    return;
  }
  for (const CompiledMatch& match : matches) {
    if (match.path.kind == ir::PathMatchKind::kExact) {
      exact_.try_emplace(match.path.value, route);  // an earlier route keeps the path
    } else {
      prefixes_.insert(match.path.value, route);
      has_prefixes_ = true;
    }
  }
}

uint32_t RouteIndex::indexed(std::string_view path) const {
  uint32_t best = kNoRoute;
  if (!exact_.empty()) {
    // Exact uri matches ignore the query string, prefixes see the whole path (PathMatcher).
    std::string_view bare = path.substr(0, path.find('?'));
    if (auto it = exact_.find(base::toAbsl(bare)); it != exact_.end()) best = it->second;
  }
  if (has_prefixes_) best = std::min(best, prefixes_.lowest(path));
  return best;
}

}  // namespace meshgate::router
