#include "grpcwire/message_deframer.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace meshgate::grpcwire {
namespace {

struct Message {
  MessageHeader header;
  std::string payload;
  bool operator==(const Message&) const = default;
};

// Records events and checks their order; chunks records each onMessageData size.
class Recorder : public MessageDeframer::Handler {
 public:
  void onMessageStart(const MessageHeader& header) override {
    EXPECT_FALSE(open_) << "start inside a message";
    open_ = true;
    messages.push_back({header, {}});
  }
  void onMessageData(std::span<const uint8_t> chunk) override {
    EXPECT_TRUE(open_) << "data outside a message";
    EXPECT_FALSE(chunk.empty());
    chunks.push_back(chunk.size());
    messages.back().payload.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
  }
  void onMessageEnd() override {
    EXPECT_TRUE(open_) << "end outside a message";
    EXPECT_EQ(messages.back().payload.size(), messages.back().header.length);
    open_ = false;
    ++ended;
  }

  std::vector<Message> messages;
  std::vector<size_t> chunks;
  size_t ended = 0;

 private:
  bool open_ = false;
};

std::string frame(uint8_t flags, std::string_view payload) {
  auto prefix = encodeMessagePrefix(flags, static_cast<uint32_t>(payload.size()));
  return std::string(prefix.begin(), prefix.end()) + std::string(payload);
}

DeframeError feedString(MessageDeframer& deframer, std::string_view bytes, Recorder& recorder) {
  return deframer.feed(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), recorder);
}

const std::string kStream = frame(0, "hello") + frame(0, "") + frame(kFlagCompressed, "zipped!") +
                            frame(0, std::string(300, 'x')) + frame(0, "");

const std::vector<Message> kExpected = {
    {{0, 5}, "hello"},
    {{0, 0}, ""},
    {{kFlagCompressed, 7}, "zipped!"},
    {{0, 300}, std::string(300, 'x')},
    {{0, 0}, ""},
};

TEST(MessageDeframerTest, EncodesPrefixBigEndian) {
  auto prefix = encodeMessagePrefix(kFlagCompressed, 0x01020304);
  EXPECT_EQ(prefix, (std::array<uint8_t, 5>{0x01, 0x01, 0x02, 0x03, 0x04}));
  EXPECT_EQ(encodeMessagePrefix(0, 0xFFFFFFFF),
            (std::array<uint8_t, 5>{0, 0xFF, 0xFF, 0xFF, 0xFF}));
}

TEST(MessageDeframerTest, ParsesMessagesFedAtOnce) {
  MessageDeframer deframer;
  Recorder recorder;
  EXPECT_EQ(feedString(deframer, kStream, recorder), DeframeError::kNone);
  EXPECT_EQ(deframer.finish(), DeframeError::kNone);
  EXPECT_EQ(recorder.messages, kExpected);
  EXPECT_EQ(recorder.ended, kExpected.size());
  EXPECT_TRUE(recorder.messages[2].header.compressed());
}

TEST(MessageDeframerTest, EverySplitOffsetGivesTheSameMessages) {
  for (bool buffer : {false, true}) {
    for (size_t split = 0; split <= kStream.size(); ++split) {
      SCOPED_TRACE("buffer=" + std::to_string(buffer) + " split=" + std::to_string(split));
      MessageDeframer deframer({.buffer_messages = buffer});
      Recorder recorder;
      std::string_view all = kStream;
      ASSERT_EQ(feedString(deframer, all.substr(0, split), recorder), DeframeError::kNone);
      ASSERT_EQ(feedString(deframer, all.substr(split), recorder), DeframeError::kNone);
      EXPECT_EQ(deframer.finish(), DeframeError::kNone);
      EXPECT_EQ(recorder.messages, kExpected);
    }
  }
}

TEST(MessageDeframerTest, EveryPairOfSplitsGivesTheSameMessages) {
  std::string_view all = std::string_view(kStream).substr(0, 40);  // three messages and a part
  for (size_t first = 0; first <= all.size(); ++first) {
    for (size_t second = first; second <= all.size(); ++second) {
      MessageDeframer one_shot;
      Recorder expected;
      feedString(one_shot, all, expected);
      MessageDeframer deframer;
      Recorder recorder;
      feedString(deframer, all.substr(0, first), recorder);
      feedString(deframer, all.substr(first, second - first), recorder);
      feedString(deframer, all.substr(second), recorder);
      EXPECT_EQ(recorder.messages, expected.messages) << first << "," << second;
      EXPECT_EQ(recorder.ended, expected.ended);
    }
  }
}

TEST(MessageDeframerTest, StreamsPayloadWithoutBuffering) {
  MessageDeframer deframer;
  Recorder recorder;
  std::string bytes = frame(0, "abcdef");
  for (char c : bytes) feedString(deframer, std::string_view(&c, 1), recorder);
  // One event per payload byte as it arrives: nothing waits for the end of the message.
  EXPECT_EQ(recorder.chunks, (std::vector<size_t>{1, 1, 1, 1, 1, 1}));
  EXPECT_EQ(recorder.ended, 1u);
}

TEST(MessageDeframerTest, BufferedModeDeliversEachPayloadOnce) {
  MessageDeframer deframer({.buffer_messages = true});
  Recorder recorder;
  for (char c : kStream) feedString(deframer, std::string_view(&c, 1), recorder);
  EXPECT_EQ(recorder.messages, kExpected);
  // Empty messages get no data event; the others exactly one.
  EXPECT_EQ(recorder.chunks, (std::vector<size_t>{5, 7, 300}));
}

TEST(MessageDeframerTest, EmptyMessageEndsWithoutMoreInput) {
  MessageDeframer deframer;
  Recorder recorder;
  EXPECT_EQ(feedString(deframer, frame(0, ""), recorder), DeframeError::kNone);
  EXPECT_EQ(recorder.ended, 1u);
  EXPECT_TRUE(deframer.atMessageBoundary());
}

TEST(MessageDeframerTest, AcceptsMessageAtTheLimit) {
  MessageDeframer deframer({.max_message_bytes = 4});
  Recorder recorder;
  EXPECT_EQ(feedString(deframer, frame(0, "four"), recorder), DeframeError::kNone);
  EXPECT_EQ(recorder.ended, 1u);
}

TEST(MessageDeframerTest, RejectsOversizedMessageFromItsPrefixAlone) {
  MessageDeframer deframer({.max_message_bytes = 4 * 1024 * 1024});
  Recorder recorder;
  auto prefix = encodeMessagePrefix(0, 5 * 1024 * 1024);
  // Only the prefix has arrived; the error comes before any payload is read or held.
  EXPECT_EQ(deframer.feed(prefix, recorder), DeframeError::kMessageTooLarge);
  EXPECT_EQ(deframer.errorMessage(),
            "grpc message of 5242880 bytes exceeds the limit of 4194304 bytes");
  EXPECT_TRUE(recorder.messages.empty());
}

TEST(MessageDeframerTest, ErrorIsStickyAndSilent) {
  MessageDeframer deframer({.max_message_bytes = 2});
  Recorder recorder;
  EXPECT_EQ(feedString(deframer, frame(0, "ok") + frame(0, "toolong"), recorder),
            DeframeError::kMessageTooLarge);
  ASSERT_EQ(recorder.messages.size(), 1u);
  EXPECT_EQ(feedString(deframer, frame(0, "ok"), recorder), DeframeError::kMessageTooLarge);
  EXPECT_EQ(deframer.finish(), DeframeError::kMessageTooLarge);
  EXPECT_EQ(deframer.error(), DeframeError::kMessageTooLarge);
  EXPECT_EQ(recorder.messages.size(), 1u);
}

TEST(MessageDeframerTest, RejectsReservedFlagBits) {
  for (uint8_t flags : {uint8_t{0x02}, uint8_t{0x80}, uint8_t{0xFF}, uint8_t{0x03}}) {
    MessageDeframer deframer;
    Recorder recorder;
    EXPECT_EQ(feedString(deframer, frame(flags, "x"), recorder), DeframeError::kInvalidFlags)
        << int(flags);
    EXPECT_TRUE(recorder.messages.empty());
  }
  MessageDeframer deframer;
  Recorder recorder;
  feedString(deframer, frame(0x02, "x"), recorder);
  EXPECT_EQ(deframer.errorMessage(), "grpc message flags 0x02 are not allowed (allowed: 0x01)");
}

TEST(MessageDeframerTest, GrpcWebMayAllowTheTrailersFlag) {
  MessageDeframer deframer({.allowed_flags = kFlagCompressed | kFlagTrailers});
  Recorder recorder;
  EXPECT_EQ(feedString(deframer, frame(kFlagTrailers, "grpc-status:0\r\n"), recorder),
            DeframeError::kNone);
  ASSERT_EQ(recorder.messages.size(), 1u);
  EXPECT_TRUE(recorder.messages[0].header.trailers());
}

TEST(MessageDeframerTest, FinishInsideAMessageIsTruncation) {
  struct Row {
    std::string bytes;
    std::string message;
  };
  const Row rows[] = {
      {std::string("\0\0\0", 3), "grpc stream ended inside a message prefix (3 of 5 bytes)"},
      {frame(0, "hello").substr(0, 7), "grpc stream ended inside a message (2 of 5 bytes)"},
  };
  for (const Row& row : rows) {
    MessageDeframer deframer;
    Recorder recorder;
    EXPECT_EQ(feedString(deframer, row.bytes, recorder), DeframeError::kNone);
    EXPECT_FALSE(deframer.atMessageBoundary());
    EXPECT_EQ(deframer.finish(), DeframeError::kTruncated);
    EXPECT_EQ(deframer.errorMessage(), row.message);
  }
}

TEST(MessageDeframerTest, FinishOnAnEmptyStreamIsClean) {
  MessageDeframer deframer;
  EXPECT_EQ(deframer.finish(), DeframeError::kNone);
  EXPECT_EQ(deframer.errorMessage(), "");
}

TEST(MessageDeframerTest, MaximumLengthIsAcceptedWhenAllowed) {
  MessageDeframer deframer({.max_message_bytes = 0xFFFFFFFF});
  Recorder recorder;
  EXPECT_EQ(deframer.feed(encodeMessagePrefix(0, 0xFFFFFFFF), recorder), DeframeError::kNone);
  ASSERT_EQ(recorder.messages.size(), 1u);
  EXPECT_EQ(recorder.messages[0].header.length, 0xFFFFFFFFu);
  EXPECT_FALSE(deframer.atMessageBoundary());
}

}  // namespace
}  // namespace meshgate::grpcwire
