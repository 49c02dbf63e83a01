#pragma once

#include <memory>
#include <string>
#include <vector>

#include "http/limits.h"
#include "io/event_loop.h"
#include "upstream/cluster_set.h"
#include "upstream/upstream_connection.h"
#include "upstream/upstream_stats.h"

namespace meshgate::upstream {

// The HTTP/2 connections of one worker to one upstream host. Calls share connections up to
// the host's SETTINGS_MAX_CONCURRENT_STREAMS, then the pool opens another. Worker-local.
class ConnectionPool {
 public:
  ConnectionPool(io::EventLoop& loop, HostInfo host, const http::Limits& limits,
                 http::h2::CodecAllocator* allocator, PoolSettings settings = {},
                 UpstreamStats* stats = nullptr);
  ~ConnectionPool();

  // A connection with room for one more stream, connecting a new one when needed. nullptr
  // (with error set) when the socket cannot even be created or the pool is full.
  UpstreamConnection* acquire(std::string& error);
  // Called by a connection that closed or stopped taking streams: it leaves the pool.
  void retire(UpstreamConnection* connection);
  const HostInfo& host() const { return host_; }
  const PoolSettings& settings() const { return settings_; }
  UpstreamStats* stats() const { return stats_; }
  // Calls in flight on this worker to this host (LEAST_REQUEST's measure).
  uint32_t activeRequests() const;
  size_t connectionCount() const { return connections_.size(); }
  // Streams open on all of the pool's connections.
  size_t activeStreams() const;

 private:
  io::EventLoop& loop_;
  HostInfo host_;
  const http::Limits& limits_;
  http::h2::CodecAllocator* allocator_;
  PoolSettings settings_;
  UpstreamStats* stats_;
  std::vector<std::unique_ptr<UpstreamConnection>> connections_;
};

}  // namespace meshgate::upstream
