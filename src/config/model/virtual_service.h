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

// One header of headers.*.set / add: names are user data, so each keeps its key's position.
struct HeaderValue {
  std::string name;
  std::string value;
  SourceRef where;
  bool operator==(const HeaderValue&) const = default;
};

// Istio Headers.HeaderOperations.
struct HeaderOperations {
  std::vector<HeaderValue> set;
  std::vector<HeaderValue> add;
  std::vector<Located<std::string>> remove;
  SourceRef where;
  bool operator==(const HeaderOperations&) const = default;
};

// Istio Headers: mutations of the request (towards the destination) and of the response.
struct Headers {
  std::optional<HeaderOperations> request;
  std::optional<HeaderOperations> response;
  SourceRef where;
  bool operator==(const Headers&) const = default;
};

struct HttpRouteDestination {
  Destination destination;
  Located<int64_t> weight;
  std::optional<Headers> headers;
  SourceRef where;
  bool operator==(const HttpRouteDestination&) const = default;
};

struct HttpRetry {
  Located<int64_t> attempts;
  Located<Duration> per_try_timeout;
  Located<std::string> retry_on;
  Located<bool> retry_remote_localhost;  // retryRemoteLocalities
  Located<bool> retry_ignore_previous_hosts;
  Located<Duration> backoff;
  SourceRef where;
  bool operator==(const HttpRetry&) const = default;
};

// Istio HTTPFaultInjection.Delay. Ranges and the meaning of absent fields are translate's.
struct HttpFaultDelay {
  Located<Duration> fixed_delay;
  Located<double> percentage;                       // percentage.value
  Located<int64_t> percent;                         // the deprecated integer percent
  std::vector<Located<std::string>> unimplemented;  // exponentialDelay
  SourceRef where;
  bool operator==(const HttpFaultDelay&) const = default;
};

// Istio HTTPFaultInjection.Abort.
struct HttpFaultAbort {
  Located<int64_t> http_status;
  Located<std::string> grpc_status;                 // a status name, e.g. UNAVAILABLE
  Located<double> percentage;                       // percentage.value
  std::vector<Located<std::string>> unimplemented;  // http2Error
  SourceRef where;
  bool operator==(const HttpFaultAbort&) const = default;
};

struct HttpFault {
  std::optional<HttpFaultDelay> delay;
  std::optional<HttpFaultAbort> abort;
  SourceRef where;
  bool operator==(const HttpFault&) const = default;
};

struct HttpRewrite {
  Located<std::string> uri;
  Located<std::string> authority;
  std::vector<Located<std::string>> unimplemented;  // uriRegexRewrite
  SourceRef where;
  bool operator==(const HttpRewrite&) const = default;
};

struct HttpRedirect {
  Located<std::string> uri;
  Located<std::string> authority;
  Located<std::string> scheme;
  Located<uint32_t> port;
  Located<uint32_t> redirect_code;
  std::vector<Located<std::string>> unimplemented;  // derivePort
  SourceRef where;
  bool operator==(const HttpRedirect&) const = default;
};

struct HttpDirectResponse {
  Located<uint32_t> status;
  Located<std::string> body_string;  // body.string
  Located<std::string> body_bytes;   // body.bytes, already base64-decoded
  SourceRef where;
  bool operator==(const HttpDirectResponse&) const = default;
};

// mirrors[] entries (and mirror + mirrorPercentage, folded into one by translate).
struct HttpMirror {
  Destination destination;
  Located<double> percentage;  // percentage.value
  SourceRef where;
  bool operator==(const HttpMirror&) const = default;
};

struct Delegate {
  Located<std::string> name;
  Located<std::string> namespace_name;
  SourceRef where;
  bool operator==(const Delegate&) const = default;
};

struct HttpRoute {
  Located<std::string> name;
  std::vector<HttpMatch> match;
  std::vector<HttpRouteDestination> route;
  Located<Duration> timeout;
  std::optional<HttpRetry> retries;
  std::optional<HttpFault> fault;
  std::optional<Headers> headers;
  std::optional<HttpRewrite> rewrite;
  std::optional<HttpRedirect> redirect;
  std::optional<HttpDirectResponse> direct_response;
  std::optional<Destination> mirror;
  Located<double> mirror_percentage;  // mirrorPercentage.value
  Located<uint32_t> mirror_percent;   // the deprecated integer mirrorPercent
  std::vector<HttpMirror> mirrors;
  std::optional<Delegate> delegate;
  // Fields parsed only as "present at this position" (corsPolicy, ...): translate
  // names each as not implemented yet.
  std::vector<Located<std::string>> unimplemented;
  SourceRef where;
  bool operator==(const HttpRoute&) const = default;
};

struct VirtualService {
  ObjectMeta meta;
  // Empty for a delegate VirtualService (one that another's http[].delegate names).
  std::vector<Located<std::string>> hosts;
  std::vector<Located<std::string>> gateways;
  std::vector<Located<std::string>> export_to;
  std::vector<HttpRoute> http;
  // tcp, tls routes: gateway L4 routing that meshgate does not do.
  std::vector<Located<std::string>> unimplemented;
  bool operator==(const VirtualService&) const = default;
};

}  // namespace meshgate::config
