#include "ir/ir_json.h"

#include <charconv>
#include <cstdio>
#include <string_view>
#include <vector>

namespace meshgate::ir {
namespace {

std::string quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (byte < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// A tiny pretty printer: objects and arrays opened and closed explicitly, commas handled here.
class JsonWriter {
 public:
  void beginObject(std::string_view key = {}) { open(key, '{'); }
  void endObject() { close('}'); }
  void beginArray(std::string_view key = {}) { open(key, '['); }
  void endArray() { close(']'); }
  void field(std::string_view key, std::string_view value) { raw(key, quote(value)); }
  void field(std::string_view key, const char* value) { raw(key, quote(value)); }
  void field(std::string_view key, bool value) { raw(key, value ? "true" : "false"); }
  void field(std::string_view key, uint64_t value) { raw(key, std::to_string(value)); }
  void field(std::string_view key, int64_t value) { raw(key, std::to_string(value)); }
  void field(std::string_view key, double value) {
    char buffer[32];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    raw(key, std::string(buffer, result.ptr));
  }
  void value(std::string_view text) { raw({}, quote(text)); }
  void value(uint64_t number) { raw({}, std::to_string(number)); }
  std::string take() { return out_ + "\n"; }

 private:
  void prefix(std::string_view key) {
    if (!first_.empty()) {
      if (!first_.back()) out_ += ',';
      first_.back() = false;
      out_ += '\n';
      out_.append(2 * first_.size(), ' ');
    }
    if (!key.empty()) out_ += quote(key) + ": ";
  }
  void raw(std::string_view key, const std::string& text) {
    prefix(key);
    out_ += text;
  }
  void open(std::string_view key, char bracket) {
    prefix(key);
    out_ += bracket;
    first_.push_back(true);
  }
  void close(char bracket) {
    bool empty = first_.back();
    first_.pop_back();
    if (!empty) {
      out_ += '\n';
      out_.append(2 * first_.size(), ' ');
    }
    out_ += bracket;
  }

  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
};

std::string sizeOnly(const std::string& pem) {
  return "<" + std::to_string(pem.size()) + " bytes>";
}

void writeEndpoint(JsonWriter& w, const Endpoint& endpoint) {
  w.beginObject();
  w.field("address", endpoint.address);
  w.field("port", uint64_t{endpoint.port});
  w.field("weight", uint64_t{endpoint.weight});
  w.beginObject("labels");
  for (const auto& [key, value] : endpoint.labels) w.field(key, value);
  w.endObject();
  w.field("locality", endpoint.locality);
  if (endpoint.priority != 0) w.field("priority", uint64_t{endpoint.priority});
  w.endObject();
}

const char* toString(LbPolicy policy) {
  switch (policy) {
    case LbPolicy::kRoundRobin:
      return "ROUND_ROBIN";
    case LbPolicy::kLeastRequest:
      return "LEAST_REQUEST";
    case LbPolicy::kRandom:
      return "RANDOM";
    case LbPolicy::kRingHash:
      return "RING_HASH";
    case LbPolicy::kMaglev:
      return "MAGLEV";
  }
  return "?";
}

const char* toString(HashPolicy::Kind kind) {
  switch (kind) {
    case HashPolicy::Kind::kHeader:
      return "header";
    case HashPolicy::Kind::kCookie:
      return "cookie";
    case HashPolicy::Kind::kSourceIp:
      return "source_ip";
    case HashPolicy::Kind::kQueryParameter:
      return "query_parameter";
  }
  return "?";
}

void writeOptionalMillis(JsonWriter& w, std::string_view key,
                         const std::optional<std::chrono::milliseconds>& value) {
  if (value) w.field(key, static_cast<int64_t>(value->count()));
}

// Only the groups a DestinationRule set are written, so clusters without a trafficPolicy read
// as before.
void writeTrafficPolicy(JsonWriter& w, const Cluster& cluster) {
  if (cluster.load_balancer != LoadBalancer{}) {
    const LoadBalancer& lb = cluster.load_balancer;
    w.beginObject("load_balancer");
    w.field("policy", toString(lb.policy));
    if (lb.policy == LbPolicy::kRingHash) w.field("ring_minimum_size", lb.ring_minimum_size);
    if (lb.policy == LbPolicy::kMaglev) w.field("maglev_table_size", lb.maglev_table_size);
    if (lb.hash) {
      w.beginObject("hash");
      w.field("kind", toString(lb.hash->kind));
      w.field("name", lb.hash->name);
      writeOptionalMillis(w, "cookie_ttl_ms", lb.hash->cookie_ttl);
      if (!lb.hash->cookie_path.empty()) w.field("cookie_path", lb.hash->cookie_path);
      w.endObject();
    }
    w.endObject();
  }
  if (cluster.connection_pool != ConnectionPoolSettings{}) {
    const ConnectionPoolSettings& pool = cluster.connection_pool;
    w.beginObject("connection_pool");
    w.field("max_connections", uint64_t{pool.max_connections});
    writeOptionalMillis(w, "connect_timeout_ms", pool.connect_timeout);
    w.field("max_requests", uint64_t{pool.max_requests});
    w.field("max_requests_per_connection", uint64_t{pool.max_requests_per_connection});
    w.field("max_concurrent_streams", uint64_t{pool.max_concurrent_streams});
    writeOptionalMillis(w, "idle_timeout_ms", pool.idle_timeout);
    w.endObject();
  }
  if (cluster.outlier_detection) {
    const OutlierDetection& outlier = *cluster.outlier_detection;
    w.beginObject("outlier_detection");
    w.field("consecutive_5xx", uint64_t{outlier.consecutive_5xx});
    w.field("consecutive_gateway", uint64_t{outlier.consecutive_gateway});
    w.field("consecutive_local_origin", uint64_t{outlier.consecutive_local_origin});
    w.field("split_local_origin", outlier.split_local_origin);
    w.field("interval_ms", static_cast<uint64_t>(outlier.interval.count()));
    w.field("base_ejection_time_ms", static_cast<uint64_t>(outlier.base_ejection_time.count()));
    w.field("max_ejection_percent", uint64_t{outlier.max_ejection_percent});
    w.field("min_health_percent", uint64_t{outlier.min_health_percent});
    w.endObject();
  }
  if (cluster.tls) {
    const UpstreamTls& tls = *cluster.tls;
    w.beginObject("tls");
    w.field("mode", tls.mode == UpstreamTls::Mode::kMutual ? "MUTUAL" : "SIMPLE");
    w.field("ca_pem", sizeOnly(tls.ca_pem));
    w.field("cert_pem", sizeOnly(tls.cert_pem));
    w.field("key_pem", sizeOnly(tls.key_pem));
    w.field("sni", tls.sni);
    w.beginArray("subject_alt_names");
    for (const std::string& name : tls.subject_alt_names) w.value(name);
    w.endArray();
    w.field("insecure_skip_verify", tls.insecure_skip_verify);
    w.field("source_name", tls.source_name);
    w.endObject();
  }
  if (cluster.health_check) {
    const HealthCheck& check = *cluster.health_check;
    w.beginObject("grpc_health_check");
    w.field("interval_ms", static_cast<int64_t>(check.interval.count()));
    w.field("timeout_ms", static_cast<int64_t>(check.timeout.count()));
    w.field("unhealthy_threshold", uint64_t{check.unhealthy_threshold});
    w.field("healthy_threshold", uint64_t{check.healthy_threshold});
    w.field("service", check.service);
    w.endObject();
  }
}

void writeCluster(JsonWriter& w, const Cluster& cluster) {
  w.beginObject();
  w.field("name", cluster.name);
  w.field("service_host", cluster.service_host);
  w.field("service_port", uint64_t{cluster.service_port});
  w.field("resolve_dns", cluster.resolve_dns);
  w.field("declared_protocol", toString(cluster.declared_protocol));
  w.field("protocol_reason", cluster.protocol_reason);
  w.beginArray("endpoints");
  for (const Endpoint& endpoint : cluster.endpoints) writeEndpoint(w, endpoint);
  w.endArray();
  writeTrafficPolicy(w, cluster);
  w.field("source", cluster.source.toString());
  w.endObject();
}

// A StringMatch as an object; ignore_case only when set (only uri matches can set it).
void writeStringMatch(JsonWriter& w, const StringMatch& match) {
  w.field("kind", toString(match.kind));
  w.field("value", match.value);
  if (match.ignore_case) w.field("ignore_case", true);
}

void writeOptionalMatch(JsonWriter& w, std::string_view key,
                        const std::optional<StringMatch>& match) {
  if (!match) return;
  w.beginObject(key);
  writeStringMatch(w, *match);
  w.endObject();
}

// The uri keeps its flat kind/value/ignore_case fields; other conditions appear only when set.
void writeRouteMatch(JsonWriter& w, const RouteMatch& match) {
  w.beginObject();
  w.field("kind", toString(match.path.kind));
  w.field("value", match.path.value);
  w.field("ignore_case", match.path.ignore_case);
  writeOptionalMatch(w, "authority", match.authority);
  writeOptionalMatch(w, "method", match.method);
  writeOptionalMatch(w, "scheme", match.scheme);
  if (!match.headers.empty()) {
    w.beginArray("headers");
    for (const HeaderMatch& header : match.headers) {
      w.beginObject();
      w.field("name", header.name);
      writeStringMatch(w, header.match);
      if (header.invert) w.field("invert", true);
      w.endObject();
    }
    w.endArray();
  }
  if (!match.query_params.empty()) {
    w.beginArray("query_params");
    for (const QueryParamMatch& param : match.query_params) {
      w.beginObject();
      w.field("name", param.name);
      writeStringMatch(w, param.match);
      w.endObject();
    }
    w.endArray();
  }
  if (match.port) w.field("port", uint64_t{*match.port});
  w.endObject();
}

void writePairs(JsonWriter& w, std::string_view key,
                const std::vector<std::pair<std::string, std::string>>& pairs) {
  if (pairs.empty()) return;
  w.beginObject(key);
  for (const auto& [name, value] : pairs) w.field(name, value);
  w.endObject();
}

// Only the parts that are set, so routes without mutations dump as before.
void writeHeaderOperations(JsonWriter& w, const HeaderOperations& headers) {
  if (headers.request.empty() && headers.response.empty()) return;
  w.beginObject("headers");
  for (auto [key, mutation] :
       {std::pair{"request", &headers.request}, std::pair{"response", &headers.response}}) {
    if (mutation->empty()) continue;
    w.beginObject(key);
    writePairs(w, "set", mutation->set);
    writePairs(w, "add", mutation->add);
    if (!mutation->remove.empty()) {
      w.beginArray("remove");
      for (const auto& name : mutation->remove) w.value(name);
      w.endArray();
    }
    w.endObject();
  }
  w.endObject();
}

void writeActions(JsonWriter& w, const Route& route) {
  writeHeaderOperations(w, route.headers);
  if (route.rewrite) {
    w.beginObject("rewrite");
    if (route.rewrite->uri) w.field("uri", *route.rewrite->uri);
    if (route.rewrite->authority) w.field("authority", *route.rewrite->authority);
    w.endObject();
  }
  if (route.redirect) {
    const Redirect& redirect = *route.redirect;
    w.beginObject("redirect");
    if (redirect.uri) w.field("uri", *redirect.uri);
    if (redirect.authority) w.field("authority", *redirect.authority);
    if (redirect.scheme) w.field("scheme", *redirect.scheme);
    if (redirect.port) w.field("port", uint64_t{*redirect.port});
    w.field("status", uint64_t{redirect.status});
    w.endObject();
  }
  if (route.direct_response) {
    w.beginObject("direct_response");
    w.field("status", uint64_t{route.direct_response->status});
    w.field("body", route.direct_response->body);
    w.endObject();
  }
  if (!route.mirrors.empty()) {
    w.beginArray("mirrors");
    for (const Mirror& mirror : route.mirrors) {
      w.beginObject();
      w.field("cluster", mirror.cluster);
      w.field("percent", mirror.percent);
      w.endObject();
    }
    w.endArray();
  }
}

void writeRetry(JsonWriter& w, const RetryPolicy& retry) {
  w.beginObject("retry");
  w.field("num_retries", uint64_t{retry.num_retries});
  if (retry.per_try_timeout) {
    w.field("per_try_timeout_ms", static_cast<int64_t>(retry.per_try_timeout->count()));
  }
  w.beginArray("retry_on");
  for (const auto& name : retry_on::kNames) {
    if ((retry.retry_on & name.condition) != 0) w.value(name.name);
  }
  w.endArray();
  if (!retry.retriable_status_codes.empty()) {
    w.beginArray("retriable_status_codes");
    for (uint32_t code : retry.retriable_status_codes) w.value(uint64_t{code});
    w.endArray();
  }
  if (retry.retry_remote_localities) w.field("retry_remote_localities", true);
  w.field("backoff_base_ms", static_cast<int64_t>(retry.backoff_base.count()));
  w.endObject();
}

void writeFault(JsonWriter& w, const Fault& fault) {
  w.beginObject("fault");
  if (fault.delay) {
    w.beginObject("delay");
    w.field("fixed_delay_ms", static_cast<int64_t>(fault.delay->fixed_delay.count()));
    w.field("percent", fault.delay->percent);
    w.endObject();
  }
  if (fault.abort) {
    w.beginObject("abort");
    if (fault.abort->http_status) w.field("http_status", uint64_t{*fault.abort->http_status});
    if (fault.abort->grpc_status) w.field("grpc_status", uint64_t{*fault.abort->grpc_status});
    w.field("percent", fault.abort->percent);
    w.endObject();
  }
  w.endObject();
}

void writeRoute(JsonWriter& w, const Route& route) {
  w.beginObject();
  w.field("name", route.name);
  w.beginArray("matches");
  for (const RouteMatch& match : route.matches) writeRouteMatch(w, match);
  w.endArray();
  w.beginArray("clusters");
  for (const WeightedCluster& cluster : route.clusters) {
    w.beginObject();
    w.field("cluster", cluster.cluster);
    w.field("weight", uint64_t{cluster.weight});
    writeHeaderOperations(w, cluster.headers);
    w.endObject();
  }
  w.endArray();
  writeActions(w, route);
  if (route.timeout) {
    w.field("timeout_ms", static_cast<int64_t>(route.timeout->count()));
  } else {
    w.field("timeout_ms", "none");
  }
  if (route.retry) writeRetry(w, *route.retry);
  if (route.fault) writeFault(w, *route.fault);
  w.field("source", route.source.toString());
  w.endObject();
}

void writeListener(JsonWriter& w, const Listener& listener) {
  w.beginObject();
  w.field("name", listener.name);
  w.field("port", uint64_t{listener.port});
  w.field("https_redirect", listener.https_redirect);
  w.beginArray("tls");
  for (const TlsCertificate& tls : listener.tls) {
    w.beginObject();
    w.beginArray("server_names");
    for (const std::string& name : tls.server_names) w.value(name);
    w.endArray();
    w.field("cert_pem", sizeOnly(tls.cert_pem));
    w.field("key_pem", sizeOnly(tls.key_pem));
    w.field("source_name", tls.source_name);
    w.endObject();
  }
  w.endArray();
  w.beginArray("virtual_hosts");
  for (const VirtualHost& host : listener.virtual_hosts) {
    w.beginObject();
    w.field("name", host.name);
    w.beginArray("domains");
    for (const std::string& domain : host.domains) w.value(domain);
    w.endArray();
    w.beginArray("routes");
    for (const Route& route : host.routes) writeRoute(w, route);
    w.endArray();
    w.endObject();
  }
  w.endArray();
  w.field("source", listener.source.toString());
  w.endObject();
}

}  // namespace

const char* toString(UpstreamProtocol protocol) {
  switch (protocol) {
    case UpstreamProtocol::kHttp2:
      return "HTTP/2";
    case UpstreamProtocol::kHttp11:
      return "HTTP/1.1";
    case UpstreamProtocol::kUnknown:
      return "unknown";
  }
  return "?";
}

const char* toString(PathMatchKind kind) {
  switch (kind) {
    case PathMatchKind::kAny:
      return "any";
    case PathMatchKind::kExact:
      return "exact";
    case PathMatchKind::kPrefix:
      return "prefix";
    case PathMatchKind::kRegex:
      return "regex";
  }
  return "?";
}

std::string toJson(const Config& config) {
  JsonWriter w;
  w.beginObject();
  w.beginArray("listeners");
  for (const Listener& listener : config.listeners) writeListener(w, listener);
  w.endArray();
  w.beginArray("clusters");
  for (const Cluster& cluster : config.clusters) writeCluster(w, cluster);
  w.endArray();
  w.endObject();
  return w.take();
}

}  // namespace meshgate::ir
