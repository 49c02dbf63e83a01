#include "proxy/hash_key.h"

#include <fmt/format.h>

#include "router/request_matcher.h"

namespace meshgate::proxy {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// "10.0.0.1:5000" → "10.0.0.1"; "[::1]:5000" → "::1".
std::string_view peerIp(std::string_view peer) {
  if (!peer.empty() && peer.front() == '[') {
    size_t close = peer.find(']');
    return close == std::string_view::npos ? peer : peer.substr(1, close - 1);
  }
  size_t colon = peer.rfind(':');
  return colon == std::string_view::npos ? peer : peer.substr(0, colon);
}

}  // namespace

std::optional<std::string_view> findCookie(const http::HeaderList& headers, std::string_view name) {
  // HTTP/2 may split the cookie header into several fields (RFC 9113 §8.2.3).
  for (http::HeaderView field : headers) {
    if (field.name != "cookie") continue;
    std::string_view rest = field.value;
    while (!rest.empty()) {
      size_t end = rest.find(';');
      std::string_view pair = trim(rest.substr(0, end));
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      size_t equals = pair.find('=');
      if (equals != std::string_view::npos && pair.substr(0, equals) == name) {
        return pair.substr(equals + 1);
      }
    }
  }
  return std::nullopt;
}

HashKey computeHashKey(const upstream::HashKeyPolicy& policy, const http::HeaderList& headers,
                       std::string_view peer, uint64_t random) {
  using Kind = upstream::HashKeyPolicy::Kind;
  HashKey out;
  std::optional<std::string_view> key;
  std::optional<std::string> decoded;  // owns a query parameter's value
  switch (policy.kind) {
    case Kind::kNone:
      return out;
    case Kind::kHeader:
      for (http::HeaderView field : headers) {
        if (field.name == policy.name) {
          key = field.value;
          break;
        }
      }
      break;
    case Kind::kCookie:
      key = findCookie(headers, policy.name);
      if (!key && policy.cookie_ttl) {
        std::string value = fmt::format("{:016x}", random);
        out.hash = upstream::stableHash(value);
        out.set_cookie = policy.name + "=" + value;
        if (!policy.cookie_path.empty()) out.set_cookie += "; Path=" + policy.cookie_path;
        // A ttl of 0s makes a session cookie (no Max-Age), as with Envoy.
        if (policy.cookie_ttl->count() > 0) {
          auto seconds = std::chrono::duration_cast<std::chrono::seconds>(*policy.cookie_ttl);
          out.set_cookie += fmt::format("; Max-Age={}", seconds.count());
        }
        out.set_cookie += "; HttpOnly";
        return out;
      }
      break;
    case Kind::kSourceIp:
      key = peerIp(peer);
      break;
    case Kind::kQueryParameter:
      // Decoded like the router's queryParams match, so both see the same value.
      decoded = router::queryParameter(headers.get(":path"), policy.name);
      if (decoded) key = *decoded;
      break;
  }
  if (key) out.hash = upstream::stableHash(*key);
  return out;
}

}  // namespace meshgate::proxy
