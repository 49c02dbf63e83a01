#include "proxy/hash_key.h"

#include <gtest/gtest.h>

namespace meshgate::proxy {
namespace {

using Kind = upstream::HashKeyPolicy::Kind;

http::HeaderList headers(
    std::initializer_list<std::pair<std::string_view, std::string_view>> list) {
  http::HeaderList out;
  for (auto [name, value] : list) out.add(name, value);
  return out;
}

TEST(HashKeyTest, HeaderValueIsTheKey) {
  upstream::HashKeyPolicy policy{Kind::kHeader, "x-user"};
  auto a = computeHashKey(policy, headers({{"x-user", "alice"}}), "1.2.3.4:5", 1);
  auto b = computeHashKey(policy, headers({{"x-user", "alice"}}), "9.9.9.9:9", 2);
  auto c = computeHashKey(policy, headers({{"x-user", "bob"}}), "1.2.3.4:5", 1);
  ASSERT_TRUE(a.hash && b.hash && c.hash);
  EXPECT_EQ(*a.hash, *b.hash);
  EXPECT_NE(*a.hash, *c.hash);
  EXPECT_FALSE(computeHashKey(policy, headers({}), "1.2.3.4:5", 1).hash) << "missing: random";
}

TEST(HashKeyTest, SourceIpIgnoresThePort) {
  upstream::HashKeyPolicy policy{Kind::kSourceIp};
  EXPECT_EQ(computeHashKey(policy, headers({}), "10.0.0.1:1000", 1).hash,
            computeHashKey(policy, headers({}), "10.0.0.1:2000", 2).hash);
  EXPECT_EQ(computeHashKey(policy, headers({}), "[::1]:1000", 1).hash,
            computeHashKey(policy, headers({}), "[::1]:3000", 2).hash);
  EXPECT_NE(computeHashKey(policy, headers({}), "10.0.0.1:1000", 1).hash,
            computeHashKey(policy, headers({}), "10.0.0.2:1000", 1).hash);
}

TEST(HashKeyTest, QueryParameterIsDecodedLikeTheRouterSeesIt) {
  upstream::HashKeyPolicy policy{Kind::kQueryParameter, "user"};
  auto hashOf = [&](std::string_view path) {
    return computeHashKey(policy, headers({{":path", path}}), "10.0.0.1:1", 1).hash;
  };
  EXPECT_EQ(hashOf("/svc/M?a=1&user=x%20y"), hashOf("/svc/M?user=x y&b"));
  EXPECT_NE(hashOf("/svc/M?user=x"), hashOf("/svc/M?user=y"));
  EXPECT_NE(hashOf("/svc/M?users=x"), hashOf("/svc/M?user=x"));
}

TEST(HashKeyTest, CookiesAcrossSplitHeaders) {
  auto list = headers({{"cookie", "a=1; b=2"}, {"cookie", "session=abc"}});
  EXPECT_EQ(findCookie(list, "b"), "2");
  EXPECT_EQ(findCookie(list, "session"), "abc");
  EXPECT_FALSE(findCookie(list, "sess"));
}

TEST(HashKeyTest, MissingCookieWithTtlIsGeneratedAndSet) {
  upstream::HashKeyPolicy policy{Kind::kCookie, "affinity", std::chrono::seconds(90), "/"};
  HashKey generated = computeHashKey(policy, headers({}), "1.2.3.4:5", 0xabc);
  ASSERT_TRUE(generated.hash);
  EXPECT_EQ(generated.set_cookie, "affinity=0000000000000abc; Path=/; Max-Age=90; HttpOnly");
  // The client sending it back hashes to the same host and gets no new cookie.
  HashKey again =
      computeHashKey(policy, headers({{"cookie", "affinity=0000000000000abc"}}), "x:1", 7);
  EXPECT_EQ(again.hash, generated.hash);
  EXPECT_EQ(again.set_cookie, "");
  // Without a ttl a missing cookie is not generated: the pick is random.
  policy.cookie_ttl.reset();
  EXPECT_FALSE(computeHashKey(policy, headers({}), "1.2.3.4:5", 1).hash);
}

}  // namespace
}  // namespace meshgate::proxy
