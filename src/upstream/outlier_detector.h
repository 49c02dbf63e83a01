#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "upstream/host_health.h"

namespace meshgate::upstream {

// How one call ended for its host, as outlier detection counts it. The proxy classifies
// (grpc-status from Trailers-Only headers or trailers, else :status).
enum class Outcome : uint8_t {
  kSuccess,       // any answer that is not a server error (OK, NOT_FOUND, 4xx, ...)
  kServerError,   // INTERNAL, UNKNOWN, 500, 501: a 5xx that is not a gateway error
  kGatewayError,  // UNAVAILABLE, DEADLINE_EXCEEDED, 502, 503, 504
  kLocalOrigin,   // reset, connect failure, timeout: nothing (valid) came back
};

// DestinationRule outlierDetection as the data plane applies it (Envoy's consecutive_5xx,
// consecutive_gateway_failure and consecutive_local_origin_failure detectors). 0 turns a
// detector off.
struct OutlierSettings {
  uint32_t consecutive_5xx = 5;
  uint32_t consecutive_gateway = 0;
  uint32_t consecutive_local_origin = 5;  // only with split_local_origin
  bool split_local_origin = false;
  std::chrono::milliseconds interval{10000};
  std::chrono::milliseconds base_ejection{30000};
  std::chrono::milliseconds max_ejection{300000};  // Envoy's max_ejection_time default
  uint32_t max_ejection_percent = 10;
  bool operator==(const OutlierSettings&) const = default;
};

// The outlier detector of one cluster of one config version, shared by every worker. Workers
// report outcomes from their threads (lock-free counters; a host reaching a threshold is
// ejected at once under a mutex, which only error paths take). sweep() runs on one thread every
// `interval` and returns hosts whose ejection time has passed.
class OutlierDetector {
 public:
  using Clock = std::chrono::steady_clock;

  OutlierDetector(const OutlierSettings& settings, std::shared_ptr<ClusterHealth> health);

  const OutlierSettings& settings() const { return settings_; }
  // The clock is only read when a host is ejected, not per call.
  void report(uint32_t host, Outcome outcome) { report(host, outcome, std::nullopt); }
  void report(uint32_t host, Outcome outcome, std::optional<Clock::time_point> now);
  // Un-ejects hosts whose time is up and lets healthy hosts' ejection multipliers decay. Does
  // nothing before `interval` has passed since the last sweep.
  void sweep(Clock::time_point now = Clock::now());

  uint32_t ejectedCount() const { return ejected_.load(std::memory_order_relaxed); }
  bool ejected(uint32_t host) const { return health_->has(host, HealthFlag::kOutlierEjected); }
  // Envoy's ejection multiplier: the next ejection lasts base_ejection × (this + 1).
  uint32_t multiplier(uint32_t host) const;

  // Takes over the ejections of the previous config version's detector: `previous_index[h]` is
  // host h's index there (-1: a new host). Call before the detector is shared.
  void carryFrom(const OutlierDetector& previous, const std::vector<int64_t>& previous_index);

 private:
  struct HostState {
    std::atomic<uint32_t> consecutive_5xx{0};
    std::atomic<uint32_t> consecutive_gateway{0};
    std::atomic<uint32_t> consecutive_local{0};
    // Guarded by mutex_.
    uint32_t multiplier = 0;
    Clock::time_point ejected_at{};
  };

  static bool bump(std::atomic<uint32_t>& counter, uint32_t threshold);
  static void clear(std::atomic<uint32_t>& counter);
  void tryEject(uint32_t host, std::optional<Clock::time_point> now);
  void resetCounters(HostState& state);
  Clock::duration ejectionTime(const HostState& state) const;

  const OutlierSettings settings_;
  std::shared_ptr<ClusterHealth> health_;
  std::unique_ptr<HostState[]> hosts_;
  size_t size_;
  mutable std::mutex mutex_;
  std::atomic<uint32_t> ejected_{0};  // written under mutex_
  Clock::time_point last_sweep_{};
};

}  // namespace meshgate::upstream
