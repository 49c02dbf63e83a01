#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/headers.h"
#include "ir/config.h"
#include "router/route_table.h"

// The pure parts of a route's actions on one call, kept apart from the stream plumbing so they
// can be tested without sockets.
namespace meshgate::proxy {

// Istio's rewrite.uri: when the call matched one of the route's prefix matches, that prefix is
// replaced; otherwise the whole path is (its query string is kept). With several matches, the
// first prefix match that covers the path counts.
std::string rewritePath(const ir::Route& route, std::string_view path, std::string_view uri);

// The Location of a redirect: the request's scheme, authority and path, with the parts the
// redirect sets replaced (a new uri keeps the request's query unless it has its own).
std::string redirectLocation(const ir::Redirect& redirect, std::string_view scheme,
                             std::string_view authority, std::string_view path);

// Envoy's shadow host: "-shadow" appended to the host, before any port.
std::string shadowAuthority(std::string_view authority);

// Applies one mutation to upstream request headers held as views: removes, then sets
// (replacing), then adds. The views added point into `mutation`, which must outlive them.
void applyRequestMutation(const ir::HeaderMutation& mutation,
                          std::vector<http::HeaderView>& headers);

// The same on a response header block that the gateway owns.
void applyResponseMutation(const ir::HeaderMutation& mutation, http::HeaderList& headers);

// The route's destination that a target picked by CompiledRoute::pick stands for (targets skip
// zero-weight destinations).
const ir::WeightedCluster* pickedDestination(const router::CompiledRoute& route,
                                             const router::Target& target);

}  // namespace meshgate::proxy
