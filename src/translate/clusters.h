#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/diagnostics.h"
#include "config/model/model.h"
#include "ir/config.h"
#include "translate/health_check.h"
#include "translate/traffic_policy.h"

namespace meshgate::translate {

// Istio's cluster name: outbound|<port>|<subset>|<fqdn>.
std::string clusterName(uint32_t port, const std::string& subset, const std::string& fqdn);

// Resolves route destinations to clusters and builds each referenced cluster once (with its
// endpoints and declared protocol). Borrows the model and diagnostics for its lifetime.
class ClusterTable {
 public:
  // gateway_locality: see TrafficPolicies.
  ClusterTable(const config::Model& model, config::Diagnostics& diagnostics,
               std::string gateway_locality = {})
      : model_(model),
        diagnostics_(diagnostics),
        policies_(model, diagnostics, std::move(gateway_locality)),
        health_checks_(model, diagnostics) {}

  // The cluster for a destination written in `vs_namespace` at field `path`, or nullopt after
  // reporting why there is none.
  std::optional<std::string> reference(const config::Destination& destination,
                                       const std::string& vs_namespace, const std::string& path);

  // Reports every DestinationRule trafficPolicy and annotation problem, used or not (after the
  // references).
  void reportPolicies() {
    policies_.reportAll();
    health_checks_.reportAll();
  }

  // Every referenced cluster, sorted by name.
  std::vector<ir::Cluster> take();

 private:
  std::optional<std::string> referenceService(const config::Service& service,
                                              const config::Destination& destination,
                                              const std::string& fqdn, const std::string& path);
  std::optional<std::string> referenceEntry(const config::ServiceEntry& entry,
                                            const config::Destination& destination,
                                            const std::string& host, const std::string& path);
  // The subset's labels, or nullopt after reporting a missing subset.
  std::optional<config::Labels> subsetLabels(const config::Destination& destination,
                                             const std::string& fqdn, const std::string& path);
  void reportNoHost(const config::Destination& destination, const std::string& fqdn,
                    const std::string& path);
  void warnHttp11(const config::Service& service, size_t port_index, const std::string& reason);
  void warnNoEndpoints(const ir::Cluster& cluster, const config::ObjectMeta& meta,
                       const std::string& kind);

  const config::Model& model_;
  config::Diagnostics& diagnostics_;
  TrafficPolicies policies_;
  HealthChecks health_checks_;
  std::map<std::string, ir::Cluster> clusters_;
};

}  // namespace meshgate::translate
