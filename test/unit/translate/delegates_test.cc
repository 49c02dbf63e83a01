// Delegate VirtualServices: the root's match ANDed into each delegate route, and what the
// delegate route inherits from the root.
#include "translate/delegates.h"

#include <gtest/gtest.h>

#include "config/loader.h"
#include "translate/translate.h"
#include "unit/translate/translate_yaml.h"

namespace meshgate::translate {
namespace {

constexpr const char* kBase = R"(apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  servers:
  - port: {number: 80, name: grpc, protocol: GRPC}
    hosts: ["*"]
---
apiVersion: v1
kind: Service
metadata: {name: svc}
spec:
  ports: [{name: grpc, port: 50051}]
---
)";

struct Result {
  std::vector<ir::Route> routes;
  std::string diagnostics;
};

Result run(const std::string& root_http, const std::string& leaf_http) {
  std::string yaml = std::string(kBase) +
                     "apiVersion: networking.istio.io/v1\nkind: VirtualService\n"
                     "metadata: {name: root}\nspec:\n  hosts: [a.example.com]\n"
                     "  gateways: [gw]\n  http:\n" +
                     root_http +
                     "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\n"
                     "metadata: {name: leaf}\nspec:\n  http:\n" +
                     leaf_http;
  Translated t = translateYaml(yaml, {}, "d.yaml");
  Result out;
  if (!t.ir.listeners.empty() && !t.ir.listeners[0].virtual_hosts.empty()) {
    out.routes = t.ir.listeners[0].virtual_hosts[0].routes;
  }
  out.diagnostics = t.diagnostics.format();
  return out;
}

TEST(DelegatesTest, RootPrefixNarrowedByLeafExactAndPrefix) {
  Result r = run(R"(  - match: [{uri: {prefix: /pkg.}}]
    delegate: {name: leaf}
)",
                 R"(  - match: [{uri: {exact: /pkg.A/Get}}]
    route: [{destination: {host: svc}}]
  - match: [{uri: {prefix: /pkg.B/}}, {uri: {prefix: /other.}}]
    route: [{destination: {host: svc}}]
  - route: [{destination: {host: svc}}]
)");
  // The second leaf route has a match outside the root's prefix: Istio drops the whole route.
  ASSERT_EQ(r.routes.size(), 2u) << r.diagnostics;
  EXPECT_EQ(r.routes[0].name, "default/root.http[0]:default/leaf.http[0]");
  EXPECT_EQ(r.routes[0].matches[0].path.kind, ir::PathMatchKind::kExact);
  EXPECT_EQ(r.routes[0].matches[0].path.value, "/pkg.A/Get");
  // A leaf without a match takes the root's.
  EXPECT_EQ(r.routes[1].matches[0].path.kind, ir::PathMatchKind::kPrefix);
  EXPECT_EQ(r.routes[1].matches[0].path.value, "/pkg.");
  EXPECT_NE(r.diagnostics.find("spec.http[1].match: this route of delegate default/leaf"),
            std::string::npos)
      << r.diagnostics;
}

TEST(DelegatesTest, RootExactNeedsTheSameExactAndRegexNeverCombines) {
  Result r = run(R"(  - match: [{uri: {exact: /pkg.A/Get}}]
    delegate: {name: leaf}
)",
                 R"(  - match: [{uri: {exact: /pkg.A/Get}}]
    route: [{destination: {host: svc}}]
  - match: [{uri: {prefix: /pkg.A/}}]
    route: [{destination: {host: svc}}]
  - match: [{uri: {regex: /pkg.A/.*}}]
    route: [{destination: {host: svc}}]
)");
  ASSERT_EQ(r.routes.size(), 1u) << r.diagnostics;
  EXPECT_EQ(r.routes[0].matches[0].path.value, "/pkg.A/Get");
}

TEST(DelegatesTest, LeafInheritsRewriteAndHeadersItDoesNotSet) {
  Result r = run(R"(  - match: [{uri: {prefix: /old.}}]
    rewrite: {uri: /new.}
    headers: {request: {set: {x-root: "1"}}}
    timeout: 2s
    delegate: {name: leaf}
)",
                 R"(  - headers: {request: {set: {x-leaf: "1"}}}
    route: [{destination: {host: svc}}]
)");
  ASSERT_EQ(r.routes.size(), 1u) << r.diagnostics;
  ASSERT_TRUE(r.routes[0].rewrite);
  EXPECT_EQ(r.routes[0].rewrite->uri, "/new.");
  EXPECT_EQ(r.routes[0].headers.request.set,
            (std::vector<std::pair<std::string, std::string>>{{"x-leaf", "1"}}));
  EXPECT_EQ(r.routes[0].timeout, std::chrono::milliseconds(2000));
}

TEST(DelegatesTest, AHostlessVirtualServiceNobodyNamesIsAnError) {
  Result r = run(R"(  - route: [{destination: {host: svc}}]
)",
                 R"(  - route: [{destination: {host: svc}}]
)");
  EXPECT_NE(r.diagnostics.find("error: spec.hosts: required field 'hosts' is missing"),
            std::string::npos)
      << r.diagnostics;
}

}  // namespace
}  // namespace meshgate::translate
