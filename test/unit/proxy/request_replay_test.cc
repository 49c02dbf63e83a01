// The replay buffer: attempts read the same bytes, the client's window is credited once, and a
// request over the limit is committed to its attempt.
#include "proxy/request_replay.h"

#include <string>

#include <gtest/gtest.h>

namespace meshgate::proxy {
namespace {

void append(RequestReplay& replay, const std::string& text) {
  replay.append(reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

std::string readAll(RequestReplay& replay) {
  std::string out(replay.unread(), '\0');
  replay.read(reinterpret_cast<uint8_t*>(out.data()), out.size());
  return out;
}

TEST(RequestReplayTest, RewindReplaysAndCreditsOnce) {
  RequestReplay replay;
  replay.setLimit(100);
  append(replay, "hello ");
  EXPECT_EQ(readAll(replay), "hello ");
  EXPECT_EQ(replay.takeCredit(), 6u);
  append(replay, "world");
  replay.rewind();
  EXPECT_TRUE(replay.canReplay());
  EXPECT_EQ(readAll(replay), "hello world");
  EXPECT_EQ(replay.takeCredit(), 5u) << "only the new bytes";
  EXPECT_EQ(replay.release(), 0u);
}

TEST(RequestReplayTest, OutgrowingTheLimitCommits) {
  RequestReplay replay;
  replay.setLimit(8);
  append(replay, "12345");
  EXPECT_EQ(readAll(replay), "12345");
  EXPECT_FALSE(replay.append(reinterpret_cast<const uint8_t*>("678"), 3));
  EXPECT_TRUE(replay.append(reinterpret_cast<const uint8_t*>("9"), 1));
  EXPECT_FALSE(replay.replayable());
  EXPECT_FALSE(replay.canReplay());
  EXPECT_EQ(replay.held(), 4u) << "read bytes were dropped";
  EXPECT_EQ(readAll(replay), "6789");
  EXPECT_EQ(replay.takeCredit(), 9u);
  EXPECT_EQ(replay.held(), 0u);
}

TEST(RequestReplayTest, OutgrowingAfterARewindKeepsEveryByteForTheNextAttempt) {
  RequestReplay replay;
  replay.setLimit(4);
  append(replay, "abc");
  EXPECT_EQ(readAll(replay), "abc");
  replay.rewind();  // a retry is scheduled
  EXPECT_TRUE(replay.append(reinterpret_cast<const uint8_t*>("de"), 2));
  EXPECT_TRUE(replay.canReplay()) << "nothing was dropped: one more attempt can send it all";
  EXPECT_EQ(readAll(replay), "abcde");
  EXPECT_FALSE(replay.canReplay());
  EXPECT_EQ(replay.takeCredit(), 5u);
}

TEST(RequestReplayTest, WithoutReplayNothingReadIsKept) {
  RequestReplay replay;  // no limit: a route without retries
  append(replay, "abc");
  EXPECT_TRUE(replay.canReplay()) << "nothing was read yet";
  EXPECT_EQ(readAll(replay), "abc");
  EXPECT_FALSE(replay.canReplay());
  EXPECT_EQ(replay.held(), 0u);
  append(replay, "de");
  EXPECT_EQ(replay.release(), 5u) << "every byte, none credited yet";
}

}  // namespace
}  // namespace meshgate::proxy
