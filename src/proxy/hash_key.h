#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/headers.h"
#include "upstream/load_balancer.h"

namespace meshgate::proxy {

// The consistent-hash key of one call (DestinationRule consistentHash).
struct HashKey {
  std::optional<uint64_t> hash;  // nullopt: the key is missing, the balancer picks at random
  std::string set_cookie;        // a generated httpCookie, for the response's set-cookie
};

// Computes the key from the request: a header's value, a cookie, the client's IP (`peer` is
// "ip:port" or "[ipv6]:port") or a query parameter. A missing httpCookie with a ttl is
// generated from `random`, used, and returned for the response (as Envoy does).
HashKey computeHashKey(const upstream::HashKeyPolicy& policy, const http::HeaderList& headers,
                       std::string_view peer, uint64_t random);

// The value of cookie `name` in the request's cookie headers, or nullopt.
std::optional<std::string_view> findCookie(const http::HeaderList& headers, std::string_view name);

}  // namespace meshgate::proxy
