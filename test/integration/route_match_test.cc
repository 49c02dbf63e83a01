// Which backend a call reaches by the conditions of a VirtualService match: headers (exact,
// prefix, regex), withoutHeaders, authority, method, and the Gateway port. Two backends answer
// with their id; a call that misses a condition falls through to the next route.
#include <map>
#include <string>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "integration/gateway_fixture.h"
#include "support/raw_h2_client.h"

namespace meshgate::testing {
namespace {

ServiceSpec serviceFor(const std::string& name, const TestBackend& backend) {
  ServiceSpec service;
  service.name = name;
  service.endpoints = {{"127.0.0.1", backend.port()}};
  return service;
}

// Routes to service-b on each match kind, in order, then everything else to service-a. The
// GET route never matches a gRPC call (always POST) and must let calls through.
constexpr const char* kMatchingVirtualService = R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: match-vs, namespace: default}
spec:
  hosts: [grpc.example.com, other.example.com]
  gateways: [istio-system/grpc-gateway]
  http:
  - match: [{method: {exact: GET}}]
    route: [{destination: {host: service-b}}]
  - match: [{headers: {x-route: {exact: to-b}}}]
    route: [{destination: {host: service-b}}]
  - match: [{headers: {x-tenant: {prefix: beta-}}}]
    route: [{destination: {host: service-b}}]
  - match: [{headers: {x-user: {regex: "u[0-9]+"}}}]
    route: [{destination: {host: service-b}}]
  - match: [{authority: {exact: other.example.com}}]
    route: [{destination: {host: service-b}}]
  - match: [{method: {exact: POST}, headers: {x-by-method: {}}}]
    route: [{destination: {host: service-b}}]
  - match:
    - uri: {prefix: /meshgate.testing.OtherService/}
      withoutHeaders: {x-allow-a: {}}
    route: [{destination: {host: service-b}}]
  - route: [{destination: {host: service-a}}]
)";

struct Call {
  std::string authority = "grpc.example.com";
  std::map<std::string, std::string> metadata;
  bool other_service = false;  // OtherService/Whoami instead of TestService/EmptyCall
};

// The id of the backend that answered, or the status message when the call failed.
std::string backendFor(const GatewayTest& t, const Call& call) {
  auto channel = t.channel(call.authority);
  grpc::ClientContext context;
  context.set_deadline(deadlineIn(kWait));
  for (const auto& [key, value] : call.metadata) context.AddMetadata(key, value);
  grpc::Status status;
  if (call.other_service) {
    WhoamiResponse response;
    status = OtherService::NewStub(channel)->Whoami(&context, WhoamiRequest(), &response);
  } else {
    Empty response;
    status = TestService::NewStub(channel)->EmptyCall(&context, Empty(), &response);
  }
  if (!status.ok()) return "failed: " + status.error_message();
  return initialMetadata(context, "x-backend-id");
}

class RouteMatchTest : public H2cToH2c {
 protected:
  void startMatching() {
    MeshYaml yaml = gatewayYaml({"grpc.example.com", "other.example.com"});
    yaml.addRaw(kMatchingVirtualService)
        .add(serviceFor("service-a", a_))
        .add(serviceFor("service-b", b_));
    ASSERT_TRUE(start(yaml));
  }

  TestBackend a_{"backend-a"};
  TestBackend b_{"backend-b"};
};

TEST_F(RouteMatchTest, NoConditionMetFallsThroughToTheLastRoute) {
  startMatching();
  EXPECT_EQ(backendFor(*this, {}), "backend-a");
}

TEST_F(RouteMatchTest, HeaderExactMatch) {
  startMatching();
  EXPECT_EQ(backendFor(*this, {.metadata = {{"x-route", "to-b"}}}), "backend-b");
  EXPECT_EQ(backendFor(*this, {.metadata = {{"x-route", "to-b-not"}}}), "backend-a");
}

TEST_F(RouteMatchTest, HeaderPrefixMatch) {
  startMatching();
  EXPECT_EQ(backendFor(*this, {.metadata = {{"x-tenant", "beta-acme"}}}), "backend-b");
  EXPECT_EQ(backendFor(*this, {.metadata = {{"x-tenant", "alpha-beta-acme"}}}), "backend-a");
}

TEST_F(RouteMatchTest, HeaderRegexMatchIsAFullMatch) {
  startMatching();
  EXPECT_EQ(backendFor(*this, {.metadata = {{"x-user", "u42"}}}), "backend-b");
  EXPECT_EQ(backendFor(*this, {.metadata = {{"x-user", "u42x"}}}), "backend-a");
}

TEST_F(RouteMatchTest, AuthorityMatch) {
  startMatching();
  EXPECT_EQ(backendFor(*this, {.authority = "other.example.com"}), "backend-b");
  EXPECT_EQ(backendFor(*this, {.authority = "grpc.example.com"}), "backend-a");
}

TEST_F(RouteMatchTest, MethodMatchAndedWithAHeaderPresence) {
  startMatching();
  // gRPC calls are POSTs: the GET route is passed over, the POST one needs x-by-method.
  EXPECT_EQ(backendFor(*this, {.metadata = {{"x-by-method", ""}}}), "backend-b");
  EXPECT_EQ(backendFor(*this, {.metadata = {{"x-by-methodx", "1"}}}), "backend-a");
}

TEST_F(RouteMatchTest, WithoutHeadersMatchesOnlyWhenTheHeaderIsAbsent) {
  startMatching();
  EXPECT_EQ(backendFor(*this, {.other_service = true}), "backend-b");
  EXPECT_EQ(backendFor(*this, {.metadata = {{"x-allow-a", "yes"}}, .other_service = true}),
            "backend-a");
}

// grpc++ cannot put a query string on a call, so a raw HTTP/2 client does. Both destinations are
// Services without endpoints: the UNAVAILABLE message names the one the route chose.
TEST_F(RouteMatchTest, QueryParamMatchesTheDecodedValue) {
  MeshYaml yaml = gatewayYaml();
  ServiceSpec gold;
  gold.name = "gold-service";
  gold.with_endpoints = false;
  ServiceSpec other;
  other.name = "other-service";
  other.with_endpoints = false;
  yaml.addRaw(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: query-vs, namespace: default}
spec:
  hosts: [grpc.example.com]
  gateways: [istio-system/grpc-gateway]
  http:
  - match: [{queryParams: {tier: {exact: "gold plus"}}}]
    route: [{destination: {host: gold-service}}]
  - route: [{destination: {host: other-service}}]
)")
      .add(gold)
      .add(other);
  ASSERT_TRUE(start(yaml));
  std::string error;
  auto client = RawH2Client::connect(port(), {}, &error);
  ASSERT_NE(client, nullptr) << error;
  for (auto [query, expected] :
       std::map<std::string, std::string>{{"?tier=gold%20plus", "gold-service"},
                                          {"?a=1&tier=gold%20plus", "gold-service"},
                                          {"?tier=gold", "other-service"},
                                          {"", "other-service"}}) {
    int32_t stream = client->submit(
        grpcRequestHeaders("grpc.example.com", std::string(kEmptyCallMethod) + query),
        grpcFrame(Empty()));
    ASSERT_TRUE(client->waitClosed(stream, kWait)) << query;
    const auto& response = client->response(stream);
    EXPECT_EQ(response.header("grpc-status"), "14") << query;
    EXPECT_NE(response.header("grpc-message").find(expected), std::string::npos)
        << query << ": " << response.header("grpc-message");
  }
}

// One Gateway with servers on ports 80 and 8080: `port: 8080` routes only the calls that
// arrive on 8080.
TEST_F(RouteMatchTest, PortMatchesTheGatewayServerPort) {
  GatewayServer http;
  GatewayServer alt;
  alt.port = 8080;
  alt.port_name = "http-alt";
  GatewaySpec gateway;
  gateway.servers = {http, alt};
  MeshYaml yaml;
  yaml.add(gateway)
      .addRaw(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: port-vs, namespace: default}
spec:
  hosts: [grpc.example.com]
  gateways: [istio-system/grpc-gateway]
  http:
  - match: [{port: 8080}]
    route: [{destination: {host: service-b}}]
  - route: [{destination: {host: service-a}}]
)")
      .add(serviceFor("service-a", a_))
      .add(serviceFor("service-b", b_));
  ServeOptions options;
  options.configs = {dir().write("mesh.yaml", yaml.str())};
  options.listen_ports = {80, 8080};
  GatewayProcess process(meshgateBinary(), options.toArgs());
  ASSERT_TRUE(process.waitReady(kWait)) << process.describe();
  for (auto [port, expected] : std::map<int, std::string>{{80, "backend-a"}, {8080, "backend-b"}}) {
    auto stub = TestService::NewStub(makeChannel(process.port(port), ChannelOptions{}));
    grpc::ClientContext context;
    context.set_deadline(deadlineIn(kWait));
    Empty response;
    grpc::Status status = stub->EmptyCall(&context, Empty(), &response);
    ASSERT_TRUE(status.ok()) << port << ": " << status.error_message() << "\n"
                             << process.describe();
    EXPECT_EQ(initialMetadata(context, "x-backend-id"), expected) << "port " << port;
  }
}

}  // namespace
}  // namespace meshgate::testing
