#include <charconv>

#include "config/decode.h"
#include "config/scalars.h"

namespace meshgate::config {
namespace {

// A map of header name -> value (set, add): the keys are user data.
std::vector<HeaderValue> decodeHeaderMap(MapReader& parent, std::string_view key) {
  std::vector<HeaderValue> out;
  const YamlNode* node = parent.get(key);
  if (node == nullptr) return out;
  if (!node->isMap()) {
    parent.diagnostics().error(
        node->where, parent.child(key),
        "expected a map of header names to values, got " + describeKind(*node));
    return out;
  }
  for (const YamlEntry& entry : node->entries) {
    Located<std::string> value =
        readString(entry.value, childPath(parent.child(key), entry.key), parent.diagnostics());
    if (value) out.push_back({entry.key, value.value, entry.key_where});
  }
  return out;
}

HeaderOperations decodeHeaderOperations(MapReader& operations) {
  HeaderOperations out;
  out.where = operations.where();
  out.set = decodeHeaderMap(operations, "set");
  out.add = decodeHeaderMap(operations, "add");
  out.remove = operations.stringList("remove");
  return out;
}

std::optional<Headers> decodeHeaders(MapReader& parent) {
  std::optional<Headers> out;
  parent.object("headers", [&](MapReader& headers) {
    out.emplace();
    out->where = headers.where();
    headers.object("request",
                   [&](MapReader& request) { out->request = decodeHeaderOperations(request); });
    headers.object("response",
                   [&](MapReader& response) { out->response = decodeHeaderOperations(response); });
  });
  return out;
}

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
  out.headers = decodeHeaders(route);
  return out;
}

HttpRewrite decodeRewrite(MapReader& rewrite) {
  HttpRewrite out;
  out.where = rewrite.where();
  out.uri = rewrite.string("uri");
  out.authority = rewrite.string("authority");
  rewrite.presence("uriRegexRewrite", out.unimplemented);
  return out;
}

HttpRedirect decodeRedirect(MapReader& redirect) {
  HttpRedirect out;
  out.where = redirect.where();
  out.uri = redirect.string("uri");
  out.authority = redirect.string("authority");
  out.scheme = redirect.string("scheme");
  out.port = redirect.port("port");
  out.redirect_code = redirect.uint("redirectCode", 599);
  redirect.presence("derivePort", out.unimplemented);
  return out;
}

HttpDirectResponse decodeDirectResponse(MapReader& direct) {
  HttpDirectResponse out;
  out.where = direct.where();
  out.status = direct.uint("status", 599, true);
  direct.object("body", [&](MapReader& body) {
    out.body_string = body.string("string");
    Located<std::string> bytes = body.string("bytes");
    if (!bytes) return;
    if (auto decoded = decodeBase64(bytes.value)) {
      out.body_bytes = {*decoded, bytes.where, true};
    } else {
      body.diagnostics().error(bytes.where, body.child("bytes"), "body.bytes is not valid base64");
    }
  });
  return out;
}

HttpMirror decodeMirrorPolicy(MapReader& mirror) {
  HttpMirror out;
  out.where = mirror.where();
  if (!mirror.object("destination", [&](MapReader& destination) {
        out.destination = decodeDestination(destination);
      })) {
    mirror.require("destination");
  }
  out.percentage = decodePercent(mirror, "percentage");
  return out;
}

Delegate decodeDelegate(MapReader& delegate) {
  Delegate out;
  out.where = delegate.where();
  out.name = delegate.string("name", true);
  out.namespace_name = delegate.string("namespace");
  return out;
}

void decodeActions(MapReader& http, HttpRoute& out) {
  out.headers = decodeHeaders(http);
  http.object("rewrite", [&](MapReader& rewrite) { out.rewrite = decodeRewrite(rewrite); });
  http.object("redirect", [&](MapReader& redirect) { out.redirect = decodeRedirect(redirect); });
  http.object("directResponse",
              [&](MapReader& direct) { out.direct_response = decodeDirectResponse(direct); });
  http.object("mirror", [&](MapReader& mirror) { out.mirror = decodeDestination(mirror); });
  out.mirror_percentage = decodePercent(http, "mirrorPercentage");
  out.mirror_percent = http.uint("mirrorPercent", 100);
  http.list("mirrors",
            [&](MapReader& mirror, size_t) { out.mirrors.push_back(decodeMirrorPolicy(mirror)); });
  http.object("delegate", [&](MapReader& delegate) { out.delegate = decodeDelegate(delegate); });
}

HttpRetry decodeRetries(MapReader& retries) {
  HttpRetry out;
  out.where = retries.where();
  out.attempts = retries.integer("attempts");
  out.per_try_timeout = retries.duration("perTryTimeout");
  out.retry_on = retries.string("retryOn");
  out.retry_remote_localhost = retries.boolean("retryRemoteLocalities");
  out.retry_ignore_previous_hosts = retries.boolean("retryIgnorePreviousHosts");
  out.backoff = retries.duration("backoff");
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
  http.object("fault", [&](MapReader& fault) { out.fault = decodeFault(fault); });
  decodeActions(http, out);
  http.presence("corsPolicy", out.unimplemented);
  return out;
}

}  // namespace

// A protobuf double written as a YAML scalar ("50", "0.5", "1e1").
Located<double> readDouble(MapReader& parent, std::string_view key) {
  const YamlNode* node = parent.get(key);
  if (node == nullptr) return {};
  Located<std::string> text = readString(*node, parent.child(key), parent.diagnostics());
  if (!text) return {};
  double value = 0;
  const char* end = text.value.data() + text.value.size();
  auto [ptr, ec] = std::from_chars(text.value.data(), end, value);
  if (ec != std::errc() || ptr != end) {
    parent.diagnostics().error(text.where, parent.child(key),
                               "expected a number, got '" + text.value + "'");
    return {};
  }
  return {value, text.where, true};
}

// Istio Percent: {value: <double>}.
Located<double> decodePercent(MapReader& parent, std::string_view key) {
  Located<double> out;
  parent.object(key, [&](MapReader& percent) { out = readDouble(percent, "value"); });
  return out;
}

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
    // No hosts makes a delegate VirtualService; translate checks that one refers to it.
    out.hosts = spec.stringList("hosts");
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
