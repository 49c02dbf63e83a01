#include "translate/gateway_listeners.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <absl/strings/ascii.h>

#include "translate/hosts.h"
#include "translate/secrets.h"

namespace meshgate::translate {

using base::SourceRef;
using config::Located;
namespace {

std::string serverPath(const ServedServer& served) {
  return "spec.servers[" + std::to_string(served.index) + "]";
}

std::string describeServer(const ServedServer& served) {
  return "Gateway " + served.gateway->meta.namespace_name + "/" + served.gateway->meta.name +
         " servers[" + std::to_string(served.index) + "]";
}

enum class ServerKind { kPlaintext, kTls, kUnsupported, kUnknown };

ServerKind classify(const std::string& protocol) {
  if (protocol == "HTTP" || protocol == "HTTP2" || protocol == "GRPC" || protocol == "GRPC-WEB") {
    return ServerKind::kPlaintext;
  }
  if (protocol == "HTTPS") return ServerKind::kTls;
  if (protocol == "TLS" || protocol == "TCP" || protocol == "MONGO" || protocol == "MYSQL" ||
      protocol == "REDIS" || protocol == "UDP") {
    return ServerKind::kUnsupported;
  }
  return ServerKind::kUnknown;
}

// Key pairs from a Secret: Kubernetes TLS keys, or the generic "cert"/"key" Istio also reads.
bool certificateFromSecret(const ServedServer& served, const config::ServerTls& tls,
                           const config::Model& model, config::Diagnostics& d,
                           ir::TlsCertificate& out) {
  const std::string& name = tls.credential_name.value;
  const std::string& gateway_namespace = served.gateway->meta.namespace_name;
  // Istio reads credentialName in the namespace of the gateway deployment; the Gateway's own
  // namespace first, then istio-system where the default ingress gateway runs.
  const config::Secret* secret = findSecret(model, gateway_namespace, name);
  if (secret == nullptr) secret = findSecret(model, "istio-system", name);
  std::string field = serverPath(served) + ".tls.credentialName";
  if (secret == nullptr) {
    d.error(tls.credential_name.where, field,
            describeServer(served) + " (port " + std::to_string(served.server().port.number.value) +
                "): credentialName '" + name + "' names no Secret in namespace " +
                gateway_namespace + " or istio-system",
            "add the kubernetes.io/tls Secret to the config (kubectl get secret " + name +
                " -n istio-system -o yaml)");
    return false;
  }
  const auto* cert = secret->find("tls.crt") ? secret->find("tls.crt") : secret->find("cert");
  const auto* key = secret->find("tls.key") ? secret->find("tls.key") : secret->find("key");
  std::string qualified = secret->meta.namespace_name + "/" + secret->meta.name;
  if (cert == nullptr || key == nullptr) {
    d.error(tls.credential_name.where, field,
            "Secret " + qualified + " has no " + (cert == nullptr ? "tls.crt" : "tls.key"),
            "a kubernetes.io/tls Secret holds tls.crt and tls.key");
    return false;
  }
  bool ok = true;
  for (const auto* value : {cert, key}) {
    if (!looksLikePem(value->value)) {
      d.error(value->where, value == cert ? "data.tls.crt" : "data.tls.key",
              "Secret " + qualified + ": value is not PEM (no -----BEGIN line)");
      ok = false;
    }
  }
  out.cert_pem = cert->value;
  out.key_pem = key->value;
  out.source_name = qualified;
  return ok;
}

bool certificateFromFiles(const ServedServer& served, const config::ServerTls& tls,
                          config::Diagnostics& d, ir::TlsCertificate& out) {
  std::string path = serverPath(served) + ".tls";
  bool ok = true;
  auto load = [&](const Located<std::string>& file, const char* field, std::string& pem) {
    if (!file) {
      d.error(tls.where, path + "." + field,
              std::string(field) + " is required when credentialName is not set");
      ok = false;
      return;
    }
    std::optional<std::string> text = readPemFile(file.value, file.where);
    if (!text || !looksLikePem(*text)) {
      d.error(
          file.where, path + "." + field,
          text ? "file '" + file.value + "' is not PEM" : "cannot read file '" + file.value + "'");
      ok = false;
      return;
    }
    pem = std::move(*text);
  };
  load(tls.server_certificate, "serverCertificate", out.cert_pem);
  load(tls.private_key, "privateKey", out.key_pem);
  out.source_name = tls.server_certificate.value + "," + tls.private_key.value;
  return ok;
}

// The certificate of an HTTPS server; false after reporting why there is none.
bool serverCertificate(const ServedServer& served, const config::Model& model,
                       config::Diagnostics& d, ir::TlsCertificate& out) {
  const config::GatewayServer& server = served.server();
  std::string path = serverPath(served);
  if (!server.tls) {
    d.error(server.where, path + ".tls", "an HTTPS server needs tls with mode: SIMPLE");
    return false;
  }
  const config::ServerTls& tls = *server.tls;
  std::string mode = absl::AsciiStrToUpper(tls.mode.value);
  if (mode != "SIMPLE") {
    std::string message =
        !tls.mode ? "tls.mode is not set, which Istio reads as PASSTHROUGH"
                  : "tls.mode " + tls.mode.value + " is not implemented by meshgate yet";
    d.error(tls.mode ? tls.mode.where : tls.where, path + ".tls.mode",
            message + "; meshgate terminates TLS with mode SIMPLE only",
            "set mode: SIMPLE to terminate TLS at the gateway with the server certificate");
    return false;
  }
  for (const auto& host : server.hosts) {
    auto parsed = parseServerHost(host.value, served.gateway->meta.namespace_name);
    if (parsed) out.server_names.push_back(parsed->host);
  }
  if (tls.credential_name) return certificateFromSecret(served, tls, model, d, out);
  return certificateFromFiles(served, tls, d, out);
}

}  // namespace

bool selectorMatches(const config::Gateway& gateway, const Options& options) {
  for (const auto& wanted : options.gateway_selector) {
    if (std::find(gateway.selector.begin(), gateway.selector.end(), wanted) ==
        gateway.selector.end()) {
      return false;
    }
  }
  return true;
}

std::vector<PortGroup> groupServers(const config::Model& model, const Options& options,
                                    config::Diagnostics& diagnostics) {
  std::map<uint32_t, PortGroup> groups;
  for (const config::Gateway& gateway : model.gateways) {
    if (!selectorMatches(gateway, options)) continue;
    for (size_t i = 0; i < gateway.servers.size(); ++i) {
      const config::GatewayServer& server = gateway.servers[i];
      if (!server.port.number || !server.port.protocol) continue;  // reported by the loader
      ServedServer served{&gateway, i, false};
      std::string protocol = absl::AsciiStrToUpper(server.port.protocol.value);
      ServerKind kind = classify(protocol);
      std::string field = serverPath(served) + ".port.protocol";
      if (kind == ServerKind::kUnknown) {
        diagnostics.error(server.port.protocol.where, field,
                          "unknown protocol '" + server.port.protocol.value + "'",
                          "one of HTTP, HTTP2, GRPC, HTTPS, TLS, TCP");
        continue;
      }
      if (kind == ServerKind::kUnsupported) {
        diagnostics.warning(server.port.protocol.where, field,
                            "meshgate serves HTTP, HTTP2, GRPC and HTTPS servers; this " +
                                protocol + " server is not served");
        continue;
      }
      served.is_tls = kind == ServerKind::kTls;
      PortGroup& group = groups[server.port.number.value];
      group.port = server.port.number.value;
      group.servers.push_back(served);
    }
  }
  std::vector<PortGroup> out;
  for (auto& [port, group] : groups) out.push_back(std::move(group));
  return out;
}

bool buildListener(const PortGroup& group, const config::Model& model,
                   config::Diagnostics& diagnostics, ir::Listener& listener) {
  listener.name = "0.0.0.0_" + std::to_string(group.port);
  listener.port = group.port;
  listener.source = group.servers.front().server().port.number.where;
  bool first_tls = group.servers.front().is_tls;
  bool ok = true;
  for (const ServedServer& served : group.servers) {
    const config::GatewayServer& server = served.server();
    if (served.is_tls != first_tls) {
      diagnostics.error(server.port.protocol.where, serverPath(served) + ".port.protocol",
                        "port " + std::to_string(group.port) + " mixes plaintext and TLS: " +
                            describeServer(served) + " is " + server.port.protocol.value + " but " +
                            describeServer(group.servers.front()) + " is " +
                            group.servers.front().server().port.protocol.value,
                        "serve plaintext and TLS on different port numbers");
      ok = false;
      continue;
    }
    if (!served.is_tls) {
      if (server.tls && server.tls->https_redirect.value) listener.https_redirect = true;
      continue;
    }
    ir::TlsCertificate certificate;
    if (serverCertificate(served, model, diagnostics, certificate)) {
      listener.tls.push_back(std::move(certificate));
    } else {
      ok = false;
    }
  }
  return ok;
}

}  // namespace meshgate::translate
