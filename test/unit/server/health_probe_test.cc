// The hand-encoded grpc.health.v1 messages of the health probe.
#include "server/health_probe.h"

#include <gtest/gtest.h>

namespace meshgate::server {
namespace {

std::string frame(std::string message) {
  std::string out(5, '\0');
  out[4] = static_cast<char>(message.size());
  return out + message;
}

TEST(HealthProbeCodingTest, RequestWithoutServiceIsAnEmptyMessage) {
  EXPECT_EQ(encodeHealthCheckRequest(""), std::string(5, '\0'));
}

TEST(HealthProbeCodingTest, RequestCarriesTheServiceAsField1) {
  EXPECT_EQ(encodeHealthCheckRequest("a.B"), frame(std::string("\x0a\x03"
                                                               "a.B",
                                                               5)));
}

TEST(HealthProbeCodingTest, LongServiceNameGetsAMultiByteLength) {
  std::string name(300, 'x');
  std::string encoded = encodeHealthCheckRequest(name);
  ASSERT_EQ(encoded.size(), 5u + 1 + 2 + 300);
  EXPECT_EQ(encoded.substr(0, 5), std::string("\0\0\0\x01\x2f", 5));  // 303 bytes
  EXPECT_EQ(encoded.substr(5, 3), "\x0a\xac\x02");                    // 300 = 0xac 0x02
}

TEST(HealthProbeCodingTest, DecodesServingStatus) {
  EXPECT_EQ(decodeHealthCheckResponse(frame("\x08\x01")), 1u);
  EXPECT_EQ(decodeHealthCheckResponse(frame("\x08\x02")), 2u);
  // proto3 leaves UNKNOWN (0) out: an empty message.
  EXPECT_EQ(decodeHealthCheckResponse(frame("")), 0u);
}

TEST(HealthProbeCodingTest, SkipsUnknownFields) {
  // field 2 (string "hi"), field 3 (fixed32), then status.
  std::string message = std::string("\x12\x02hi\x1d\x01\x02\x03\x04\x08\x01", 11);
  EXPECT_EQ(decodeHealthCheckResponse(frame(message)), 1u);
}

TEST(HealthProbeCodingTest, RefusesMalformedFrames) {
  EXPECT_FALSE(decodeHealthCheckResponse(""));
  EXPECT_FALSE(decodeHealthCheckResponse(std::string("\0\0\0\0", 4)));
  std::string compressed = frame("\x08\x01");
  compressed[0] = 1;
  EXPECT_FALSE(decodeHealthCheckResponse(compressed));
  EXPECT_FALSE(decodeHealthCheckResponse(frame("\x08\x01") + "x"));  // trailing bytes
  EXPECT_FALSE(decodeHealthCheckResponse(frame("\x08")));            // truncated varint
  EXPECT_FALSE(decodeHealthCheckResponse(frame("\x12\x09hi")));      // length past the end
  EXPECT_FALSE(decodeHealthCheckResponse(frame("\x0b\x01")));        // wire type 3
}

}  // namespace
}  // namespace meshgate::server
