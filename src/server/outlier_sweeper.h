#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "io/event_loop.h"
#include "upstream/cluster_set.h"

namespace meshgate::server {

// Runs the outlier detectors' periodic sweep (un-ejecting hosts whose time is up) for the
// clusters new calls use. It runs on the main thread's loop, not a worker's: detectors are
// shared by all workers, the main loop is otherwise idle between reloads, so a sweep never
// delays a call, and it follows the config version the main thread installed last (older
// versions only serve calls already in flight).
class OutlierSweeper {
 public:
  using Current = std::function<std::shared_ptr<const upstream::ClusterSet>()>;
  OutlierSweeper(io::EventLoop& loop, Current current);

  // The tick: the smallest interval among the clusters' detectors, at most kMaxTick so that a
  // config change that adds a shorter interval is picked up soon. Each detector sweeps only
  // when its own interval has passed.
  static constexpr std::chrono::milliseconds kMaxTick{1000};
  static std::chrono::milliseconds tick(const upstream::ClusterSet* clusters);

 private:
  void sweep();

  Current current_;
  io::Timer timer_;
};

}  // namespace meshgate::server
