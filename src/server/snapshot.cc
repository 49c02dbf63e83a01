#include "server/snapshot.h"

#include <algorithm>
#include <netdb.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "absl/status/status.h"
#include "base/log.h"
#include "base/status.h"
#include "tls/client_context.h"

namespace meshgate::server {
namespace {

// Every address the resolver returns for host becomes a host of the cluster.
std::vector<io::Address> resolve(const std::string& host, uint16_t port) {
  std::vector<io::Address> addresses;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &result);
  if (rc != 0) {
    MG_LOG(kWarn, "dns: cannot resolve {}: {}", host, gai_strerror(rc));
    return addresses;
  }
  for (addrinfo* entry = result; entry != nullptr; entry = entry->ai_next) {
    io::Address address;
    std::memcpy(&address.storage, entry->ai_addr, entry->ai_addrlen);
    address.length = entry->ai_addrlen;
    if (address.storage.ss_family == AF_INET) {
      reinterpret_cast<sockaddr_in*>(&address.storage)->sin_port = htons(port);
    } else {
      reinterpret_cast<sockaddr_in6*>(&address.storage)->sin6_port = htons(port);
    }
    bool seen = false;
    for (const auto& known : addresses) seen = seen || known.toString() == address.toString();
    if (!seen) addresses.push_back(address);
  }
  freeaddrinfo(result);
  return addresses;
}

upstream::LbSettings lbSettings(const ir::LoadBalancer& lb) {
  upstream::LbSettings out;
  switch (lb.policy) {
    case ir::LbPolicy::kRoundRobin:
      out.kind = upstream::LbKind::kRoundRobin;
      break;
    case ir::LbPolicy::kLeastRequest:
      out.kind = upstream::LbKind::kLeastRequest;
      break;
    case ir::LbPolicy::kRandom:
      out.kind = upstream::LbKind::kRandom;
      break;
    case ir::LbPolicy::kRingHash:
      out.kind = upstream::LbKind::kRingHash;
      break;
    case ir::LbPolicy::kMaglev:
      out.kind = upstream::LbKind::kMaglev;
      break;
  }
  out.ring_minimum_size = lb.ring_minimum_size;
  out.maglev_table_size = lb.maglev_table_size;
  if (lb.hash) {
    using Kind = upstream::HashKeyPolicy::Kind;
    switch (lb.hash->kind) {
      case ir::HashPolicy::Kind::kHeader:
        out.hash.kind = Kind::kHeader;
        break;
      case ir::HashPolicy::Kind::kCookie:
        out.hash.kind = Kind::kCookie;
        break;
      case ir::HashPolicy::Kind::kSourceIp:
        out.hash.kind = Kind::kSourceIp;
        break;
      case ir::HashPolicy::Kind::kQueryParameter:
        out.hash.kind = Kind::kQueryParameter;
        break;
    }
    out.hash.name = lb.hash->name;
    out.hash.cookie_ttl = lb.hash->cookie_ttl;
    out.hash.cookie_path = lb.hash->cookie_path;
  }
  return out;
}

upstream::PoolSettings poolSettings(const ir::ConnectionPoolSettings& pool) {
  return {pool.max_connections,        pool.connect_timeout,
          pool.max_requests,           pool.max_requests_per_connection,
          pool.max_concurrent_streams, pool.idle_timeout};
}

upstream::OutlierSettings outlierSettings(const ir::OutlierDetection& outlier) {
  upstream::OutlierSettings out;
  out.consecutive_5xx = outlier.consecutive_5xx;
  out.consecutive_gateway = outlier.consecutive_gateway;
  out.consecutive_local_origin = outlier.consecutive_local_origin;
  out.split_local_origin = outlier.split_local_origin;
  out.interval = outlier.interval;
  out.base_ejection = outlier.base_ejection_time;
  out.max_ejection_percent = outlier.max_ejection_percent;
  return out;
}

// The transport new connections of a TLS cluster use, and the pool key suffix that keeps
// connections made with other TLS settings (an older Secret, another SNI) apart.
struct UpstreamTransport {
  io::Connection::TransportFactory factory;
  std::string key;
};

absl::StatusOr<UpstreamTransport> upstreamTransport(const ir::Cluster& cluster) {
  if (!cluster.tls) return UpstreamTransport{};
  const ir::UpstreamTls& tls = *cluster.tls;
  tls::ClientOptions options{tls.ca_pem,     tls.cert_pem,          tls.key_pem,
                             tls.sni,        tls.subject_alt_names, tls.insecure_skip_verify,
                             tls.source_name};
  auto context = tls::ClientContext::build(std::move(options));
  if (!context.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("cluster {}: upstream tls: {}", cluster.name, base::message(context.status())));
  }
  std::string identity =
      fmt::format("{}|{}|{}|{}|{}|{}", tls.ca_pem, tls.cert_pem, tls.key_pem, tls.sni,
                  fmt::join(tls.subject_alt_names, ","), tls.insecure_skip_verify);
  std::shared_ptr<const tls::ClientContext> shared = std::move(*context);
  return UpstreamTransport{[shared](int fd) { return shared->newSocket(fd); },
                           fmt::format("|tls:{:x}", std::hash<std::string>{}(identity))};
}

absl::StatusOr<upstream::ClusterInfo> resolveCluster(const ir::Cluster& cluster) {
  auto transport = upstreamTransport(cluster);
  if (!transport.ok()) return transport.status();
  upstream::ClusterInfo info;
  info.name = cluster.name;
  info.service_host = cluster.service_host;
  info.lb = lbSettings(cluster.load_balancer);
  info.pool = poolSettings(cluster.connection_pool);
  if (cluster.outlier_detection) {
    info.outlier = outlierSettings(*cluster.outlier_detection);
    info.lb.panic_threshold_percent = cluster.outlier_detection->min_health_percent;
  }
  auto addHost = [&](const io::Address& address, const ir::Endpoint& endpoint) {
    std::string label = address.toString();
    info.hosts.push_back({address, label, endpoint.weight, transport->factory,
                          label + transport->key, endpoint.priority});
  };
  for (const auto& endpoint : cluster.endpoints) {
    if (cluster.resolve_dns) {
      for (const auto& address : resolve(endpoint.address, endpoint.port)) {
        addHost(address, endpoint);
      }
      continue;
    }
    auto address = io::Address::fromNumeric(endpoint.address, endpoint.port);
    if (!address.ok()) {
      MG_LOG(kWarn, "cluster {}: endpoint {}: {}", cluster.name, endpoint.address,
             base::message(address.status()));
      continue;
    }
    addHost(*address, endpoint);
  }
  // The load balancer sees each locality priority as one run of hosts, best first.
  std::stable_sort(info.hosts.begin(), info.hosts.end(),
                   [](const auto& a, const auto& b) { return a.priority < b.priority; });
  return info;
}

// The routes of a removed listener, for streams that race its GOAWAY; none when they name
// clusters the new config no longer has.
router::RouteTable closedListenerTable(const ir::Listener& listener,
                                       const router::RouteTable::ClusterIndex& index) {
  auto table = router::RouteTable::build(listener, index);
  if (table.ok()) return std::move(*table);
  ir::Listener empty;
  empty.name = listener.name;
  empty.port = listener.port;
  return std::move(*router::RouteTable::build(empty, index));
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Snapshot>> buildSnapshot(
    std::shared_ptr<const ir::Config> config, uint64_t version, const std::vector<bool>& open,
    const Snapshot* previous) {
  auto snapshot = std::make_shared<Snapshot>();
  auto proxy = std::make_shared<proxy::ProxyConfig>();
  std::vector<upstream::ClusterInfo> clusters;
  for (const auto& cluster : config->clusters) {
    auto info = resolveCluster(cluster);
    if (!info.ok()) return info.status();
    clusters.push_back(std::move(*info));
  }
  proxy->clusters = std::make_shared<const upstream::ClusterSet>(
      std::move(clusters), previous != nullptr ? previous->proxy->clusters.get() : nullptr);
  auto index = [&](std::string_view name) { return proxy->clusters->indexOf(name); };
  for (size_t l = 0; l < config->listeners.size(); ++l) {
    const ir::Listener& listener = config->listeners[l];
    if (l < open.size() && !open[l]) {
      proxy->route_tables.push_back(closedListenerTable(listener, index));
      snapshot->tls.push_back(nullptr);
      continue;
    }
    auto table = router::RouteTable::build(listener, index);
    if (!table.ok()) return table.status();
    proxy->route_tables.push_back(std::move(*table));
    if (listener.tls.empty()) {
      snapshot->tls.push_back(nullptr);
      continue;
    }
    std::vector<tls::CertificateSource> sources;
    for (const auto& cert : listener.tls) {
      sources.push_back({cert.server_names, cert.cert_pem, cert.key_pem, cert.source_name});
    }
    auto context = tls::ServerContext::build(sources);
    if (!context.ok()) {
      return absl::InvalidArgumentError(
          fmt::format("listener {}: {}", listener.name, base::message(context.status())));
    }
    snapshot->tls.push_back(std::move(*context));
  }
  proxy->ir = std::move(config);
  proxy->version = version;
  snapshot->proxy = std::move(proxy);
  return std::shared_ptr<const Snapshot>(std::move(snapshot));
}

}  // namespace meshgate::server
