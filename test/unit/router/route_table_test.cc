#include "router/route_table.h"

#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace meshgate::router {
namespace {

ir::PathMatch exact(std::string value, bool ignore_case = false) {
  return {ir::PathMatchKind::kExact, std::move(value), ignore_case};
}
ir::PathMatch prefix(std::string value, bool ignore_case = false) {
  return {ir::PathMatchKind::kPrefix, std::move(value), ignore_case};
}
ir::PathMatch regex(std::string value, bool ignore_case = false) {
  return {ir::PathMatchKind::kRegex, std::move(value), ignore_case};
}

ir::Route route(std::string name, std::vector<ir::PathMatch> matches,
                std::vector<ir::WeightedCluster> clusters = {{"backend", 100}}) {
  ir::Route out;
  out.name = std::move(name);
  for (auto& match : matches) out.matches.push_back({.path = std::move(match)});
  out.clusters = std::move(clusters);
  return out;
}

ir::VirtualHost virtualHost(std::string name, std::vector<std::string> domains,
                            std::vector<ir::Route> routes) {
  return {std::move(name), std::move(domains), std::move(routes)};
}

// A virtual host whose single catch-all route is named after the host, to see which one won.
ir::VirtualHost hostNamed(std::string name, std::vector<std::string> domains) {
  return virtualHost(name, std::move(domains), {route(name, {})});
}

const std::map<std::string, uint32_t> kClusters = {
    {"backend", 0}, {"canary", 1}, {"stable", 2}, {"legacy", 3}};

std::optional<uint32_t> clusterIndex(std::string_view name) {
  auto it = kClusters.find(std::string(name));
  if (it == kClusters.end()) return std::nullopt;
  return it->second;
}

// The name of the route that serves authority and path, or "" for none. The IR routes must
// outlive the table, so tests keep the listener alive through this fixture.
class RouteTableTest : public ::testing::Test {
 protected:
  void use(std::vector<ir::VirtualHost> virtual_hosts) {
    listener_.virtual_hosts = std::move(virtual_hosts);
    auto table = RouteTable::build(listener_, clusterIndex);
    ASSERT_TRUE(table.ok()) << table.status();
    table_.emplace(std::move(*table));
  }
  std::string routeFor(std::string_view authority, std::string_view path = "/pkg.Svc/Method") {
    RequestView request{.authority = authority, .path = path};
    const CompiledRoute* matched = table_->match(request);
    // The index must give exactly what the plain in-order scan gives.
    EXPECT_EQ(matched, table_->matchInOrder(request)) << authority << path;
    return matched == nullptr ? "" : matched->route->name;
  }
  // One host "*" with the given routes.
  void useRoutes(std::vector<ir::Route> routes) {
    use({virtualHost("all", {"*"}, std::move(routes))});
  }

  ir::Listener listener_;
  std::optional<RouteTable> table_;
};

TEST_F(RouteTableTest, ExactDomainWinsOverWildcardAndCatchAll) {
  use({hostNamed("catch-all", {"*"}), hostNamed("wildcard", {"*.example.com"}),
       hostNamed("exact", {"grpc.example.com"})});
  EXPECT_EQ(routeFor("grpc.example.com"), "exact");
}

TEST_F(RouteTableTest, WildcardWinsOverCatchAll) {
  use({hostNamed("catch-all", {"*"}), hostNamed("wildcard", {"*.example.com"})});
  EXPECT_EQ(routeFor("api.example.com"), "wildcard");
  EXPECT_EQ(routeFor("api.example.org"), "catch-all");
}

TEST_F(RouteTableTest, LongestWildcardSuffixWins) {
  use({hostNamed("short", {"*.example.com"}), hostNamed("long", {"*.api.example.com"}),
       hostNamed("middle", {"*.pi.example.com"})});
  EXPECT_EQ(routeFor("v1.api.example.com"), "long");
  EXPECT_EQ(routeFor("v1.web.example.com"), "short");
}

TEST_F(RouteTableTest, WildcardNeedsSomethingBeforeItsSuffix) {
  use({hostNamed("wildcard", {"*.example.com"})});
  EXPECT_EQ(routeFor("example.com"), "");
  EXPECT_EQ(routeFor(".example.com"), "");
  EXPECT_EQ(routeFor("a.example.com"), "wildcard");
}

TEST_F(RouteTableTest, PortIsStrippedFromTheAuthority) {
  use({hostNamed("exact", {"grpc.example.com"}), hostNamed("wildcard", {"*.example.org"})});
  EXPECT_EQ(routeFor("grpc.example.com:8443"), "exact");
  EXPECT_EQ(routeFor("grpc.example.com:443"), "exact");
  EXPECT_EQ(routeFor("a.example.org:80"), "wildcard");
}

TEST_F(RouteTableTest, Ipv6AuthorityMatchesItsBracketedDomain) {
  use({hostNamed("v6", {"[::1]"})});
  EXPECT_EQ(routeFor("[::1]:8080"), "v6");
  EXPECT_EQ(routeFor("[::1]"), "v6");
}

TEST_F(RouteTableTest, HostMatchIgnoresCase) {
  use({hostNamed("exact", {"Grpc.Example.com"}), hostNamed("wildcard", {"*.EXAMPLE.org"})});
  EXPECT_EQ(routeFor("GRPC.example.COM"), "exact");
  EXPECT_EQ(routeFor("Api.Example.Org:443"), "wildcard");
}

TEST_F(RouteTableTest, UnknownHostWithoutCatchAllMatchesNothing) {
  use({hostNamed("exact", {"grpc.example.com"})});
  EXPECT_EQ(routeFor("other.example.com"), "");
  EXPECT_EQ(routeFor(""), "");
  EXPECT_EQ(table_->findVirtualHost("other.example.com"), nullptr);
}

TEST_F(RouteTableTest, FirstHostListingADomainKeepsIt) {
  use({hostNamed("first", {"grpc.example.com", "*"}), hostNamed("second", {"grpc.example.com"}),
       hostNamed("third", {"*"})});
  EXPECT_EQ(routeFor("grpc.example.com"), "first");
  EXPECT_EQ(routeFor("unknown.example.com"), "first");
}

TEST_F(RouteTableTest, ExactPathMatchesOnlyTheWholePath) {
  useRoutes({route("exact", {exact("/pkg.Svc/Method")})});
  EXPECT_EQ(routeFor("h", "/pkg.Svc/Method"), "exact");
  EXPECT_EQ(routeFor("h", "/pkg.Svc/MethodTwo"), "");
  EXPECT_EQ(routeFor("h", "/pkg.Svc/"), "");
  EXPECT_EQ(routeFor("h", "/pkg.svc/method"), "");
}

TEST_F(RouteTableTest, ExactPathIgnoresTheQueryString) {
  useRoutes({route("exact", {exact("/pkg.Svc/Method")})});
  EXPECT_EQ(routeFor("h", "/pkg.Svc/Method?debug=1"), "exact");
  EXPECT_EQ(routeFor("h", "/pkg.Svc/Method?"), "exact");
}

TEST_F(RouteTableTest, PrefixMatchesAServiceAndEverythingUnderIt) {
  useRoutes({route("service", {prefix("/pkg.Svc/")})});
  EXPECT_EQ(routeFor("h", "/pkg.Svc/Method"), "service");
  EXPECT_EQ(routeFor("h", "/pkg.Svc/"), "service");
  EXPECT_EQ(routeFor("h", "/pkg.Svc2/Method"), "");
  EXPECT_EQ(routeFor("h", "/pkg.svc/Method"), "");
}

TEST_F(RouteTableTest, RegexMustMatchTheWholePathWithoutQuery) {
  useRoutes({route("regex", {regex("/pkg\\.Svc/(Get|List)[A-Za-z]*")})});
  EXPECT_EQ(routeFor("h", "/pkg.Svc/GetUser"), "regex");
  EXPECT_EQ(routeFor("h", "/pkg.Svc/ListUsers?page=2"), "regex");
  EXPECT_EQ(routeFor("h", "/pkg.Svc/DeleteUser"), "");
  EXPECT_EQ(routeFor("h", "/x/pkg.Svc/GetUser"), "");  // no implicit search
  EXPECT_EQ(routeFor("h", "/pkg.Svc/getUser"), "");
}

TEST_F(RouteTableTest, IgnoreCaseAppliesToEveryMatchKind) {
  useRoutes({route("exact", {exact("/Pkg.Svc/Get", true)}),
             route("prefix", {prefix("/PKG.Other/", true)}),
             route("regex", {regex("/pkg\\.third/[a-z]+", true)})});
  EXPECT_EQ(routeFor("h", "/pkg.svc/GET"), "exact");
  EXPECT_EQ(routeFor("h", "/pkg.other/Method"), "prefix");
  EXPECT_EQ(routeFor("h", "/PKG.Third/METHOD"), "regex");
}

TEST_F(RouteTableTest, FirstMatchWinsOverLongerPrefix) {
  useRoutes({route("short", {prefix("/pkg.")}), route("long", {prefix("/pkg.Svc/")}),
             route("exact", {exact("/pkg.Svc/Method")})});
  EXPECT_EQ(routeFor("h", "/pkg.Svc/Method"), "short");
}

TEST_F(RouteTableTest, LaterRouteServesWhatEarlierOnesMiss) {
  useRoutes({route("method", {exact("/pkg.Svc/Method")}), route("service", {prefix("/pkg.Svc/")}),
             route("default", {})});
  EXPECT_EQ(routeFor("h", "/pkg.Svc/Method"), "method");
  EXPECT_EQ(routeFor("h", "/pkg.Svc/Other"), "service");
  EXPECT_EQ(routeFor("h", "/other.Svc/Method"), "default");
}

TEST_F(RouteTableTest, MatchesOfOneRouteAreOred) {
  useRoutes({route("either", {exact("/a.A/X"), prefix("/b.B/")})});
  EXPECT_EQ(routeFor("h", "/a.A/X"), "either");
  EXPECT_EQ(routeFor("h", "/b.B/Y"), "either");
  EXPECT_EQ(routeFor("h", "/c.C/Z"), "");
}

TEST_F(RouteTableTest, RouteWithoutMatchesMatchesEveryPath) {
  useRoutes({route("any", {})});
  EXPECT_EQ(routeFor("h", "/"), "any");
  EXPECT_EQ(routeFor("h", ""), "any");
}

TEST_F(RouteTableTest, HostWithoutRoutesMatchesNothing) {
  use({virtualHost("empty", {"*"}, {})});
  EXPECT_NE(table_->findVirtualHost("h"), nullptr);
  EXPECT_EQ(routeFor("h"), "");
}

TEST_F(RouteTableTest, ClustersResolveToTheirIndexes) {
  useRoutes({route("split", {}, {{"canary", 10}, {"stable", 90}})});
  const CompiledRoute* matched = table_->match({.authority = "h", .path = "/"});
  ASSERT_NE(matched, nullptr);
  ASSERT_EQ(matched->targets.size(), 2u);
  EXPECT_EQ(matched->targets[0].cluster_index, 1u);
  EXPECT_EQ(matched->targets[1].cluster_index, 2u);
  EXPECT_EQ(matched->total_weight, 100u);
}

TEST_F(RouteTableTest, ZeroWeightClusterIsNeverPicked) {
  useRoutes({route("split", {}, {{"canary", 0}, {"stable", 1}})});
  const CompiledRoute* matched = table_->match({.authority = "h", .path = "/"});
  ASSERT_NE(matched, nullptr);
  ASSERT_EQ(matched->targets.size(), 1u);
  for (uint64_t random : {0ull, 1ull, 99ull, ~0ull}) {
    EXPECT_EQ(matched->pick(random).cluster_index, 2u);
  }
}

TEST(RouteTableBuildTest, UnknownClusterIsAnErrorNamingRouteAndCluster) {
  ir::Listener listener;
  listener.virtual_hosts = {
      virtualHost("h", {"*"}, {route("ns/vs.http[0]", {}, {{"outbound|50051||nope", 100}})})};
  auto table = RouteTable::build(listener, clusterIndex);
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(table.status().message()),
            "route ns/vs.http[0] names unknown cluster outbound|50051||nope");
}

TEST(RouteTableBuildTest, RegexThatDoesNotCompileIsAnError) {
  ir::Listener listener;
  listener.virtual_hosts = {virtualHost("h", {"*"}, {route("bad", {regex("/pkg.(Svc")})})};
  auto table = RouteTable::build(listener, clusterIndex);
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(std::string(table.status().message())
                  .starts_with("route bad: path regex '/pkg.(Svc' does not compile"))
      << table.status();
}

// Picks over the routes of a table, which must outlive them as the IR must outlive the table.
using CompiledRouteTest = RouteTableTest;

TEST_F(CompiledRouteTest, WeightedPickFollowsTheWeights) {
  useRoutes({route("split", {}, {{"backend", 70}, {"canary", 20}, {"stable", 10}})});
  const CompiledRoute* split = table_->match({.authority = "h", .path = "/"});
  ASSERT_NE(split, nullptr);
  std::mt19937_64 random(20240601);  // a fixed sequence: the test is deterministic
  constexpr int kPicks = 100000;
  std::map<uint32_t, int> picks;
  for (int i = 0; i < kPicks; ++i) ++picks[split->pick(random()).cluster_index];
  EXPECT_NEAR(picks[0], 70000, 1000);
  EXPECT_NEAR(picks[1], 20000, 1000);
  EXPECT_NEAR(picks[2], 10000, 1000);
  EXPECT_EQ(picks.size(), 3u);
}

TEST_F(CompiledRouteTest, PickWalksTheCumulativeWeights) {
  useRoutes({route("split", {}, {{"canary", 1}, {"stable", 3}})});
  const CompiledRoute* split = table_->match({.authority = "h", .path = "/"});
  ASSERT_NE(split, nullptr);
  // random % 4: 0 → canary; 1, 2, 3 → stable.
  EXPECT_EQ(split->pick(0).cluster_index, 1u);
  EXPECT_EQ(split->pick(1).cluster_index, 2u);
  EXPECT_EQ(split->pick(3).cluster_index, 2u);
  EXPECT_EQ(split->pick(4).cluster_index, 1u);
}

TEST_F(CompiledRouteTest, SingleTargetIsAlwaysPicked) {
  useRoutes({route("one", {}, {{"legacy", 5}})});
  const CompiledRoute* one = table_->match({.authority = "h", .path = "/"});
  ASSERT_NE(one, nullptr);
  for (uint64_t random : {0ull, 4ull, 5ull, ~0ull}) EXPECT_EQ(one->pick(random).cluster_index, 3u);
}

TEST(NormalizeHostTest, StripsPortAndLowerCases) {
  struct Row {
    const char* authority;
    const char* host;
  };
  const Row rows[] = {
      {"grpc.example.com", "grpc.example.com"},
      {"GRPC.Example.com:443", "grpc.example.com"},
      {"10.0.0.1:50051", "10.0.0.1"},
      {"[2001:DB8::1]:443", "[2001:db8::1]"},
      {"[::1]", "[::1]"},
      {"", ""},
      {"host:", "host"},
  };
  for (const Row& row : rows) EXPECT_EQ(normalizeHost(row.authority), row.host) << row.authority;
}

}  // namespace
}  // namespace meshgate::router
