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

// One of a cluster's active-retry places, held from the moment a retry is scheduled until
// that attempt ends (or the call does).
using RetrySlot = CounterSlot;

// A place when the budget has room; an empty slot otherwise.
inline RetrySlot acquireRetry(std::shared_ptr<ClusterCounters> counters) {
  const ClusterCounters* shared = counters.get();
  return CounterSlot::tryAcquire(
      std::move(counters), &ClusterCounters::active_retries, [shared](uint32_t before) {
        return retryFitsBudget(before, shared->active_requests.load(std::memory_order_relaxed));
      });
}

}  // namespace meshgate::upstream
