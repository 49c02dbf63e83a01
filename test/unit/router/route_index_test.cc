#include "router/route_index.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "router/route_table.h"

namespace meshgate::router {
namespace {

using Kind = ir::PathMatchKind;

TEST(PrefixTreeTest, LowestRouteAmongPrefixesOfThePath) {
  PrefixTree tree;
  tree.insert("/pkg.Svc/", 5);
  tree.insert("/pkg.Svc/Method", 2);
  tree.insert("/pkg.", 9);
  tree.insert("/pkg.Other/", 1);
  EXPECT_EQ(tree.lowest("/pkg.Svc/Method"), 2u);
  EXPECT_EQ(tree.lowest("/pkg.Svc/MethodTwo"), 2u);
  EXPECT_EQ(tree.lowest("/pkg.Svc/Other"), 5u);
  EXPECT_EQ(tree.lowest("/pkg.Svc"), 9u);
  EXPECT_EQ(tree.lowest("/pkg.Other/X"), 1u);
  EXPECT_EQ(tree.lowest("/pk"), kNoRoute);
  EXPECT_EQ(tree.lowest(""), kNoRoute);
}

TEST(PrefixTreeTest, SplittingAnEdgeKeepsBothPrefixes) {
  PrefixTree tree;
  tree.insert("/abcdef", 3);
  tree.insert("/abc", 4);  // ends inside the first edge
  tree.insert("/abx", 1);  // diverges inside it
  EXPECT_EQ(tree.lowest("/abcdefg"), 3u);
  EXPECT_EQ(tree.lowest("/abcd"), 4u);
  EXPECT_EQ(tree.lowest("/abx/y"), 1u);
  EXPECT_EQ(tree.lowest("/ab"), kNoRoute);
}

TEST(PrefixTreeTest, EmptyPrefixMatchesEverythingAndTheLowestRouteKeepsAPrefix) {
  PrefixTree tree;
  tree.insert("/a", 7);
  tree.insert("/a", 3);
  tree.insert("/a", 8);
  EXPECT_EQ(tree.lowest("/a"), 3u);
  tree.insert("", 6);
  EXPECT_EQ(tree.lowest("/b"), 6u);
  EXPECT_EQ(tree.lowest(""), 6u);
  EXPECT_EQ(tree.lowest("/a/b"), 3u);
}

// Random virtual hosts mixing indexed routes (exact, prefix) with routes that must be scanned
// (regex, ignore case, headers, catch-all), and random requests: match() and matchInOrder()
// must agree on every request.
class RouteIndexEquivalenceTest : public ::testing::TestWithParam<int> {};

std::string randomPath(std::mt19937& rng) {
  static const char* const kPieces[] = {"/", "pkg", ".", "Svc", "1", "2",    "/",
                                        "M", "m",   "?", "x=1", "&", "Other"};
  std::string out;
  int pieces = static_cast<int>(rng() % 7);
  for (int i = 0; i < pieces; ++i) out += kPieces[rng() % std::size(kPieces)];
  return out;
}

ir::Route randomRoute(std::mt19937& rng, int index) {
  ir::Route route;
  route.name = "r" + std::to_string(index);
  route.clusters = {{"c", 100}};
  int matches = static_cast<int>(rng() % 3);
  for (int m = 0; m < matches; ++m) {
    ir::RouteMatch match;
    uint32_t roll = rng() % 10;
    match.path.kind = roll < 4 ? Kind::kExact : roll < 8 ? Kind::kPrefix : Kind::kAny;
    match.path.value = randomPath(rng);
    if (rng() % 8 == 0) match.path.ignore_case = true;
    if (rng() % 10 == 0) {
      match.path.kind = Kind::kRegex;
      match.path.value = "/pkg\\.Svc.*";
    }
    if (rng() % 10 == 0) match.headers.push_back({"x-a", {Kind::kExact, "1", false}, false});
    if (rng() % 20 == 0) match.port = static_cast<uint32_t>(80 + rng() % 2);
    route.matches.push_back(std::move(match));
  }
  return route;
}

TEST_P(RouteIndexEquivalenceTest, IndexGivesTheSameRouteAsTheInOrderScan) {
  std::mt19937 rng(static_cast<uint32_t>(GetParam()));
  ir::Listener listener;
  ir::VirtualHost host{"h", {"*"}, {}};
  int routes = 1 + static_cast<int>(rng() % (GetParam() % 2 == 0 ? 20 : 400));
  for (int i = 0; i < routes; ++i) host.routes.push_back(randomRoute(rng, i));
  listener.virtual_hosts = {std::move(host)};
  auto table = RouteTable::build(listener, [](std::string_view) { return 0u; });
  ASSERT_TRUE(table.ok()) << table.status();
  for (int i = 0; i < 500; ++i) {
    http::HeaderList headers;
    if (rng() % 2) headers.add("x-a", "1");
    std::string path = randomPath(rng);
    RequestView request{"h", path, "POST", "http", &headers, static_cast<uint32_t>(80 + rng() % 2)};
    const CompiledRoute* indexed = table->match(request);
    const CompiledRoute* scanned = table->matchInOrder(request);
    ASSERT_EQ(indexed, scanned) << "path '" << path << "': index found "
                                << (indexed ? indexed->route->name : "none") << ", scan found "
                                << (scanned ? scanned->route->name : "none");
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, RouteIndexEquivalenceTest, ::testing::Range(0, 200));

TEST(RouteIndexTest, ScannedRouteBeforeTheIndexedOneWinsAndAfterItDoesNot) {
  ir::Listener listener;
  ir::Route header_route;
  header_route.name = "header";
  header_route.matches = {{.headers = {{"x-a", {Kind::kExact, "1", false}, false}}}};
  header_route.clusters = {{"c", 100}};
  ir::Route exact_route;
  exact_route.name = "exact";
  exact_route.matches = {{.path = {Kind::kExact, "/pkg.Svc/M", false}}};
  exact_route.clusters = {{"c", 100}};
  ir::Route catch_all;
  catch_all.name = "all";
  catch_all.clusters = {{"c", 100}};
  listener.virtual_hosts = {{"h", {"*"}, {header_route, exact_route, catch_all}}};
  auto table = RouteTable::build(listener, [](std::string_view) { return 0u; });
  ASSERT_TRUE(table.ok());
  http::HeaderList with_header;
  with_header.add("x-a", "1");
  http::HeaderList without;
  auto name = [&](const http::HeaderList& headers, std::string_view path) {
    const CompiledRoute* route = table->match({"h", path, "POST", "http", &headers, 80});
    return route ? route->route->name : "";
  };
  EXPECT_EQ(name(with_header, "/pkg.Svc/M"), "header");
  EXPECT_EQ(name(without, "/pkg.Svc/M"), "exact");
  EXPECT_EQ(name(without, "/pkg.Svc/Other"), "all");
  EXPECT_EQ(table->findVirtualHost("h")->index.scannedCount(), 2u);
}

}  // namespace
}  // namespace meshgate::router
