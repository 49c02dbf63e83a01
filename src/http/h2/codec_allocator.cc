#include "http/h2/codec_allocator.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <nghttp2/nghttp2.h>

namespace meshgate::http::h2 {
namespace {

// Every block starts with a header recording its class; 16 bytes keep the payload aligned.
struct alignas(16) BlockHeader {
  uint32_t size_class;  // kUnpooled for blocks above the largest class
  uint32_t capacity;
};
constexpr uint32_t kUnpooled = UINT32_MAX;
constexpr size_t kSmallestClass = 64;

uint32_t classFor(size_t size, size_t classes) {
  size_t capacity = kSmallestClass;
  for (uint32_t c = 0; c < classes; ++c, capacity <<= 1) {
    if (size <= capacity) return c;
  }
  return kUnpooled;
}

BlockHeader* headerOf(void* block) { return static_cast<BlockHeader*>(block) - 1; }

}  // namespace

CodecAllocator::CodecAllocator()
    : mem_(new nghttp2_mem{this, mallocHook, freeHook, callocHook, reallocHook}) {}

CodecAllocator::~CodecAllocator() {
  for (auto& list : free_lists_) {
    for (void* block : list) std::free(headerOf(block));
  }
  delete static_cast<nghttp2_mem*>(mem_);
}

size_t CodecAllocator::cachedBlocks() const {
  size_t total = 0;
  for (const auto& list : free_lists_) total += list.size();
  return total;
}

void* CodecAllocator::allocate(size_t size) {
  uint32_t size_class = classFor(size, kClasses);
  if (size_class != kUnpooled && !free_lists_[size_class].empty()) {
    void* block = free_lists_[size_class].back();
    free_lists_[size_class].pop_back();
    return block;
  }
  size_t capacity = size_class == kUnpooled ? size : kSmallestClass << size_class;
  auto* header = static_cast<BlockHeader*>(std::malloc(sizeof(BlockHeader) + capacity));
  if (header == nullptr) return nullptr;
  header->size_class = size_class;
  header->capacity = static_cast<uint32_t>(capacity);
  return header + 1;
}

void CodecAllocator::release(void* block) {
  if (block == nullptr) return;
  BlockHeader* header = headerOf(block);
  if (header->size_class != kUnpooled &&
      free_lists_[header->size_class].size() < kMaxCachedPerClass) {
    free_lists_[header->size_class].push_back(block);
    return;
  }
  std::free(header);
}

void* CodecAllocator::resize(void* block, size_t size) {
  if (block == nullptr) return allocate(size);
  if (size <= headerOf(block)->capacity) return block;
  void* bigger = allocate(size);
  if (bigger == nullptr) return nullptr;
  std::memcpy(bigger, block, headerOf(block)->capacity);
  release(block);
  return bigger;
}

void* CodecAllocator::mallocHook(size_t size, void* self) {
  return static_cast<CodecAllocator*>(self)->allocate(size);
}

void CodecAllocator::freeHook(void* block, void* self) {
  static_cast<CodecAllocator*>(self)->release(block);
}

void* CodecAllocator::callocHook(size_t count, size_t size, void* self) {
  if (size != 0 && count > SIZE_MAX / size) return nullptr;
  void* block = static_cast<CodecAllocator*>(self)->allocate(count * size);
  if (block != nullptr) std::memset(block, 0, count * size);
  return block;
}

void* CodecAllocator::reallocHook(void* block, size_t size, void* self) {
  return static_cast<CodecAllocator*>(self)->resize(block, size);
}

}  // namespace meshgate::http::h2
