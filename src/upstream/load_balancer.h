#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meshgate::upstream {

struct HostInfo;
class ClusterHealth;

// The data plane's copy of a cluster's load-balancing settings (upstream/ does not read ir/).
enum class LbKind { kRoundRobin, kLeastRequest, kRandom, kRingHash, kMaglev };

// What a consistent-hash call is hashed on; the proxy computes the key from the request.
struct HashKeyPolicy {
  enum class Kind { kNone, kHeader, kCookie, kSourceIp, kQueryParameter };
  Kind kind = Kind::kNone;
  std::string name;  // header (lower-case), cookie or query parameter
  std::optional<std::chrono::milliseconds> cookie_ttl;  // set: generate the cookie when absent
  std::string cookie_path;
};

struct LbSettings {
  LbKind kind = LbKind::kRoundRobin;
  HashKeyPolicy hash;
  uint64_t ring_minimum_size = 1024;
  uint64_t maglev_table_size = 65537;
  // Below this share of healthy hosts the cluster balances over all of them (Envoy's
  // healthy_panic_threshold; Istio's outlierDetection.minHealthPercent).
  uint32_t panic_threshold_percent = 50;
};

// A stable 64-bit hash (the same in every process and worker), for hash keys and ring points.
uint64_t stableHash(std::string_view text);

// The immutable lookup structure of a ring-hash or Maglev cluster, built once per config
// version and shared by the workers: a key hash maps to a host index.
class HashTable {
 public:
  virtual ~HashTable() = default;
  virtual uint32_t hostFor(uint64_t key_hash) const = 0;
  // Nullptr for other policies or an empty host list.
  static std::shared_ptr<const HashTable> build(const LbSettings& settings,
                                                const std::vector<HostInfo>& hosts);
};

// Ketama-style ring: each host owns points in proportion to its weight, at least
// minimum_size points in all; a key goes to the first point at or after its hash.
class RingHashTable : public HashTable {
 public:
  RingHashTable(const std::vector<HostInfo>& hosts, uint64_t minimum_size);
  uint32_t hostFor(uint64_t key_hash) const override;
  size_t size() const { return ring_.size(); }

 private:
  std::vector<std::pair<uint64_t, uint32_t>> ring_;  // (point, host index), sorted
};

// Maglev (Eisenbud et al., NSDI 2016) with weights: hosts take turns filling their preferred
// free slot of a prime-sized table, each taking turns in proportion to its weight.
class MaglevTable : public HashTable {
 public:
  MaglevTable(const std::vector<HostInfo>& hosts, uint64_t table_size);
  uint32_t hostFor(uint64_t key_hash) const override;

 private:
  std::vector<uint32_t> table_;
};

// What a pick may consult: the call's hash key, worker randomness, and the worker's active
// request count per host of the cluster (for LEAST_REQUEST).
// Active requests per host of a cluster (the worker's pools count them).
class HostLoad {
 public:
  virtual ~HostLoad() = default;
  virtual uint32_t activeRequests(uint32_t host_index) const = 0;
};

struct PickContext {
  std::optional<uint64_t> hash;
  uint64_t random = 0;
  const HostLoad* load = nullptr;  // null: every host counts as idle
};

// The per-worker, per-cluster state of one load balancer (round-robin position, ...).
// Worker-local: the settings and hash table it reads are immutable; the health it reads is
// shared and changes under it.
class LoadBalancer {
 public:
  // health: null when nothing can take hosts out (every host is always usable).
  LoadBalancer(const LbSettings& settings, const std::vector<HostInfo>& hosts,
               std::shared_ptr<const HashTable> table, const ClusterHealth* health = nullptr);
  ~LoadBalancer();
  LoadBalancer(LoadBalancer&&) noexcept;
  // The host index for one call; the cluster must have hosts. Unhealthy hosts are skipped
  // unless the cluster is in panic mode. Hosts with several locality priorities (HostInfo::
  // priority, sorted) are picked from the best priority with healthy hosts, spilling to the next
  // ones as Envoy does (overprovisioning factor 1.4).
  uint32_t pick(const PickContext& context);

  // Envoy's priority load: the percentage of calls each priority gets, from the healthy and
  // total host counts of each (best first).
  static std::vector<uint32_t> priorityLoad(
      const std::vector<std::pair<uint32_t, uint32_t>>& levels);

 private:
  struct Level;
  // A balancer over hosts[offset, offset + size) of a cluster with locality priorities.
  LoadBalancer(const LbSettings& settings, const std::vector<HostInfo>& hosts,
               const ClusterHealth* health, uint32_t offset);
  uint32_t pickLevel(const PickContext& context);
  uint32_t healthyCount() const;

  // `filter`: skip unhealthy hosts.
  bool panicking() const;
  bool usable(uint32_t host, bool filter) const;
  uint32_t nthUsable(uint32_t rank, bool filter) const;
  uint32_t usableCount(bool filter) const;
  std::optional<uint32_t> hashed(uint64_t key_hash, bool filter) const;
  uint32_t roundRobin(bool filter);
  uint32_t weightedRandom(uint64_t random, bool filter) const;
  uint32_t leastRequest(const PickContext& context, bool filter) const;

  const LbSettings& settings_;
  const std::vector<HostInfo>& hosts_;
  std::shared_ptr<const HashTable> table_;
  const ClusterHealth* health_;
  uint32_t offset_ = 0;        // of hosts_[0] in the cluster (health is indexed by cluster host)
  std::vector<Level> levels_;  // with more than one locality priority only
  bool equal_weights_ = true;
  uint64_t total_weight_ = 0;
  uint32_t cursor_ = 0;
  std::vector<int64_t> current_;  // smooth weighted round robin state
};

}  // namespace meshgate::upstream
