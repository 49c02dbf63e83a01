#include "grpcwire/message_deframer.h"

#include <algorithm>

#include <fmt/format.h>

namespace meshgate::grpcwire {
namespace {

// A buffer that once held a large message is released rather than kept for the stream's life.
constexpr size_t kKeepBufferBytes = 64 * 1024;

}  // namespace

void writeMessagePrefix(uint8_t* out, uint8_t flags, uint32_t length) {
  out[0] = flags;
  out[1] = static_cast<uint8_t>(length >> 24);
  out[2] = static_cast<uint8_t>(length >> 16);
  out[3] = static_cast<uint8_t>(length >> 8);
  out[4] = static_cast<uint8_t>(length);
}

std::array<uint8_t, kMessagePrefixBytes> encodeMessagePrefix(uint8_t flags, uint32_t length) {
  std::array<uint8_t, kMessagePrefixBytes> prefix{};
  writeMessagePrefix(prefix.data(), flags, length);
  return prefix;
}

std::string_view deframeErrorName(DeframeError error) {
  switch (error) {
    case DeframeError::kNone:
      return "none";
    case DeframeError::kMessageTooLarge:
      return "message too large";
    case DeframeError::kInvalidFlags:
      return "invalid flags";
    case DeframeError::kTruncated:
      return "truncated";
  }
  return "?";
}

DeframeError MessageDeframer::feed(const uint8_t* data, size_t size, Handler& handler) {
  if (error_ != DeframeError::kNone) return error_;
  size_t pos = 0;
  while (true) {
    if (!in_payload_) {
      if (pos == size) break;
      pos += takePrefix(data + pos, size - pos);
      if (prefix_filled_ < kMessagePrefixBytes) break;
      if (DeframeError error = startMessage(handler); error != DeframeError::kNone) return error;
    }
    // An empty message ends here even when the feed is used up.
    if (remaining_ == 0) {
      endMessage(handler);
      continue;
    }
    if (pos == size) break;
    pos += takePayload(data + pos, size - pos, handler);
  }
  return DeframeError::kNone;
}

DeframeError MessageDeframer::finish() {
  if (error_ != DeframeError::kNone) return error_;
  if (!atMessageBoundary()) return fail(DeframeError::kTruncated);
  return DeframeError::kNone;
}

std::string MessageDeframer::errorMessage() const {
  switch (error_) {
    case DeframeError::kNone:
      return {};
    case DeframeError::kMessageTooLarge:
      return fmt::format("grpc message of {} bytes exceeds the limit of {} bytes", current_.length,
                         options_.max_message_bytes);
    case DeframeError::kInvalidFlags:
      return fmt::format("grpc message flags 0x{:02x} are not allowed (allowed: 0x{:02x})",
                         current_.flags, options_.allowed_flags);
    case DeframeError::kTruncated:
      if (!in_payload_) {
        return fmt::format("grpc stream ended inside a message prefix ({} of {} bytes)",
                           prefix_filled_, kMessagePrefixBytes);
      }
      return fmt::format("grpc stream ended inside a message ({} of {} bytes)",
                         current_.length - remaining_, current_.length);
  }
  return "?";
}

DeframeError MessageDeframer::fail(DeframeError error) {
  error_ = error;
  std::string().swap(buffered_);
  return error;
}

size_t MessageDeframer::takePrefix(const uint8_t* data, size_t size) {
  size_t n = std::min(size, kMessagePrefixBytes - prefix_filled_);
  std::copy_n(data, n, prefix_.data() + prefix_filled_);
  prefix_filled_ += n;
  return n;
}

DeframeError MessageDeframer::startMessage(Handler& handler) {
  current_.flags = prefix_[0];
  current_.length = (uint32_t{prefix_[1]} << 24) | (uint32_t{prefix_[2]} << 16) |
                    (uint32_t{prefix_[3]} << 8) | uint32_t{prefix_[4]};
  prefix_filled_ = 0;
  if ((current_.flags & ~options_.allowed_flags) != 0) return fail(DeframeError::kInvalidFlags);
  if (current_.length > options_.max_message_bytes) return fail(DeframeError::kMessageTooLarge);
  in_payload_ = true;
  remaining_ = current_.length;
  handler.onMessageStart(current_);
  return DeframeError::kNone;
}

size_t MessageDeframer::takePayload(const uint8_t* data, size_t size, Handler& handler) {
  auto n = static_cast<uint32_t>(std::min<size_t>(size, remaining_));
  remaining_ -= n;
  if (!options_.buffer_messages) {
    handler.onMessageData({data, n});
    return n;
  }
  if (buffered_.empty() && remaining_ == 0) {
    handler.onMessageData({data, n});  // the whole payload is in this feed: no copy
    return n;
  }
  buffered_.append(reinterpret_cast<const char*>(data), n);
  if (remaining_ == 0) {
    handler.onMessageData({reinterpret_cast<const uint8_t*>(buffered_.data()), buffered_.size()});
    buffered_.clear();
    if (buffered_.capacity() > kKeepBufferBytes) std::string().swap(buffered_);
  }
  return n;
}

void MessageDeframer::endMessage(Handler& handler) {
  in_payload_ = false;
  handler.onMessageEnd();
}

}  // namespace meshgate::grpcwire
