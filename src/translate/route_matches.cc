#include "translate/route_matches.h"

#include <re2/re2.h>

#include "base/strings.h"
#include "translate/hosts.h"

namespace meshgate::translate {

using base::SourceRef;
namespace {

ir::PathMatchKind kindOf(config::StringMatch::Kind kind) {
  switch (kind) {
    case config::StringMatch::Kind::kExact:
      return ir::PathMatchKind::kExact;
    case config::StringMatch::Kind::kPrefix:
      return ir::PathMatchKind::kPrefix;
    case config::StringMatch::Kind::kRegex:
      return ir::PathMatchKind::kRegex;
  }
  return ir::PathMatchKind::kAny;
}

// One StringMatch; an invalid RE2 regex is an error at its position (Envoy would reject the
// route configuration Istio generates).
ir::StringMatch translateString(const config::StringMatch& in, const std::string& field,
                                config::Diagnostics& d, std::string_view subject = "value") {
  ir::StringMatch out{kindOf(in.kind), in.value, false};
  if (out.kind == ir::PathMatchKind::kRegex) {
    RE2 regex(in.value, RE2::Quiet);
    if (!regex.ok()) {
      d.error(in.where, field + ".regex", "invalid regex '" + in.value + "': " + regex.error(),
              "the regex is RE2 syntax, matched against the whole " + std::string(subject));
    }
  }
  return out;
}

// headers and withoutHeaders. Istio: names are lower-cased; {} (and regex "*", which Istio
// treats as catch-all) means "present", inverted under withoutHeaders to "absent".
void translateHeaders(const std::vector<config::NamedStringMatch>& in, bool invert,
                      const std::string& field, config::Diagnostics& d,
                      std::vector<ir::HeaderMatch>& out) {
  for (const auto& header : in) {
    ir::HeaderMatch match{base::lowerAscii(header.name), {}, invert};
    bool catch_all = header.any || (header.match.kind == config::StringMatch::Kind::kRegex &&
                                    header.match.value == "*");
    if (!catch_all) match.match = translateString(header.match, field + "." + header.name, d);
    out.push_back(std::move(match));
  }
}

std::vector<ir::QueryParamMatch> translateQueryParams(
    const std::vector<config::NamedStringMatch>& in, const std::string& field,
    config::Diagnostics& d) {
  std::vector<ir::QueryParamMatch> out;
  for (const auto& param : in) {
    ir::QueryParamMatch match{param.name, {}};
    if (!param.any) match.match = translateString(param.match, field + "." + param.name, d);
    out.push_back(std::move(match));
  }
  return out;
}

std::optional<ir::StringMatch> translateOptional(const std::optional<config::StringMatch>& in,
                                                 const std::string& field, config::Diagnostics& d) {
  if (!in) return std::nullopt;
  return translateString(*in, field, d);
}

ir::RouteMatch translateMatch(const config::HttpMatch& match, const std::string& path,
                              config::Diagnostics& d) {
  ir::RouteMatch out;
  if (match.uri) {
    out.path = translateString(*match.uri, path + ".uri", d, "path");
    // ignoreUriCase applies to the uri only, never to headers or other conditions.
    out.path.ignore_case = match.ignore_uri_case.value;
  }
  out.authority = translateOptional(match.authority, path + ".authority", d);
  out.method = translateOptional(match.method, path + ".method", d);
  out.scheme = translateOptional(match.scheme, path + ".scheme", d);
  translateHeaders(match.headers, false, path + ".headers", d, out.headers);
  translateHeaders(match.without_headers, true, path + ".withoutHeaders", d, out.headers);
  out.query_params = translateQueryParams(match.query_params, path + ".queryParams", d);
  if (match.port) out.port = match.port.value;
  if (!match.source_labels.empty()) {
    d.warning(match.where, path + ".sourceLabels",
              "sourceLabels select client workloads inside the mesh and cannot apply at a "
              "gateway; meshgate ignores the condition, so this match is wider than written");
  }
  return out;
}

}  // namespace

std::vector<ir::RouteMatch> translateMatches(const config::HttpRoute& http, const std::string& path,
                                             config::Diagnostics& diagnostics) {
  std::vector<ir::RouteMatch> out;
  for (size_t i = 0; i < http.match.size(); ++i) {
    out.push_back(
        translateMatch(http.match[i], path + ".match[" + std::to_string(i) + "]", diagnostics));
  }
  // One match-all entry is the same as no match at all.
  if (out.size() == 1 && out[0] == ir::RouteMatch{}) out.clear();
  return out;
}

std::vector<std::set<std::string>> matchGateways(const config::HttpRoute& http,
                                                 const std::string& vs_namespace) {
  std::vector<std::set<std::string>> out;
  for (const auto& match : http.match) {
    std::set<std::string> names;
    for (const auto& entry : match.gateways) {
      // "mesh" names the sidecars: a match restricted to it never applies at a gateway, so it
      // keeps a name no gateway has rather than becoming unrestricted.
      names.insert(resolveGatewayName(entry.value, vs_namespace).value_or("mesh"));
    }
    out.push_back(std::move(names));
  }
  return out;
}

std::optional<ir::Route> restrictToGateways(const ir::Route& route, const config::HttpRoute& http,
                                            const std::string& vs_namespace,
                                            const std::set<std::string>& gateways) {
  std::vector<std::set<std::string>> restricted = matchGateways(http, vs_namespace);
  auto allowed = [&](size_t j) {
    if (restricted[j].empty()) return true;
    for (const auto& name : gateways) {
      if (restricted[j].contains(name)) return true;
    }
    return false;
  };
  bool any_restriction = false;
  for (const auto& names : restricted) any_restriction = any_restriction || !names.empty();
  if (!any_restriction) return route;
  if (route.matches.size() != restricted.size()) {
    // translateMatches folded a lone match-all entry into "no match".
    return allowed(0) ? std::optional<ir::Route>(route) : std::nullopt;
  }
  ir::Route out = route;
  out.matches.clear();
  for (size_t j = 0; j < restricted.size(); ++j) {
    if (allowed(j)) out.matches.push_back(route.matches[j]);
  }
  if (out.matches.empty()) return std::nullopt;
  if (out.matches.size() == 1 && out.matches[0] == ir::RouteMatch{}) out.matches.clear();
  return out;
}

}  // namespace meshgate::translate
