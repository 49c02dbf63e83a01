#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "config/diagnostics.h"
#include "config/model/model.h"
#include "ir/config.h"

namespace meshgate::translate {

// DestinationRule trafficPolicy → ir::Cluster load balancer, connection pool and upstream TLS,
// with Istio's precedence (pilot's MergeTrafficPolicy): the top level, replaced for a matching
// portLevelSettings entry; then each group the subset's policy sets; then the subset's own
// matching portLevelSettings entry. A matching port entry replaces loadBalancer,
// connectionPool and tls as a whole, unset groups falling back to the defaults.
// Borrows the model and diagnostics for its lifetime; each written group is converted (and
// its problems reported) once, however many clusters use it.
class TrafficPolicies {
 public:
  // gateway_locality: the --locality of serve ("region/zone/subzone"); empty: locality load
  // balancing is off.
  TrafficPolicies(const config::Model& model, config::Diagnostics& diagnostics,
                  std::string gateway_locality = {});

  // Fills cluster.load_balancer, .connection_pool, .tls, .outlier_detection and the endpoints'
  // locality priorities for the cluster of `subset` (empty:
  // none) of host `fqdn` on `port`.
  void apply(const std::string& fqdn, const std::string& subset, uint32_t port,
             ir::Cluster& cluster);

  // Reports the problems of every policy, including those no route uses, and the fields
  // meshgate does not implement. Call once, after the clusters are built.
  void reportAll();

 private:
  struct Group {
    const void* settings = nullptr;  // nullptr: the group is unset (defaults)
    std::string path;
    const config::DestinationRule* rule = nullptr;
  };
  struct Selection {
    Group load_balancer, connection_pool, tls, outlier_detection;
  };
  void selectPolicy(const config::TrafficPolicy& policy, const std::string& path,
                    const config::DestinationRule& rule, uint32_t port, Selection& out);

  ir::LoadBalancer loadBalancer(const Group& group);
  ir::ConnectionPoolSettings connectionPool(const Group& group);
  std::optional<ir::UpstreamTls> tls(const Group& group);
  std::optional<ir::OutlierDetection> outlierDetection(const Group& group);
  void applyLocality(const Group& load_balancer, ir::Cluster& cluster) const;
  std::optional<ir::UpstreamTls> convertTls(const config::ClientTlsSettings& tls,
                                            const std::string& path,
                                            const config::DestinationRule& rule);
  bool tlsFromSecret(const config::ClientTlsSettings& tls, const std::string& path,
                     const config::DestinationRule& rule, ir::UpstreamTls& out);
  void reportPolicy(const config::TrafficPolicy& policy, const std::string& path,
                    const config::DestinationRule& rule);
  void warnDuplicateRules();

  const config::Model& model_;
  config::Diagnostics& diagnostics_;
  // Converted groups, keyed by the model object they came from.
  std::map<const void*, ir::LoadBalancer> load_balancers_;
  std::map<const void*, ir::ConnectionPoolSettings> connection_pools_;
  std::map<const void*, std::optional<ir::UpstreamTls>> tls_;
  std::map<const void*, ir::OutlierDetection> outlier_detections_;
  std::string gateway_locality_;
};

}  // namespace meshgate::translate
