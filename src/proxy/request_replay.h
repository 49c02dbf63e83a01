#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/gauge.h"

namespace meshgate::proxy {

// The request bytes of one call on their way upstream. While the call may still be retried,
// the bytes an attempt has read are kept (up to `limit`) so the next attempt can read them
// again from the start; past the limit, or once the call is committed, read bytes are dropped
// and this is a plain queue.
//
// Flow control: the client's window is credited once per byte, the first time any attempt
// reads it (takeCredit), so a replay neither double-credits nor holds back the client.
class RequestReplay {
 public:
  RequestReplay() = default;
  // Metered: it adds what it holds to a gauge, so it is not copyable.
  RequestReplay(const RequestReplay&) = delete;
  RequestReplay& operator=(const RequestReplay&) = delete;
  ~RequestReplay() {
    if (meter_ != nullptr) meter_->sub(static_cast<int64_t>(data_.size()));
  }
  // Counts the bytes held in `gauge` (the admin's request-buffered-bytes gauge).
  void meter(base::Gauge* gauge) {
    meter_ = gauge;
    if (meter_ != nullptr) meter_->add(static_cast<int64_t>(data_.size()));
  }

  // 0: no replay (a call that cannot be retried).
  void setLimit(size_t limit) {
    limit_ = limit;
    replayable_ = limit > 0;
  }

  // Returns true when these bytes made the request outgrow the limit: the call is from now on
  // committed to its current attempt.
  bool append(const uint8_t* data, size_t length);
  // Copies up to `length` unread bytes for the current attempt.
  size_t read(uint8_t* out, size_t length);
  // Bytes read for the first time since the last call: what the client's window gets back.
  size_t takeCredit();

  // The next attempt reads from the first byte. Only while canReplay().
  void rewind() {
    if (dropped_ == 0) cursor_ = 0;
  }
  // No more attempts: stop keeping read bytes.
  void stopReplay();
  // Drops everything; returns the received bytes never credited (for the connection window).
  size_t release();

  bool replayable() const { return replayable_; }
  // A new attempt can send the whole request: it is kept, or no byte of it was read yet.
  bool canReplay() const { return replayable_ || (dropped_ == 0 && cursor_ == 0); }
  bool hasUnread() const { return cursor_ < data_.size(); }
  size_t unread() const { return data_.size() - cursor_; }
  // Bytes ever received, including dropped ones.
  uint64_t received() const { return dropped_ + data_.size(); }
  size_t held() const { return data_.size(); }
  // The bytes the current attempt has yet to read.
  std::string_view unreadView() const { return std::string_view(data_).substr(cursor_); }

 private:
  void dropRead();
  // Tells the meter how data_ changed from `before` bytes.
  void account(size_t before) {
    if (meter_ != nullptr)
      meter_->add(static_cast<int64_t>(data_.size()) - static_cast<int64_t>(before));
  }

  std::string data_;
  size_t cursor_ = 0;      // the current attempt's read position in data_
  uint64_t dropped_ = 0;   // bytes dropped from the front of data_
  uint64_t credited_ = 0;  // absolute: bytes whose window the client got back
  size_t limit_ = 0;
  bool replayable_ = false;
  base::Gauge* meter_ = nullptr;
};

}  // namespace meshgate::proxy
