// Active gRPC health checking (DestinationRule annotation meshgate.io/grpc-health-check) end to
// end: three grpc++ backends with the standard grpc.health.v1.Health service behind a STATIC
// ServiceEntry; a backend that reports NOT_SERVING or is shut down leaves the load-balancing set
// and comes back, every backend unhealthy means panic mode, a cluster without the annotation is
// never probed, and a config change keeps the health of the hosts it keeps.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "integration/gateway_fixture.h"
#include "support/sockets.h"
#include "support/wait.h"

namespace meshgate::testing {
namespace {

using Status = HealthService::Status;

constexpr char kService[] = "meshgate.testing.TestService";
// Fast enough for a test, slow enough for ASan on a busy machine: a probe has 250 ms to answer.
constexpr char kFastChecks[] =
    "interval=250ms,timeout=250ms,unhealthy-threshold=2,healthy-threshold=2,"
    "service=meshgate.testing.TestService";

std::string serviceEntry(const std::string& name, const std::string& host,
                         const std::vector<int>& ports) {
  std::string yaml =
      "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: " + name +
      "}\nspec:\n  hosts: [" + host +
      "]\n  ports: [{number: 50051, name: grpc, protocol: GRPC}]\n"
      "  resolution: STATIC\n  endpoints:\n";
  for (int port : ports) {
    yaml += "  - {address: 127.0.0.1, ports: {grpc: " + std::to_string(port) + "}}\n";
  }
  return yaml;
}

std::string serviceEntry(const std::string& name, const std::string& host,
                         const std::vector<const TestBackend*>& backends) {
  std::vector<int> ports;
  for (const TestBackend* backend : backends) ports.push_back(backend->port());
  return serviceEntry(name, host, ports);
}

std::string destinationRule(const std::string& name, const std::string& host,
                            const std::string& annotation) {
  std::string yaml =
      "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: " + name +
      "\n";
  if (!annotation.empty()) {
    yaml += "  annotations:\n    meshgate.io/grpc-health-check: " +
            meshgate::testing::quoted(annotation) + "\n";
  }
  return yaml + "spec:\n  host: " + host + "\n";
}

// grpc.example.com goes to backends.internal; with `plain`, calls with the
// `/meshgate.testing.OtherService/` prefix go to plain.internal.
std::string virtualService(bool plain) {
  std::string yaml =
      "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: vs}\n"
      "spec:\n  hosts: [grpc.example.com]\n  gateways: [istio-system/grpc-gateway]\n"
      "  http:\n";
  if (plain) {
    yaml +=
        "  - match: [{uri: {prefix: /meshgate.testing.OtherService/}}]\n"
        "    route: [{destination: {host: plain.internal, port: {number: 50051}}}]\n";
  }
  return yaml + "  - route: [{destination: {host: backends.internal, port: {number: 50051}}}]\n";
}

class HealthCheckTest : public H2cToH2c {
 protected:
  TestBackend a_{"backend-a"}, b_{"backend-b"}, c_{"backend-c"};

  void SetUp() override {
    for (TestBackend* backend : {&a_, &b_, &c_}) {
      backend->health().setStatus(kService, Status::kServing);
    }
  }

  MeshYaml mesh(const std::vector<const TestBackend*>& checked,
                const std::string& annotation = kFastChecks, bool plain = false) const {
    MeshYaml yaml = gatewayYaml();
    yaml.addRaw(virtualService(plain))
        .addRaw(serviceEntry("backends", "backends.internal", checked))
        .addRaw(destinationRule("backends", "backends.internal", annotation));
    return yaml;
  }

  // How many times `text` (the gateway's stderr) says that `backend` became healthy / unhealthy.
  static size_t logged(const std::string& text, const TestBackend& backend,
                       const std::string& what) {
    std::string needle = backend.address() + " is " + what;
    size_t count = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
      ++count;
    }
    return count;
  }
  size_t logged(const TestBackend& backend, const std::string& what) {
    return logged(gateway().stderrText(), backend, what);
  }
  [[nodiscard]] bool waitLogged(const TestBackend& backend, const std::string& what,
                                size_t times = 1) {
    return gateway().waitForStderr(
        [&](const std::string& text) { return logged(text, backend, what) >= times; }, kWait);
  }

  // Backend id → calls answered, of `n` EmptyCalls; every call must succeed.
  std::map<std::string, int> spread(int n) {
    auto stub = this->stub();
    std::map<std::string, int> counts;
    for (int i = 0; i < n; ++i) {
      grpc::ClientContext context;
      context.set_deadline(deadlineIn(kWait));
      Empty response;
      grpc::Status status = stub->EmptyCall(&context, Empty(), &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      ++counts[initialMetadata(context, "x-backend-id")];
    }
    return counts;
  }
};

TEST_F(HealthCheckTest, NotServingBackendLeavesAndComesBack) {
  ASSERT_TRUE(start(mesh({&a_, &b_, &c_})));
  for (const TestBackend* backend : {&a_, &b_, &c_}) {
    ASSERT_TRUE(waitLogged(*backend, "healthy")) << backend->id();
  }
  EXPECT_EQ(spread(30),
            (std::map<std::string, int>{{"backend-a", 10}, {"backend-b", 10}, {"backend-c", 10}}));
  // The probe asks for the annotation's service name.
  EXPECT_GT(b_.health().checks(kService), 0u);
  EXPECT_EQ(b_.health().checks(""), 0u);

  b_.health().setStatus(kService, Status::kNotServing);
  ASSERT_TRUE(waitLogged(b_, "unhealthy"));
  size_t b_calls = b_.callCount(kEmptyCallMethod);
  EXPECT_EQ(spread(30), (std::map<std::string, int>{{"backend-a", 15}, {"backend-c", 15}}));
  EXPECT_EQ(b_.callCount(kEmptyCallMethod), b_calls);

  b_.health().setStatus(kService, Status::kServing);
  ASSERT_TRUE(waitLogged(b_, "healthy", 2));
  EXPECT_EQ(spread(30)["backend-b"], 10);
}

TEST_F(HealthCheckTest, BackendThatIsShutDownIsEjected) {
  ASSERT_TRUE(start(mesh({&a_, &b_, &c_})));
  for (const TestBackend* backend : {&a_, &b_, &c_}) {
    ASSERT_TRUE(waitLogged(*backend, "healthy")) << backend->id();
  }
  b_.shutdown();
  ASSERT_TRUE(waitLogged(b_, "unhealthy"));
  // Without health checking a third of these calls would fail with UNAVAILABLE.
  EXPECT_EQ(spread(30), (std::map<std::string, int>{{"backend-a", 15}, {"backend-c", 15}}));
}

// A host that accepts connections and never answers: every check times out.
TEST_F(HealthCheckTest, HostThatNeverAnswersFailsByTimeout) {
  auto [silent, silent_port] = listenTcp();
  MeshYaml yaml = gatewayYaml();
  yaml.addRaw(virtualService(false))
      .addRaw(serviceEntry("backends", "backends.internal", {a_.port(), silent_port}))
      .addRaw(destinationRule("backends", "backends.internal", kFastChecks));
  ASSERT_TRUE(start(yaml));
  ASSERT_TRUE(waitLogged(a_, "healthy"));
  ASSERT_TRUE(
      gateway().waitForStderrLine({"127.0.0.1:" + std::to_string(silent_port) + " is unhealthy",
                                   "first check failed (timed out after 250ms)"},
                                  kWait));
  // Without health checking, every other call would wait for the silent host.
  EXPECT_EQ(spread(10), (std::map<std::string, int>{{"backend-a", 10}}));
}

TEST_F(HealthCheckTest, EveryBackendUnhealthyMeansPanicModeAndCallsGoToAll) {
  ASSERT_TRUE(start(mesh({&a_, &b_, &c_})));
  for (const TestBackend* backend : {&a_, &b_, &c_}) {
    ASSERT_TRUE(waitLogged(*backend, "healthy")) << backend->id();
  }
  for (TestBackend* backend : {&a_, &b_, &c_}) {
    backend->health().setStatus(kService, Status::kNotServing);
  }
  for (const TestBackend* backend : {&a_, &b_, &c_}) {
    ASSERT_TRUE(waitLogged(*backend, "unhealthy")) << backend->id();
  }
  EXPECT_EQ(spread(30),
            (std::map<std::string, int>{{"backend-a", 10}, {"backend-b", 10}, {"backend-c", 10}}));
}

TEST_F(HealthCheckTest, ClusterWithoutTheAnnotationIsNeverProbed) {
  MeshYaml yaml = mesh({&a_}, kFastChecks, /*plain=*/true);
  yaml.addRaw(serviceEntry("plain", "plain.internal", {&b_}))
      .addRaw(destinationRule("plain", "plain.internal", ""));
  ASSERT_TRUE(start(yaml));
  // Several intervals pass while the annotated cluster is probed.
  ASSERT_TRUE(a_.health().waitForChecks(6, kWait));
  auto other = OtherService::NewStub(channel());
  grpc::ClientContext context;
  context.set_deadline(deadlineIn(kWait));
  WhoamiResponse response;
  ASSERT_TRUE(other->Whoami(&context, WhoamiRequest(), &response).ok());
  EXPECT_EQ(initialMetadata(context, "x-backend-id"), "backend-b");
  EXPECT_EQ(b_.health().checks(), 0u);
  EXPECT_EQ(c_.health().checks(), 0u);
}

// A new host is out until its first check passes; a host a config change keeps keeps its state
// (here: unhealthy) and a removed one is no longer probed.
TEST_F(HealthCheckTest, ConfigChangeKeepsTheStateOfKeptHosts) {
  ASSERT_TRUE(start(mesh({&a_, &b_})));
  ASSERT_TRUE(waitLogged(a_, "healthy"));
  ASSERT_TRUE(waitLogged(b_, "healthy"));
  b_.health().setStatus(kService, Status::kNotServing);
  ASSERT_TRUE(waitLogged(b_, "unhealthy"));

  c_.health().setStatus(kService, Status::kNotServing);
  dir().write("mesh.yaml", mesh({&b_, &c_}).str());
  ASSERT_TRUE(gateway().waitForStderrLine({"config version 2 applied"}, kWait));
  ASSERT_TRUE(waitLogged(c_, "unhealthy"));  // its first check failed
  EXPECT_EQ(logged(b_, "healthy"), 1u);
  uint64_t a_checks = a_.health().checks();
  // Both out: panic mode sends calls to both.
  EXPECT_EQ(spread(10), (std::map<std::string, int>{{"backend-b", 5}, {"backend-c", 5}}));

  c_.health().setStatus(kService, Status::kServing);
  ASSERT_TRUE(waitLogged(c_, "healthy"));
  EXPECT_EQ(spread(10), (std::map<std::string, int>{{"backend-c", 10}}));
  // Removed from the config, backend-a is no longer probed (one probe may have been in flight).
  EXPECT_LE(a_.health().checks(), a_checks + 1);
}

}  // namespace
}  // namespace meshgate::testing
