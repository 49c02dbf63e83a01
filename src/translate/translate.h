#pragma once

#include <string>
#include <utility>
#include <vector>

#include "config/diagnostics.h"
#include "config/model/model.h"
#include "ir/config.h"

namespace meshgate::translate {

struct Options {
  // --selector k=v: serve only Gateways whose spec.selector contains all of these pairs.
  std::vector<std::pair<std::string, std::string>> gateway_selector;
  // --locality region/zone/subzone: where the gateway runs, for locality load balancing
  // (empty: off).
  std::string locality;
};

// Applies Istio's semantics to the model: Gateways become listeners, bound VirtualServices
// their virtual hosts and routes, destinations clusters with endpoints. Pure apart from reading
// the certificate files a Gateway names; deterministic (listeners by port, clusters by name).
// Every problem goes to `diagnostics`; the result is usable only without errors.
ir::Config translate(const config::Model& model, const Options& options,
                     config::Diagnostics& diagnostics);

}  // namespace meshgate::translate
