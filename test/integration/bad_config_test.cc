// Config the gateway cannot serve: exit code 2 and every problem, each at its file:line:column
// with its field path.
#include <sstream>

#include <gtest/gtest.h>

#include "integration/gateway_fixture.h"

namespace meshgate::testing {
namespace {

using namespace std::chrono_literals;

// A Gateway whose port number is not a number, rendered from the normal builder.
std::string gatewayWithWordPort(const std::string& name) {
  GatewaySpec gateway;
  gateway.name = name;
  std::string text = MeshYaml().add(gateway).str();
  text.replace(text.find("number: 80"), 10, "number: eighty");
  return text;
}

std::string gatewayWithMissingSecret(const std::string& name) {
  GatewayServer server;
  server.port = 443;
  server.port_name = "https";
  server.protocol = "HTTPS";
  server.credential_name = "missing-credential";
  GatewaySpec gateway;
  gateway.name = name;
  gateway.servers = {server};
  return MeshYaml().add(gateway).str();
}

class BadConfig : public ::testing::Test {
 protected:
  ProcessResult serve(const std::vector<std::filesystem::path>& files) {
    ServeOptions options;
    options.configs = files;
    options.listen_ports = {80, 443};
    return runToExit(meshgateBinary(), options.toArgs(), kWait);
  }

  // The stderr line `<file>:<line>:<column>: error: <field>: <message>` for the value at
  // `position` (line, column), or "" when there is none.
  static std::string errorLine(const std::string& stderr_text, const std::filesystem::path& file,
                               std::pair<int, int> position, const std::string& field) {
    const std::string prefix = file.string() + ":" + std::to_string(position.first) + ":" +
                               std::to_string(position.second) + ": error: " + field + ": ";
    std::istringstream lines(stderr_text);
    for (std::string text; std::getline(lines, text);) {
      if (text.rfind(prefix, 0) == 0 && text.size() > prefix.size()) return text;
    }
    return "";
  }

  TempDir dir_;
};

TEST_F(BadConfig, TwoErrorsInOneFileAreBothReported) {
  MeshYaml yaml;
  yaml.addRaw(gatewayWithWordPort("first-gateway"));
  yaml.addRaw(gatewayWithMissingSecret("second-gateway"));
  yaml.add(VirtualServiceSpec{});
  const std::string text = yaml.str();
  auto file = dir_.write("mesh.yaml", text);

  ProcessResult result = serve({file});
  ASSERT_EQ(result.exit_code, 2) << result.stderr_text;
  EXPECT_EQ(result.stdout_text.find("ready"), std::string::npos);

  const auto port = lineColumnOf(text, "eighty");
  EXPECT_NE(errorLine(result.stderr_text, file, port, "spec.servers[0].port.number"), "")
      << "no error at " << port.first << ":" << port.second << " for the port number in:\n"
      << result.stderr_text;

  const auto secret = lineColumnOf(text, "\"missing-credential\"");
  std::string secret_error =
      errorLine(result.stderr_text, file, secret, "spec.servers[0].tls.credentialName");
  EXPECT_NE(secret_error, "") << "no error at " << secret.first << ":" << secret.second
                              << " for the missing Secret in:\n"
                              << result.stderr_text;
  EXPECT_NE(secret_error.find("missing-credential"), std::string::npos) << secret_error;
  EXPECT_NE(secret_error.find("second-gateway"), std::string::npos) << secret_error;
}

TEST_F(BadConfig, ErrorsInTwoFilesAreBothReported) {
  auto gateway_file = dir_.write("gateway.yaml", gatewayWithWordPort("grpc-gateway"));
  VirtualServiceSpec vs;
  std::string vs_text = MeshYaml().add(vs).str();
  vs_text.replace(vs_text.find("number: 50051"), 13, "number: fifty");
  auto vs_file = dir_.write("vs.yaml", vs_text);

  ProcessResult result = serve({gateway_file, vs_file});
  ASSERT_EQ(result.exit_code, 2) << result.stderr_text;
  const auto port = lineColumnOf(gatewayWithWordPort("grpc-gateway"), "eighty");
  EXPECT_NE(errorLine(result.stderr_text, gateway_file, port, "spec.servers[0].port.number"), "")
      << result.stderr_text;
  const auto vs_port = lineColumnOf(vs_text, "fifty");
  EXPECT_NE(errorLine(result.stderr_text, vs_file, vs_port,
                      "spec.http[0].route[0].destination.port.number"),
            "")
      << result.stderr_text;
}

TEST_F(H2cToH2c, UnknownFieldIsOnlyAWarning) {
  TestBackend a("backend-a");
  ServiceSpec service;
  service.endpoints = {{"127.0.0.1", a.port()}};
  std::string vs_text = MeshYaml().add(VirtualServiceSpec{}).str();
  vs_text.replace(vs_text.find("spec:\n"), 6, "spec:\n  retriez: 3\n");
  MeshYaml yaml = gatewayYaml();
  yaml.addRaw(vs_text).add(service);
  ASSERT_TRUE(start(yaml));

  grpc::ClientContext context;
  context.set_deadline(deadlineIn(kWait));
  Empty response;
  EXPECT_TRUE(stub()->EmptyCall(&context, Empty(), &response).ok());
  const std::string full = yaml.str();
  auto [line, column] = lineColumnOf(full, "retriez");
  const std::string where = (dir().path() / "mesh.yaml").string() + ":" + std::to_string(line) +
                            ":" + std::to_string(column) + ":";
  EXPECT_TRUE(gateway().waitForStderrLine({where, "warning", "retriez"}, kWait))
      << "expected a warning at " << where;
}

}  // namespace
}  // namespace meshgate::testing
