#pragma once

#include <vector>

#include "config/model/destination_rule.h"
#include "config/model/endpoint_slice.h"
#include "config/model/endpoints.h"
#include "config/model/envoy_filter.h"
#include "config/model/gateway.h"
#include "config/model/pod.h"
#include "config/model/secret.h"
#include "config/model/service.h"
#include "config/model/service_entry.h"
#include "config/model/virtual_service.h"

namespace meshgate::config {

// Every object of every loaded file, per kind, in load order (file order, then document order).
struct Model {
  std::vector<Gateway> gateways;
  std::vector<VirtualService> virtual_services;
  std::vector<DestinationRule> destination_rules;
  std::vector<ServiceEntry> service_entries;
  std::vector<WorkloadEntry> workload_entries;
  std::vector<EnvoyFilter> envoy_filters;
  std::vector<Service> services;
  std::vector<Endpoints> endpoints;
  std::vector<EndpointSlice> endpoint_slices;
  std::vector<Pod> pods;
  std::vector<Secret> secrets;
  bool operator==(const Model&) const = default;
};

}  // namespace meshgate::config
