#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "base/strings.h"
#include "io/connection.h"
#include "io/socket.h"
#include "upstream/host_health.h"
#include "upstream/load_balancer.h"
#include "upstream/outlier_detector.h"

namespace meshgate::upstream {

struct HostInfo {
  io::Address address;
  std::string label;  // "10.0.0.5:50051", for messages
  uint32_t weight = 1;
  // Builds the transport of a new connection (upstream TLS); empty: plaintext h2c.
  io::Connection::TransportFactory transport;
  // The pool this host's calls share: its label, plus the TLS settings' identity when there
  // are any (one address reached with two TLS settings gets two pools).
  std::string pool_key;
  // Locality priority (0 best); ClusterInfo::hosts is sorted by it.
  uint32_t priority = 0;
};

// DestinationRule connectionPool, as the data plane applies it. Zero / nullopt: no limit set
// (the serve flags apply).
struct PoolSettings {
  uint32_t max_connections = 0;  // per host, per worker
  std::optional<std::chrono::milliseconds> connect_timeout;
  uint32_t max_requests = 0;  // active calls per cluster, all workers
  uint32_t max_requests_per_connection = 0;
  uint32_t max_concurrent_streams = 0;
  std::optional<std::chrono::milliseconds> idle_timeout;
  bool operator==(const PoolSettings&) const = default;
  // Distinguishes the pools of clusters with different settings; empty for the defaults, so
  // clusters without settings keep sharing pools by address.
  std::string key() const;
};

// Counters shared by every worker for one cluster of one config version.
struct ClusterCounters {
  // Counted only for clusters with http2MaxRequests and for calls that may retry (the budget).
  std::atomic<uint32_t> active_requests{0};
  std::atomic<uint32_t> active_retries{0};  // retries scheduled or in progress
};

// Holds one unit of a cluster counter the workers share (an active request, a retry in
// progress) for as long as it lives.
class CounterSlot {
 public:
  using Field = std::atomic<uint32_t> ClusterCounters::*;
  CounterSlot() = default;
  // Takes a unit of `field` when `fits(units taken before)` holds; an empty slot otherwise.
  template <class Fits>
  static CounterSlot tryAcquire(std::shared_ptr<ClusterCounters> counters, Field field,
                                Fits&& fits) {
    uint32_t before = ((*counters).*field).fetch_add(1, std::memory_order_relaxed);
    if (!fits(before)) {
      ((*counters).*field).fetch_sub(1, std::memory_order_relaxed);
      return {};
    }
    CounterSlot slot;
    slot.counters_ = std::move(counters);
    slot.field_ = field;
    return slot;
  }
  explicit operator bool() const { return counters_ != nullptr; }
  ~CounterSlot() { reset(); }
  CounterSlot(CounterSlot&& other) noexcept
      : counters_(std::move(other.counters_)), field_(other.field_) {}
  CounterSlot& operator=(CounterSlot&& other) noexcept {
    reset();
    counters_ = std::move(other.counters_);
    field_ = other.field_;
    return *this;
  }
  void reset() {
    if (counters_) ((*counters_).*field_).fetch_sub(1, std::memory_order_relaxed);
    counters_.reset();
  }

 private:
  std::shared_ptr<ClusterCounters> counters_;
  Field field_ = nullptr;
};

// One of a cluster's active-request places (http2MaxRequests), held for a call's lifetime.
using ActiveRequest = CounterSlot;

// A place when fewer than `max` are taken (0: no limit); an empty slot otherwise.
inline ActiveRequest acquireActiveRequest(std::shared_ptr<ClusterCounters> counters, uint32_t max) {
  return CounterSlot::tryAcquire(std::move(counters), &ClusterCounters::active_requests,
                                 [max](uint32_t before) { return max == 0 || before < max; });
}

struct ClusterInfo {
  std::string name;          // outbound|50051||grpc-service.default.svc.cluster.local
  std::string service_host;  // grpc-service.default.svc.cluster.local, for messages
  std::vector<HostInfo> hosts;
  LbSettings lb;
  PoolSettings pool;
  std::shared_ptr<const HashTable> hash_table;  // built by ClusterSet for ring hash and Maglev
  std::shared_ptr<ClusterCounters> counters = std::make_shared<ClusterCounters>();
  // Built by ClusterSet; shared by the workers' balancers, the health checker and the outlier
  // detector.
  std::shared_ptr<ClusterHealth> health;
  // DestinationRule outlierDetection; the detector is built by ClusterSet when it is set.
  std::optional<OutlierSettings> outlier;
  std::shared_ptr<OutlierDetector> outlier_detector;
};

// The clusters of one config version with resolved addresses. Immutable (but for the shared
// counters); shared by workers.
class ClusterSet {
 public:
  // previous: the set this one replaces; hosts a cluster keeps keep their health.
  explicit ClusterSet(std::vector<ClusterInfo> clusters, const ClusterSet* previous = nullptr)
      : clusters_(std::move(clusters)) {
    for (uint32_t i = 0; i < clusters_.size(); ++i) {
      index_.emplace(clusters_[i].name, i);
      clusters_[i].hash_table = HashTable::build(clusters_[i].lb, clusters_[i].hosts);
      clusters_[i].health = std::make_shared<ClusterHealth>(clusters_[i].hosts.size());
      if (clusters_[i].outlier) {
        clusters_[i].outlier_detector =
            std::make_shared<OutlierDetector>(*clusters_[i].outlier, clusters_[i].health);
      }
      if (previous != nullptr) carryHealth(clusters_[i], *previous);
    }
  }
  std::optional<uint32_t> indexOf(std::string_view name) const {
    auto it = index_.find(base::toAbsl(name));
    if (it == index_.end()) return std::nullopt;
    return it->second;
  }
  const ClusterInfo& at(uint32_t index) const { return clusters_[index]; }
  size_t size() const { return clusters_.size(); }

 private:
  static void carryHealth(ClusterInfo& cluster, const ClusterSet& previous) {
    auto index = previous.indexOf(cluster.name);
    if (!index) return;
    const ClusterInfo& before = previous.at(*index);
    if (before.health == nullptr) return;
    std::vector<int64_t> previous_index(cluster.hosts.size(), -1);
    for (uint32_t h = 0; h < cluster.hosts.size(); ++h) {
      for (uint32_t p = 0; p < before.hosts.size(); ++p) {
        if (before.hosts[p].pool_key != cluster.hosts[h].pool_key ||
            before.hosts[p].label != cluster.hosts[h].label)
          continue;
        previous_index[h] = p;
        // Outlier ejections move with the detector's state (below), or end when the new
        // version has no outlierDetection.
        auto flags = static_cast<uint8_t>(before.health->flags(p) &
                                          ~static_cast<uint8_t>(HealthFlag::kOutlierEjected));
        if (flags != 0) cluster.health->setFlags(h, flags);
        break;
      }
    }
    if (cluster.outlier_detector != nullptr && before.outlier_detector != nullptr) {
      cluster.outlier_detector->carryFrom(*before.outlier_detector, previous_index);
    }
  }

  std::vector<ClusterInfo> clusters_;
  absl::flat_hash_map<std::string, uint32_t> index_;
};

}  // namespace meshgate::upstream
