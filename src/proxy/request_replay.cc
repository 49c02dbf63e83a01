#include "proxy/request_replay.h"

#include <algorithm>
#include <cstring>

namespace meshgate::proxy {

bool RequestReplay::append(const uint8_t* data, size_t length) {
  if (!replayable_ && cursor_ == data_.size()) dropRead();  // keep a drained queue small
  size_t before = data_.size();
  data_.append(reinterpret_cast<const char*>(data), length);
  account(before);
  if (replayable_ && received() > limit_) {
    stopReplay();
    return true;
  }
  return false;
}

size_t RequestReplay::read(uint8_t* out, size_t length) {
  size_t count = std::min(length, unread());
  std::memcpy(out, data_.data() + cursor_, count);
  cursor_ += count;
  // Without replay, read bytes go; compaction is amortised like base::ByteQueue's.
  if (!replayable_ && (cursor_ == data_.size() || cursor_ > 64 * 1024)) dropRead();
  return count;
}

size_t RequestReplay::takeCredit() {
  uint64_t read_so_far = dropped_ + cursor_;
  if (read_so_far <= credited_) return 0;
  size_t credit = read_so_far - credited_;
  credited_ = read_so_far;
  return credit;
}

void RequestReplay::stopReplay() {
  replayable_ = false;
  dropRead();
  data_.shrink_to_fit();  // the replay copy may have been large
}

void RequestReplay::dropRead() {
  size_t before = data_.size();
  data_.erase(0, cursor_);
  account(before);
  dropped_ += cursor_;
  cursor_ = 0;
}

size_t RequestReplay::release() {
  uint64_t uncredited = received() - std::min(received(), credited_);
  size_t before = data_.size();
  dropped_ += data_.size();
  credited_ = dropped_;
  data_.clear();
  cursor_ = 0;
  replayable_ = false;
  std::string().swap(data_);
  account(before);
  return uncredited;
}

}  // namespace meshgate::proxy
