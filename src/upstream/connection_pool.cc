#include "upstream/connection_pool.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/log.h"
#include "base/status.h"

namespace meshgate::upstream {
namespace {
constexpr size_t kMaxConnectionsPerHost = 64;
}

ConnectionPool::ConnectionPool(io::EventLoop& loop, HostInfo host, const http::Limits& limits,
                               http::h2::CodecAllocator* allocator)
    : loop_(loop), host_(std::move(host)), limits_(limits), allocator_(allocator) {}

ConnectionPool::~ConnectionPool() {
  // Connections report their close to the pool; detach them first.
  auto connections = std::move(connections_);
  for (auto& connection : connections) connection->close("pool destroyed");
}

UpstreamConnection* ConnectionPool::acquire(std::string& error) {
  for (auto& connection : connections_) {
    if (connection->acceptsStreams()) return connection.get();
  }
  if (connections_.size() >= kMaxConnectionsPerHost) {
    error = fmt::format("{}: all {} connections are at their stream limit", host_.label,
                        connections_.size());
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
