#pragma once

#include <string>
#include <vector>

#include "config/diagnostics.h"
#include "config/model/model.h"
#include "ir/config.h"

// Where a destination's endpoints come from: Kubernetes EndpointSlices or Endpoints for a
// Service, or a ServiceEntry's endpoints and WorkloadEntries.
namespace meshgate::translate {

// Whether every selector label is among `labels` (an empty selector selects everything).
bool labelsMatch(const config::Labels& selector, const config::Labels& labels);

// Ready endpoints of `service` for its `port`. EndpointSlices win when any exist for the
// Service (Istio reads slices); otherwise the Endpoints object named like the Service.
// Labels come from the Pod the address refers to (targetRef, else the Pod with that IP).
std::vector<ir::Endpoint> serviceEndpoints(const config::Model& model,
                                           const config::Service& service,
                                           const config::KubePort& port);

struct ServiceEntryEndpoints {
  std::vector<ir::Endpoint> endpoints;
  bool resolve_dns = false;
};

// Endpoints of a ServiceEntry for one of its ports and hosts: `resolution: STATIC` from
// spec.endpoints or the WorkloadEntries its workloadSelector picks; DNS from the endpoints'
// addresses, or the host itself when there are none. NONE has no endpoints at a gateway.
ServiceEntryEndpoints serviceEntryEndpoints(const config::Model& model,
                                            const config::ServiceEntry& entry,
                                            const config::ServicePortSpec& port,
                                            const std::string& host);

}  // namespace meshgate::translate
