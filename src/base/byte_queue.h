#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "base/gauge.h"

namespace meshgate::base {

// A FIFO of bytes in one contiguous block with a read offset. Per-stream and per-connection
// queues are small (bounded by flow-control windows), so one block with amortised compaction
// beats a slice chain: appends are memcpy, reads are pointer arithmetic.
class ByteQueue {
 public:
  ByteQueue() = default;
  // A metered queue adds what it holds to the gauge; not copyable then, so not at all.
  ByteQueue(const ByteQueue&) = delete;
  ByteQueue& operator=(const ByteQueue&) = delete;
  ~ByteQueue() {
    if (meter_ != nullptr) meter_->sub(static_cast<int64_t>(size()));
  }

  // Counts the bytes held in `gauge` from now on (the admin's buffered-bytes gauges).
  void meter(Gauge* gauge) {
    if (meter_ != nullptr) meter_->sub(static_cast<int64_t>(size()));
    meter_ = gauge;
    if (meter_ != nullptr) meter_->add(static_cast<int64_t>(size()));
  }

  size_t size() const { return data_.size() - head_; }
  bool empty() const { return size() == 0; }
  const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(data_.data()) + head_; }
  std::string_view view() const { return std::string_view(data_).substr(head_); }

  void append(const void* bytes, size_t n) {
    if (head_ > 0 && head_ == data_.size()) reset();
    data_.append(static_cast<const char*>(bytes), n);
    if (meter_ != nullptr) meter_->add(static_cast<int64_t>(n));
  }
  void append(std::string_view bytes) { append(bytes.data(), bytes.size()); }

  // Removes n bytes from the front. Compacts when the dead prefix dominates, keeping the
  // block from growing without bound under steady append/drain.
  void drain(size_t n) {
    if (n > size()) n = size();
    if (meter_ != nullptr) meter_->sub(static_cast<int64_t>(n));
    head_ += n;
    if (head_ >= data_.size()) {
      reset();
    } else if (head_ > 64 * 1024 && head_ * 2 > data_.size()) {
      data_.erase(0, head_);
      head_ = 0;
    }
  }

  // Copies up to n bytes from the front into out and drains them; returns the count.
  size_t read(void* out, size_t n) {
    size_t count = n < size() ? n : size();
    std::memcpy(out, data(), count);
    drain(count);
    return count;
  }

  void clear() {
    if (meter_ != nullptr) meter_->sub(static_cast<int64_t>(size()));
    reset();
  }
  // Bytes held including the drained prefix: what the queue costs in memory.
  size_t capacity() const { return data_.capacity(); }
  void shrink() {
    if (empty()) std::string().swap(data_);
  }

 private:
  void reset() {
    data_.clear();
    head_ = 0;
  }

  std::string data_;
  size_t head_ = 0;
  Gauge* meter_ = nullptr;
};

}  // namespace meshgate::base
