// DestinationRule outlierDetection end to end: a backend failing with UNAVAILABLE (Trailers-Only,
// or headers then trailers) is ejected after consecutive5xxErrors and gets no calls until its
// baseEjectionTime has passed; application errors never eject; with --locality, calls stay in
// the gateway's zone and fail over when its hosts are ejected.
#include <chrono>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "integration/gateway_fixture.h"
#include "support/wait.h"

namespace meshgate::testing {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

struct Member {
  const TestBackend* backend;
  std::string locality;
};

// A STATIC ServiceEntry backends.internal:50051, a VirtualService sending grpc.example.com to
// it and a DestinationRule with `traffic_policy` (YAML under trafficPolicy:). Retries are off
// unless `retries` says otherwise, so that each failure reaches the client and counts once.
std::string mesh(const std::vector<Member>& members, const std::string& traffic_policy,
                 const std::string& retries = "{attempts: 0}") {
  std::string yaml =
      "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: backends}\n"
      "spec:\n  hosts: [backends.internal]\n"
      "  ports: [{number: 50051, name: grpc, protocol: GRPC}]\n"
      "  resolution: STATIC\n  endpoints:\n";
  for (const Member& m : members) {
    yaml += "  - {address: 127.0.0.1, ports: {grpc: " + std::to_string(m.backend->port()) + "}" +
            (m.locality.empty() ? "" : ", locality: " + m.locality) + "}\n";
  }
  yaml +=
      "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: vs}\n"
      "spec:\n  hosts: [grpc.example.com]\n  gateways: [istio-system/grpc-gateway]\n"
      "  http:\n  - route: [{destination: {host: backends.internal, port: {number: 50051}}}]\n" +
      (retries.empty() ? "" : "    retries: " + retries + "\n") +
      "---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: dr}\n"
      "spec:\n  host: backends.internal\n  trafficPolicy:\n" +
      traffic_policy;
  return yaml;
}

// Short times keep the tests fast: a 1 s sweep and a 1 s first ejection.
constexpr const char* kOutlier =
    "    outlierDetection: {consecutive5xxErrors: 3, interval: 1s, baseEjectionTime: 1s,\n"
    "                       maxEjectionPercent: 50}\n";

// `backend`: the x-backend-id the answer carries (gRPC clients show it for Trailers-Only
// responses too).
grpc::Status unaryCall(TestService::Stub& stub, std::string* backend = nullptr) {
  grpc::ClientContext context;
  context.set_deadline(deadlineIn(kWait));
  SimpleRequest request;
  SimpleResponse response;
  grpc::Status status = stub.UnaryCall(&context, request, &response);
  if (backend != nullptr) *backend = initialMetadata(context, "x-backend-id");
  return status;
}

class OutlierTest : public H2cToH2c {
 protected:
  TestBackend a_{"backend-a"}, b_{"backend-b"};

  [[nodiscard]] bool startWith(const std::vector<Member>& members, const std::string& policy,
                               std::vector<std::string> args = {},
                               const std::string& retries = "{attempts: 0}") {
    MeshYaml yaml = gatewayYaml();
    yaml.addRaw(mesh(members, policy, retries));
    return start(yaml, std::move(args));
  }
  size_t callsOn(const TestBackend& backend) const { return backend.callCount(kUnaryCallMethod); }

  // Calls until one reaches `backend` (true) or kWait passes.
  bool callUntilReached(TestService::Stub& stub, const TestBackend& backend) {
    size_t before = callsOn(backend);
    return eventually(
        [&] {
          EXPECT_TRUE(unaryCall(stub).ok());
          return callsOn(backend) > before;
        },
        kWait, milliseconds(20));
  }

  void ejectsAndReturns(bool after_headers) {
    ASSERT_TRUE(startWith({{&a_}, {&b_}}, kOutlier));
    b_.failAll(grpc::StatusCode::UNAVAILABLE, after_headers);
    auto stub = this->stub();
    // Round robin over one connection: b sees every other call until its third UNAVAILABLE.
    int failed = 0;
    for (int i = 0; i < 20; ++i) {
      std::string backend;
      grpc::Status status = unaryCall(*stub, &backend);
      if (!status.ok()) {
        // The backend's own answer, relayed (not a local reply of the gateway).
        EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
        EXPECT_EQ(backend, "backend-b");
        ++failed;
      }
    }
    Clock::time_point ejected = Clock::now();
    EXPECT_EQ(failed, 3);
    EXPECT_EQ(callsOn(b_), 3u);
    EXPECT_EQ(callsOn(a_), 17u);
    // Recovered, b is back after baseEjectionTime (the next 1 s sweep after it).
    b_.failAll(grpc::StatusCode::OK);
    ASSERT_TRUE(callUntilReached(*stub, b_)) << gateway().describe();
    EXPECT_GE(Clock::now() - ejected, milliseconds(900));
    EXPECT_EQ(callsOn(b_), 4u);
  }
};

TEST_F(OutlierTest, UnavailableAsTrailersOnlyEjectsUntilBaseEjectionTime) {
  ejectsAndReturns(false);
}

TEST_F(OutlierTest, UnavailableInTrailersAfterHeadersEjectsToo) { ejectsAndReturns(true); }

// With Istio's default retry policy (no `retries`: UNAVAILABLE is retried on another host) the
// callers never see the failing backend, and it is still ejected after its third failure.
TEST_F(OutlierTest, RetriedFailuresStillEjectTheBackend) {
  ASSERT_TRUE(startWith({{&a_}, {&b_}}, kOutlier, {}, ""));
  b_.failAll(grpc::StatusCode::UNAVAILABLE);
  auto stub = this->stub();
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(unaryCall(*stub).ok());
  EXPECT_EQ(callsOn(b_), 3u);
  EXPECT_EQ(callsOn(a_), 20u);
}

TEST_F(OutlierTest, ApplicationErrorsNeverEject) {
  ASSERT_TRUE(startWith({{&a_}, {&b_}}, kOutlier));
  b_.failAll(grpc::StatusCode::NOT_FOUND);
  auto stub = this->stub();
  int not_found = 0;
  for (int i = 0; i < 30; ++i) {
    grpc::Status status = unaryCall(*stub);
    not_found += status.error_code() == grpc::StatusCode::NOT_FOUND ? 1 : 0;
  }
  EXPECT_EQ(not_found, 15);
  EXPECT_EQ(callsOn(b_), 15u);
}

TEST_F(OutlierTest, WithoutOutlierDetectionAFailingBackendKeepsGettingCalls) {
  ASSERT_TRUE(startWith({{&a_}, {&b_}}, "    loadBalancer: {simple: ROUND_ROBIN}\n"));
  b_.failAll(grpc::StatusCode::UNAVAILABLE);
  auto stub = this->stub();
  for (int i = 0; i < 20; ++i) unaryCall(*stub);
  EXPECT_EQ(callsOn(b_), 10u);
}

TEST_F(OutlierTest, CallsStayInTheGatewayZoneAndFailOverWhenItIsEjected) {
  ASSERT_TRUE(startWith({{&a_, "us-east/zone-a"}, {&b_, "us-east/zone-b"}},
                        "    outlierDetection: {consecutive5xxErrors: 2, interval: 1s, "
                        "baseEjectionTime: 30s}\n",
                        {"--locality", "us-east/zone-a"}));
  auto stub = this->stub();
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(unaryCall(*stub).ok());
  EXPECT_EQ(callsOn(a_), 20u);
  EXPECT_EQ(callsOn(b_), 0u);
  // Zone a's only host fails twice and is ejected (maxEjectionPercent lets one host go even
  // in a small cluster): the calls fail over to zone b.
  a_.failAll(grpc::StatusCode::UNAVAILABLE);
  EXPECT_FALSE(unaryCall(*stub).ok());
  EXPECT_FALSE(unaryCall(*stub).ok());
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(unaryCall(*stub).ok());
  EXPECT_EQ(callsOn(a_), 22u);
  EXPECT_EQ(callsOn(b_), 10u);
}

TEST_F(OutlierTest, LocalityDisabledSpreadsOverBothZones) {
  ASSERT_TRUE(
      startWith({{&a_, "us-east/zone-a"}, {&b_, "us-east/zone-b"}},
                std::string(kOutlier) + "    loadBalancer: {localityLbSetting: {enabled: false}}\n",
                {"--locality", "us-east/zone-a"}));
  auto stub = this->stub();
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(unaryCall(*stub).ok());
  EXPECT_EQ(callsOn(a_), 10u);
  EXPECT_EQ(callsOn(b_), 10u);
}

}  // namespace
}  // namespace meshgate::testing
