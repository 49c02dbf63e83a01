#include "translate/hosts.h"

#include <gtest/gtest.h>

namespace meshgate::translate {
namespace {

TEST(HostCoversTest, WildcardsFollowIstio) {
  struct Case {
    const char* pattern;
    const char* host;
    bool covers;
  };
  const Case cases[] = {
      {"*", "grpc.example.com", true},
      {"*", "*.example.com", true},
      {"grpc.example.com", "grpc.example.com", true},
      {"GRPC.example.com", "grpc.EXAMPLE.com", true},
      {"grpc.example.com", "api.example.com", false},
      {"*.example.com", "grpc.example.com", true},
      {"*.example.com", "a.b.example.com", true},
      {"*.example.com", "*.a.example.com", true},
      {"*.example.com", "example.com", false},
      {"*.example.com", "grpc.example.org", false},
      {"*.a.example.com", "*.example.com", false},
      {"grpc.example.com", "*", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(hostCovers(c.pattern, c.host), c.covers) << c.pattern << " vs " << c.host;
  }
}

TEST(IntersectHostsTest, PicksTheNarrowerHost) {
  EXPECT_EQ(intersectHosts("*", "grpc.example.com"), "grpc.example.com");
  EXPECT_EQ(intersectHosts("grpc.example.com", "*.example.com"), "grpc.example.com");
  EXPECT_EQ(intersectHosts("*.example.com", "grpc.example.com"), "grpc.example.com");
  EXPECT_EQ(intersectHosts("*.example.com", "*"), "*.example.com");
  EXPECT_EQ(intersectHosts("a.example.com", "b.example.com"), std::nullopt);
}

TEST(ParseServerHostTest, NamespaceForms) {
  EXPECT_EQ(parseServerHost("grpc.example.com", "gw"), (ServerHost{"*", "grpc.example.com"}));
  EXPECT_EQ(parseServerHost("*/grpc.example.com", "gw"), (ServerHost{"*", "grpc.example.com"}));
  EXPECT_EQ(parseServerHost("prod/grpc.example.com", "gw"),
            (ServerHost{"prod", "grpc.example.com"}));
  EXPECT_EQ(parseServerHost("./grpc.example.com", "gw"), (ServerHost{"gw", "grpc.example.com"}));
  EXPECT_EQ(parseServerHost("/grpc.example.com", "gw"), std::nullopt);
  EXPECT_EQ(parseServerHost("ns/", "gw"), std::nullopt);
  EXPECT_EQ(parseServerHost("a/b/c", "gw"), std::nullopt);
}

TEST(ResolveFqdnTest, ShortNamesResolveInTheGivenNamespace) {
  EXPECT_EQ(resolveFqdn("grpc-service", "default"), "grpc-service.default.svc.cluster.local");
  EXPECT_EQ(resolveFqdn("grpc-service", "prod"), "grpc-service.prod.svc.cluster.local");
  EXPECT_EQ(resolveFqdn("grpc-service.prod", "default"), "grpc-service.prod");
  EXPECT_EQ(resolveFqdn("api.example.com", "default"), "api.example.com");
  EXPECT_EQ(resolveFqdn("*", "default"), "*");
}

TEST(ResolveGatewayNameTest, ShortQualifiedAndMesh) {
  EXPECT_EQ(resolveGatewayName("grpc-gateway", "default"), "default/grpc-gateway");
  EXPECT_EQ(resolveGatewayName("istio-system/grpc-gateway", "default"),
            "istio-system/grpc-gateway");
  EXPECT_EQ(resolveGatewayName("grpc-gateway.istio-system.svc.cluster.local", "default"),
            "istio-system/grpc-gateway");
  EXPECT_EQ(resolveGatewayName("mesh", "default"), std::nullopt);
  EXPECT_EQ(resolveGatewayName("/x", "default"), std::nullopt);
}

}  // namespace
}  // namespace meshgate::translate
