#pragma once

#include <map>
#include <vector>

#include "config/diagnostics.h"
#include "config/model/model.h"
#include "ir/config.h"
#include "translate/clusters.h"
#include "translate/gateway_listeners.h"

namespace meshgate::translate {

// Binds VirtualServices to Gateway servers and builds each port's virtual hosts. Each
// VirtualService's routes are translated once, however many hosts and ports it is bound to, so
// each problem is reported once. Borrows its arguments for its lifetime.
class VirtualHostBuilder {
 public:
  VirtualHostBuilder(const config::Model& model, ClusterTable& clusters,
                     config::Diagnostics& diagnostics)
      : model_(model), clusters_(clusters), diagnostics_(diagnostics) {}

  // One virtual host per domain, named "<domain>:<port>", sorted by name. Routes of several
  // VirtualServices for one domain are concatenated in load order (file order, then document
  // order), where Istio would use creation time. A route whose matches name `gateways` keeps
  // only the matches for the Gateways that bound its VirtualService here.
  std::vector<ir::VirtualHost> build(const PortGroup& group);

 private:
  // A translated route and the http[] entry it came from (nullptr if not found), whose
  // match[].gateways decide on which listeners each match applies.
  struct TranslatedRoute {
    ir::Route route;
    const config::HttpRoute* http;
  };
  const std::vector<TranslatedRoute>& routesOf(size_t vs_index);

  const config::Model& model_;
  ClusterTable& clusters_;
  config::Diagnostics& diagnostics_;
  std::map<size_t, std::vector<TranslatedRoute>> routes_;
};

// Whether `vs` names `gateway` in spec.gateways (short names resolve in the VS namespace).
bool bindsTo(const config::VirtualService& vs, const config::Gateway& gateway);

}  // namespace meshgate::translate
