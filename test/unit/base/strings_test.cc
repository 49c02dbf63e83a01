#include "base/strings.h"

#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace meshgate::base {
namespace {

TEST(StringsTest, AsciiLowerChangesOnlyUpperCaseLetters) {
  EXPECT_EQ(asciiLower('A'), 'a');
  EXPECT_EQ(asciiLower('Z'), 'z');
  EXPECT_EQ(asciiLower('a'), 'a');
  EXPECT_EQ(asciiLower('@'), '@');  // just below 'A'
  EXPECT_EQ(asciiLower('['), '[');  // just above 'Z'
  EXPECT_EQ(asciiLower('\xC3'), '\xC3');
}

TEST(StringsTest, LowerAsciiLeavesNonAsciiBytesAlone) {
  EXPECT_EQ(lowerAscii("Grpc.Example.COM:443"), "grpc.example.com:443");
  EXPECT_EQ(lowerAscii("CAF\xC3\x89"), "caf\xC3\x89");
  EXPECT_EQ(lowerAscii(""), "");
}

TEST(StringsTest, EqualsIgnoreCaseComparesAsciiCaseInsensitively) {
  EXPECT_TRUE(equalsIgnoreCase("Content-Type", "content-type"));
  EXPECT_TRUE(equalsIgnoreCase("", ""));
  EXPECT_FALSE(equalsIgnoreCase("content-type", "content-typ"));
  EXPECT_FALSE(equalsIgnoreCase("a", "b"));
  EXPECT_FALSE(equalsIgnoreCase("@", "`"));  // 0x40 and 0x60 differ by 32 but are not letters
}

TEST(StringsTest, StartsWithIgnoreCaseNeedsTheWholePrefix) {
  EXPECT_TRUE(startsWithIgnoreCase("/PKG.Svc/Method", "/pkg.svc/"));
  EXPECT_TRUE(startsWithIgnoreCase("/pkg", ""));
  EXPECT_FALSE(startsWithIgnoreCase("/pk", "/pkg"));
  EXPECT_FALSE(startsWithIgnoreCase("/other", "/pkg"));
}

TEST(StringsTest, ToAbslViewsTheSameBytes) {
  std::string text = "outbound|50051||svc";
  std::string_view view = std::string_view(text).substr(0, 8);
  absl::string_view converted = toAbsl(view);
  EXPECT_EQ(converted.data(), text.data());
  EXPECT_EQ(converted.size(), 8u);
}

}  // namespace
}  // namespace meshgate::base
