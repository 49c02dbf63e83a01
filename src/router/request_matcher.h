#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/config.h"
#include "router/request.h"

namespace re2 {
class RE2;
}

// The compiled form of ir::RouteMatch: every condition Istio puts on a request, evaluated the
// way Envoy evaluates the route configuration Istio generates.
namespace meshgate::router {

// An Istio StringMatch against a whole value (regex: RE2 full match, like Envoy's safe_regex).
struct StringMatcher {
  ir::PathMatchKind kind = ir::PathMatchKind::kAny;
  std::string value;  // lower-cased when ignore_case
  bool ignore_case = false;
  std::shared_ptr<const re2::RE2> regex;

  bool matches(std::string_view text) const;
};

// The uri condition. Envoy: exact and regex see the path without its query string; a prefix
// sees all of it (so the two differ only for prefixes that contain '?').
struct PathMatcher : StringMatcher {
  bool matches(std::string_view path) const;
};

struct HeaderMatcher {
  std::string name;
  StringMatcher match;  // kAny: present
  bool invert = false;  // withoutHeaders: an absent header satisfies any inverted condition
};

struct QueryParamMatcher {
  std::string name;
  StringMatcher match;  // kAny: present, with or without a value
};

// One ir::RouteMatch: every condition must hold.
struct CompiledMatch {
  PathMatcher path;
  std::optional<StringMatcher> authority;
  std::optional<StringMatcher> method;
  std::optional<StringMatcher> scheme;
  std::vector<HeaderMatcher> headers;
  std::vector<QueryParamMatcher> query_params;
  std::optional<uint32_t> port;

  bool matches(const RequestView& request) const;
  // Only a case-sensitive exact or prefix uri: what the route index can answer without a scan.
  bool pathOnly() const;
};

absl::StatusOr<CompiledMatch> compileMatch(const ir::RouteMatch& match);

// The value of the first query parameter named `name` in the path's query string, both
// percent-decoded; nullopt when absent ("?name" has the value "").
std::optional<std::string> queryParameter(std::string_view path, std::string_view name);

}  // namespace meshgate::router
