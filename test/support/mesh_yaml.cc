#include "support/mesh_yaml.h"

#include <set>
#include <sstream>

namespace meshgate::testing {
namespace {

void metadata(std::ostringstream& out, const std::string& name, const std::string& ns) {
  out << "metadata:\n  name: " << quoted(name) << "\n  namespace: " << quoted(ns) << "\n";
}

void stringList(std::ostringstream& out, const std::string& indent,
                const std::vector<std::string>& values) {
  for (const auto& value : values) out << indent << "- " << quoted(value) << "\n";
}

// A PEM block as a literal block scalar under a key at `indent`.
void blockScalar(std::ostringstream& out, const std::string& indent, const std::string& key,
                 const std::string& text) {
  out << indent << key << ": |\n";
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) out << indent << "  " << line << "\n";
}

}  // namespace

std::string quoted(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

MeshYaml& MeshYaml::add(const GatewaySpec& gateway) {
  std::ostringstream out;
  out << "apiVersion: networking.istio.io/v1\nkind: Gateway\n";
  metadata(out, gateway.name, gateway.ns);
  out << "spec:\n  selector:\n    istio: ingressgateway\n  servers:\n";
  for (const auto& server : gateway.servers) {
    out << "  - port:\n      number: " << server.port
        << "\n      name: " << quoted(server.port_name) << "\n      protocol: " << server.protocol
        << "\n    hosts:\n";
    stringList(out, "    ", server.hosts);
    if (!server.credential_name.empty()) {
      out << "    tls:\n      mode: SIMPLE\n      credentialName: "
          << quoted(server.credential_name) << "\n";
    }
  }
  return addRaw(out.str());
}

MeshYaml& MeshYaml::add(const VirtualServiceSpec& virtual_service) {
  std::ostringstream out;
  out << "apiVersion: networking.istio.io/v1\nkind: VirtualService\n";
  metadata(out, virtual_service.name, virtual_service.ns);
  out << "spec:\n  hosts:\n";
  stringList(out, "  ", virtual_service.hosts);
  out << "  gateways:\n";
  stringList(out, "  ", virtual_service.gateways);
  out << "  http:\n";
  for (const auto& http : virtual_service.http) {
    const char* lead = "  - ";
    if (!http.prefix.empty() || !http.exact.empty()) {
      out << lead << "match:\n    - uri:\n        "
          << (http.exact.empty() ? "prefix: " + quoted(http.prefix)
                                 : "exact: " + quoted(http.exact))
          << "\n";
      lead = "    ";
    }
    out << lead << "route:\n";
    for (const auto& destination : http.route) {
      out << "    - destination:\n        host: " << quoted(destination.host)
          << "\n        port:\n          number: " << destination.port << "\n";
    }
    if (!http.timeout.empty()) out << "    timeout: " << http.timeout << "\n";
    if (!http.retries.empty()) out << "    retries: " << http.retries << "\n";
    if (!http.fault.empty()) out << "    fault: " << http.fault << "\n";
  }
  return addRaw(out.str());
}

MeshYaml& MeshYaml::add(const ServiceSpec& service) {
  std::set<int> ports;
  for (const auto& endpoint : service.endpoints) ports.insert(endpoint.port);
  std::ostringstream out;
  out << "apiVersion: v1\nkind: Service\n";
  metadata(out, service.name, service.ns);
  out << "spec:\n  ports:\n  - name: " << quoted(service.port_name)
      << "\n    port: " << service.port << "\n    targetPort: "
      << (ports.size() == 1 ? std::to_string(*ports.begin()) : quoted(service.port_name)) << "\n";
  if (!service.app_protocol.empty()) out << "    appProtocol: " << service.app_protocol << "\n";
  addRaw(out.str());
  if (!service.with_endpoints) return *this;

  std::ostringstream endpoints;
  endpoints << "apiVersion: v1\nkind: Endpoints\n";
  metadata(endpoints, service.name, service.ns);
  if (service.endpoints.empty()) endpoints << "subsets: []\n";
  if (!service.endpoints.empty()) endpoints << "subsets:\n";
  for (const auto& endpoint : service.endpoints) {
    endpoints << "- addresses:\n  - ip: " << quoted(endpoint.address)
              << "\n  ports:\n  - name: " << quoted(service.port_name)
              << "\n    port: " << endpoint.port << "\n";
  }
  return addRaw(endpoints.str());
}

MeshYaml& MeshYaml::add(const ServiceEntrySpec& service_entry) {
  std::ostringstream out;
  out << "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\n";
  metadata(out, service_entry.name, service_entry.ns);
  out << "spec:\n  hosts:\n  - " << quoted(service_entry.host)
      << "\n  location: MESH_INTERNAL\n  resolution: STATIC\n  ports:\n  - number: "
      << service_entry.port << "\n    name: " << quoted(service_entry.port_name)
      << "\n    protocol: " << service_entry.protocol << "\n  endpoints:\n";
  for (const auto& endpoint : service_entry.endpoints) {
    out << "  - address: " << quoted(endpoint.address) << "\n    ports:\n      "
        << service_entry.port_name << ": " << endpoint.port << "\n";
  }
  return addRaw(out.str());
}

MeshYaml& MeshYaml::add(const TlsSecretSpec& secret) {
  std::ostringstream out;
  out << "apiVersion: v1\nkind: Secret\n";
  metadata(out, secret.name, secret.ns);
  out << "type: kubernetes.io/tls\nstringData:\n";
  blockScalar(out, "  ", "tls.crt", secret.cert_pem);
  blockScalar(out, "  ", "tls.key", secret.key_pem);
  if (!secret.ca_pem.empty()) blockScalar(out, "  ", "ca.crt", secret.ca_pem);
  return addRaw(out.str());
}

MeshYaml& MeshYaml::addRaw(std::string document) {
  documents_.push_back(std::move(document));
  return *this;
}

std::string MeshYaml::str() const {
  std::string out;
  for (size_t i = 0; i < documents_.size(); ++i) {
    if (i > 0) out += "---\n";
    out += documents_[i];
  }
  return out;
}

std::pair<int, int> lineColumnOf(std::string_view text, std::string_view needle) {
  size_t at = text.find(needle);
  if (at == std::string_view::npos) return {0, 0};
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return {line, static_cast<int>(at - line_start) + 1};
}

}  // namespace meshgate::testing
