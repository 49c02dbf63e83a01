#include "config/scalars.h"

#include <gtest/gtest.h>

namespace meshgate::config {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(ParseDurationTest, AcceptsIstioForms) {
  struct Case {
    const char* text;
    Duration expected;
  };
  const Case cases[] = {
      {"0s", Duration::zero()},     {"0", Duration::zero()},     {"1.5s", milliseconds(1500)},
      {"100ms", milliseconds(100)}, {"1m", minutes(1)},          {"24h", hours(24)},
      {"1h30m", minutes(90)},       {"0.1s", milliseconds(100)}, {"250us", Duration(250'000)},
      {"60s", seconds(60)},         {"20s", seconds(20)},        {"7ns", Duration(7)},
  };
  for (const Case& c : cases) {
    std::optional<Duration> parsed = parseDuration(c.text);
    ASSERT_TRUE(parsed.has_value()) << c.text;
    EXPECT_EQ(*parsed, c.expected) << c.text;
  }
}

TEST(ParseDurationTest, RejectsMalformedText) {
  for (const char* text :
       {"10x", "", "s", "1", "1.2.3s", ".s", "10 s", "abc", "1sm", "9999999999999999999h", "-"}) {
    EXPECT_FALSE(parseDuration(text).has_value()) << text;
  }
}

TEST(ParseDurationTest, KeepsTheSignForTheCallerToReject) {
  EXPECT_EQ(parseDuration("-1s"), Duration(-seconds(1)));
}

TEST(ParseUnsignedTest, EnforcesDigitsAndMaximum) {
  EXPECT_EQ(parseUnsigned("50051", 65535), 50051u);
  EXPECT_EQ(parseUnsigned("+1", 10), 1u);
  EXPECT_FALSE(parseUnsigned("70000", 65535));
  EXPECT_FALSE(parseUnsigned("12a", 65535));
  EXPECT_FALSE(parseUnsigned("", 65535));
  EXPECT_FALSE(parseUnsigned("-1", 65535));
  EXPECT_FALSE(parseUnsigned("99999999999999999999999", ~0ull));
}

TEST(ParseBoolTest, AcceptsYamlCoreBooleansOnly) {
  EXPECT_EQ(parseBool("true"), true);
  EXPECT_EQ(parseBool("False"), false);
  EXPECT_FALSE(parseBool("yes"));
}

TEST(DecodeBase64Test, DecodesSecretData) {
  EXPECT_EQ(decodeBase64("LS0tLS1CRUdJTg=="), "-----BEGIN");
  EXPECT_EQ(decodeBase64("LS0tLS1C\nRUdJTg=="), "-----BEGIN");  // wrapped lines
  EXPECT_EQ(decodeBase64(""), "");
}

TEST(DecodeBase64Test, RejectsNonBase64) {
  EXPECT_FALSE(decodeBase64("not base64!"));
  EXPECT_FALSE(decodeBase64("-----BEGIN CERTIFICATE-----"));
}

TEST(ClosestMatchTest, SuggestsNearbyFieldNames) {
  std::vector<std::string> fields = {"credentialName", "mode", "httpsRedirect"};
  EXPECT_EQ(closestMatch("credentialname", fields), "credentialName");
  EXPECT_EQ(closestMatch("credentalName", fields), "credentialName");
  EXPECT_EQ(closestMatch("mod", fields), "mode");
  EXPECT_EQ(closestMatch("somethingElse", fields), "");
}

}  // namespace
}  // namespace meshgate::config
