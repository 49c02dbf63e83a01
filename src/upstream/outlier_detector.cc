#include "upstream/outlier_detector.h"

#include <algorithm>

namespace meshgate::upstream {

OutlierDetector::OutlierDetector(const OutlierSettings& settings,
                                 std::shared_ptr<ClusterHealth> health)
    : settings_(settings),
      health_(std::move(health)),
      hosts_(std::make_unique<HostState[]>(health_->size())),
      size_(health_->size()) {}

// True when the counter reached the threshold (0: that detector is off).
bool OutlierDetector::bump(std::atomic<uint32_t>& counter, uint32_t threshold) {
  uint32_t now = counter.fetch_add(1, std::memory_order_relaxed) + 1;
  return threshold != 0 && now >= threshold;
}

// The hot path: a success on a host without failures reads the counter and writes nothing, so
// workers do not bounce the cache line between them.
void OutlierDetector::clear(std::atomic<uint32_t>& counter) {
  if (counter.load(std::memory_order_relaxed) != 0) counter.store(0, std::memory_order_relaxed);
}

// Envoy's consecutive detectors. A gateway error is also a 5xx; a local-origin failure (reset,
// connect failure, timeout) counts as a gateway error (Envoy maps it to 503) unless
// splitExternalLocalOriginErrors keeps it to its own counter, where any answer from the host
// resets it.
void OutlierDetector::report(uint32_t host, Outcome outcome, std::optional<Clock::time_point> now) {
  if (host >= size_) return;
  HostState& state = hosts_[host];
  if (outcome == Outcome::kLocalOrigin && settings_.split_local_origin) {
    if (bump(state.consecutive_local, settings_.consecutive_local_origin)) tryEject(host, now);
    return;
  }
  if (settings_.split_local_origin) clear(state.consecutive_local);
  bool eject = false;
  switch (outcome) {
    case Outcome::kSuccess:
      clear(state.consecutive_5xx);
      clear(state.consecutive_gateway);
      return;
    case Outcome::kServerError:
      clear(state.consecutive_gateway);
      eject = bump(state.consecutive_5xx, settings_.consecutive_5xx);
      break;
    case Outcome::kGatewayError:
    case Outcome::kLocalOrigin:
      eject = bump(state.consecutive_gateway, settings_.consecutive_gateway);
      eject = bump(state.consecutive_5xx, settings_.consecutive_5xx) || eject;
      break;
  }
  if (eject) tryEject(host, now);
}

void OutlierDetector::resetCounters(HostState& state) {
  state.consecutive_5xx.store(0, std::memory_order_relaxed);
  state.consecutive_gateway.store(0, std::memory_order_relaxed);
  state.consecutive_local.store(0, std::memory_order_relaxed);
}

// maxEjectionPercent is checked before the ejection, as Envoy does: a cluster below the limit
// may go one host past it, so even a small cluster (where one host is more than 10%) can eject
// one host.
void OutlierDetector::tryEject(uint32_t host, std::optional<Clock::time_point> now) {
  std::lock_guard lock(mutex_);
  if (health_->has(host, HealthFlag::kOutlierEjected)) return;
  uint64_t ejected = ejected_.load(std::memory_order_relaxed);
  if (ejected * 100 >= static_cast<uint64_t>(settings_.max_ejection_percent) * size_) return;
  HostState& state = hosts_[host];
  // Each ejection lasts base_ejection × the multiplier, up to max_ejection.
  if (settings_.base_ejection * (state.multiplier + 1) <= settings_.max_ejection ||
      state.multiplier == 0) {
    ++state.multiplier;
  }
  state.ejected_at = now.value_or(Clock::now());
  resetCounters(state);
  health_->set(host, HealthFlag::kOutlierEjected);
  ejected_.store(ejected + 1, std::memory_order_relaxed);
}

OutlierDetector::Clock::duration OutlierDetector::ejectionTime(const HostState& state) const {
  auto time = settings_.base_ejection * std::max<uint32_t>(state.multiplier, 1);
  return std::min<Clock::duration>(time, std::max(settings_.max_ejection, settings_.base_ejection));
}

void OutlierDetector::sweep(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (last_sweep_ != Clock::time_point{} && now - last_sweep_ < settings_.interval) return;
  last_sweep_ = now;
  for (uint32_t host = 0; host < size_; ++host) {
    HostState& state = hosts_[host];
    if (health_->has(host, HealthFlag::kOutlierEjected)) {
      if (now - state.ejected_at < ejectionTime(state)) continue;
      resetCounters(state);
      health_->clear(host, HealthFlag::kOutlierEjected);
      ejected_.fetch_sub(1, std::memory_order_relaxed);
    } else if (state.multiplier > 0) {
      // A host that stays in decays back to the base ejection time, one step per interval.
      --state.multiplier;
    }
  }
}

uint32_t OutlierDetector::multiplier(uint32_t host) const {
  std::lock_guard lock(mutex_);
  return hosts_[host].multiplier;
}

void OutlierDetector::carryFrom(const OutlierDetector& previous,
                                const std::vector<int64_t>& previous_index) {
  std::lock_guard lock(mutex_);
  std::lock_guard previous_lock(previous.mutex_);
  uint32_t ejected = 0;
  for (uint32_t host = 0; host < size_ && host < previous_index.size(); ++host) {
    if (previous_index[host] < 0) continue;
    auto before = static_cast<uint32_t>(previous_index[host]);
    hosts_[host].multiplier = previous.hosts_[before].multiplier;
    hosts_[host].ejected_at = previous.hosts_[before].ejected_at;
    if (previous.health_->has(before, HealthFlag::kOutlierEjected)) {
      health_->set(host, HealthFlag::kOutlierEjected);
      ++ejected;
    }
  }
  ejected_.store(ejected, std::memory_order_relaxed);
  last_sweep_ = previous.last_sweep_;
}

}  // namespace meshgate::upstream
