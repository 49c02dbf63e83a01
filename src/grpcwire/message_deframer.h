#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace meshgate::grpcwire {

// PROTOCOL-HTTP2: Length-Prefixed-Message = Compressed-Flag (1 byte) Message-Length (4 bytes,
// big-endian) Message.
inline constexpr size_t kMessagePrefixBytes = 5;
inline constexpr uint8_t kFlagCompressed = 0x01;
// PROTOCOL-WEB: trailers travel as a length-prefixed frame with the MSB of the flag byte set.
inline constexpr uint8_t kFlagTrailers = 0x80;
// gRPC's default receive limit (GRPC_DEFAULT_MAX_RECV_MESSAGE_LENGTH).
inline constexpr uint32_t kDefaultMaxMessageBytes = 4 * 1024 * 1024;

struct MessageHeader {
  uint8_t flags = 0;
  uint32_t length = 0;

  bool compressed() const { return (flags & kFlagCompressed) != 0; }
  bool trailers() const { return (flags & kFlagTrailers) != 0; }
  bool operator==(const MessageHeader&) const = default;
};

// Writes the 5-byte prefix of a message of `length` bytes.
void writeMessagePrefix(uint8_t* out, uint8_t flags, uint32_t length);
std::array<uint8_t, kMessagePrefixBytes> encodeMessagePrefix(uint8_t flags, uint32_t length);

enum class DeframeError {
  kNone,
  kMessageTooLarge,  // the prefix announces more than Options::max_message_bytes
  kInvalidFlags,     // the flag byte has a bit outside Options::allowed_flags
  kTruncated,        // finish() inside a prefix or a payload
};

// Incremental parser of length-prefixed messages: bytes in, events out. By default it streams a
// payload to the handler in the chunks it was fed and holds at most 4 prefix bytes itself; with
// Options::buffer_messages it hands each payload over whole, copying only when a payload spans
// feeds. After an error every call returns that error and emits nothing. Single-threaded.
class MessageDeframer {
 public:
  struct Options {
    uint32_t max_message_bytes = kDefaultMaxMessageBytes;
    uint8_t allowed_flags = kFlagCompressed;  // gRPC-Web adds kFlagTrailers
    bool buffer_messages = false;
  };

  // Receives events in wire order: onMessageStart, then onMessageData with non-empty chunks
  // (exactly one holding the whole payload when buffering; none for an empty message), then
  // onMessageEnd. Spans are valid only during the call. A handler must not call back into the
  // deframer or destroy it.
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void onMessageStart(const MessageHeader& header) = 0;
    virtual void onMessageData(std::span<const uint8_t> chunk) = 0;
    virtual void onMessageEnd() = 0;
  };

  MessageDeframer() : MessageDeframer(Options{}) {}
  explicit MessageDeframer(Options options) : options_(options) {}

  DeframeError feed(const uint8_t* data, size_t size, Handler& handler);
  DeframeError feed(std::span<const uint8_t> bytes, Handler& handler) {
    return feed(bytes.data(), bytes.size(), handler);
  }
  // The end of the stream: kTruncated unless it fell between messages.
  DeframeError finish();

  DeframeError error() const { return error_; }
  // What went wrong, with the values seen, e.g. "grpc message of 5242880 bytes exceeds the limit
  // of 4194304 bytes"; empty without an error.
  std::string errorMessage() const;
  // True between messages: no partial prefix or payload pending.
  bool atMessageBoundary() const { return prefix_filled_ == 0 && !in_payload_; }

 private:
  DeframeError fail(DeframeError error);
  // Consumes prefix bytes; returns how many it took.
  size_t takePrefix(const uint8_t* data, size_t size);
  DeframeError startMessage(Handler& handler);
  size_t takePayload(const uint8_t* data, size_t size, Handler& handler);
  void endMessage(Handler& handler);

  Options options_;
  DeframeError error_ = DeframeError::kNone;
  std::array<uint8_t, kMessagePrefixBytes> prefix_{};
  size_t prefix_filled_ = 0;
  bool in_payload_ = false;
  MessageHeader current_;
  uint32_t remaining_ = 0;
  std::string buffered_;  // only with buffer_messages, only for payloads that span feeds
};

std::string_view deframeErrorName(DeframeError error);

}  // namespace meshgate::grpcwire
