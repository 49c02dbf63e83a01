#include "translate/traffic_policy.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <absl/strings/ascii.h>

#include "translate/hosts.h"
#include "translate/locality.h"
#include "translate/outlier_detection.h"
#include "translate/secrets.h"

namespace meshgate::translate {

using base::SourceRef;
using config::Located;
namespace {

constexpr uint64_t kDefaultRingSize = 1024;
// Envoy refuses larger rings (RingHashLbConfig.maximum_ring_size's default).
constexpr uint64_t kMaxRingSize = 8 * 1024 * 1024;
constexpr uint64_t kDefaultMaglevTableSize = 65537;

std::string qualified(const config::ObjectMeta& meta) {
  return meta.namespace_name + "/" + meta.name;
}

std::chrono::milliseconds toMillis(config::Duration duration) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(duration);
}

bool isPrime(uint64_t n) {
  if (n < 2) return false;
  for (uint64_t d = 2; d * d <= n; ++d) {
    if (n % d == 0) return false;
  }
  return true;
}

// The first of `keys` the secret holds.
const Located<std::string>* findKey(const config::Secret& secret,
                                    std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    if (const auto* value = secret.find(key)) return value;
  }
  return nullptr;
}

void convertHash(const config::ConsistentHash& hash, const std::string& path,
                 config::Diagnostics& d, ir::LoadBalancer& out) {
  std::vector<ir::HashPolicy> keys;
  if (hash.http_header_name) {
    keys.push_back({ir::HashPolicy::Kind::kHeader,
                    absl::AsciiStrToLower(hash.http_header_name.value), std::nullopt, ""});
  }
  if (hash.http_cookie) {
    ir::HashPolicy cookie{ir::HashPolicy::Kind::kCookie, hash.http_cookie->name.value, std::nullopt,
                          hash.http_cookie->path.value};
    if (hash.http_cookie->ttl) cookie.cookie_ttl = toMillis(hash.http_cookie->ttl.value);
    keys.push_back(cookie);
  }
  if (hash.use_source_ip && hash.use_source_ip.value) {
    keys.push_back({ir::HashPolicy::Kind::kSourceIp, "", std::nullopt, ""});
  }
  if (hash.http_query_parameter_name) {
    keys.push_back({ir::HashPolicy::Kind::kQueryParameter, hash.http_query_parameter_name.value,
                    std::nullopt, ""});
  }
  if (keys.size() != 1) {
    d.error(hash.where, path,
            keys.empty() ? "consistentHash has no hash key"
                         : "consistentHash sets " + std::to_string(keys.size()) +
                               " hash keys; Istio accepts exactly one",
            "set one of httpHeaderName, httpCookie, useSourceIp, httpQueryParameterName");
    return;
  }
  out.hash = keys.front();
  if (hash.ring_hash && hash.maglev) {
    d.error(*hash.maglev, path + ".maglev", "ringHash and maglev are both set", "keep one of them");
    return;
  }
  if (hash.maglev) {
    out.policy = ir::LbPolicy::kMaglev;
    out.maglev_table_size = hash.maglev_table_size && hash.maglev_table_size.value != 0
                                ? hash.maglev_table_size.value
                                : kDefaultMaglevTableSize;
    if (!isPrime(out.maglev_table_size)) {
      d.error(hash.maglev_table_size.where, path + ".maglev.tableSize",
              "tableSize " + std::to_string(out.maglev_table_size) + " is not a prime number",
              "Envoy needs a prime table size, e.g. 65537 or 131071");
    }
    return;
  }
  out.policy = ir::LbPolicy::kRingHash;
  const Located<uint32_t>& size =
      hash.ring_minimum_size ? hash.ring_minimum_size : hash.minimum_ring_size;
  out.ring_minimum_size = size && size.value != 0 ? size.value : kDefaultRingSize;
  if (out.ring_minimum_size > kMaxRingSize) {
    d.error(size.where,
            path + (hash.ring_minimum_size ? ".ringHash.minimumRingSize" : ".minimumRingSize"),
            "minimumRingSize " + std::to_string(out.ring_minimum_size) + " exceeds Envoy's " +
                std::to_string(kMaxRingSize));
  }
}

ir::LoadBalancer convertLoadBalancer(const config::LoadBalancerSettings& lb,
                                     const std::string& path, config::Diagnostics& d) {
  ir::LoadBalancer out;
  if (lb.simple && lb.consistent_hash) {
    d.error(lb.consistent_hash->where, path + ".consistentHash",
            "simple and consistentHash are both set; Istio accepts one of them",
            "remove simple to hash, or consistentHash to balance without affinity");
    return out;
  }
  if (lb.consistent_hash) {
    convertHash(*lb.consistent_hash, path + ".consistentHash", d, out);
    return out;
  }
  const std::string& simple = lb.simple.value;
  if (!lb.simple || simple == "UNSPECIFIED" || simple == "ROUND_ROBIN") {
    out.policy = ir::LbPolicy::kRoundRobin;
  } else if (simple == "LEAST_REQUEST" || simple == "LEAST_CONN") {
    out.policy = ir::LbPolicy::kLeastRequest;  // LEAST_CONN is Istio's deprecated alias
  } else if (simple == "RANDOM") {
    out.policy = ir::LbPolicy::kRandom;
  } else if (simple == "PASSTHROUGH") {
    d.error(lb.simple.where, path + ".simple",
            "PASSTHROUGH forwards to the original destination address of the connection, which "
            "a gateway does not have",
            "use ROUND_ROBIN, LEAST_REQUEST or RANDOM");
  } else {
    d.error(lb.simple.where, path + ".simple", "unknown load balancer '" + simple + "'",
            "use ROUND_ROBIN, LEAST_REQUEST or RANDOM");
  }
  return out;
}

ir::ConnectionPoolSettings convertConnectionPool(const config::ConnectionPoolSettings& pool,
                                                 const std::string& path, config::Diagnostics& d) {
  ir::ConnectionPoolSettings out;
  out.max_connections = pool.max_connections.value;
  out.max_requests = pool.http2_max_requests.value;
  out.max_requests_per_connection = pool.max_requests_per_connection.value;
  out.max_concurrent_streams = pool.max_concurrent_streams.value;
  if (pool.connect_timeout) {
    out.connect_timeout = toMillis(pool.connect_timeout.value);
    if (out.connect_timeout->count() < 1) {
      d.error(pool.connect_timeout.where, path + ".tcp.connectTimeout",
              "connectTimeout must be at least 1ms");
    }
  }
  if (pool.idle_timeout && pool.idle_timeout.value.count() > 0) {
    out.idle_timeout = toMillis(pool.idle_timeout.value);
  }
  return out;
}

// A certificate, key or CA file named by one of the tls fields.
bool readTlsFile(const Located<std::string>& name, const std::string& field, config::Diagnostics& d,
                 std::string& out) {
  if (!name) return true;
  std::optional<std::string> text = readPemFile(name.value, name.where);
  if (!text) {
    d.error(name.where, field, "cannot read '" + name.value + "'",
            "give a readable PEM file (relative paths are relative to this YAML file)");
    return false;
  }
  if (text->find("-----BEGIN") == std::string::npos) {
    d.error(name.where, field, "'" + name.value + "' is not PEM (no -----BEGIN line)");
    return false;
  }
  out = std::move(*text);
  return true;
}

}  // namespace

TrafficPolicies::TrafficPolicies(const config::Model& model, config::Diagnostics& diagnostics,
                                 std::string gateway_locality)
    : model_(model), diagnostics_(diagnostics), gateway_locality_(std::move(gateway_locality)) {}

// Istio reads credentialName in the namespace of the gateway; a standalone gateway has none, so
// the DestinationRule's namespace is tried, then istio-system (where Istio's gateways run).
// Keys: a kubernetes.io/tls Secret (tls.crt, tls.key, ca.crt) or a generic one (cert, key,
// cacert); the CA may also come from a Secret named <credentialName>-cacert.
bool TrafficPolicies::tlsFromSecret(const config::ClientTlsSettings& tls, const std::string& path,
                                    const config::DestinationRule& rule, ir::UpstreamTls& out) {
  const std::string& name = tls.credential_name.value;
  std::string field = path + ".credentialName";
  const std::string& ns = rule.meta.namespace_name;
  const config::Secret* secret = findSecret(model_, ns, name);
  if (secret == nullptr) secret = findSecret(model_, "istio-system", name);
  const config::Secret* ca_secret = findSecret(model_, ns, name + "-cacert");
  if (ca_secret == nullptr) ca_secret = findSecret(model_, "istio-system", name + "-cacert");
  if (secret == nullptr && ca_secret == nullptr) {
    diagnostics_.error(
        tls.credential_name.where, field,
        "credentialName '" + name + "' names no Secret in namespace " + ns + " or istio-system",
        "add the Secret to the config (kubectl get secret " + name + " -o yaml)");
    return false;
  }
  const Located<std::string>* cert = secret ? findKey(*secret, {"tls.crt", "cert"}) : nullptr;
  const Located<std::string>* key = secret ? findKey(*secret, {"tls.key", "key"}) : nullptr;
  const Located<std::string>* ca = secret ? findKey(*secret, {"ca.crt", "cacert"}) : nullptr;
  if (ca == nullptr && ca_secret != nullptr) ca = findKey(*ca_secret, {"cacert", "ca.crt"});
  out.source_name = qualified((secret ? secret : ca_secret)->meta);
  if (out.mode == ir::UpstreamTls::Mode::kMutual && (cert == nullptr || key == nullptr)) {
    diagnostics_.error(tls.credential_name.where, field,
                       "Secret " + out.source_name + " has no " +
                           (cert == nullptr ? "tls.crt (or cert)" : "tls.key (or key)") +
                           " for mode MUTUAL",
                       "a kubernetes.io/tls Secret holds tls.crt and tls.key");
    return false;
  }
  if (out.mode == ir::UpstreamTls::Mode::kMutual) {
    out.cert_pem = cert->value;
    out.key_pem = key->value;
  }
  if (ca != nullptr) out.ca_pem = ca->value;
  return true;
}

std::optional<ir::UpstreamTls> TrafficPolicies::convertTls(const config::ClientTlsSettings& tls,
                                                           const std::string& path,
                                                           const config::DestinationRule& rule) {
  const std::string mode = tls.mode ? tls.mode.value : "DISABLE";
  if (mode == "DISABLE") return std::nullopt;
  if (mode == "ISTIO_MUTUAL") {
    diagnostics_.error(tls.mode.where, path + ".mode",
                       "ISTIO_MUTUAL needs the mesh's certificate authority, which a standalone "
                       "gateway does not have",
                       "use mode: MUTUAL with clientCertificate and privateKey (or "
                       "credentialName)");
    return std::nullopt;
  }
  if (mode != "SIMPLE" && mode != "MUTUAL") {
    diagnostics_.error(tls.mode.where, path + ".mode", "unknown tls mode '" + mode + "'",
                       "use DISABLE, SIMPLE or MUTUAL");
    return std::nullopt;
  }
  ir::UpstreamTls out;
  out.mode = mode == "MUTUAL" ? ir::UpstreamTls::Mode::kMutual : ir::UpstreamTls::Mode::kSimple;
  out.sni = tls.sni.value;
  for (const auto& name : tls.subject_alt_names) out.subject_alt_names.push_back(name.value);
  out.insecure_skip_verify = tls.insecure_skip_verify.value;
  bool has_files = tls.ca_certificates || tls.client_certificate || tls.private_key;
  if (tls.credential_name) {
    if (has_files) {
      diagnostics_.error(tls.credential_name.where, path + ".credentialName",
                         "credentialName and certificate files are both set",
                         "keep credentialName, or caCertificates/clientCertificate/privateKey");
      return std::nullopt;
    }
    if (!tlsFromSecret(tls, path, rule, out)) return std::nullopt;
    return out;
  }
  if (out.mode == ir::UpstreamTls::Mode::kMutual && (!tls.client_certificate || !tls.private_key)) {
    diagnostics_.error(
        tls.where, path + (tls.client_certificate ? ".privateKey" : ".clientCertificate"),
        "mode MUTUAL needs clientCertificate and privateKey", "set both, or credentialName");
    return std::nullopt;
  }
  bool ok = readTlsFile(tls.ca_certificates, path + ".caCertificates", diagnostics_, out.ca_pem);
  if (out.mode == ir::UpstreamTls::Mode::kMutual) {
    ok = readTlsFile(tls.client_certificate, path + ".clientCertificate", diagnostics_,
                     out.cert_pem) &&
         ok;
    ok = readTlsFile(tls.private_key, path + ".privateKey", diagnostics_, out.key_pem) && ok;
  } else if (tls.client_certificate || tls.private_key) {
    const auto& field = tls.client_certificate ? tls.client_certificate : tls.private_key;
    diagnostics_.warning(field.where,
                         path + (tls.client_certificate ? ".clientCertificate" : ".privateKey"),
                         "mode SIMPLE presents no client certificate; this field is ignored",
                         "use mode: MUTUAL to present it");
  }
  if (!ok) return std::nullopt;
  out.source_name = tls.ca_certificates.value;
  if (!out.cert_pem.empty()) {
    out.source_name += (out.source_name.empty() ? "" : ", ") + tls.client_certificate.value;
  }
  return out;
}

void TrafficPolicies::selectPolicy(const config::TrafficPolicy& policy, const std::string& path,
                                   const config::DestinationRule& rule, uint32_t port,
                                   Selection& out) {
  if (policy.load_balancer)
    out.load_balancer = {&*policy.load_balancer, path + ".loadBalancer", &rule};
  if (policy.connection_pool) {
    out.connection_pool = {&*policy.connection_pool, path + ".connectionPool", &rule};
  }
  if (policy.tls) out.tls = {&*policy.tls, path + ".tls", &rule};
  if (policy.outlier_detection) {
    out.outlier_detection = {&*policy.outlier_detection, path + ".outlierDetection", &rule};
  }
  for (size_t i = 0; i < policy.port_level_settings.size(); ++i) {
    const config::PortTrafficPolicy& entry = policy.port_level_settings[i];
    if (!entry.port || entry.port.value != port) continue;
    // Istio: port-level settings do not inherit; an unset group falls back to the default.
    std::string entry_path = path + ".portLevelSettings[" + std::to_string(i) + "]";
    auto group = [&](const auto& settings, const char* name) {
      return settings ? Group{&*settings, entry_path + "." + name, &rule} : Group{};
    };
    out.load_balancer = group(entry.load_balancer, "loadBalancer");
    out.connection_pool = group(entry.connection_pool, "connectionPool");
    out.tls = group(entry.tls, "tls");
    out.outlier_detection = group(entry.outlier_detection, "outlierDetection");
    break;
  }
}

void TrafficPolicies::apply(const std::string& fqdn, const std::string& subset, uint32_t port,
                            ir::Cluster& cluster) {
  Selection selection;
  // Istio merges the DestinationRules of one host: the top-level policy comes from the first
  // (oldest) rule that has one, each subset from the first rule that defines it.
  for (const config::DestinationRule& rule : model_.destination_rules) {
    if (resolveFqdn(rule.host.value, rule.meta.namespace_name) != fqdn) continue;
    if (rule.traffic_policy) {
      selectPolicy(*rule.traffic_policy, "spec.trafficPolicy", rule, port, selection);
      break;
    }
  }
  bool subset_found = subset.empty();
  for (const config::DestinationRule& rule : model_.destination_rules) {
    if (subset_found) break;
    if (resolveFqdn(rule.host.value, rule.meta.namespace_name) != fqdn) continue;
    for (size_t i = 0; i < rule.subsets.size(); ++i) {
      if (rule.subsets[i].name.value != subset) continue;
      subset_found = true;
      if (rule.subsets[i].traffic_policy) {
        selectPolicy(*rule.subsets[i].traffic_policy,
                     "spec.subsets[" + std::to_string(i) + "].trafficPolicy", rule, port,
                     selection);
      }
      break;
    }
  }
  cluster.load_balancer = loadBalancer(selection.load_balancer);
  cluster.connection_pool = connectionPool(selection.connection_pool);
  cluster.tls = tls(selection.tls);
  cluster.outlier_detection = outlierDetection(selection.outlier_detection);
  applyLocality(selection.load_balancer, cluster);
}

// Istio ranks endpoints by locality only when outlier detection can move calls off a failing
// level, and not when localityLbSetting.enabled is false or distribute is set.
void TrafficPolicies::applyLocality(const Group& load_balancer, ir::Cluster& cluster) const {
  if (gateway_locality_.empty() || !cluster.outlier_detection) return;
  const config::LocalityLbSettings* settings = nullptr;
  if (load_balancer.settings != nullptr) {
    const auto& lb = *static_cast<const config::LoadBalancerSettings*>(load_balancer.settings);
    if (lb.locality) settings = &*lb.locality;
  }
  if (settings != nullptr && settings->enabled && !settings->enabled.value) return;
  if (settings != nullptr && !settings->distribute.empty()) return;
  assignLocalityPriorities(settings, parseLocality(gateway_locality_), cluster.endpoints);
}

std::optional<ir::OutlierDetection> TrafficPolicies::outlierDetection(const Group& group) {
  if (group.settings == nullptr) return std::nullopt;
  auto [it, inserted] = outlier_detections_.try_emplace(group.settings);
  if (inserted) {
    it->second = convertOutlierDetection(
        *static_cast<const config::OutlierDetectionSettings*>(group.settings), group.path,
        diagnostics_);
  }
  return it->second;
}

ir::LoadBalancer TrafficPolicies::loadBalancer(const Group& group) {
  if (group.settings == nullptr) return {};
  auto [it, inserted] = load_balancers_.try_emplace(group.settings);
  if (inserted) {
    const auto& lb = *static_cast<const config::LoadBalancerSettings*>(group.settings);
    it->second = convertLoadBalancer(lb, group.path, diagnostics_);
    if (lb.locality) {
      checkLocalitySettings(*lb.locality, group.path + ".localityLbSetting", diagnostics_);
    }
  }
  return it->second;
}

ir::ConnectionPoolSettings TrafficPolicies::connectionPool(const Group& group) {
  if (group.settings == nullptr) return {};
  auto [it, inserted] = connection_pools_.try_emplace(group.settings);
  if (inserted) {
    it->second =
        convertConnectionPool(*static_cast<const config::ConnectionPoolSettings*>(group.settings),
                              group.path, diagnostics_);
  }
  return it->second;
}

std::optional<ir::UpstreamTls> TrafficPolicies::tls(const Group& group) {
  if (group.settings == nullptr) return std::nullopt;
  auto [it, inserted] = tls_.try_emplace(group.settings);
  if (inserted) {
    it->second = convertTls(*static_cast<const config::ClientTlsSettings*>(group.settings),
                            group.path, *group.rule);
  }
  return it->second;
}

void TrafficPolicies::reportPolicy(const config::TrafficPolicy& policy, const std::string& path,
                                   const config::DestinationRule& rule) {
  if (policy.load_balancer) loadBalancer({&*policy.load_balancer, path + ".loadBalancer", &rule});
  if (policy.connection_pool) {
    connectionPool({&*policy.connection_pool, path + ".connectionPool", &rule});
  }
  if (policy.tls) tls({&*policy.tls, path + ".tls", &rule});
  if (policy.outlier_detection) {
    outlierDetection({&*policy.outlier_detection, path + ".outlierDetection", &rule});
  }
  for (size_t i = 0; i < policy.port_level_settings.size(); ++i) {
    const config::PortTrafficPolicy& entry = policy.port_level_settings[i];
    std::string prefix = path + ".portLevelSettings[" + std::to_string(i) + "]";
    if (entry.outlier_detection) {
      outlierDetection({&*entry.outlier_detection, prefix + ".outlierDetection", &rule});
    }
    if (entry.load_balancer) loadBalancer({&*entry.load_balancer, prefix + ".loadBalancer", &rule});
    if (entry.connection_pool) {
      connectionPool({&*entry.connection_pool, prefix + ".connectionPool", &rule});
    }
    if (entry.tls) tls({&*entry.tls, prefix + ".tls", &rule});
  }
  auto warn = [&](const std::vector<Located<std::string>>& fields) {
    for (const auto& field : fields) {
      diagnostics_.warning(
          field.where, path + "." + field.value,
          "meshgate does not implement trafficPolicy." + field.value + " yet; it is ignored");
    }
  };
  warn(policy.unimplemented);
  for (const auto& entry : policy.port_level_settings) warn(entry.unimplemented);
}

void TrafficPolicies::reportAll() {
  for (const config::DestinationRule& rule : model_.destination_rules) {
    if (rule.traffic_policy) reportPolicy(*rule.traffic_policy, "spec.trafficPolicy", rule);
    for (size_t i = 0; i < rule.subsets.size(); ++i) {
      if (!rule.subsets[i].traffic_policy) continue;
      reportPolicy(*rule.subsets[i].traffic_policy,
                   "spec.subsets[" + std::to_string(i) + "].trafficPolicy", rule);
    }
  }
  warnDuplicateRules();
}

// Istio merges DestinationRules for the same host: the first (oldest) rule's trafficPolicy
// wins and later rules only add subsets. A second rule is usually a mistake; say which applies.
void TrafficPolicies::warnDuplicateRules() {
  const auto& rules = model_.destination_rules;
  for (size_t later = 0; later < rules.size(); ++later) {
    std::string fqdn = resolveFqdn(rules[later].host.value, rules[later].meta.namespace_name);
    for (size_t first = 0; first < later; ++first) {
      if (resolveFqdn(rules[first].host.value, rules[first].meta.namespace_name) != fqdn) continue;
      diagnostics_.warning(
          rules[later].host.where, "spec.host",
          "DestinationRule " + qualified(rules[later].meta) + " and DestinationRule " +
              qualified(rules[first].meta) + " (" + rules[first].meta.where.toString() +
              ") both configure host " + fqdn +
              "; like Istio, meshgate uses the first one's "
              "trafficPolicy and adds the later one's subsets unless the first defines them",
          "merge them into one DestinationRule");
      break;
    }
  }
}

}  // namespace meshgate::translate
