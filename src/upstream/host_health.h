#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace meshgate::upstream {

// Why a host is out of its cluster's load-balancing set; several reasons may hold at once and
// the host returns only when all have cleared.
enum class HealthFlag : uint8_t {
  kFailedActiveCheck = 1 << 0,  // grpc.health.v1 checks (meshgate.io annotations)
  kOutlierEjected = 1 << 1,     // DestinationRule outlierDetection
};

// The health of one cluster's hosts, indexed like ClusterInfo::hosts. Written by the health
// checker and the outlier detector, read by every worker's load balancer on each pick, so reads
// are single relaxed loads and the common case (all healthy) is one load of unhealthy_.
class ClusterHealth {
 public:
  explicit ClusterHealth(size_t host_count)
      : flags_(std::make_unique<std::atomic<uint8_t>[]>(host_count)), size_(host_count) {}

  size_t size() const { return size_; }
  bool healthy(uint32_t host) const { return flags_[host].load(std::memory_order_relaxed) == 0; }
  bool has(uint32_t host, HealthFlag flag) const {
    return (flags_[host].load(std::memory_order_relaxed) & bit(flag)) != 0;
  }
  uint32_t unhealthyCount() const { return unhealthy_.load(std::memory_order_relaxed); }
  uint32_t healthyCount() const { return static_cast<uint32_t>(size_) - unhealthyCount(); }

  // The reasons a host is out, to carry them to the next config version's set.
  uint8_t flags(uint32_t host) const { return flags_[host].load(std::memory_order_relaxed); }
  void setFlags(uint32_t host, uint8_t flags) {
    uint8_t before = flags_[host].exchange(flags, std::memory_order_relaxed);
    if ((before == 0) != (flags == 0)) {
      if (flags != 0) unhealthy_.fetch_add(1, std::memory_order_relaxed);
      if (flags == 0) unhealthy_.fetch_sub(1, std::memory_order_relaxed);
    }
  }

  // Both return true when the host's membership in the load-balancing set changed.
  bool set(uint32_t host, HealthFlag flag) {
    uint8_t before = flags_[host].fetch_or(bit(flag), std::memory_order_relaxed);
    if (before != 0) return false;
    unhealthy_.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  bool clear(uint32_t host, HealthFlag flag) {
    uint8_t before =
        flags_[host].fetch_and(static_cast<uint8_t>(~bit(flag)), std::memory_order_relaxed);
    if (before != bit(flag)) return false;  // the flag was not set, or another one still is
    unhealthy_.fetch_sub(1, std::memory_order_relaxed);
    return true;
  }

 private:
  static uint8_t bit(HealthFlag flag) { return static_cast<uint8_t>(flag); }

  std::unique_ptr<std::atomic<uint8_t>[]> flags_;
  size_t size_;
  std::atomic<uint32_t> unhealthy_{0};
};

}  // namespace meshgate::upstream
