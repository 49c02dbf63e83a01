#include "grpcwire/percent.h"

#include <string>

#include <gtest/gtest.h>

namespace meshgate::grpcwire {
namespace {

using namespace std::string_literals;

TEST(PercentTest, EncodesBytesOutsidePrintableAsciiAndPercent) {
  struct Row {
    std::string plain;
    std::string encoded;
  };
  const Row rows[] = {
      {"", ""},
      {"upstream connect error", "upstream connect error"},
      {"100%", "100%25"},
      {"line\nbreak\ttab", "line%0Abreak%09tab"},
      {"\x7f\x1f", "%7F%1F"},
      {"\0x"s, "%00x"},
      {"caf\xc3\xa9", "caf%C3%A9"},
      {" ~", " ~"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(encodeGrpcMessage(row.plain), row.encoded);
    EXPECT_EQ(decodeGrpcMessage(row.encoded), row.plain);
    EXPECT_EQ(isGrpcMessageSafe(row.plain), row.plain == row.encoded);
  }
}

TEST(PercentTest, DecodesEitherHexCase) {
  EXPECT_EQ(decodeGrpcMessage("caf%c3%a9%C3%A9"), "caf\xc3\xa9\xc3\xa9");
}

TEST(PercentTest, KeepsInvalidEscapesVerbatim) {
  struct Row {
    std::string encoded;
    std::string decoded;
  };
  const Row rows[] = {
      {"%", "%"},       {"%4", "%4"},     {"%zz", "%zz"}, {"a%g1b", "a%g1b"}, {"%%41", "%A"},
      {"100%", "100%"}, {"%4%41", "%4A"}, {"%1", "%1"},   {"end%2", "end%2"}, {"%20%2x", " %2x"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(decodeGrpcMessage(row.encoded), row.decoded) << row.encoded;
  }
}

TEST(PercentTest, EveryByteRoundTrips) {
  std::string all;
  for (int byte = 0; byte < 256; ++byte) all.push_back(static_cast<char>(byte));
  std::string encoded = encodeGrpcMessage(all);
  for (char c : encoded) {
    auto byte = static_cast<unsigned char>(c);
    EXPECT_TRUE(byte >= 0x20 && byte <= 0x7E) << int(byte);
  }
  EXPECT_EQ(decodeGrpcMessage(encoded), all);
}

}  // namespace
}  // namespace meshgate::grpcwire
