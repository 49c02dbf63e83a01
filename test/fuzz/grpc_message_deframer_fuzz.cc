// Feeds the same bytes to MessageDeframer once whole and once in pseudo-random pieces; both must
// report the same messages, the same error and the same end state. The first four bytes choose
// the options and the seed of the split.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "grpcwire/message_deframer.h"

namespace {

using meshgate::grpcwire::DeframeError;
using meshgate::grpcwire::MessageDeframer;
using meshgate::grpcwire::MessageHeader;

void check(bool condition) {
  if (!condition) std::abort();
}

struct Log : MessageDeframer::Handler {
  void onMessageStart(const MessageHeader& header) override {
    check(!open);
    open = true;
    headers.push_back(header);
    payloads.emplace_back();
  }
  void onMessageData(std::span<const uint8_t> chunk) override {
    check(open && !chunk.empty());
    payloads.back().append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
    check(payloads.back().size() <= headers.back().length);
    ++data_events;
  }
  void onMessageEnd() override {
    check(open && payloads.back().size() == headers.back().length);
    open = false;
    ++ended;
  }

  bool open = false;
  std::vector<MessageHeader> headers;
  std::vector<std::string> payloads;
  size_t data_events = 0;
  size_t ended = 0;
};

struct Outcome {
  DeframeError feed_error = DeframeError::kNone;
  DeframeError finish_error = DeframeError::kNone;
  std::string message;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  MessageDeframer::Options options;
  options.max_message_bytes = uint32_t{data[0]} << (data[1] % 24);
  options.buffer_messages = (data[1] & 0x80) != 0;
  options.allowed_flags = (data[1] & 0x40) != 0 ? 0x81 : 0x01;
  uint32_t seed = (uint32_t{data[2]} << 8) | data[3];
  data += 4;
  size -= 4;

  MessageDeframer whole(options);
  Log whole_log;
  Outcome whole_outcome;
  whole_outcome.feed_error = whole.feed(data, size, whole_log);
  bool whole_boundary = whole.atMessageBoundary();
  whole_outcome.finish_error = whole.finish();
  whole_outcome.message = whole.errorMessage();

  MessageDeframer split(options);
  Log split_log;
  Outcome split_outcome;
  size_t pos = 0;
  while (pos < size) {
    seed = seed * 1103515245u + 12345u;
    size_t piece = (seed >> 16) % 17;  // 0..16, empty pieces included
    if (piece > size - pos) piece = size - pos;
    DeframeError error = split.feed(data + pos, piece, split_log);
    if (error != DeframeError::kNone) split_outcome.feed_error = error;
    pos += piece;
  }
  if (size == 0) split_outcome.feed_error = split.feed(data, 0, split_log);
  bool split_boundary = split.atMessageBoundary();
  split_outcome.finish_error = split.finish();
  split_outcome.message = split.errorMessage();

  check(whole_outcome.feed_error == split_outcome.feed_error);
  check(whole_outcome.finish_error == split_outcome.finish_error);
  check(whole_outcome.message == split_outcome.message);
  check(whole_boundary == split_boundary);
  check(whole_log.headers == split_log.headers);
  check(whole_log.payloads == split_log.payloads);
  check(whole_log.ended == split_log.ended);
  for (const MessageHeader& header : whole_log.headers) {
    check(header.length <= options.max_message_bytes);
    check((header.flags & ~options.allowed_flags) == 0);
  }
  if (options.buffer_messages) {
    // One data event per completed non-empty message, none for a partial one.
    size_t expected = 0;
    for (size_t i = 0; i < split_log.ended; ++i) expected += split_log.headers[i].length > 0;
    check(split_log.data_events == expected);
  }
  return 0;
}
