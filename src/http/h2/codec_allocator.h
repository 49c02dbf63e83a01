#pragma once

#include <array>
#include <cstddef>
#include <vector>

namespace meshgate::http::h2 {

// A recycling allocator for the codecs of one worker. nghttp2 makes several small, short-lived
// allocations per stream (stream state, outbound items, header buffers); with hundreds of
// streams in flight glibc's per-thread cache runs dry and every call pays for bin management.
// Freed blocks are kept on per-size-class free lists (bounded) and handed out again.
// Single-threaded: every codec using it must live on the owning worker's thread, and it must
// outlive them.
class CodecAllocator {
 public:
  CodecAllocator();
  ~CodecAllocator();
  CodecAllocator(const CodecAllocator&) = delete;
  CodecAllocator& operator=(const CodecAllocator&) = delete;

  // The nghttp2_mem table (nghttp2 declares it as an anonymous struct: opaque here).
  void* mem() { return mem_; }
  size_t cachedBlocks() const;

 private:
  static constexpr size_t kClasses = 8;  // 64 B .. 8 KiB
  static constexpr size_t kMaxCachedPerClass = 4096;

  void* allocate(size_t size);
  void release(void* block);
  void* resize(void* block, size_t size);

  static void* mallocHook(size_t size, void* self);
  static void freeHook(void* block, void* self);
  static void* callocHook(size_t count, size_t size, void* self);
  static void* reallocHook(void* block, size_t size, void* self);

  std::array<std::vector<void*>, kClasses> free_lists_;
  void* mem_;
};

}  // namespace meshgate::http::h2
