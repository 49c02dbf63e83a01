// Pieces shared by the two HTTP/2 codec fuzz targets: the input header that chooses limits and
// chunking, and a scanner that checks the frames a codec writes. Header-only.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "base/byte_queue.h"
#include "fuzz_check.h"
#include "http/limits.h"

namespace meshgate::fuzz {

// The first bytes of every input: behaviour flags, limits, and how the rest is split into the
// reads a socket would deliver.
struct InputHeader {
  static constexpr size_t kSize = 4;
  uint8_t flags;
  uint8_t limits;
  uint8_t max_chunk;  // 0: one read; else reads of 1..max_chunk*8 bytes
  uint8_t seed;

  static InputHeader parse(const uint8_t* data) { return {data[0], data[1], data[2], data[3]}; }
  bool flag(int bit) const { return (flags >> bit) & 1; }
};

// Defaults, or small limits (bit 4 of flags) chosen by the limits byte so that windows,
// concurrency, header-list and reset limits are reached by short inputs.
inline http::Limits limitsFor(const InputHeader& header) {
  http::Limits limits;
  if (!header.flag(4)) return limits;
  uint8_t b = header.limits;
  limits.max_concurrent_streams = 1 + (b & 3);
  limits.max_header_list_bytes = 128u << ((b >> 2) & 3);  // 128 B .. 1 KiB
  limits.max_header_count = 4 + ((b >> 2) & 3) * 4;
  limits.stream_window_bytes = 16u << ((b >> 4) & 3) * 4;  // 16 B .. 64 KiB
  limits.max_continuations = (b & 0x40) ? 1 : 8;
  limits.connection_window_bytes = (b & 0x80) ? 65535 : 100000;
  limits.reset_burst = 2 + (header.seed & 7);
  limits.reset_rate_per_second = 1;
  limits.output_high_watermark_bytes = 64u << ((header.seed >> 3) & 7);  // 64 B .. 8 KiB
  return limits;
}

// Splits the body of the input into socket reads, deterministically from the header.
class ChunkSplitter {
 public:
  ChunkSplitter(const InputHeader& header, const uint8_t* data, size_t size)
      : data_(data), size_(size), max_chunk_(header.max_chunk * 8u), state_(header.seed + 1u) {}

  bool next(const uint8_t*& chunk, size_t& length) {
    if (pos_ >= size_) return false;
    size_t left = size_ - pos_;
    length = left;
    if (max_chunk_ > 0) {
      state_ = state_ * 1103515245u + 12345u;
      length = std::min<size_t>(left, 1 + (state_ >> 16) % max_chunk_);
    }
    chunk = data_ + pos_;
    pos_ += length;
    return true;
  }
  // A pseudo-random number for harness decisions, from the same sequence.
  uint32_t random() {
    state_ = state_ * 1103515245u + 12345u;
    return state_ >> 16;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  size_t max_chunk_;
  uint32_t state_;
};

// What the codec put on the wire for one stream, next to what the harness gave it to send.
struct WireStream {
  bool opened = false;           // the peer opened it (server) or the harness submitted it (client)
  bool submitted = false;        // headers were submitted for it
  bool closed = false;           // onStreamClose reported it
  uint64_t body_bytes = 0;       // returned by onBodyRead
  uint64_t data_bytes = 0;       // DATA payload on the wire
  bool source_finished = false;  // the last frame was submitted: END_STREAM must follow
  bool headers_sent = false;
  bool end_stream_sent = false;
  bool rst_sent = false;
};

// Parses the codec's output frame by frame (RFC 9113 §4.1) and checks it against the ledger:
// frames never exceed the default SETTINGS_MAX_FRAME_SIZE, HEADERS and DATA only travel on
// streams the harness knows, nothing follows END_STREAM, and no PUSH_PROMISE is ever sent.
class FrameScanner {
 public:
  static constexpr uint8_t kData = 0x0;
  static constexpr uint8_t kHeaders = 0x1;
  static constexpr uint8_t kRstStream = 0x3;
  static constexpr uint8_t kSettings = 0x4;
  static constexpr uint8_t kPushPromise = 0x5;
  static constexpr uint8_t kGoAway = 0x7;
  static constexpr uint8_t kEndStream = 0x1;
  static constexpr uint8_t kPadded = 0x8;
  static constexpr std::string_view kClientMagic = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

  FrameScanner(std::map<int32_t, WireStream>& ledger, bool expect_magic)
      : ledger_(ledger), magic_left_(expect_magic ? kClientMagic.size() : 0) {}

  void scan(const uint8_t* data, size_t length) {
    pending_.append(reinterpret_cast<const char*>(data), length);
    size_t pos = 0;
    if (magic_left_ > 0) {
      size_t n = std::min(magic_left_, pending_.size());
      size_t done = kClientMagic.size() - magic_left_;
      MG_FUZZ_CHECK(pending_.compare(0, n, kClientMagic.substr(done, n)) == 0);
      magic_left_ -= n;
      pos = n;
    }
    while (pending_.size() - pos >= 9) {
      const auto* p = reinterpret_cast<const uint8_t*>(pending_.data()) + pos;
      uint32_t payload = (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2];
      if (pending_.size() - pos < 9 + payload) break;
      onFrame(p[3], p[4],
              static_cast<int32_t>(((uint32_t{p[5]} & 0x7f) << 24) | (uint32_t{p[6]} << 16) |
                                   (uint32_t{p[7]} << 8) | p[8]),
              payload);
      pos += 9 + payload;
    }
    pending_.erase(0, pos);
  }

  size_t frames() const { return frames_; }
  bool sentGoAway() const { return sent_goaway_; }

 private:
  void onFrame(uint8_t type, uint8_t flags, int32_t stream_id, uint32_t payload) {
    if (frames_++ == 0) MG_FUZZ_CHECK(type == kSettings && stream_id == 0);
    MG_FUZZ_CHECK(payload <= 16384);
    MG_FUZZ_CHECK(type != kPushPromise);
    feature(0x100 + type, flags);
    if (type == kGoAway) sent_goaway_ = true;
    if (type == kRstStream) {
      auto it = ledger_.find(stream_id);
      if (it != ledger_.end()) it->second.rst_sent = true;
      return;
    }
    if (type != kData && type != kHeaders) return;
    auto it = ledger_.find(stream_id);
    MG_FUZZ_CHECK(it != ledger_.end() && it->second.opened);
    WireStream& stream = it->second;
    MG_FUZZ_CHECK(!stream.end_stream_sent && !stream.rst_sent);
    if (type == kData) {
      MG_FUZZ_CHECK(stream.headers_sent);
      MG_FUZZ_CHECK((flags & kPadded) == 0);  // the codec never pads
      stream.data_bytes += payload;
    } else {
      stream.headers_sent = true;
    }
    if (flags & kEndStream) stream.end_stream_sent = true;
  }

  std::map<int32_t, WireStream>& ledger_;
  size_t magic_left_;
  std::string pending_;
  size_t frames_ = 0;
  bool sent_goaway_ = false;
};

// Every byte a body source handed over is on the wire once the output is drained.
inline void checkBodiesOnWire(const std::map<int32_t, WireStream>& ledger) {
  for (const auto& [id, stream] : ledger) {
    MG_FUZZ_CHECK(stream.data_bytes == stream.body_bytes);
  }
}

// nghttp2 hands over only valid fields (RFC 9113 §8.2.1): a lower-case name, and no NUL, CR or LF.
inline void checkField(std::string_view name, std::string_view value) {
  MG_FUZZ_CHECK(!name.empty());
  for (char c : name) {
    MG_FUZZ_CHECK(!(c >= 'A' && c <= 'Z') && c != '\0' && c != '\r' && c != '\n');
  }
  for (char c : value) MG_FUZZ_CHECK(c != '\0' && c != '\r' && c != '\n');
}

// Fills a body chunk with a pattern derived from the stream and offset.
inline void fillBody(uint8_t* buffer, size_t length, int32_t stream_id, uint64_t offset) {
  for (size_t i = 0; i < length; ++i) {
    buffer[i] = static_cast<uint8_t>(static_cast<uint64_t>(stream_id) * 7 + offset + i);
  }
}

}  // namespace meshgate::fuzz
