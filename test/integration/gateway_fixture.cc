#include "integration/gateway_fixture.h"

#include <cstdlib>
#include <iostream>

namespace meshgate::testing {

std::filesystem::path meshgateBinary() {
  const char* override_path = std::getenv("MESHGATE_BINARY");
  return override_path != nullptr && *override_path != '\0' ? override_path : MESHGATE_BINARY;
}

MeshYaml GatewayTest::gatewayYaml(std::vector<std::string> hosts) const {
  GatewayServer server;
  server.hosts = std::move(hosts);
  if (tls_) {
    server.port = 443;
    server.port_name = "https";
    server.protocol = "HTTPS";
    server.credential_name = "grpc-tls-credential";
  }
  GatewaySpec gateway;
  gateway.servers = {server};
  MeshYaml yaml;
  yaml.add(gateway);
  if (tls_) {
    TlsSecretSpec secret;
    secret.cert_pem = certs_.serverCertPem();
    secret.key_pem = certs_.serverKeyPem();
    yaml.add(secret);
  }
  return yaml;
}

bool GatewayTest::start(const MeshYaml& yaml, std::vector<std::string> extra_args) {
  ServeOptions options;
  options.configs = {dir_.write("mesh.yaml", yaml.str())};
  options.listen_ports = {gatewayPort()};
  options.extra_args = std::move(extra_args);
  gateway_ = std::make_unique<GatewayProcess>(meshgateBinary(), options.toArgs());
  if (!gateway_->waitReady(kWait)) {
    gateway_->waitExit(std::chrono::seconds(1));
    ADD_FAILURE() << "the gateway did not become ready\n" << gateway_->describe();
    return false;
  }
  if (port() <= 0) {
    ADD_FAILURE() << "no `listening " << gatewayPort() << " ...` line\n" << gateway_->describe();
    return false;
  }
  return true;
}

bool GatewayTest::startWithOneBackend(std::vector<std::string> extra_args) {
  backend_ = std::make_unique<TestBackend>("backend-a");
  ServiceSpec service;
  service.endpoints = {{"127.0.0.1", backend_->port()}};
  MeshYaml yaml = gatewayYaml();
  yaml.add(VirtualServiceSpec{}).add(service);
  return start(yaml, std::move(extra_args));
}

int GatewayTest::port() const { return gateway_ ? gateway_->port(gatewayPort()) : -1; }

std::shared_ptr<grpc::Channel> GatewayTest::channel(const std::string& authority,
                                                    int max_message_bytes) const {
  ChannelOptions options;
  options.authority = authority;
  options.max_message_bytes = max_message_bytes;
  if (tls_) options.ca_pem = certs_.caCertPem();
  return makeChannel(port(), options);
}

std::unique_ptr<TestService::Stub> GatewayTest::stub(const std::string& authority) const {
  return TestService::NewStub(channel(authority));
}

void GatewayTest::TearDown() {
  if (HasFailure() && gateway_) {
    std::cerr << "---- gateway ----\n" << gateway_->describe() << "---- end of gateway ----\n";
  }
}

}  // namespace meshgate::testing
