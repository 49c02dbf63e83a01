#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "config/diagnostics.h"
#include "config/model/model.h"
#include "ir/config.h"

namespace meshgate::translate {

// The DestinationRule annotation that turns on active gRPC health checking, which Istio has no
// field for. Its value is "true" (the defaults), "false" (off), or comma-separated settings:
//   interval=5s,timeout=1s,unhealthy-threshold=3,healthy-threshold=2,service=my.pkg.Service
// Unset keys keep their defaults (ir::HealthCheck's).
inline constexpr std::string_view kGrpcHealthCheckAnnotation = "meshgate.io/grpc-health-check";

// Parses the annotation's value. nullopt when it is "false" or has errors, each reported at
// the value's position under `field`, naming the bad key.
std::optional<ir::HealthCheck> parseGrpcHealthCheck(const config::Located<std::string>& value,
                                                    const std::string& field,
                                                    config::Diagnostics& diagnostics);

// The health check of each host's clusters: the annotation of the first DestinationRule (in load
// order) for the host that carries it; it applies to every cluster of the host (every port and
// subset). Borrows the model and diagnostics; each rule's annotation is parsed once.
class HealthChecks {
 public:
  HealthChecks(const config::Model& model, config::Diagnostics& diagnostics)
      : model_(model), diagnostics_(diagnostics) {}

  std::optional<ir::HealthCheck> forHost(const std::string& fqdn);

  // Reports the problems of every rule's annotation, used or not, and meshgate.io/ annotations
  // meshgate does not know (a misspelt one would otherwise silently do nothing).
  void reportAll();

 private:
  // nullptr: the rule has no health-check annotation.
  const std::optional<ir::HealthCheck>* parsed(const config::DestinationRule& rule);

  const config::Model& model_;
  config::Diagnostics& diagnostics_;
  std::map<const config::DestinationRule*, std::optional<ir::HealthCheck>> parsed_;
};

}  // namespace meshgate::translate
