#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostics.h"
#include "config/model/destination_rule.h"
#include "ir/config.h"

namespace meshgate::translate {

// A locality as Istio writes it: "region/zone/subzone", trailing parts optional.
struct Locality {
  std::string region, zone, subzone;
};
Locality parseLocality(std::string_view text);

// Istio's locality failover (applied only when the cluster has outlierDetection and
// localityLbSetting is not disabled): each endpoint gets a priority by what it shares with the
// gateway's locality: 0 region/zone/subzone, 1 region/zone, 2 region, 3 another region, which
// becomes 4 when a `failover` entry for the gateway's region names a different `to` region.
// failoverPriority instead ranks by how many of the listed labels, in order, the endpoint
// shares with the gateway (whose labels are its locality's topology.kubernetes.io/region,
// topology.kubernetes.io/zone and topology.istio.io/subzone). Used levels are renumbered
// 0, 1, ... like Istio does.
void assignLocalityPriorities(const config::LocalityLbSettings* settings, const Locality& gateway,
                              std::vector<ir::Endpoint>& endpoints);

// Istio's validation of localityLbSetting, plus a warning for what meshgate does not
// implement (distribute).
void checkLocalitySettings(const config::LocalityLbSettings& settings, const std::string& path,
                           config::Diagnostics& d);

}  // namespace meshgate::translate
