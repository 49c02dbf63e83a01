#include "config/decode.h"

namespace meshgate::config {
namespace {

GatewayPort decodePort(MapReader& port) {
  GatewayPort out;
  out.where = port.where();
  out.number = port.port("number", true);
  out.name = port.string("name");
  out.protocol = port.string("protocol", true);
  out.target_port = port.port("targetPort");
  return out;
}

ServerTls decodeServerTls(MapReader& tls) {
  ServerTls out;
  out.where = tls.where();
  out.https_redirect = tls.boolean("httpsRedirect");
  out.mode = tls.string("mode");
  out.credential_name = tls.string("credentialName");
  out.server_certificate = tls.string("serverCertificate");
  out.private_key = tls.string("privateKey");
  out.ca_certificates = tls.string("caCertificates");
  out.subject_alt_names = tls.stringList("subjectAltNames");
  out.min_protocol_version = tls.string("minProtocolVersion");
  out.max_protocol_version = tls.string("maxProtocolVersion");
  out.cipher_suites = tls.stringList("cipherSuites");
  tls.ignore({"verifyCertificateSpki", "verifyCertificateHash", "credentialNames", "caCrl"});
  return out;
}

GatewayServer decodeServer(MapReader& server) {
  GatewayServer out;
  out.where = server.where();
  if (server.require("port")) {
    server.object("port", [&](MapReader& port) { out.port = decodePort(port); });
  } else {
    server.get("port");
  }
  if (server.require("hosts", "at least one host")) out.hosts = server.stringList("hosts");
  server.object("tls", [&](MapReader& tls) { out.tls = decodeServerTls(tls); });
  out.name = server.string("name");
  out.bind = server.string("bind");
  server.ignore({"defaultEndpoint"});
  return out;
}

}  // namespace

Gateway decodeGateway(MapReader& doc) {
  Gateway out;
  out.meta = decodeMeta(doc);
  bool has_spec = doc.object("spec", [&](MapReader& spec) {
    out.selector = spec.stringMap("selector");
    if (!spec.require("servers", "at least one server")) return;
    spec.list("servers",
              [&](MapReader& server, size_t) { out.servers.push_back(decodeServer(server)); });
  });
  if (!has_spec) doc.require("spec");
  return out;
}

}  // namespace meshgate::config
