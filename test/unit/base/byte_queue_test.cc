#include "base/byte_queue.h"

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

namespace meshgate::base {
namespace {

TEST(ByteQueueTest, NewQueueIsEmpty) {
  ByteQueue queue;
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.size(), 0u);
  EXPECT_EQ(queue.view(), "");
}

TEST(ByteQueueTest, AppendsKeepOrder) {
  ByteQueue queue;
  queue.append("abc");
  const uint8_t raw[] = {'d', 'e'};
  queue.append(raw, sizeof(raw));
  EXPECT_EQ(queue.size(), 5u);
  EXPECT_EQ(queue.view(), "abcde");
  EXPECT_EQ(queue.data()[0], 'a');
}

TEST(ByteQueueTest, DrainRemovesFromTheFront) {
  ByteQueue queue;
  queue.append("hello world");
  queue.drain(6);
  EXPECT_EQ(queue.view(), "world");
  EXPECT_EQ(queue.data()[0], 'w');
  queue.drain(5);
  EXPECT_TRUE(queue.empty());
}

TEST(ByteQueueTest, DrainingMoreThanHeldEmptiesTheQueue) {
  ByteQueue queue;
  queue.append("abc");
  queue.drain(10);
  EXPECT_TRUE(queue.empty());
  queue.append("xy");
  EXPECT_EQ(queue.view(), "xy");
}

TEST(ByteQueueTest, ReadCopiesAndDrainsAtMostWhatIsHeld) {
  ByteQueue queue;
  queue.append("abcdef");
  char out[4] = {};
  EXPECT_EQ(queue.read(out, 4), 4u);
  EXPECT_EQ(std::string(out, 4), "abcd");
  EXPECT_EQ(queue.view(), "ef");
  char rest[8] = {};
  EXPECT_EQ(queue.read(rest, sizeof(rest)), 2u);
  EXPECT_EQ(std::string(rest, 2), "ef");
  EXPECT_TRUE(queue.empty());
}

TEST(ByteQueueTest, AppendAfterFullDrainReusesTheBlock) {
  ByteQueue queue;
  queue.append(std::string(1000, 'a'));
  size_t capacity = queue.capacity();
  queue.drain(1000);
  queue.append("b");
  EXPECT_EQ(queue.view(), "b");
  EXPECT_EQ(queue.capacity(), capacity);
}

TEST(ByteQueueTest, SteadyAppendAndDrainKeepsMemoryBounded) {
  ByteQueue queue;
  std::string chunk(4096, 'x');
  queue.append(chunk);  // one chunk always stays queued, so the queue never empties
  for (int i = 0; i < 10000; ++i) {
    chunk[0] = static_cast<char>('a' + i % 26);
    queue.append(chunk);
    queue.drain(chunk.size());
  }
  EXPECT_EQ(queue.size(), chunk.size());
  EXPECT_EQ(queue.view().front(), static_cast<char>('a' + 9999 % 26));
  // 40 MB went through; the block stays within a small multiple of the compaction threshold.
  EXPECT_LT(queue.capacity(), 1024u * 1024u);
}

TEST(ByteQueueTest, CompactionKeepsTheUndrainedBytes) {
  ByteQueue queue;
  std::string content;
  for (int i = 0; i < 200 * 1024; ++i) content.push_back(static_cast<char>('a' + i % 26));
  queue.append(content);
  queue.drain(150 * 1024);  // past the 64 KiB threshold and more than half: compacts
  EXPECT_EQ(queue.view(), std::string_view(content).substr(150 * 1024));
  queue.append("tail");
  EXPECT_EQ(queue.size(), 50u * 1024u + 4u);
  EXPECT_TRUE(queue.view().ends_with("tail"));
}

TEST(ByteQueueTest, ShrinkReleasesMemoryOnlyWhenEmpty) {
  ByteQueue queue;
  queue.append(std::string(64 * 1024, 'a'));
  queue.shrink();
  EXPECT_GE(queue.capacity(), 64u * 1024u);
  EXPECT_EQ(queue.size(), 64u * 1024u);
  queue.drain(64 * 1024);
  queue.shrink();
  EXPECT_LT(queue.capacity(), 64u);
}

TEST(ByteQueueTest, ClearDropsEverything) {
  ByteQueue queue;
  queue.append("abc");
  queue.drain(1);
  queue.clear();
  EXPECT_TRUE(queue.empty());
  queue.append("z");
  EXPECT_EQ(queue.view(), "z");
}

TEST(ByteQueueTest, AMeteredQueueKeepsItsGaugeAtWhatItHolds) {
  Gauge gauge;
  {
    ByteQueue queue;
    queue.append("ab");
    queue.meter(&gauge);
    EXPECT_EQ(gauge.value(), 2);
    queue.append("cdef");
    EXPECT_EQ(gauge.value(), 6);
    char out[3];
    EXPECT_EQ(queue.read(out, 3), 3u);
    EXPECT_EQ(gauge.value(), 3);
    queue.drain(100);  // more than it holds
    EXPECT_EQ(gauge.value(), 0);
    queue.append("xyz");
    queue.clear();
    EXPECT_EQ(gauge.value(), 0);
    queue.append("left");
  }
  EXPECT_EQ(gauge.value(), 0) << "a destroyed queue gives back what it held";
}

}  // namespace
}  // namespace meshgate::base
