#include "http/h2/codec_allocator.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>

#include "http/h2/codec.h"

namespace meshgate::http::h2 {
namespace {

// The allocator as nghttp2 sees it.
class CodecAllocatorTest : public ::testing::Test {
 protected:
  void* allocate(size_t size) { return mem().malloc(size, mem().mem_user_data); }
  void release(void* block) { mem().free(block, mem().mem_user_data); }
  void* zeroed(size_t count, size_t size) { return mem().calloc(count, size, mem().mem_user_data); }
  void* resize(void* block, size_t size) { return mem().realloc(block, size, mem().mem_user_data); }

  nghttp2_mem& mem() { return *static_cast<nghttp2_mem*>(allocator_.mem()); }
  CodecAllocator allocator_;
};

TEST_F(CodecAllocatorTest, FreedSmallBlockIsHandedOutAgain) {
  void* first = allocate(100);
  ASSERT_NE(first, nullptr);
  release(first);
  EXPECT_EQ(allocator_.cachedBlocks(), 1u);
  void* second = allocate(120);  // the same 128-byte class
  EXPECT_EQ(second, first);
  EXPECT_EQ(allocator_.cachedBlocks(), 0u);
  release(second);
}

TEST_F(CodecAllocatorTest, SizeClassesDoNotMix) {
  void* small = allocate(64);
  release(small);
  void* larger = allocate(65);
  EXPECT_NE(larger, small);
  EXPECT_EQ(allocator_.cachedBlocks(), 1u);
  release(larger);
  EXPECT_EQ(allocator_.cachedBlocks(), 2u);
}

TEST_F(CodecAllocatorTest, BlocksAreAlignedForAnyScalar) {
  std::vector<void*> blocks;
  for (size_t size : {1u, 17u, 64u, 200u, 5000u, 9000u, 100000u}) {
    void* block = allocate(size);
    ASSERT_NE(block, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(block) % alignof(std::max_align_t), 0u) << size;
    std::memset(block, 0xab, size);  // the whole size is usable
    blocks.push_back(block);
  }
  for (void* block : blocks) release(block);
}

TEST_F(CodecAllocatorTest, BlocksAboveTheLargestClassAreNotCached) {
  void* big = allocate(64 * 1024);
  ASSERT_NE(big, nullptr);
  release(big);
  EXPECT_EQ(allocator_.cachedBlocks(), 0u);
}

TEST_F(CodecAllocatorTest, GrowingKeepsTheContents) {
  auto* block = static_cast<char*>(allocate(10));
  std::memcpy(block, "0123456789", 10);
  auto* grown = static_cast<char*>(resize(block, 5000));
  ASSERT_NE(grown, nullptr);
  EXPECT_EQ(std::string(grown, 10), "0123456789");
  auto* huge = static_cast<char*>(resize(grown, 200000));
  ASSERT_NE(huge, nullptr);
  EXPECT_EQ(std::string(huge, 10), "0123456789");
  release(huge);
}

TEST_F(CodecAllocatorTest, ResizeOfNullAllocates) {
  void* block = resize(nullptr, 32);
  ASSERT_NE(block, nullptr);
  release(block);
  release(nullptr);  // and freeing null is a no-op
}

TEST_F(CodecAllocatorTest, CallocZeroesARecycledBlock) {
  auto* dirty = static_cast<unsigned char*>(allocate(256));
  std::memset(dirty, 0xff, 256);
  release(dirty);
  auto* clean = static_cast<unsigned char*>(zeroed(16, 16));
  ASSERT_EQ(static_cast<void*>(clean), static_cast<void*>(dirty));
  for (int i = 0; i < 256; ++i) ASSERT_EQ(clean[i], 0) << i;
  release(clean);
}

TEST_F(CodecAllocatorTest, CallocRefusesAnOverflowingSize) {
  EXPECT_EQ(zeroed(SIZE_MAX / 2, 4), nullptr);
}

// Enough of a peer to run sessions over the allocator.
class NullCallbacks : public CodecCallbacks {
 public:
  void onStreamBegin(int32_t) override {}
  bool onHeader(int32_t, std::string_view, std::string_view) override { return true; }
  void onHeadersEnd(int32_t, bool) override {}
  void onData(int32_t, const uint8_t*, size_t) override {}
  void onDataEnd(int32_t) override {}
  void onStreamClose(int32_t stream_id, uint32_t) override { closed.push_back(stream_id); }
  BodyChunk onBodyRead(int32_t, uint8_t*, size_t) override { return {BodyChunk::Kind::kEnd, 0}; }
  void onGoAway(int32_t, uint32_t) override {}
  std::vector<int32_t> closed;
};

// Runs a client and a server session over the allocator through 20 header-only exchanges.
void runSessions(CodecAllocator& allocator, NullCallbacks& client_events) {
  NullCallbacks server_events;
  Limits limits;
  Codec client(Codec::Role::kClient, limits, client_events, &allocator);
  Codec server(Codec::Role::kServer, limits, server_events, &allocator);
  const HeaderView request[] = {{":method", "POST"},
                                {":scheme", "http"},
                                {":path", "/pkg.Svc/Method"},
                                {":authority", "grpc.example.com"}};
  HeaderList response;
  response.add(":status", "200");
  response.add("grpc-status", "0");
  base::ByteQueue wire;
  for (int i = 0; i < 20; ++i) {
    int32_t id = client.submitRequest(request, false, nullptr);
    ASSERT_GT(id, 0);
    ASSERT_TRUE(client.produce(wire, SIZE_MAX));
    ASSERT_TRUE(server.receive(wire.data(), wire.size()));
    wire.clear();
    ASSERT_TRUE(server.submitResponse(id, response, false));
    ASSERT_TRUE(server.produce(wire, SIZE_MAX));
    ASSERT_TRUE(client.receive(wire.data(), wire.size()));
    wire.clear();
  }
}

TEST_F(CodecAllocatorTest, SessionsRunOverIt) {
  NullCallbacks client_events;
  runSessions(allocator_, client_events);
  EXPECT_EQ(client_events.closed.size(), 20u);
  EXPECT_GT(allocator_.cachedBlocks(), 0u);  // the sessions' memory came back to it
}

TEST_F(CodecAllocatorTest, LaterSessionsReuseCachedBlocks) {
  NullCallbacks first_events;
  runSessions(allocator_, first_events);
  size_t cached = allocator_.cachedBlocks();
  NullCallbacks second_events;
  runSessions(allocator_, second_events);
  EXPECT_EQ(second_events.closed.size(), 20u);
  EXPECT_EQ(allocator_.cachedBlocks(), cached);  // the same work needed no new blocks
}

}  // namespace
}  // namespace meshgate::http::h2
