#include "proxy/route_actions.h"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "proxy/local_reply.h"

namespace meshgate::proxy {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

ir::Route routeWith(std::vector<ir::PathMatch> paths) {
  ir::Route route;
  for (auto& path : paths) route.matches.push_back({.path = std::move(path)});
  return route;
}

Fields fieldsOf(const std::vector<http::HeaderView>& headers) {
  Fields out;
  for (http::HeaderView field : headers) out.emplace_back(field.name, field.value);
  return out;
}

TEST(RouteActionsTest, RewriteReplacesTheMatchedPrefix) {
  ir::Route route = routeWith({{ir::PathMatchKind::kPrefix, "/old.Svc/", false}});
  EXPECT_EQ(rewritePath(route, "/old.Svc/Method", "/new.Svc/"), "/new.Svc/Method");
  EXPECT_EQ(rewritePath(route, "/old.Svc/Method?a=1", "/new.Svc/"), "/new.Svc/Method?a=1");
}

TEST(RouteActionsTest, RewriteHonoursIgnoreCaseAndPicksTheCoveringPrefix) {
  ir::Route route = routeWith({{ir::PathMatchKind::kPrefix, "/a.Svc/", false},
                               {ir::PathMatchKind::kPrefix, "/old.svc/", true}});
  EXPECT_EQ(rewritePath(route, "/OLD.Svc/M", "/x/"), "/x/M");
}

TEST(RouteActionsTest, RewriteReplacesTheWholePathOtherwise) {
  ir::Route exact = routeWith({{ir::PathMatchKind::kExact, "/old/whoami", false}});
  EXPECT_EQ(rewritePath(exact, "/old/whoami?v=2", "/pkg.Svc/Whoami"), "/pkg.Svc/Whoami?v=2");
  ir::Route any;
  EXPECT_EQ(rewritePath(any, "/a/b", "/c"), "/c");
}

TEST(RouteActionsTest, RedirectKeepsWhatItDoesNotSet) {
  ir::Redirect uri_only{.uri = "/new"};
  EXPECT_EQ(redirectLocation(uri_only, "https", "h.example.com:8443", "/old?q=1"),
            "https://h.example.com:8443/new?q=1");
  ir::Redirect with_query{.uri = "/new?x=2"};
  EXPECT_EQ(redirectLocation(with_query, "http", "h", "/old?q=1"), "http://h/new?x=2");
  ir::Redirect port_and_scheme{.scheme = "https", .port = 443};
  EXPECT_EQ(redirectLocation(port_and_scheme, "http", "h.example.com:80", "/p"),
            "https://h.example.com:443/p");
  ir::Redirect authority{.authority = "other.example.com"};
  EXPECT_EQ(redirectLocation(authority, "", "h", "/p"), "http://other.example.com/p");
  ir::Redirect v6_port{.port = 9000};
  EXPECT_EQ(redirectLocation(v6_port, "http", "[::1]:80", "/p"), "http://[::1]:9000/p");
}

TEST(RouteActionsTest, ShadowSuffixGoesBeforeThePort) {
  EXPECT_EQ(shadowAuthority("grpc.example.com"), "grpc.example.com-shadow");
  EXPECT_EQ(shadowAuthority("grpc.example.com:8080"), "grpc.example.com-shadow:8080");
  EXPECT_EQ(shadowAuthority("[::1]:80"), "[::1]-shadow:80");
}

TEST(RouteActionsTest, RequestMutationRemovesSetsThenAdds) {
  ir::HeaderMutation mutation{.set = {{"x-tenant", "blue"}},
                              .add = {{"x-trace", "1"}, {"x-keep", "2"}},
                              .remove = {"x-drop"}};
  std::vector<http::HeaderView> headers = {
      {":path", "/p"}, {"x-tenant", "red"}, {"x-drop", "1"}, {"x-keep", "1"}, {"x-tenant", "x"}};
  applyRequestMutation(mutation, headers);
  EXPECT_EQ(fieldsOf(headers), (Fields{{":path", "/p"},
                                       {"x-keep", "1"},
                                       {"x-tenant", "blue"},
                                       {"x-trace", "1"},
                                       {"x-keep", "2"}}));
}

TEST(RouteActionsTest, ResponseMutationOnAnOwnedBlock) {
  ir::HeaderMutation mutation{
      .set = {{"x-served-by", "meshgate"}}, .add = {{"x-a", "2"}}, .remove = {"server"}};
  http::HeaderList headers;
  headers.add(":status", "200");
  headers.add("server", "backend");
  headers.add("x-served-by", "backend");
  headers.add("x-a", "1");
  applyResponseMutation(mutation, headers);
  Fields fields;
  for (http::HeaderView field : headers) fields.emplace_back(field.name, field.value);
  EXPECT_EQ(fields,
            (Fields{{":status", "200"}, {"x-a", "1"}, {"x-served-by", "meshgate"}, {"x-a", "2"}}));
}

TEST(RouteActionsTest, PickedDestinationSkipsZeroWeights) {
  ir::Route route;
  route.clusters = {{"a", 0, {}}, {"b", 30, {}}, {"c", 70, {}}};
  router::CompiledRoute compiled{&route, {}, {{1, 30}, {2, 100}}, 100};
  EXPECT_EQ(pickedDestination(compiled, compiled.targets[0])->cluster, "b");
  EXPECT_EQ(pickedDestination(compiled, compiled.targets[1])->cluster, "c");
}

TEST(RouteActionsTest, DirectReplyIsVerbatim) {
  LocalReply reply = directReply({503, "down"});
  EXPECT_TRUE(reply.verbatim);
  http::HeaderList headers = httpReplyHeaders(reply);
  EXPECT_EQ(headers.get(":status"), "503");
  EXPECT_EQ(headers.get("content-type"), "text/plain");
  EXPECT_EQ(headers.get("content-length"), "4");
  LocalReply redirect = redirectReply("http://h/p", 308);
  EXPECT_EQ(httpReplyHeaders(redirect).get("location"), "http://h/p");
  EXPECT_EQ(httpReplyHeaders(redirect).get("content-length"), "0");
}

}  // namespace
}  // namespace meshgate::proxy
