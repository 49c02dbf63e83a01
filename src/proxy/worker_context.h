#pragma once

#include <cstdint>
#include <memory>

#include "http/h2/codec_allocator.h"
#include "http/limits.h"
#include "io/event_loop.h"
#include "proxy/proxy_config.h"
#include "proxy/proxy_stats.h"
#include "proxy/shadow_stream.h"
#include "upstream/cluster_manager.h"

namespace meshgate::proxy {

class DownstreamSession;

// What the sessions of one worker share: the loop, the upstream pools, the limits, and the
// config version new streams start with. Worker-local; owned by server::Worker.
class WorkerContext {
 public:
  WorkerContext(io::EventLoop& loop, const http::Limits& limits, uint64_t seed)
      : loop_(loop),
        limits_(limits),
        clusters_(loop, limits, &allocator_, &upstream_stats_),
        shadows_(loop, &stats_.shadow_streams),
        random_(seed | 1) {}
  virtual ~WorkerContext() = default;

  io::EventLoop& loop() { return loop_; }
  const http::Limits& limits() const { return limits_; }
  http::h2::CodecAllocator& codecAllocator() { return allocator_; }
  upstream::ClusterManager& clusters() { return clusters_; }
  ShadowSet& shadows() { return shadows_; }
  // Thread-safe to read (the admin sums them); changed on this worker's thread only.
  ProxyStats& stats() { return stats_; }
  const ProxyStats& stats() const { return stats_; }
  const upstream::UpstreamStats& upstreamStats() const { return upstream_stats_; }
  const std::shared_ptr<const ProxyConfig>& config() const { return config_; }
  void setConfig(std::shared_ptr<const ProxyConfig> config) {
    clusters_.setClusters(config->clusters);
    config_ = std::move(config);
  }
  // xorshift64*: cheap, worker-local randomness for weighted picks.
  uint64_t nextRandom() {
    random_ ^= random_ >> 12;
    random_ ^= random_ << 25;
    random_ ^= random_ >> 27;
    return random_ * 2685821657736338717ULL;
  }
  // A session ended; its owner frees it.
  virtual void onSessionClosed(DownstreamSession& session) = 0;

 private:
  // Declared first: the codecs of clusters_ and of the sessions allocate from it.
  http::h2::CodecAllocator allocator_;
  // Next to the allocator for the same reason: connections count themselves until they go.
  ProxyStats stats_;
  upstream::UpstreamStats upstream_stats_;
  io::EventLoop& loop_;
  const http::Limits& limits_;
  upstream::ClusterManager clusters_;
  // After clusters_: shadows still running cancel their streams on live connections.
  ShadowSet shadows_;
  std::shared_ptr<const ProxyConfig> config_;
  uint64_t random_;
};

}  // namespace meshgate::proxy
