#pragma once

#include <chrono>
#include <cstdint>

namespace meshgate::http {

// Every per-connection and per-stream bound of the data plane, in one place. Defaults are
// sized for gRPC: large messages flow at full speed while a stalled peer costs at most
// one stream window per stream and one connection window per connection.
struct Limits {
  uint32_t max_concurrent_streams = 1024;
  uint32_t max_header_list_bytes = 64 * 1024;
  uint32_t max_header_count = 200;
  // Receive windows we advertise; they bound what a peer can make us buffer.
  uint32_t stream_window_bytes = 1024 * 1024;
  uint32_t connection_window_bytes = 16 * 1024 * 1024;
  uint32_t max_frame_bytes = 16 * 1024;
  // Request bytes a call keeps for replaying it on a retry; a longer request is committed to
  // its current attempt.
  uint32_t retry_buffer_bytes = 1024 * 1024;
  // Stop producing output for a connection above this many queued bytes.
  uint32_t output_high_watermark_bytes = 1024 * 1024;
  // Closes a connection with no open streams after this long (also a silent new connection).
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(5)};
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds drain_time{std::chrono::seconds(15)};
  // CVE-2023-44487: RST_STREAM frames a client may send, as a token bucket.
  uint64_t reset_burst = 1000;
  uint64_t reset_rate_per_second = 100;
  // CVE-2024-27316: CONTINUATION frames after one HEADERS frame.
  uint32_t max_continuations = 8;
};

}  // namespace meshgate::http
