#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>

#include "upstream/cluster_set.h"

namespace meshgate::upstream {

// Envoy's retry budget with its defaults: the retries in progress on a cluster (all workers)
// may not exceed 20% of its active requests, with room for at least 3. It keeps a failing
// backend from being stormed by retries while letting a quiet cluster retry.
inline constexpr uint32_t kRetryBudgetPercent = 20;
inline constexpr uint32_t kRetryBudgetMinConcurrency = 3;

// Whether one more retry fits a budget with `active_retries` in progress over
// `active_requests` calls.
constexpr bool retryFitsBudget(uint32_t active_retries, uint32_t active_requests) {
  uint32_t allowed =
      std::max(kRetryBudgetMinConcurrency, active_requests * kRetryBudgetPercent / 100);
  return active_retries < allowed;
}

// Holds one of a cluster's active-retry places from the moment a retry is scheduled until
// that attempt ends (or the call does).
class RetrySlot {
 public:
  RetrySlot() = default;
  // A place when the budget has room; an empty slot otherwise.
  static RetrySlot tryAcquire(std::shared_ptr<ClusterCounters> counters) {
    uint32_t before = counters->active_retries.fetch_add(1, std::memory_order_relaxed);
    if (!retryFitsBudget(before, counters->active_requests.load(std::memory_order_relaxed))) {
      counters->active_retries.fetch_sub(1, std::memory_order_relaxed);
      return {};
    }
    RetrySlot slot;
    slot.counters_ = std::move(counters);
    return slot;
  }
  explicit operator bool() const { return counters_ != nullptr; }
  ~RetrySlot() { reset(); }
  RetrySlot(RetrySlot&& other) noexcept : counters_(std::move(other.counters_)) {}
  RetrySlot& operator=(RetrySlot&& other) noexcept {
    reset();
    counters_ = std::move(other.counters_);
    return *this;
  }
  void reset() {
    if (counters_) counters_->active_retries.fetch_sub(1, std::memory_order_relaxed);
    counters_.reset();
  }

 private:
  std::shared_ptr<ClusterCounters> counters_;
};

}  // namespace meshgate::upstream
