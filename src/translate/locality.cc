#include "translate/locality.h"

#include <algorithm>
#include <map>
#include <set>

namespace meshgate::translate {
namespace {

constexpr std::string_view kRegionLabel = "topology.kubernetes.io/region";
constexpr std::string_view kZoneLabel = "topology.kubernetes.io/zone";
constexpr std::string_view kSubzoneLabel = "topology.istio.io/subzone";

// Istio's LbPriority.
uint32_t localityPriority(const Locality& gateway, const Locality& endpoint) {
  if (gateway.region != endpoint.region) return 3;
  if (gateway.zone != endpoint.zone) return 2;
  if (gateway.subzone != endpoint.subzone) return 1;
  return 0;
}

uint32_t failoverPriority(const config::LocalityLbSettings& settings, const Locality& gateway,
                          const Locality& endpoint_locality) {
  uint32_t priority = localityPriority(gateway, endpoint_locality);
  if (priority != 3) return priority;
  for (const auto& failover : settings.failover) {
    if (failover.from.value != gateway.region) continue;
    return endpoint_locality.region == failover.to.value ? 3 : 4;
  }
  return priority;
}

// An endpoint's value for a label: the locality labels come from its locality.
std::string_view labelValue(const ir::Endpoint& endpoint, const Locality& locality,
                            std::string_view name) {
  if (name == kRegionLabel) return locality.region;
  if (name == kZoneLabel) return locality.zone;
  if (name == kSubzoneLabel) return locality.subzone;
  for (const auto& [key, value] : endpoint.labels) {
    if (key == name) return value;
  }
  return {};
}

std::string_view gatewayLabel(const Locality& gateway, std::string_view name) {
  if (name == kRegionLabel) return gateway.region;
  if (name == kZoneLabel) return gateway.zone;
  if (name == kSubzoneLabel) return gateway.subzone;
  return {};
}

uint32_t labelPriority(const config::LocalityLbSettings& settings, const Locality& gateway,
                       const ir::Endpoint& endpoint, const Locality& locality) {
  uint32_t matched = 0;
  for (const auto& label : settings.failover_priority) {
    std::string_view mine = gatewayLabel(gateway, label.value);
    if (mine.empty() || labelValue(endpoint, locality, label.value) != mine) break;
    ++matched;
  }
  return static_cast<uint32_t>(settings.failover_priority.size()) - matched;
}

}  // namespace

Locality parseLocality(std::string_view text) {
  Locality out;
  std::string* parts[] = {&out.region, &out.zone, &out.subzone};
  for (std::string* part : parts) {
    size_t slash = text.find('/');
    *part = std::string(text.substr(0, slash));
    if (slash == std::string_view::npos) break;
    text.remove_prefix(slash + 1);
  }
  return out;
}

void assignLocalityPriorities(const config::LocalityLbSettings* settings, const Locality& gateway,
                              std::vector<ir::Endpoint>& endpoints) {
  std::set<uint32_t> used;
  for (ir::Endpoint& endpoint : endpoints) {
    Locality locality = parseLocality(endpoint.locality);
    if (settings != nullptr && !settings->failover_priority.empty()) {
      endpoint.priority = labelPriority(*settings, gateway, endpoint, locality);
    } else if (settings != nullptr) {
      endpoint.priority = failoverPriority(*settings, gateway, locality);
    } else {
      endpoint.priority = localityPriority(gateway, locality);
    }
    used.insert(endpoint.priority);
  }
  // Envoy needs consecutive priorities: the used levels become 0, 1, ...
  std::map<uint32_t, uint32_t> renumber;
  for (uint32_t level : used) renumber.emplace(level, static_cast<uint32_t>(renumber.size()));
  for (ir::Endpoint& endpoint : endpoints) endpoint.priority = renumber[endpoint.priority];
}

void checkLocalitySettings(const config::LocalityLbSettings& settings, const std::string& path,
                           config::Diagnostics& d) {
  if (!settings.distribute.empty() && !settings.failover.empty()) {
    d.error(settings.where, path, "can not simultaneously set 'distribute' and 'failover'");
  }
  for (size_t i = 0; i < settings.failover.size(); ++i) {
    const auto& failover = settings.failover[i];
    std::string field = path + ".failover[" + std::to_string(i) + "]";
    if (failover.from.value == failover.to.value) {
      d.error(failover.where, field,
              "locality lb failover settings must specify different regions");
    }
    for (const auto* part : {&failover.from, &failover.to}) {
      if (part->value.find('/') != std::string::npos) {
        d.error(part->where, field,
                "locality lb failover only specifies regions, not '" + part->value + "'");
      }
    }
  }
  for (const auto& label : settings.failover_priority) {
    if (gatewayLabel(Locality{"r", "z", "s"}, label.value).empty()) {
      d.warning(label.where, path + ".failoverPriority",
                "the gateway knows only its locality labels (" + std::string(kRegionLabel) + ", " +
                    std::string(kZoneLabel) + ", " + std::string(kSubzoneLabel) + "); label '" +
                    label.value +
                    "' never matches, so it and later labels do "
                    "not rank endpoints");
    }
  }
  for (size_t i = 0; i < settings.distribute.size(); ++i) {
    d.warning(settings.distribute[i].where, path + ".distribute[" + std::to_string(i) + "]",
              "meshgate does not implement localityLbSetting.distribute yet; it is ignored");
  }
}

}  // namespace meshgate::translate
