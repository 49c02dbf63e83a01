#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/model/meta.h"

namespace meshgate::config {

// Istio StringMatch: exactly one of exact, prefix, regex.
struct StringMatch {
  enum class Kind { kExact, kPrefix, kRegex };
  Kind kind = Kind::kExact;
  std::string value;
  SourceRef where;  // the exact/prefix/regex key
  bool operator==(const StringMatch&) const = default;
};

struct NamedStringMatch {
  std::string name;
  StringMatch match;
  bool any = false;  // written as {}: presence (absence under withoutHeaders)
  bool operator==(const NamedStringMatch&) const = default;
};

struct HttpMatch {
  Located<std::string> name;
  std::optional<StringMatch> uri;
  Located<bool> ignore_uri_case;
  std::vector<NamedStringMatch> headers;
  std::vector<NamedStringMatch> query_params;
  std::vector<NamedStringMatch> without_headers;
  std::optional<StringMatch> scheme;
  std::optional<StringMatch> method;
  std::optional<StringMatch> authority;
  Located<uint32_t> port;
  std::vector<Located<std::string>> gateways;
  Labels source_labels;
  SourceRef where;
  bool operator==(const HttpMatch&) const = default;
};

struct Destination {
  Located<std::string> host;
  Located<std::string> subset;
  Located<uint32_t> port;  // port.number
  SourceRef where;
  bool operator==(const Destination&) const = default;
};

struct HttpRouteDestination {
  Destination destination;
  Located<int64_t> weight;
  Located<bool> has_headers;  // headers: request/response mutations (not implemented yet)
  SourceRef where;
  bool operator==(const HttpRouteDestination&) const = default;
};

struct HttpRetry {
  Located<int64_t> attempts;
  Located<Duration> per_try_timeout;
  Located<std::string> retry_on;
  Located<bool> retry_remote_localhost;
  SourceRef where;
  bool operator==(const HttpRetry&) const = default;
};

struct HttpRoute {
  Located<std::string> name;
  std::vector<HttpMatch> match;
  std::vector<HttpRouteDestination> route;
  Located<Duration> timeout;
  std::optional<HttpRetry> retries;
  // Fields parsed only as "present at this position" (rewrite, redirect, directResponse,
  // corsPolicy, fault, mirror, headers, ...): translate names each as not implemented yet.
  std::vector<Located<std::string>> unimplemented;
  SourceRef where;
  bool operator==(const HttpRoute&) const = default;
};

struct VirtualService {
  ObjectMeta meta;
  std::vector<Located<std::string>> hosts;
  std::vector<Located<std::string>> gateways;
  std::vector<Located<std::string>> export_to;
  std::vector<HttpRoute> http;
  // tcp, tls routes: gateway L4 routing that meshgate does not do.
  std::vector<Located<std::string>> unimplemented;
  bool operator==(const VirtualService&) const = default;
};

}  // namespace meshgate::config
