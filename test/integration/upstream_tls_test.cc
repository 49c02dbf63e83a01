// DestinationRule trafficPolicy.tls: the gateway reaches TLS backends (SIMPLE and MUTUAL, with
// files or a credentialName Secret), verifies them, and tells the caller why when it cannot.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "integration/gateway_fixture.h"

namespace meshgate::testing {
namespace {

// A TLS TestBackend behind the Service grpc-service:50051 (port name grpc, as for h2c: the
// DestinationRule, not the port name, turns TLS on), routed for grpc.example.com.
class UpstreamTls : public H2cToH2c {
 protected:
  void startBackend(bool require_client_certificate) {
    TestBackend::Options options;
    options.tls_cert_pem = backend_certs_.serverCertPem();
    options.tls_key_pem = backend_certs_.serverKeyPem();
    if (require_client_certificate) options.tls_client_ca_pem = backend_certs_.caCertPem();
    backend_ = std::make_unique<TestBackend>("tls-backend", options);
  }

  MeshYaml yamlWithRule(const std::string& tls_block) {
    ServiceSpec service;
    service.endpoints = {{"127.0.0.1", backend_->port()}};
    MeshYaml yaml = gatewayYaml();
    yaml.add(VirtualServiceSpec{}).add(service);
    yaml.addRaw(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: grpc-service-tls, namespace: default}
spec:
  host: grpc-service.default.svc.cluster.local
  trafficPolicy:
    tls:
)" + tls_block);
    return yaml;
  }

  std::string file(const std::string& name, const std::string& contents) {
    return dir().write(name, contents).string();
  }

  grpc::Status call() {
    grpc::ClientContext context;
    context.set_deadline(deadlineIn(kWait));
    Empty response;
    return stub()->EmptyCall(&context, Empty(), &response);
  }

  TestCerts backend_certs_;  // its own CA, unrelated to the gateway's downstream certificates
  std::unique_ptr<TestBackend> backend_;
};

TEST_F(UpstreamTls, SimpleTlsVerifiesTheBackendAgainstCaCertificates) {
  startBackend(false);
  std::string ca = file("backend-ca.pem", backend_certs_.caCertPem());
  ASSERT_TRUE(start(yamlWithRule("      mode: SIMPLE\n      caCertificates: " + ca +
                                 "\n      sni: localhost\n")));
  grpc::Status status = call();
  EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  EXPECT_EQ(backend_->callCount(kEmptyCallMethod), 1u);
}

TEST_F(UpstreamTls, UntrustedBackendIsUnavailableSayingWhy) {
  startBackend(false);
  TestCerts other;
  std::string ca = file("other-ca.pem", other.caCertPem());
  ASSERT_TRUE(start(yamlWithRule("      mode: SIMPLE\n      caCertificates: " + ca + "\n")));
  grpc::Status status = call();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(status.error_message().find("certificate verify failed"), std::string::npos)
      << status.error_message();
  EXPECT_EQ(backend_->callCount(kEmptyCallMethod), 0u);
}

TEST_F(UpstreamTls, SubjectAltNamesMustMatch) {
  startBackend(false);
  std::string ca = file("backend-ca.pem", backend_certs_.caCertPem());
  ASSERT_TRUE(start(yamlWithRule("      mode: SIMPLE\n      caCertificates: " + ca +
                                 "\n      subjectAltNames: [grpc-service.default.svc]\n")));
  grpc::Status status = call();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(status.error_message().find("mismatch"), std::string::npos) << status.error_message();
}

TEST_F(UpstreamTls, MutualTlsPresentsTheClientCertificate) {
  startBackend(true);
  std::string ca = file("backend-ca.pem", backend_certs_.caCertPem());
  std::string cert = file("client.pem", backend_certs_.clientCertPem());
  std::string key = file("client-key.pem", backend_certs_.clientKeyPem());
  ASSERT_TRUE(start(yamlWithRule("      mode: MUTUAL\n      caCertificates: " + ca +
                                 "\n      clientCertificate: " + cert +
                                 "\n      privateKey: " + key + "\n")));
  grpc::Status status = call();
  EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
}

TEST_F(UpstreamTls, BackendRequiringAClientCertificateRefusesSimpleTls) {
  startBackend(true);
  std::string ca = file("backend-ca.pem", backend_certs_.caCertPem());
  ASSERT_TRUE(start(yamlWithRule("      mode: SIMPLE\n      caCertificates: " + ca + "\n")));
  grpc::Status status = call();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_EQ(backend_->callCount(kEmptyCallMethod), 0u);
}

TEST_F(UpstreamTls, MutualTlsFromACredentialNameSecret) {
  startBackend(true);
  MeshYaml yaml = yamlWithRule("      mode: MUTUAL\n      credentialName: backend-client-cert\n");
  yaml.add(TlsSecretSpec{"backend-client-cert", "istio-system", backend_certs_.clientCertPem(),
                         backend_certs_.clientKeyPem(), backend_certs_.caCertPem()});
  ASSERT_TRUE(start(yaml));
  grpc::Status status = call();
  EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
}

}  // namespace
}  // namespace meshgate::testing
