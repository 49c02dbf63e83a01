// Behaviours that golden files cannot show well: options, files on disk, lookup order.
#include "translate/translate.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "config/loader.h"
#include "unit/translate/translate_yaml.h"

namespace meshgate::translate {
namespace {

Translated run(const std::string& yaml, const Options& options = {},
               const std::string& file = "test.yaml") {
  return translateYaml(yaml, options, file);
}

constexpr const char* kTwoGateways = R"(apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*"]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: internal}
spec:
  selector: {istio: internal-gateway}
  servers:
  - port: {number: 8080, name: grpc, protocol: GRPC}
    hosts: ["*"]
)";

TEST(TranslateTest, SelectorKeepsOnlyMatchingGateways) {
  Translated all = run(kTwoGateways);
  ASSERT_EQ(all.ir.listeners.size(), 2u);
  EXPECT_EQ(all.ir.listeners[0].name, "0.0.0.0_80");
  EXPECT_EQ(all.ir.listeners[1].name, "0.0.0.0_8080");

  Translated selected = run(kTwoGateways, Options{{{"istio", "internal-gateway"}}});
  ASSERT_EQ(selected.ir.listeners.size(), 1u);
  EXPECT_EQ(selected.ir.listeners[0].port, 8080u);

  Translated none = run(kTwoGateways, Options{{{"istio", "ingressgateway"}, {"x", "y"}}});
  EXPECT_TRUE(none.ir.listeners.empty());
}

constexpr const char* kFileGateway = R"(apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: files}
spec:
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: ["grpc.example.com"]
    tls:
      mode: SIMPLE
      serverCertificate: CERT
      privateKey: KEY
)";

std::string withFiles(const std::string& cert, const std::string& key) {
  std::string yaml = kFileGateway;
  yaml.replace(yaml.find("CERT"), 4, cert);
  yaml.replace(yaml.find("KEY"), 3, key);
  return yaml;
}

TEST(TranslateTest, ServerCertificateFilesAreReadRelativeToTheYaml) {
  auto dir = std::filesystem::temp_directory_path() / "meshgate_translate_test_files";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "server.crt")
      << "-----BEGIN CERTIFICATE-----\nY2VydA==\n-----END CERTIFICATE-----\n";
  std::ofstream(dir / "server.key")
      << "-----BEGIN PRIVATE KEY-----\na2V5\n-----END PRIVATE KEY-----\n";
  Translated t = run(withFiles("server.crt", "server.key"), {}, (dir / "gw.yaml").string());
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(t.diagnostics.hasErrors()) << t.diagnostics.format();
  ASSERT_EQ(t.ir.listeners.size(), 1u);
  ASSERT_EQ(t.ir.listeners[0].tls.size(), 1u);
  const ir::TlsCertificate& tls = t.ir.listeners[0].tls[0];
  EXPECT_EQ(tls.server_names, std::vector<std::string>{"grpc.example.com"});
  EXPECT_NE(tls.cert_pem.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_NE(tls.key_pem.find("BEGIN PRIVATE KEY"), std::string::npos);
}

TEST(TranslateTest, UnreadableCertificateFileIsAnErrorAtTheField) {
  Translated t = run(withFiles("/nonexistent/server.crt", "/nonexistent/server.key"));
  EXPECT_EQ(t.diagnostics.format(),
            "test.yaml:10:26: error: spec.servers[0].tls.serverCertificate: cannot read file "
            "'/nonexistent/server.crt'\n"
            "test.yaml:11:19: error: spec.servers[0].tls.privateKey: cannot read file "
            "'/nonexistent/server.key'\n");
  EXPECT_TRUE(t.ir.listeners.empty());
}

TEST(TranslateTest, CredentialNameLooksInTheGatewayNamespaceBeforeIstioSystem) {
  std::string yaml = R"(apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: prod}
spec:
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: ["grpc.example.com"]
    tls: {mode: SIMPLE, credentialName: cred}
---
apiVersion: v1
kind: Secret
metadata: {name: cred, namespace: istio-system}
type: kubernetes.io/tls
stringData: {tls.crt: "-----BEGIN CERTIFICATE----- system", tls.key: "-----BEGIN KEY----- system"}
---
apiVersion: v1
kind: Secret
metadata: {name: cred, namespace: prod}
type: kubernetes.io/tls
stringData: {tls.crt: "-----BEGIN CERTIFICATE----- prod", tls.key: "-----BEGIN KEY----- prod"}
)";
  Translated t = run(yaml);
  ASSERT_FALSE(t.diagnostics.hasErrors()) << t.diagnostics.format();
  EXPECT_EQ(t.ir.listeners.at(0).tls.at(0).source_name, "prod/cred");
  EXPECT_EQ(t.ir.listeners.at(0).tls.at(0).cert_pem, "-----BEGIN CERTIFICATE----- prod");
}

TEST(TranslateTest, TranslationIsDeterministic) {
  Translated a = run(kTwoGateways);
  Translated b = run(kTwoGateways);
  EXPECT_EQ(a.ir, b.ir);
}

}  // namespace
}  // namespace meshgate::translate
