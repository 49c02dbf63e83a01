// What a VirtualService route does besides choosing a backend: header mutations seen by the
// backend and the client, uri and authority rewrites, redirect and directResponse answered by
// the gateway, and mirroring to a second backend.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "integration/gateway_fixture.h"
#include "support/raw_h2_client.h"
#include "support/sockets.h"

namespace meshgate::testing {
namespace {

ServiceSpec serviceFor(const std::string& name, int port) {
  ServiceSpec service;
  service.name = name;
  service.endpoints = {{"127.0.0.1", port}};
  return service;
}

// The VirtualService for grpc.example.com with `http` as its YAML http list.
std::string virtualService(const std::string& http) {
  return "apiVersion: networking.istio.io/v1\n"
         "kind: VirtualService\n"
         "metadata: {name: actions, namespace: default}\n"
         "spec:\n"
         "  hosts: [grpc.example.com]\n"
         "  gateways: [istio-system/grpc-gateway]\n"
         "  http:\n" +
         http;
}

std::string metadataValue(const ObservedCall& call, const std::string& key) {
  auto it = call.metadata.find(key);
  return it == call.metadata.end() ? "" : it->second;
}

std::unique_ptr<RawH2Client> rawClient(GatewayTest& t) {
  std::string error;
  auto client = RawH2Client::connect(t.port(), RawH2Client::Options(), &error);
  EXPECT_NE(client, nullptr) << error;
  return client;
}

std::string grpcStatusOf(const RawH2Client::Response& response) {
  std::string status = response.trailer("grpc-status");
  return status.empty() ? response.header("grpc-status") : status;
}

TEST_F(H2cToH2c, HeaderMutationsReachBackendAndClient) {
  TestBackend backend("backend-a");
  MeshYaml yaml = gatewayYaml();
  yaml.addRaw(virtualService(R"(  - headers:
      request:
        set: {X-Tenant: blue}
        add: {x-echo-added: "yes"}
        remove: [x-drop]
      response:
        set: {x-served-by: meshgate}
        remove: [x-echo-hidden]
    route:
    - destination: {host: grpc-service, port: {number: 50051}}
      headers: {request: {set: {x-destination: primary}}}
)"));
  yaml.add(serviceFor("grpc-service", backend.port()));
  ASSERT_TRUE(start(yaml));

  grpc::ClientContext context;
  context.set_deadline(deadlineIn(kWait));
  context.AddMetadata("x-tenant", "red");
  context.AddMetadata("x-drop", "1");
  context.AddMetadata("x-echo-hidden", "secret");
  Empty response;
  grpc::Status status = stub()->EmptyCall(&context, Empty(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();

  ASSERT_EQ(backend.calls().size(), 1u);
  const ObservedCall call = backend.calls()[0];
  EXPECT_EQ(call.metadata.count("x-tenant"), 1u);
  EXPECT_EQ(metadataValue(call, "x-tenant"), "blue");
  EXPECT_EQ(metadataValue(call, "x-destination"), "primary");
  EXPECT_EQ(metadataValue(call, "x-echo-added"), "yes");
  EXPECT_EQ(call.metadata.count("x-drop"), 0u);

  EXPECT_EQ(initialMetadata(context, "x-served-by"), "meshgate");
  EXPECT_EQ(initialMetadata(context, "x-echo-added"), "yes");  // echoed by the backend
  EXPECT_EQ(initialMetadata(context, "x-echo-hidden"), "");    // removed from the response
  EXPECT_EQ(initialMetadata(context, "x-backend-id"), "backend-a");
}

TEST_F(H2cToH2c, RewriteChangesPathAndAuthority) {
  TestBackend backend("backend-a");
  MeshYaml yaml = gatewayYaml();
  yaml.addRaw(virtualService(R"(  - match: [{uri: {prefix: /meshgate.legacy.TestService/}}]
    rewrite: {uri: /meshgate.testing.TestService/, authority: backend.internal}
    route: [{destination: {host: grpc-service}}]
  - match: [{uri: {exact: /old/whoami}}]
    rewrite: {uri: /meshgate.testing.OtherService/Whoami}
    route: [{destination: {host: grpc-service}}]
)"));
  yaml.add(serviceFor("grpc-service", backend.port()));
  ASSERT_TRUE(start(yaml));

  auto client = rawClient(*this);
  ASSERT_NE(client, nullptr);
  int32_t prefixed = client->submit(
      grpcRequestHeaders("grpc.example.com", "/meshgate.legacy.TestService/EmptyCall"),
      grpcFrame(Empty()));
  int32_t exact =
      client->submit(grpcRequestHeaders("grpc.example.com", "/old/whoami"), grpcFrame(Empty()));
  ASSERT_TRUE(client->waitClosed(prefixed, kWait));
  ASSERT_TRUE(client->waitClosed(exact, kWait));
  EXPECT_EQ(grpcStatusOf(client->response(prefixed)), "0");
  EXPECT_EQ(grpcStatusOf(client->response(exact)), "0");

  ASSERT_EQ(backend.callCount(kEmptyCallMethod), 1u);
  ASSERT_EQ(backend.callCount(kWhoamiMethod), 1u);
  for (const ObservedCall& call : backend.calls()) {
    std::string expected =
        call.method == kEmptyCallMethod ? "backend.internal" : "grpc.example.com";
    EXPECT_EQ(call.authority, expected) << call.method;
  }
}

TEST_F(H2cToH2c, RedirectAndDirectResponseAreAnsweredByTheGateway) {
  TestBackend backend("backend-a");
  MeshYaml yaml = gatewayYaml();
  yaml.addRaw(virtualService(R"(  - match: [{uri: {exact: /moved.Svc/Call}}]
    redirect: {uri: /here.Svc/Call, authority: other.example.com, redirectCode: 308}
  - match: [{uri: {prefix: /scheme.}}]
    redirect: {scheme: https, port: 8443}
  - match: [{uri: {prefix: /maintenance.}}]
    headers: {response: {set: {retry-after: "60"}}}
    directResponse: {status: 503, body: {string: down for maintenance}}
  - route: [{destination: {host: grpc-service}}]
)"));
  yaml.add(serviceFor("grpc-service", backend.port()));
  ASSERT_TRUE(start(yaml));

  auto client = rawClient(*this);
  ASSERT_NE(client, nullptr);
  HeaderList get = {{":method", "GET"},
                    {":scheme", "http"},
                    {":authority", "grpc.example.com"},
                    {":path", "/moved.Svc/Call?x=1"}};
  int32_t moved = client->submit(get, "");
  get[3].second = "/scheme.Svc/Call";
  int32_t scheme = client->submit(get, "");
  // A gRPC caller gets the configured answer too, not a gRPC status.
  int32_t direct = client->submit(grpcRequestHeaders("grpc.example.com", "/maintenance.Svc/Call"),
                                  grpcFrame(Empty()));
  for (int32_t stream : {moved, scheme, direct}) ASSERT_TRUE(client->waitClosed(stream, kWait));

  const auto& redirect = client->response(moved);
  EXPECT_EQ(redirect.header(":status"), "308");
  EXPECT_EQ(redirect.header("location"), "http://other.example.com/here.Svc/Call?x=1");
  EXPECT_EQ(client->response(scheme).header(":status"), "301");
  EXPECT_EQ(client->response(scheme).header("location"),
            "https://grpc.example.com:8443/scheme.Svc/Call");

  const auto& answer = client->response(direct);
  EXPECT_EQ(answer.header(":status"), "503");
  EXPECT_EQ(answer.header("content-type"), "text/plain");
  EXPECT_EQ(answer.header("retry-after"), "60");
  EXPECT_EQ(answer.body, "down for maintenance");
  EXPECT_TRUE(backend.calls().empty());
}

// The mirror sees a copy with the -shadow authority; the client gets the primary's answer.
TEST_F(H2cToH2c, MirrorCopiesTheCallWithShadowAuthority) {
  TestBackend primary("primary");
  TestBackend mirror("mirror");
  MeshYaml yaml = gatewayYaml();
  yaml.addRaw(virtualService(R"(  - route: [{destination: {host: grpc-service}}]
    mirror: {host: mirror-service}
    mirrorPercentage: {value: 100}
)"));
  yaml.add(serviceFor("grpc-service", primary.port()))
      .add(serviceFor("mirror-service", mirror.port()));
  ASSERT_TRUE(start(yaml));

  grpc::ClientContext context;
  context.set_deadline(deadlineIn(kWait));
  SimpleRequest request;
  request.set_fill_server_id(true);
  request.mutable_payload()->set_body(std::string(200000, 'x'));  // several DATA frames
  SimpleResponse response;
  grpc::Status status = stub()->UnaryCall(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.server_id(), "primary");

  ASSERT_TRUE(mirror.waitForCalls(kUnaryCallMethod, 1, kWait));
  ASSERT_TRUE(mirror.waitForIdle(kWait));
  const ObservedCall copy = mirror.calls()[0];
  EXPECT_EQ(copy.authority, "grpc.example.com-shadow");
  EXPECT_FALSE(copy.cancelled);
  EXPECT_EQ(primary.calls()[0].authority, "grpc.example.com");
}

// mirrorPercentage 0 mirrors nothing. A second route mirrors every call: once its copy has
// arrived, a copy of the earlier calls would have too.
TEST_F(H2cToH2c, MirrorPercentageZeroSendsNone) {
  TestBackend primary("primary");
  TestBackend mirror("mirror");
  MeshYaml yaml = gatewayYaml();
  yaml.addRaw(virtualService(R"(  - match: [{uri: {prefix: /meshgate.testing.TestService/}}]
    route: [{destination: {host: grpc-service}}]
    mirror: {host: mirror-service}
    mirrorPercentage: {value: 0}
  - route: [{destination: {host: grpc-service}}]
    mirror: {host: mirror-service}
)"));
  yaml.add(serviceFor("grpc-service", primary.port()))
      .add(serviceFor("mirror-service", mirror.port()));
  ASSERT_TRUE(start(yaml));

  auto test_stub = stub();
  for (int i = 0; i < 20; ++i) {
    grpc::ClientContext context;
    context.set_deadline(deadlineIn(kWait));
    Empty response;
    ASSERT_TRUE(test_stub->EmptyCall(&context, Empty(), &response).ok());
  }
  auto other = OtherService::NewStub(channel());
  grpc::ClientContext context;
  context.set_deadline(deadlineIn(kWait));
  WhoamiResponse whoami;
  ASSERT_TRUE(other->Whoami(&context, WhoamiRequest(), &whoami).ok());
  ASSERT_TRUE(mirror.waitForCalls(kWhoamiMethod, 1, kWait));
  EXPECT_EQ(mirror.callCount(kEmptyCallMethod), 0u);
  EXPECT_EQ(primary.callCount(kEmptyCallMethod), 20u);
}

// A mirror that cannot be reached never fails the call it copies.
TEST_F(H2cToH2c, UnreachableMirrorDoesNotFailTheCall) {
  TestBackend primary("primary");
  auto [closed_fd, closed_port] = refusingPort();
  MeshYaml yaml = gatewayYaml();
  yaml.addRaw(virtualService(R"(  - route: [{destination: {host: grpc-service}}]
    mirror: {host: mirror-service}
)"));
  yaml.add(serviceFor("grpc-service", primary.port()))
      .add(serviceFor("mirror-service", closed_port));
  ASSERT_TRUE(start(yaml));

  auto test_stub = stub();
  for (int i = 0; i < 5; ++i) {
    grpc::ClientContext context;
    context.set_deadline(deadlineIn(kWait));
    Empty response;
    grpc::Status status = test_stub->EmptyCall(&context, Empty(), &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(initialMetadata(context, "x-backend-id"), "primary");
  }
}

}  // namespace
}  // namespace meshgate::testing
