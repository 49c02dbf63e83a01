#pragma once

#include <string>
#include <vector>

#include "config/diagnostics.h"
#include "config/model/model.h"

// Istio's delegate VirtualServices: a root's http[] entry with `delegate` stands for the
// delegate's routes, each with the root's match ANDed in.
namespace meshgate::translate {

struct DelegatedRoute {
  const config::VirtualService* delegate;  // the VirtualService the route was written in
  size_t index;                            // its http[] index there
  config::HttpRoute http;                  // merged with the root route
};

// The routes that replace `root_http` (written at `path` of `root`), in the delegate's order.
// A missing delegate, a delegate with hosts, or a delegate route that delegates again is an
// error; a delegate route whose match is not within the root's is dropped with a warning, as
// Istio drops it.
std::vector<DelegatedRoute> expandDelegate(const config::Model& model,
                                           const config::VirtualService& root,
                                           const config::HttpRoute& root_http,
                                           const std::string& path, config::Diagnostics& d);

// A VirtualService without hosts is a delegate; one that no root names serves nothing, which
// is almost always a forgotten `hosts`.
void checkHostlessVirtualServices(const config::Model& model, config::Diagnostics& d);

}  // namespace meshgate::translate
