#include "upstream/connection_pool.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/log.h"
#include "base/status.h"

namespace meshgate::upstream {
namespace {
constexpr size_t kMaxConnectionsPerHost = 64;
}

std::string PoolSettings::key() const {
  if (*this == PoolSettings{}) return {};
  auto millis = [](const std::optional<std::chrono::milliseconds>& d) {
    return d ? static_cast<int64_t>(d->count()) : int64_t{-1};
  };
  return fmt::format("{}/{}/{}/{}/{}/{}", max_connections, millis(connect_timeout), max_requests,
                     max_requests_per_connection, max_concurrent_streams, millis(idle_timeout));
}

ConnectionPool::ConnectionPool(io::EventLoop& loop, HostInfo host, const http::Limits& limits,
                               http::h2::CodecAllocator* allocator, PoolSettings settings,
                               UpstreamStats* stats)
    : loop_(loop),
      host_(std::move(host)),
      limits_(limits),
      allocator_(allocator),
      settings_(std::move(settings)),
      stats_(stats) {}

uint32_t ConnectionPool::activeRequests() const {
  uint32_t active = 0;
  for (const auto& connection : connections_) {
    active += static_cast<uint32_t>(connection->activeStreams());
  }
  return active;
}

ConnectionPool::~ConnectionPool() {
  // Connections report their close to the pool; detach them first.
  auto connections = std::move(connections_);
  for (auto& connection : connections) connection->close("pool destroyed");
}

UpstreamConnection* ConnectionPool::acquire(std::string& error) {
  for (auto& connection : connections_) {
    if (connection->acceptsStreams()) return connection.get();
  }
  // Connections that retired after maxRequestsPerConnection only finish their calls.
  size_t open = 0;
  for (const auto& connection : connections_) open += connection->exhausted() ? 0 : 1;
  if (settings_.max_connections != 0 && open >= settings_.max_connections) {
    error = fmt::format("{}: connectionPool.tcp.maxConnections ({}) reached", host_.label,
                        settings_.max_connections);
    return nullptr;
  }
  if (open >= kMaxConnectionsPerHost) {
    error = fmt::format("{}: all {} connections are at their stream limit", host_.label, open);
    return nullptr;
  }
  auto fd = io::connectTcp(host_.address);
  if (!fd.ok()) {
    error = std::string(base::message(fd.status()));
    return nullptr;
  }
  connections_.push_back(std::make_unique<UpstreamConnection>(
      loop_, std::move(*fd), *this, limits_, host_.label, allocator_, host_.transport));
  return connections_.back().get();
}

size_t ConnectionPool::activeStreams() const {
  size_t streams = 0;
  for (const auto& connection : connections_) streams += connection->activeStreams();
  return streams;
}

void ConnectionPool::retire(UpstreamConnection* connection) {
  auto it = std::find_if(connections_.begin(), connections_.end(),
                         [&](const auto& owned) { return owned.get() == connection; });
  if (it == connections_.end()) return;
  // The connection may be inside one of its own callbacks: delete it after they return.
  loop_.deferDelete(std::move(*it));
  connections_.erase(it);
}

}  // namespace meshgate::upstream
