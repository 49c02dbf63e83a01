#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/diagnostics.h"
#include "config/model/virtual_service.h"
#include "ir/config.h"

namespace meshgate::translate {

// http[i].match[] as IR matches, one per entry (a lone match-all entry becomes no match at
// all). `path` is the route's field path ("spec.http[0]"); problems are reported under it.
// `gateways` and `sourceLabels` have no IR form: see matchGateways and the warning.
std::vector<ir::RouteMatch> translateMatches(const config::HttpRoute& http, const std::string& path,
                                             config::Diagnostics& diagnostics);

// The gateways ("namespace/name") each http.match[j] is restricted to; empty: every gateway.
std::vector<std::set<std::string>> matchGateways(const config::HttpRoute& http,
                                                 const std::string& vs_namespace);

// `route` (translated from `http`) as served on a listener that the VirtualService reached
// through `gateways`: matches restricted to other gateways are dropped, and nullopt when none
// is left (Istio does not emit the route there).
std::optional<ir::Route> restrictToGateways(const ir::Route& route, const config::HttpRoute& http,
                                            const std::string& vs_namespace,
                                            const std::set<std::string>& gateways);

}  // namespace meshgate::translate
