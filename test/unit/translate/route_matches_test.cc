// http[].match translation: what the golden route_matches.yaml shows, checked field by field,
// and the gateways restriction on a Gateway port shared by two Gateways.
#include "translate/route_matches.h"

#include <gtest/gtest.h>

#include "config/loader.h"
#include "translate/translate.h"
#include "unit/translate/translate_yaml.h"

namespace meshgate::translate {
namespace {

using Kind = ir::PathMatchKind;

constexpr const char* kPrelude = R"(apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public}
spec:
  servers:
  - port: {number: 80, name: grpc, protocol: GRPC}
    hosts: ["public.example.com"]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: internal}
spec:
  servers:
  - port: {number: 80, name: grpc, protocol: GRPC}
    hosts: ["internal.example.com"]
---
apiVersion: v1
kind: Service
metadata: {name: svc}
spec:
  ports: [{name: grpc, port: 50051}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: vs}
spec:
  hosts: ["public.example.com", "internal.example.com"]
  gateways: [public, internal]
)";

Translated run(const std::string& http) {
  return translateYaml(std::string(kPrelude) + http, {}, "vs.yaml");
}

// The routes of the virtual host for `domain` on the single listener.
const std::vector<ir::Route>& routesOf(const Translated& t, const std::string& domain) {
  static const std::vector<ir::Route> kNone;
  if (t.ir.listeners.size() != 1) return kNone;
  for (const auto& host : t.ir.listeners[0].virtual_hosts) {
    if (host.domains == std::vector<std::string>{domain}) return host.routes;
  }
  return kNone;
}

TEST(RouteMatchesTest, EveryConditionReachesTheIr) {
  Translated t = run(R"(  http:
  - match:
    - uri: {exact: /pkg.Svc/M}
      ignoreUriCase: true
      headers: {X-User: {exact: Alice}, x-debug: {}}
      withoutHeaders: {x-canary: {prefix: "t"}, x-trace: {}}
      queryParams: {v: {exact: "1"}, q: {}}
      authority: {prefix: public.}
      method: {exact: POST}
      scheme: {regex: "https?"}
      port: 80
    route: [{destination: {host: svc}}]
)");
  ASSERT_FALSE(t.diagnostics.hasErrors()) << t.diagnostics.format();
  const auto& routes = routesOf(t, "public.example.com");
  ASSERT_EQ(routes.size(), 1u);
  ASSERT_EQ(routes[0].matches.size(), 1u);
  const ir::RouteMatch& m = routes[0].matches[0];
  EXPECT_EQ(m.path, (ir::PathMatch{Kind::kExact, "/pkg.Svc/M", true}));
  ASSERT_EQ(m.headers.size(), 4u);
  EXPECT_EQ(m.headers[0], (ir::HeaderMatch{"x-user", {Kind::kExact, "Alice", false}, false}));
  EXPECT_EQ(m.headers[1], (ir::HeaderMatch{"x-debug", {}, false}));
  EXPECT_EQ(m.headers[2], (ir::HeaderMatch{"x-canary", {Kind::kPrefix, "t", false}, true}));
  EXPECT_EQ(m.headers[3], (ir::HeaderMatch{"x-trace", {}, true}));
  ASSERT_EQ(m.query_params.size(), 2u);
  EXPECT_EQ(m.query_params[0], (ir::QueryParamMatch{"v", {Kind::kExact, "1", false}}));
  EXPECT_EQ(m.query_params[1], (ir::QueryParamMatch{"q", {}}));
  EXPECT_EQ(m.authority, (ir::StringMatch{Kind::kPrefix, "public.", false}));
  EXPECT_EQ(m.method, (ir::StringMatch{Kind::kExact, "POST", false}));
  EXPECT_EQ(m.scheme, (ir::StringMatch{Kind::kRegex, "https?", false}));
  EXPECT_EQ(m.port, 80u);
}

TEST(RouteMatchesTest, GatewaysKeepAMatchOnlyWhereItsGatewayBindsTheHost) {
  Translated t = run(R"(  http:
  - match:
    - uri: {prefix: /a}
      gateways: [public]
    - uri: {prefix: /b}
    route: [{destination: {host: svc}}]
  - match:
    - gateways: [default/internal]
    route: [{destination: {host: svc}}]
  - match:
    - uri: {prefix: /c}
      gateways: [mesh]
    route: [{destination: {host: svc}}]
)");
  ASSERT_FALSE(t.diagnostics.hasErrors()) << t.diagnostics.format();
  const auto& public_routes = routesOf(t, "public.example.com");
  ASSERT_EQ(public_routes.size(), 1u);
  EXPECT_EQ(public_routes[0].matches.size(), 2u);

  const auto& internal_routes = routesOf(t, "internal.example.com");
  ASSERT_EQ(internal_routes.size(), 2u);
  ASSERT_EQ(internal_routes[0].matches.size(), 1u);
  EXPECT_EQ(internal_routes[0].matches[0].path.value, "/b");
  EXPECT_EQ(internal_routes[1].name, "default/vs.http[1]");
  EXPECT_TRUE(internal_routes[1].matches.empty());  // match-all, on this gateway only
}

TEST(RouteMatchesTest, InvalidRegexIsAnErrorAtItsPosition) {
  Translated t = run(R"(  http:
  - match:
    - queryParams: {v: {regex: "a(b"}}
    route: [{destination: {host: svc}}]
)");
  ASSERT_TRUE(t.diagnostics.hasErrors());
  EXPECT_NE(t.diagnostics.format().find(
                "vs.yaml:31:32: error: spec.http[0].match[0].queryParams.v.regex: invalid regex"),
            std::string::npos)
      << t.diagnostics.format();
}

TEST(RouteMatchesTest, SourceLabelsIsAWarningAndTheMatchStays) {
  Translated t = run(R"(  http:
  - match:
    - uri: {prefix: /a}
      sourceLabels: {app: client}
    route: [{destination: {host: svc}}]
)");
  ASSERT_FALSE(t.diagnostics.hasErrors());
  EXPECT_NE(t.diagnostics.format().find("spec.http[0].match[0].sourceLabels"), std::string::npos)
      << t.diagnostics.format();
  EXPECT_EQ(routesOf(t, "public.example.com").size(), 1u);
}

}  // namespace
}  // namespace meshgate::translate
