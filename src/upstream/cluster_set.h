#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "base/strings.h"
#include "io/connection.h"
#include "io/socket.h"

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
};

struct ClusterInfo {
  std::string name;          // outbound|50051||grpc-service.default.svc.cluster.local
  std::string service_host;  // grpc-service.default.svc.cluster.local, for messages
  std::vector<HostInfo> hosts;
};

// The clusters of one config version with resolved addresses. Immutable; shared by workers.
class ClusterSet {
 public:
  explicit ClusterSet(std::vector<ClusterInfo> clusters) : clusters_(std::move(clusters)) {
    for (uint32_t i = 0; i < clusters_.size(); ++i) index_.emplace(clusters_[i].name, i);
  }
  std::optional<uint32_t> indexOf(std::string_view name) const {
    auto it = index_.find(base::toAbsl(name));
    if (it == index_.end()) return std::nullopt;
    return it->second;
  }
  const ClusterInfo& at(uint32_t index) const { return clusters_[index]; }
  size_t size() const { return clusters_.size(); }

 private:
  std::vector<ClusterInfo> clusters_;
  absl::flat_hash_map<std::string, uint32_t> index_;
};

}  // namespace meshgate::upstream
