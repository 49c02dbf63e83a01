// Which backend a call reaches: by :authority, by /package.Service/ prefix, per request round
// robin, and the gRPC statuses of calls that cannot reach one.
#include <map>
#include <sstream>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "integration/gateway_fixture.h"
#include "support/sockets.h"

namespace meshgate::testing {
namespace {

using namespace std::chrono_literals;

ServiceSpec serviceFor(const std::string& name, const TestBackend& backend) {
  ServiceSpec service;
  service.name = name;
  service.endpoints = {{"127.0.0.1", backend.port()}};
  return service;
}

HttpRoute routeTo(const std::string& host, const std::string& prefix = "") {
  HttpRoute route;
  route.prefix = prefix;
  route.route = {{host, 50051}};
  return route;
}

struct CallResult {
  grpc::Status status;
  std::string backend_id;
};

CallResult emptyCall(TestService::Stub& stub) {
  grpc::ClientContext context;
  context.set_deadline(deadlineIn(kWait));
  Empty response;
  CallResult result;
  result.status = stub.EmptyCall(&context, Empty(), &response);
  result.backend_id = initialMetadata(context, "x-backend-id");
  return result;
}

MESHGATE_TEST_BOTH_TOPOLOGIES(UnaryRoutesByHost) {
  TestBackend a("backend-a");
  TestBackend b("backend-b");
  VirtualServiceSpec grpc_vs;
  grpc_vs.http = {routeTo("service-a")};
  VirtualServiceSpec other_vs;
  other_vs.name = "other-vs";
  other_vs.hosts = {"other.example.com"};
  other_vs.http = {routeTo("service-b")};
  MeshYaml yaml = t.gatewayYaml({"grpc.example.com", "other.example.com"});
  yaml.add(grpc_vs).add(other_vs).add(serviceFor("service-a", a)).add(serviceFor("service-b", b));
  ASSERT_TRUE(t.start(yaml));

  for (auto [authority, expected] : std::map<std::string, std::string>{
           {"grpc.example.com", "backend-a"},
           {"other.example.com", "backend-b"},
           {t.tls() ? "grpc.example.com:443" : "grpc.example.com:80", "backend-a"}}) {
    CallResult result = emptyCall(*t.stub(authority));
    ASSERT_TRUE(result.status.ok()) << authority << ": " << result.status.error_message();
    EXPECT_EQ(result.backend_id, expected) << authority;
  }
}

MESHGATE_TEST_BOTH_TOPOLOGIES(UnaryRoutesByServicePrefix) {
  TestBackend a("backend-a");
  TestBackend b("backend-b");
  VirtualServiceSpec vs;
  vs.http = {routeTo("service-a", "/meshgate.testing.TestService/"),
             routeTo("service-b", "/meshgate.testing.OtherService/")};
  MeshYaml yaml = t.gatewayYaml();
  yaml.add(vs).add(serviceFor("service-a", a)).add(serviceFor("service-b", b));
  ASSERT_TRUE(t.start(yaml));

  auto channel = t.channel();
  CallResult test_call = emptyCall(*TestService::NewStub(channel));
  ASSERT_TRUE(test_call.status.ok()) << test_call.status.error_message();
  EXPECT_EQ(test_call.backend_id, "backend-a");

  grpc::ClientContext context;
  context.set_deadline(deadlineIn(kWait));
  WhoamiResponse whoami;
  grpc::Status status = OtherService::NewStub(channel)->Whoami(&context, WhoamiRequest(), &whoami);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(whoami.server_id(), "backend-b");
  EXPECT_EQ(initialMetadata(context, "x-backend-id"), "backend-b");
  EXPECT_EQ(a.callCount(kWhoamiMethod), 0u);
  EXPECT_EQ(b.callCount(kEmptyCallMethod), 0u);
}

TEST_F(H2cToH2c, UnaryBalancesPerRequestOverOneConnection) {
  TestBackend a("backend-a");
  TestBackend b("backend-b");
  ServiceEntrySpec entry;
  entry.endpoints = {{"127.0.0.1", a.port()}, {"127.0.0.1", b.port()}};
  VirtualServiceSpec vs;
  vs.http = {routeTo(entry.host)};
  MeshYaml yaml = gatewayYaml();
  yaml.add(vs).add(entry);
  ASSERT_TRUE(start(yaml));

  auto one_channel = stub();  // one channel: one downstream connection
  std::map<std::string, int> per_backend;
  for (int i = 0; i < 100; ++i) {
    CallResult result = emptyCall(*one_channel);
    ASSERT_TRUE(result.status.ok()) << "call " << i << ": " << result.status.error_message();
    ++per_backend[result.backend_id];
  }
  EXPECT_EQ(per_backend.size(), 2u);
  EXPECT_NEAR(per_backend["backend-a"], 50, 5);
  EXPECT_NEAR(per_backend["backend-b"], 50, 5);
}

TEST_F(H2cToH2c, UnroutedPathGetsUnimplemented) {
  TestBackend a("backend-a");
  VirtualServiceSpec vs;
  vs.http = {routeTo("service-a", "/meshgate.testing.TestService/")};
  MeshYaml yaml = gatewayYaml();
  yaml.add(vs).add(serviceFor("service-a", a));
  ASSERT_TRUE(start(yaml));

  // The backend serves OtherService, so only the gateway can answer UNIMPLEMENTED here.
  grpc::ClientContext context;
  context.set_deadline(deadlineIn(kWait));
  WhoamiResponse whoami;
  grpc::Status status =
      OtherService::NewStub(channel())->Whoami(&context, WhoamiRequest(), &whoami);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED) << status.error_message();
  EXPECT_EQ(a.callCount(kWhoamiMethod), 0u);
  EXPECT_TRUE(emptyCall(*stub()).status.ok());
}

TEST_F(H2cToH2c, UnknownHostGetsUnimplemented) {
  ASSERT_TRUE(startWithOneBackend());
  CallResult result = emptyCall(*stub("unknown.example.org"));
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::UNIMPLEMENTED)
      << result.status.error_message();
  EXPECT_EQ(backend().callCount(kEmptyCallMethod), 0u);
}

MESHGATE_TEST_BOTH_TOPOLOGIES(DestinationWithoutEndpointsIsUnavailable) {
  ServiceSpec empty;
  empty.name = "empty-service";
  VirtualServiceSpec vs;
  vs.http = {routeTo("empty-service")};
  MeshYaml yaml = t.gatewayYaml();
  yaml.add(vs).add(empty);
  ASSERT_TRUE(t.start(yaml));

  CallResult result = emptyCall(*t.stub());
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << result.status.error_message();
  EXPECT_NE(result.status.error_message().find("empty-service"), std::string::npos)
      << result.status.error_message();
}

MESHGATE_TEST_BOTH_TOPOLOGIES(DeadBackendIsUnavailable) {
  ServiceEntrySpec entry;
  entry.name = "dead";
  entry.host = "dead.internal";
  auto [dead_socket, dead_port] = refusingPort();
  entry.endpoints = {{"127.0.0.1", dead_port}};
  VirtualServiceSpec vs;
  vs.http = {routeTo("dead.internal")};
  MeshYaml yaml = t.gatewayYaml();
  yaml.add(vs).add(entry);
  ASSERT_TRUE(t.start(yaml));

  auto stub = t.stub();
  for (int i = 0; i < 2; ++i) {  // a fresh connect failure, then one with the pool warm
    CallResult result = emptyCall(*stub);
    EXPECT_EQ(result.status.error_code(), grpc::StatusCode::UNAVAILABLE)
        << result.status.error_message();
    EXPECT_NE(result.status.error_message().find("dead.internal"), std::string::npos)
        << result.status.error_message();
  }
}

// Istio would speak HTTP/1.1 to a port named `http`; meshgate keeps HTTP/2 and says so.
TEST_F(H2cToH2c, HttpNamedServicePortStillCarriesGrpcAndWarns) {
  TestBackend a("backend-a");
  ServiceSpec legacy = serviceFor("legacy-service", a);
  legacy.port_name = "http";
  VirtualServiceSpec vs;
  vs.http = {routeTo("legacy-service")};
  MeshYaml yaml = gatewayYaml();
  yaml.add(vs).add(legacy);
  ASSERT_TRUE(start(yaml));

  auto one_channel = stub();
  for (int i = 0; i < 3; ++i) {
    CallResult result = emptyCall(*one_channel);
    ASSERT_TRUE(result.status.ok()) << result.status.error_message();
    EXPECT_EQ(result.backend_id, "backend-a");
  }
  // One warning that names the Service and its port, with the fix on it or on its hint line.
  struct Warnings {
    int count = 0;
    bool names_fix = false;
  };
  auto warnings = [](const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream stream(text);
    for (std::string line; std::getline(stream, line);) lines.push_back(line);
    Warnings found;
    for (size_t i = 0; i < lines.size(); ++i) {
      const std::string& line = lines[i];
      if (line.find("warn") == std::string::npos ||
          line.find("legacy-service") == std::string::npos ||
          line.find("50051") == std::string::npos) {
        continue;
      }
      ++found.count;
      const std::string next = i + 1 < lines.size() ? lines[i + 1] : "";
      found.names_fix = (line + next).find("appProtocol") != std::string::npos;
    }
    return found;
  };
  EXPECT_TRUE(gateway().waitForStderr(
      [&](const std::string& text) { return warnings(text).count >= 1; }, kWait));
  Warnings found = warnings(gateway().stderrText());
  EXPECT_EQ(found.count, 1) << "expected one warning, not one per call";
  EXPECT_TRUE(found.names_fix) << "the warning should say how to fix it (appProtocol: grpc)";
}

}  // namespace
}  // namespace meshgate::testing
