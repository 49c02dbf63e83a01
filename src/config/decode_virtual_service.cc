#include "config/decode.h"

namespace meshgate::config {
namespace {

std::vector<NamedStringMatch> decodeNamedMatches(MapReader& match, std::string_view key) {
  std::vector<NamedStringMatch> out;
  // The keys are user data (header or parameter names), so no MapReader for the map itself.
  const YamlNode* node = match.get(key);
  if (node == nullptr) return out;
  if (!node->isMap()) {
    match.diagnostics().error(node->where, match.child(key),
                              "expected a map, got " + describeKind(*node));
    return out;
  }
  for (const YamlEntry& entry : node->entries) {
    MapReader value(entry.value, childPath(match.child(key), entry.key), match.diagnostics());
    NamedStringMatch named{entry.key, {StringMatch::Kind::kExact, "", entry.key_where}};
    if (value.valid()) {
      if (auto parsed = decodeStringMatchValue(value, true)) {
        named.match = *parsed;
      } else {
        named.any = true;
      }
    }
    out.push_back(std::move(named));
  }
  return out;
}

HttpMatch decodeMatch(MapReader& match) {
  HttpMatch out;
  out.where = match.where();
  out.name = match.string("name");
  out.uri = decodeStringMatch(match, "uri");
  out.scheme = decodeStringMatch(match, "scheme");
  out.method = decodeStringMatch(match, "method");
  out.authority = decodeStringMatch(match, "authority");
  out.headers = decodeNamedMatches(match, "headers");
  out.query_params = decodeNamedMatches(match, "queryParams");
  out.without_headers = decodeNamedMatches(match, "withoutHeaders");
  out.ignore_uri_case = match.boolean("ignoreUriCase");
  out.port = match.port("port");
  out.gateways = match.stringList("gateways");
  out.source_labels = match.stringMap("sourceLabels");
  match.ignore({"sourceNamespace", "statPrefix"});
  return out;
}

Destination decodeDestination(MapReader& destination) {
  Destination out;
  out.where = destination.where();
  out.host = destination.string("host", true);
  out.subset = destination.string("subset");
  destination.object("port", [&](MapReader& port) { out.port = port.port("number", true); });
  return out;
}

HttpRouteDestination decodeRouteDestination(MapReader& route) {
  HttpRouteDestination out;
  out.where = route.where();
  if (!route.object("destination", [&](MapReader& destination) {
        out.destination = decodeDestination(destination);
      })) {
    route.require("destination");
  }
  out.weight = route.integer("weight");
  if (out.weight && (out.weight.value < 0 || out.weight.value > 100)) {
    route.diagnostics().error(
        out.weight.where, route.child("weight"),
        "weight " + std::to_string(out.weight.value) + " is out of range 0-100");
    out.weight.present = false;
  }
  std::vector<Located<std::string>> headers;
  route.presence("headers", headers);
  if (!headers.empty()) out.has_headers = {true, headers[0].where, true};
  return out;
}

HttpRetry decodeRetries(MapReader& retries) {
  HttpRetry out;
  out.where = retries.where();
  out.attempts = retries.integer("attempts");
  out.per_try_timeout = retries.duration("perTryTimeout");
  out.retry_on = retries.string("retryOn");
  out.retry_remote_localhost = retries.boolean("retryRemoteLocalities");
  retries.ignore({"retryIgnorePreviousHosts", "backoff"});
  return out;
}

HttpRoute decodeHttpRoute(MapReader& http) {
  HttpRoute out;
  out.where = http.where();
  out.name = http.string("name");
  http.list("match", [&](MapReader& match, size_t) { out.match.push_back(decodeMatch(match)); });
  http.list("route",
            [&](MapReader& route, size_t) { out.route.push_back(decodeRouteDestination(route)); });
  out.timeout = http.duration("timeout");
  http.object("retries", [&](MapReader& retries) { out.retries = decodeRetries(retries); });
  for (std::string_view key :
       {"rewrite", "redirect", "directResponse", "delegate", "corsPolicy", "fault", "mirror",
        "mirrorPercent", "mirrorPercentage", "mirrors", "headers"}) {
    http.presence(key, out.unimplemented);
  }
  return out;
}

}  // namespace

std::optional<StringMatch> decodeStringMatchValue(MapReader& match, bool allow_empty) {
  std::optional<StringMatch> out;
  int count = 0;
  for (auto [key, kind] : {std::pair{"exact", StringMatch::Kind::kExact},
                           std::pair{"prefix", StringMatch::Kind::kPrefix},
                           std::pair{"regex", StringMatch::Kind::kRegex}}) {
    Located<std::string> value = match.string(key);
    if (!value) continue;
    ++count;
    if (!out) out = StringMatch{kind, value.value, value.where};
  }
  if (count > 1) {
    match.diagnostics().error(match.where(), match.path(),
                              "set exactly one of exact, prefix or regex");
  } else if (count == 0 && !allow_empty) {
    match.diagnostics().error(match.where(), match.path(), "set one of exact, prefix or regex");
  }
  return out;
}

std::optional<StringMatch> decodeStringMatch(MapReader& parent, std::string_view key) {
  std::optional<StringMatch> out;
  parent.object(key, [&](MapReader& match) { out = decodeStringMatchValue(match, false); });
  return out;
}

VirtualService decodeVirtualService(MapReader& doc) {
  VirtualService out;
  out.meta = decodeMeta(doc);
  bool has_spec = doc.object("spec", [&](MapReader& spec) {
    if (spec.require("hosts", "at least one host")) out.hosts = spec.stringList("hosts");
    out.gateways = spec.stringList("gateways");
    out.export_to = spec.stringList("exportTo");
    spec.list("http", [&](MapReader& http, size_t) { out.http.push_back(decodeHttpRoute(http)); });
    spec.presence("tcp", out.unimplemented);
    spec.presence("tls", out.unimplemented);
  });
  if (!has_spec) doc.require("spec");
  return out;
}

}  // namespace meshgate::config
