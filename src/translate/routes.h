#pragma once

#include <optional>
#include <vector>

#include "config/diagnostics.h"
#include "config/model/virtual_service.h"
#include "ir/config.h"
#include "translate/clusters.h"

namespace meshgate::translate {

// The routes of one VirtualService, in order; an http[] entry meshgate cannot serve (no
// destination left, or only unimplemented actions) is left out after a diagnostic.
std::vector<ir::Route> translateRoutes(const config::VirtualService& vs, ClusterTable& clusters,
                                       config::Diagnostics& diagnostics);

}  // namespace meshgate::translate
