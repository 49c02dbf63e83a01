#pragma once

#include <optional>
#include <vector>

#include "config/diagnostics.h"
#include "config/model/model.h"
#include "ir/config.h"
#include "translate/clusters.h"

namespace meshgate::translate {

// The routes of one VirtualService, in order; an http[] entry meshgate cannot serve (no
// destination left, or an invalid action) is left out after a diagnostic. An entry with
// `delegate` is replaced by the delegate VirtualService's routes (looked up in `model`).
std::vector<ir::Route> translateRoutes(const config::Model& model, const config::VirtualService& vs,
                                       ClusterTable& clusters, config::Diagnostics& diagnostics);

}  // namespace meshgate::translate
