#include "abuse/raw_h2.h"

#include <string>

#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>

#include "abuse/h2c_backend.h"

namespace meshgate::abuse {
namespace {

using std::chrono::seconds;

HeaderList inflate(std::string_view block) {
  nghttp2_hd_inflater* inflater = nullptr;
  nghttp2_hd_inflate_new(&inflater);
  HeaderList headers;
  auto* in = reinterpret_cast<const uint8_t*>(block.data());
  size_t left = block.size();
  while (true) {
    nghttp2_nv nv;
    int flags = 0;
    ssize_t used = nghttp2_hd_inflate_hd2(inflater, &nv, &flags, in, left, 1);
    if (used < 0) {
      headers.push_back({"error", nghttp2_strerror(static_cast<int>(used))});
      break;
    }
    in += used;
    left -= static_cast<size_t>(used);
    if ((flags & NGHTTP2_HD_INFLATE_EMIT) != 0) {
      headers.push_back({std::string(reinterpret_cast<const char*>(nv.name), nv.namelen),
                         std::string(reinterpret_cast<const char*>(nv.value), nv.valuelen)});
    }
    if ((flags & NGHTTP2_HD_INFLATE_FINAL) != 0) break;
    if ((flags & NGHTTP2_HD_INFLATE_EMIT) == 0 && left == 0) break;
  }
  nghttp2_hd_inflate_del(inflater);
  return headers;
}

TEST(RawH2Tooling, HpackBlockDecodesWithNghttp2) {
  std::string long_value(300, 'v');  // lengths past the 7-bit prefix take continuation bytes
  HpackBlock block;
  block.literal(":method", "POST").literalIndexed("x-long", long_value).indexed(62).indexed(2);
  HeaderList expected = {
      {":method", "POST"}, {"x-long", long_value}, {"x-long", long_value}, {":method", "GET"}};
  EXPECT_EQ(inflate(block.bytes()), expected);
}

TEST(RawH2Tooling, HeaderBlockSplitsIntoContinuations) {
  std::string block(40000, 'x');
  std::string frames = headerBlockFrames(1, block, true, 16384);
  // HEADERS(16384) + CONTINUATION(16384) + CONTINUATION(7232), each with a 9-byte header.
  ASSERT_EQ(frames.size(), block.size() + 3 * kFrameHeaderBytes);
  EXPECT_EQ(static_cast<uint8_t>(frames[3]), uint8_t(FrameType::kHeaders));
  EXPECT_EQ(static_cast<uint8_t>(frames[4]), kFlagEndStream);
  size_t last = 2 * (kFrameHeaderBytes + 16384);
  EXPECT_EQ(static_cast<uint8_t>(frames[last + 3]), uint8_t(FrameType::kContinuation));
  EXPECT_EQ(static_cast<uint8_t>(frames[last + 4]), kFlagEndHeaders);
}

TEST(RawH2Tooling, BackendAnswersAGrpcCall) {
  H2cBackend backend;
  RawH2Client client(backend.port());
  ASSERT_TRUE(client.connected()) << client.connectError();
  ASSERT_TRUE(client.handshake()) << client.describe();
  uint32_t id = client.sendGrpcRequest();
  ASSERT_TRUE(client.waitStreamDone(id)) << client.describe();
  EXPECT_TRUE(client.stream(id)->grpcOk()) << client.describe();
  EXPECT_EQ(client.stream(id)->responseHeader("content-type"), "application/grpc");
  EXPECT_EQ(client.stream(id)->data, grpcMessage(""));
  EXPECT_EQ(backend.responsesSent(), 1u);
}

TEST(RawH2Tooling, ReferenceServerAnswersDataOnStreamZeroWithGoAway) {
  H2cBackend backend;
  RawH2Client client(backend.port());
  ASSERT_TRUE(client.handshake()) << client.describe();
  client.send(dataFrame(0, "x", false));
  ASSERT_TRUE(client.waitFor([&] { return client.goAway().has_value(); }, seconds(5)))
      << client.describe();
  EXPECT_EQ(errorName(client.goAway()->error_code), errorName(H2Error::kProtocolError));
  EXPECT_TRUE(client.waitClosed(seconds(5))) << client.describe();
}

TEST(RawH2Tooling, RoundTripWaitsForThePingAck) {
  H2cBackend backend;
  RawH2Client client(backend.port());
  ASSERT_TRUE(client.handshake()) << client.describe();
  EXPECT_TRUE(client.roundTrip()) << client.describe();
  EXPECT_TRUE(client.settingsAcked());
}

TEST(RawH2Tooling, ErrorNamesFollowRfc9113) {
  EXPECT_EQ(errorName(H2Error::kEnhanceYourCalm), "ENHANCE_YOUR_CALM");
  EXPECT_EQ(errorName(H2Error::kHttp11Required), "HTTP_1_1_REQUIRED");
  EXPECT_EQ(errorName(0x42), "0x42");
}

}  // namespace
}  // namespace meshgate::abuse
