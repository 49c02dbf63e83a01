#include "router/request_matcher.h"

#include <gtest/gtest.h>

namespace meshgate::router {
namespace {

using Kind = ir::PathMatchKind;

ir::StringMatch str(Kind kind, std::string value, bool ignore_case = false) {
  return {kind, std::move(value), ignore_case};
}

// A gRPC request as a client sends it; tests add fields to `headers`.
struct Request {
  http::HeaderList headers;
  std::string path = "/pkg.Svc/Method";
  std::string authority = "grpc.example.com";
  std::string method = "POST";
  std::string scheme = "http";
  uint32_t port = 80;

  RequestView view() const { return {authority, path, method, scheme, &headers, port}; }
};

bool matches(const ir::RouteMatch& match, const Request& request) {
  auto compiled = compileMatch(match);
  EXPECT_TRUE(compiled.ok()) << compiled.status();
  return compiled.ok() && compiled->matches(request.view());
}

TEST(RequestMatcherTest, EmptyMatchMatchesEveryRequest) {
  Request request;
  EXPECT_TRUE(matches({}, request));
  EXPECT_TRUE(matches({}, Request{.path = "", .authority = "", .method = "", .scheme = ""}));
}

TEST(RequestMatcherTest, HeaderExactPrefixAndRegex) {
  Request request;
  request.headers.add("x-tenant", "acme-prod");
  EXPECT_TRUE(matches({.headers = {{"x-tenant", str(Kind::kExact, "acme-prod")}}}, request));
  EXPECT_FALSE(matches({.headers = {{"x-tenant", str(Kind::kExact, "acme")}}}, request));
  EXPECT_TRUE(matches({.headers = {{"x-tenant", str(Kind::kPrefix, "acme-")}}}, request));
  EXPECT_FALSE(matches({.headers = {{"x-tenant", str(Kind::kPrefix, "prod")}}}, request));
  EXPECT_TRUE(matches({.headers = {{"x-tenant", str(Kind::kRegex, "acme-(prod|dev)")}}}, request));
  // RE2 full match, like Envoy's safe_regex: no implicit search.
  EXPECT_FALSE(matches({.headers = {{"x-tenant", str(Kind::kRegex, "prod")}}}, request));
  // A condition on a header the request lacks fails whatever its kind.
  EXPECT_FALSE(matches({.headers = {{"x-other", str(Kind::kRegex, ".*")}}}, request));
}

TEST(RequestMatcherTest, HeaderValuesAreCaseSensitiveAndNamesAreLowerCase) {
  Request request;
  request.headers.add("x-tenant", "Acme");
  EXPECT_FALSE(matches({.headers = {{"x-tenant", str(Kind::kExact, "acme")}}}, request));
  EXPECT_TRUE(matches({.headers = {{"X-Tenant", str(Kind::kExact, "Acme")}}}, request));
}

TEST(RequestMatcherTest, EmptyHeaderMatchMeansPresent) {
  Request request;
  request.headers.add("x-debug", "");
  EXPECT_TRUE(matches({.headers = {{"x-debug", {}}}}, request));
  EXPECT_FALSE(matches({.headers = {{"x-trace", {}}}}, request));
}

TEST(RequestMatcherTest, RepeatedHeaderMatchesItsValuesJoinedWithComma) {
  Request request;
  request.headers.add("x-tag", "a");
  request.headers.add("x-tag", "b");
  EXPECT_TRUE(matches({.headers = {{"x-tag", str(Kind::kExact, "a,b")}}}, request));
  EXPECT_FALSE(matches({.headers = {{"x-tag", str(Kind::kExact, "a")}}}, request));
}

TEST(RequestMatcherTest, PseudoHeadersCanBeMatchedByName) {
  Request request;
  request.headers.add(":authority", "grpc.example.com");
  EXPECT_TRUE(
      matches({.headers = {{":authority", str(Kind::kExact, "grpc.example.com")}}}, request));
}

TEST(RequestMatcherTest, WithoutHeadersInvertsTheCondition) {
  Request request;
  request.headers.add("x-canary", "true");
  ir::HeaderMatch not_canary{"x-canary", str(Kind::kExact, "true"), true};
  EXPECT_FALSE(matches({.headers = {not_canary}}, request));
  request.headers.set("x-canary", "false");
  EXPECT_TRUE(matches({.headers = {not_canary}}, request));
  // An absent header satisfies any withoutHeaders condition.
  EXPECT_TRUE(matches({.headers = {not_canary}}, Request{}));
}

TEST(RequestMatcherTest, EmptyWithoutHeadersMatchMeansAbsent) {
  ir::HeaderMatch absent{"x-debug", {}, true};
  EXPECT_TRUE(matches({.headers = {absent}}, Request{}));
  Request request;
  request.headers.add("x-debug", "1");
  EXPECT_FALSE(matches({.headers = {absent}}, request));
}

TEST(RequestMatcherTest, AuthorityMethodAndScheme) {
  Request request;
  EXPECT_TRUE(matches({.authority = str(Kind::kExact, "grpc.example.com")}, request));
  EXPECT_FALSE(matches({.authority = str(Kind::kExact, "other.example.com")}, request));
  EXPECT_TRUE(matches({.authority = str(Kind::kRegex, ".*\\.example\\.com(:\\d+)?")}, request));
  EXPECT_TRUE(matches({.method = str(Kind::kExact, "POST")}, request));
  EXPECT_FALSE(matches({.method = str(Kind::kExact, "GET")}, request));
  EXPECT_TRUE(matches({.scheme = str(Kind::kExact, "http")}, request));
  EXPECT_FALSE(matches({.scheme = str(Kind::kExact, "https")}, request));
}

TEST(RequestMatcherTest, PortIsTheListenersGatewayPort) {
  Request request;
  EXPECT_TRUE(matches({.port = 80}, request));
  EXPECT_FALSE(matches({.port = 443}, request));
}

TEST(RequestMatcherTest, QueryParamsMatchDecodedValues) {
  Request request;
  request.path = "/search?q=a%20b&lang=en&flag&lang=fr";
  EXPECT_TRUE(matches({.query_params = {{"q", str(Kind::kExact, "a b")}}}, request));
  EXPECT_TRUE(matches({.query_params = {{"lang", str(Kind::kExact, "en")}}}, request));
  // The first occurrence is the parameter's value.
  EXPECT_FALSE(matches({.query_params = {{"lang", str(Kind::kExact, "fr")}}}, request));
  EXPECT_TRUE(matches({.query_params = {{"lang", str(Kind::kPrefix, "e")}}}, request));
  EXPECT_TRUE(matches({.query_params = {{"q", str(Kind::kRegex, "a\\s+b")}}}, request));
  EXPECT_TRUE(matches({.query_params = {{"flag", {}}}}, request));
  EXPECT_TRUE(matches({.query_params = {{"flag", str(Kind::kExact, "")}}}, request));
  EXPECT_FALSE(matches({.query_params = {{"missing", {}}}}, request));
}

TEST(RequestMatcherTest, QueryParameterParsing) {
  EXPECT_EQ(queryParameter("/p?a=1&b=2", "b"), "2");
  EXPECT_EQ(queryParameter("/p?a%5Fb=x", "a_b"), "x");
  EXPECT_EQ(queryParameter("/p?a=%zz%4", "a"), "%zz%4");  // malformed escapes stay
  EXPECT_EQ(queryParameter("/p?a=x+y", "a"), "x+y");      // '+' is not a space
  EXPECT_EQ(queryParameter("/p?a=1=2", "a"), "1=2");
  EXPECT_EQ(queryParameter("/p?&&a", "a"), "");
  EXPECT_EQ(queryParameter("/p", "a"), std::nullopt);
  EXPECT_EQ(queryParameter("/p?ab=1", "a"), std::nullopt);
}

TEST(RequestMatcherTest, PathIgnoresTheQueryStringAndIgnoreCaseAppliesToTheUriOnly) {
  Request request;
  request.path = "/PKG.Svc/Method?x=1";
  request.headers.add("x-env", "Prod");
  ir::RouteMatch match{.path = str(Kind::kExact, "/pkg.svc/method", true),
                       .headers = {{"x-env", str(Kind::kExact, "Prod")}}};
  EXPECT_TRUE(matches(match, request));
  match.headers[0].match.value = "prod";
  EXPECT_FALSE(matches(match, request));
}

TEST(RequestMatcherTest, ConditionsOfOneMatchAreAnded) {
  Request request;
  request.headers.add("x-user", "alice");
  ir::RouteMatch match{.path = str(Kind::kPrefix, "/pkg.Svc/"),
                       .method = str(Kind::kExact, "POST"),
                       .headers = {{"x-user", str(Kind::kExact, "alice")}},
                       .port = 80};
  EXPECT_TRUE(matches(match, request));
  for (int broken = 0; broken < 4; ++broken) {
    ir::RouteMatch narrower = match;
    if (broken == 0) narrower.path.value = "/other.Svc/";
    if (broken == 1) narrower.method->value = "PUT";
    if (broken == 2) narrower.headers[0].match.value = "bob";
    if (broken == 3) narrower.port = 8080;
    EXPECT_FALSE(matches(narrower, request)) << broken;
  }
}

TEST(RequestMatcherTest, InvalidRegexAnywhereIsAnError) {
  EXPECT_FALSE(compileMatch({.headers = {{"x", str(Kind::kRegex, "(")}}}).ok());
  EXPECT_FALSE(compileMatch({.authority = str(Kind::kRegex, "[")}).ok());
  EXPECT_FALSE(compileMatch({.query_params = {{"q", str(Kind::kRegex, "*")}}}).ok());
}

TEST(RequestMatcherTest, OnlyCaseSensitiveExactOrPrefixUrisAreIndexable) {
  auto pathOnly = [](const ir::RouteMatch& match) { return compileMatch(match)->pathOnly(); };
  EXPECT_TRUE(pathOnly({.path = str(Kind::kExact, "/a")}));
  EXPECT_TRUE(pathOnly({.path = str(Kind::kPrefix, "/a/")}));
  EXPECT_FALSE(pathOnly({.path = str(Kind::kPrefix, "/a/", true)}));
  EXPECT_FALSE(pathOnly({.path = str(Kind::kRegex, "/a")}));
  EXPECT_FALSE(pathOnly({}));
  EXPECT_FALSE(pathOnly({.path = str(Kind::kExact, "/a"), .port = 80}));
  EXPECT_FALSE(pathOnly({.path = str(Kind::kExact, "/a"), .headers = {{"x", {}}}}));
}

}  // namespace
}  // namespace meshgate::router
