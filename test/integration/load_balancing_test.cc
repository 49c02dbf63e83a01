// DestinationRule trafficPolicy end to end: each load balancer, consistent hashing, the
// generated affinity cookie, http2MaxRequests overflow, subsets and endpoint weights, with
// three backends that answer with their id.
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "integration/gateway_fixture.h"
#include "support/wait.h"

namespace meshgate::testing {
namespace {

struct Member {
  const TestBackend* backend;
  std::string labels = "{}";
  int weight = 1;
};

// A STATIC ServiceEntry backends.internal:50051 over the given backends.
std::string serviceEntry(const std::vector<Member>& members, const std::string& host,
                         const std::string& name) {
  std::string yaml =
      "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: " + name +
      "}\nspec:\n  hosts: [" + host +
      "]\n  ports: [{number: 50051, name: grpc, protocol: GRPC}]\n"
      "  resolution: STATIC\n  endpoints:\n";
  for (const Member& m : members) {
    yaml += "  - {address: 127.0.0.1, ports: {grpc: " + std::to_string(m.backend->port()) +
            "}, labels: " + m.labels + ", weight: " + std::to_string(m.weight) + "}\n";
  }
  return yaml;
}

// Routes everything for grpc.example.com to backends.internal (or its subset).
std::string virtualService(const std::string& subset = "", const std::string& extra_routes = "") {
  return "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: vs}\n"
         "spec:\n  hosts: [grpc.example.com]\n  gateways: [istio-system/grpc-gateway]\n"
         "  http:\n" +
         extra_routes +
         "  - route: [{destination: {host: backends.internal, port: {number: 50051}" +
         (subset.empty() ? "" : ", subset: " + subset) + "}}]\n";
}

std::string destinationRule(const std::string& spec_body) {
  return "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: dr}\n"
         "spec:\n  host: backends.internal\n" +
         spec_body;
}

struct Reply {
  grpc::Status status;
  std::string backend;
  std::string set_cookie;
};

Reply emptyCall(TestService::Stub& stub,
                const std::vector<std::pair<std::string, std::string>>& metadata = {}) {
  grpc::ClientContext context;
  context.set_deadline(deadlineIn(kWait));
  for (const auto& [key, value] : metadata) context.AddMetadata(key, value);
  Empty response;
  Reply reply;
  reply.status = stub.EmptyCall(&context, Empty(), &response);
  reply.backend = initialMetadata(context, "x-backend-id");
  reply.set_cookie = initialMetadata(context, "set-cookie");
  return reply;
}

class LoadBalancingTest : public H2cToH2c {
 protected:
  TestBackend a_{"backend-a"}, b_{"backend-b"}, c_{"backend-c"};
  std::vector<Member> all() const { return {{&a_}, {&b_}, {&c_}}; }

  [[nodiscard]] bool startWith(const std::string& dr, const std::vector<Member>& members,
                               const std::string& vs) {
    MeshYaml yaml = gatewayYaml();
    yaml.addRaw(vs).addRaw(serviceEntry(members, "backends.internal", "backends"));
    if (!dr.empty()) yaml.addRaw(dr);
    return start(yaml);
  }

  // Per-backend counts of `n` calls over one connection (one channel: one gateway worker).
  std::map<std::string, int> spread(TestService::Stub& stub, int n) {
    std::map<std::string, int> counts;
    for (int i = 0; i < n; ++i) {
      Reply reply = emptyCall(stub);
      EXPECT_TRUE(reply.status.ok()) << reply.status.error_message();
      ++counts[reply.backend];
    }
    return counts;
  }
};

TEST_F(LoadBalancingTest, RoundRobinIsEvenOverOneClientConnection) {
  ASSERT_TRUE(startWith(destinationRule("  trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}\n"),
                        all(), virtualService()));
  auto stub = this->stub();
  auto counts = spread(*stub, 300);
  EXPECT_EQ(counts, (std::map<std::string, int>{
                        {"backend-a", 100}, {"backend-b", 100}, {"backend-c", 100}}));
}

StreamingOutputCallRequest twoResponses() {
  StreamingOutputCallRequest request;
  for (int i = 0; i < 2; ++i) request.add_response_parameters()->set_size(10);
  return request;
}

// Streams to backend-a only (its own ServiceEntry) keep it busy; the balanced cluster shares
// the gateway's pool for backend-a's address, so LEAST_REQUEST sees those calls as its load.
TEST_F(LoadBalancingTest, LeastRequestFavoursTheIdleBackend) {
  std::string vs = virtualService(
      "",
      "  - match: [{uri: {prefix: /meshgate.testing.TestService/StreamingOutputCall}}]\n"
      "    route: [{destination: {host: only-a.internal, port: {number: 50051}}}]\n");
  MeshYaml yaml = gatewayYaml();
  yaml.addRaw(vs)
      .addRaw(serviceEntry(all(), "backends.internal", "backends"))
      .addRaw(serviceEntry({{&a_}}, "only-a.internal", "only-a"))
      .addRaw(destinationRule("  trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}\n"));
  ASSERT_TRUE(start(yaml));
  auto channel = this->channel();
  auto stub = TestService::NewStub(channel);
  a_.hold();
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<StreamingOutputCallResponse>>> readers;
  for (int i = 0; i < 4; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    contexts.back()->set_deadline(deadlineIn(3 * kWait));
    readers.push_back(stub->StreamingOutputCall(contexts.back().get(), twoResponses()));
    StreamingOutputCallResponse response;
    ASSERT_TRUE(readers.back()->Read(&response));
  }
  ASSERT_TRUE(a_.waitForParked(4, kWait));

  auto counts = spread(*stub, 300);
  // Power of two choices: the busy backend loses every comparison with an idle one.
  EXPECT_EQ(counts["backend-a"], 0);
  EXPECT_GT(counts["backend-b"], 100);
  EXPECT_GT(counts["backend-c"], 100);

  a_.release();
  for (auto& reader : readers) {
    StreamingOutputCallResponse response;
    while (reader->Read(&response)) {
    }
    EXPECT_TRUE(reader->Finish().ok());
  }
}

TEST_F(LoadBalancingTest, ConsistentHashByHeaderKeepsAKeyOnOneBackend) {
  ASSERT_TRUE(startWith(
      destinationRule("  trafficPolicy:\n    loadBalancer: {consistentHash: {httpHeaderName: "
                      "x-user}}\n"),
      all(), virtualService()));
  std::map<std::string, std::string> owner;
  std::map<std::string, int> per_backend;
  for (int round = 0; round < 3; ++round) {
    auto stub = this->stub();  // a new connection each round: affinity is not per connection
    for (int user = 0; user < 30; ++user) {
      std::string key = "user-" + std::to_string(user);
      Reply reply = emptyCall(*stub, {{"x-user", key}});
      ASSERT_TRUE(reply.status.ok()) << reply.status.error_message();
      if (round == 0) {
        owner[key] = reply.backend;
        ++per_backend[reply.backend];
      } else {
        EXPECT_EQ(reply.backend, owner[key]) << key << " moved";
      }
    }
  }
  EXPECT_EQ(per_backend.size(), 3u) << "30 keys should reach every backend";
}

TEST_F(LoadBalancingTest, CookieWithTtlIsSetAndThenKeepsAffinity) {
  ASSERT_TRUE(
      startWith(destinationRule("  trafficPolicy:\n    loadBalancer:\n      consistentHash:\n"
                                "        httpCookie: {name: affinity, path: /, ttl: 60s}\n"),
                all(), virtualService()));
  auto stub = this->stub();
  Reply first = emptyCall(*stub);
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  ASSERT_EQ(first.set_cookie.rfind("affinity=", 0), 0u) << first.set_cookie;
  EXPECT_NE(first.set_cookie.find("; Path=/; Max-Age=60; HttpOnly"), std::string::npos)
      << first.set_cookie;
  std::string cookie = first.set_cookie.substr(0, first.set_cookie.find(';'));
  for (int i = 0; i < 20; ++i) {
    Reply again = emptyCall(*stub, {{"cookie", cookie}});
    ASSERT_TRUE(again.status.ok());
    EXPECT_EQ(again.backend, first.backend);
    EXPECT_EQ(again.set_cookie, "") << "a request with the cookie gets no new one";
  }
}

TEST_F(LoadBalancingTest, Http2MaxRequestsOverflowIsUnavailable) {
  ASSERT_TRUE(startWith(
      destinationRule("  trafficPolicy: {connectionPool: {http: {http2MaxRequests: 2}}}\n"),
      {{&a_}}, virtualService()));
  auto stub = this->stub();
  a_.hold();
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<StreamingOutputCallResponse>>> readers;
  for (int i = 0; i < 2; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    contexts.back()->set_deadline(deadlineIn(3 * kWait));
    readers.push_back(stub->StreamingOutputCall(contexts.back().get(), twoResponses()));
    StreamingOutputCallResponse response;
    ASSERT_TRUE(readers.back()->Read(&response));
  }
  // From another connection too: the limit is per cluster, not per worker.
  auto other = this->stub();
  Reply overflow = emptyCall(*other);
  EXPECT_EQ(overflow.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(overflow.status.error_message().find("http2MaxRequests (2)"), std::string::npos)
      << overflow.status.error_message();
  EXPECT_EQ(a_.callCount(kEmptyCallMethod), 0u);

  a_.release();
  for (auto& reader : readers) {
    StreamingOutputCallResponse response;
    while (reader->Read(&response)) {
    }
    EXPECT_TRUE(reader->Finish().ok());
  }
  EXPECT_TRUE(emptyCall(*other).status.ok()) << "slots are given back when calls end";
}

TEST_F(LoadBalancingTest, SubsetsRouteToTheLabelledEndpoints) {
  std::vector<Member> members = {
      {&a_, "{version: v1}"}, {&b_, "{version: v2}"}, {&c_, "{version: v2}"}};
  ASSERT_TRUE(startWith(destinationRule("  subsets:\n  - {name: v1, labels: {version: v1}}\n"
                                        "  - {name: v2, labels: {version: v2}}\n"),
                        members, virtualService("v2")));
  auto stub = this->stub();
  auto counts = spread(*stub, 60);
  EXPECT_EQ(counts, (std::map<std::string, int>{{"backend-b", 30}, {"backend-c", 30}}));
}

TEST_F(LoadBalancingTest, EndpointWeightsSplitCallsWithinTolerance) {
  std::vector<Member> members = {{&a_, "{}", 1}, {&b_, "{}", 2}, {&c_, "{}", 7}};
  ASSERT_TRUE(startWith(destinationRule("  trafficPolicy: {loadBalancer: {simple: RANDOM}}\n"),
                        members, virtualService()));
  auto stub = this->stub();
  auto counts = spread(*stub, 1000);
  // Binomial: ±4.5 standard deviations (9.5, 12.6 and 14.5 calls).
  EXPECT_NEAR(counts["backend-a"], 100, 43);
  EXPECT_NEAR(counts["backend-b"], 200, 57);
  EXPECT_NEAR(counts["backend-c"], 700, 66);
}

std::set<std::string> peersOf(const TestBackend& backend) {
  std::set<std::string> peers;
  for (const ObservedCall& call : backend.calls()) peers.insert(call.peer);
  return peers;
}

TEST_F(LoadBalancingTest, MaxRequestsPerConnectionRetiresConnections) {
  ASSERT_TRUE(startWith(
      destinationRule("  trafficPolicy: {connectionPool: {http: {maxRequestsPerConnection: 3}}}\n"),
      {{&a_}}, virtualService()));
  auto stub = this->stub();
  for (int i = 0; i < 9; ++i) ASSERT_TRUE(emptyCall(*stub).status.ok());
  // One client connection, one gateway worker: 9 calls over connections of 3 streams each.
  EXPECT_EQ(peersOf(a_).size(), 3u);
}

TEST_F(LoadBalancingTest, IdleTimeoutClosesTheUpstreamConnection) {
  ASSERT_TRUE(startWith(
      destinationRule("  trafficPolicy: {connectionPool: {http: {idleTimeout: 200ms}}}\n"), {{&a_}},
      virtualService()));
  auto stub = this->stub();
  ASSERT_TRUE(emptyCall(*stub).status.ok());
  // Polled more slowly than the idle timeout: a later call finds its connection closed and
  // arrives on a new one.
  EXPECT_TRUE(eventually(
      [&] {
        EXPECT_TRUE(emptyCall(*stub).status.ok());
        return peersOf(a_).size() > 1;
      },
      kWait, std::chrono::milliseconds(400)));
}

TEST_F(LoadBalancingTest, MaxConnectionsAndStreamsBoundTheUpstreamSide) {
  ASSERT_TRUE(startWith(destinationRule("  trafficPolicy:\n    connectionPool:\n"
                                        "      tcp: {maxConnections: 1}\n"
                                        "      http: {maxConcurrentStreams: 1}\n"),
                        {{&a_}}, virtualService()));
  auto stub = this->stub();
  a_.hold();
  grpc::ClientContext context;
  context.set_deadline(deadlineIn(3 * kWait));
  auto reader = stub->StreamingOutputCall(&context, twoResponses());
  StreamingOutputCallResponse response;
  ASSERT_TRUE(reader->Read(&response));
  // The only connection has its one stream in use and no second connection may open.
  Reply refused = emptyCall(*stub);
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(refused.status.error_message().find("maxConnections (1)"), std::string::npos)
      << refused.status.error_message();
  a_.release();
  while (reader->Read(&response)) {
  }
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_TRUE(emptyCall(*stub).status.ok());
}

}  // namespace
}  // namespace meshgate::testing
