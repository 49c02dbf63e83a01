#include "router/route_table.h"

#include <algorithm>

#include <fmt/format.h>

#include "absl/status/status.h"
#include "base/strings.h"

namespace meshgate::router {

bool CompiledRoute::matches(const RequestView& request) const {
  if (matchers.empty()) return true;
  for (const auto& matcher : matchers) {
    if (matcher.matches(request)) return true;
  }
  return false;
}

const Target& CompiledRoute::pick(uint64_t random) const {
  if (targets.size() == 1) return targets.front();
  uint64_t point = random % total_weight;
  for (const auto& target : targets) {
    if (point < target.cumulative_weight) return target;
  }
  return targets.back();
}

absl::StatusOr<RouteTable> RouteTable::build(const ir::Listener& listener,
                                             const ClusterIndex& cluster_index) {
  RouteTable table;
  for (const auto& virtual_host : listener.virtual_hosts) {
    CompiledVirtualHost compiled{&virtual_host, {}};
    for (const auto& route : virtual_host.routes) {
      CompiledRoute entry{&route, {}, {}, 0};
      for (const auto& match : route.matches) {
        auto matcher = compileMatch(match);
        if (!matcher.ok()) {
          return absl::InvalidArgumentError(
              fmt::format("route {}: {}", route.name, std::string(matcher.status().message())));
        }
        entry.matchers.push_back(std::move(*matcher));
      }
      for (const auto& cluster : route.clusters) {
        auto index = cluster_index(cluster.cluster);
        if (!index) {
          return absl::InvalidArgumentError(
              fmt::format("route {} names unknown cluster {}", route.name, cluster.cluster));
        }
        if (cluster.weight == 0) continue;
        entry.total_weight += cluster.weight;
        entry.targets.push_back({*index, entry.total_weight});
      }
      compiled.index.add(static_cast<uint32_t>(compiled.routes.size()), entry.matchers);
      compiled.routes.push_back(std::move(entry));
    }
    table.virtual_hosts_.push_back(std::move(compiled));
  }
  for (uint32_t i = 0; i < listener.virtual_hosts.size(); ++i) {
    for (const auto& domain : listener.virtual_hosts[i].domains) {
      std::string lower = base::lowerAscii(domain);
      if (lower == "*") {
        if (!table.catch_all_) table.catch_all_ = i;
      } else if (lower.starts_with("*")) {
        table.suffix_domains_.emplace_back(lower.substr(1), i);
      } else {
        table.exact_domains_.emplace(lower, i);
      }
    }
  }
  std::stable_sort(table.suffix_domains_.begin(), table.suffix_domains_.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  return table;
}

std::string normalizeHost(std::string_view authority) {
  std::string_view host = authority;
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    if (close != std::string_view::npos) host = host.substr(0, close + 1);
  } else if (size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  return base::lowerAscii(host);
}

const CompiledVirtualHost* RouteTable::findVirtualHost(std::string_view authority) const {
  std::string host = normalizeHost(authority);
  if (auto it = exact_domains_.find(host); it != exact_domains_.end()) {
    return &virtual_hosts_[it->second];
  }
  for (const auto& [suffix, index] : suffix_domains_) {
    // "*.example.com" needs at least one character before ".example.com".
    if (host.size() > suffix.size() && host.ends_with(suffix)) {
      return &virtual_hosts_[index];
    }
  }
  return catch_all_ ? &virtual_hosts_[*catch_all_] : nullptr;
}

const CompiledRoute* RouteTable::match(const RequestView& request) const {
  const CompiledVirtualHost* virtual_host = findVirtualHost(request.authority);
  if (virtual_host == nullptr) return nullptr;
  const auto& routes = virtual_host->routes;
  uint32_t first = virtual_host->index.first(
      request, [&](uint32_t route) { return routes[route].matches(request); });
  return first == kNoRoute ? nullptr : &routes[first];
}

const CompiledRoute* RouteTable::matchInOrder(const RequestView& request) const {
  const CompiledVirtualHost* virtual_host = findVirtualHost(request.authority);
  if (virtual_host == nullptr) return nullptr;
  for (const auto& route : virtual_host->routes) {
    if (route.matches(request)) return &route;
  }
  return nullptr;
}

}  // namespace meshgate::router
