#pragma once

#include <string>

#include "config/diagnostics.h"
#include "config/model/virtual_service.h"
#include "ir/config.h"
#include "translate/clusters.h"

// What an http[] route does besides choosing destinations: header mutations, rewrite, the two
// local answers (redirect, directResponse) and mirroring, with Istio's validation.
namespace meshgate::translate {

// headers (route or destination level): names lower-cased; pseudo-headers and host are
// refused (Istio does not let headers rewrite them). Errors leave the operation out.
ir::HeaderOperations translateHeaders(const config::Headers& headers, const std::string& path,
                                      config::Diagnostics& d);

// Fills route.headers, rewrite, redirect, direct_response and mirrors from `http`, whose
// destinations and mirrors resolve in `vs_namespace`. Checks that exactly one of route,
// redirect, directResponse is set. Returns false after reporting an error that leaves the
// route unusable.
bool translateActions(const config::HttpRoute& http, const std::string& vs_namespace,
                      const std::string& path, ClusterTable& clusters, config::Diagnostics& d,
                      ir::Route& route);

}  // namespace meshgate::translate
