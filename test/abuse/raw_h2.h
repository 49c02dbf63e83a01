#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/sockets.h"

struct nghttp2_hd_inflater;

namespace meshgate::abuse {

// A raw HTTP/2 client for hostile tests: frames are built byte by byte (RFC 9113 §4.1), header
// blocks are HPACK-encoded by hand (RFC 7541), and nothing is validated on the way out, so a test
// can send exactly the malformed or abusive sequence it needs.

inline constexpr std::string_view kClientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
inline constexpr size_t kFrameHeaderBytes = 9;
inline constexpr uint32_t kDefaultMaxFrameSize = 16384;

enum class FrameType : uint8_t {
  kData = 0x0,
  kHeaders = 0x1,
  kPriority = 0x2,
  kRstStream = 0x3,
  kSettings = 0x4,
  kPushPromise = 0x5,
  kPing = 0x6,
  kGoAway = 0x7,
  kWindowUpdate = 0x8,
  kContinuation = 0x9,
};

inline constexpr uint8_t kFlagEndStream = 0x1;
inline constexpr uint8_t kFlagAck = 0x1;
inline constexpr uint8_t kFlagEndHeaders = 0x4;
inline constexpr uint8_t kFlagPadded = 0x8;
inline constexpr uint8_t kFlagPriority = 0x20;

// RFC 9113 §7.
enum class H2Error : uint32_t {
  kNoError = 0x0,
  kProtocolError = 0x1,
  kInternalError = 0x2,
  kFlowControlError = 0x3,
  kSettingsTimeout = 0x4,
  kStreamClosed = 0x5,
  kFrameSizeError = 0x6,
  kRefusedStream = 0x7,
  kCancel = 0x8,
  kCompressionError = 0x9,
  kConnectError = 0xa,
  kEnhanceYourCalm = 0xb,
  kInadequateSecurity = 0xc,
  kHttp11Required = 0xd,
};
std::string errorName(uint32_t code);
inline std::string errorName(H2Error code) { return errorName(static_cast<uint32_t>(code)); }

// RFC 9113 §6.5.2.
enum class SettingId : uint16_t {
  kHeaderTableSize = 0x1,
  kEnablePush = 0x2,
  kMaxConcurrentStreams = 0x3,
  kInitialWindowSize = 0x4,
  kMaxFrameSize = 0x5,
  kMaxHeaderListSize = 0x6,
};

struct Header {
  std::string name;
  std::string value;
  bool operator==(const Header&) const = default;
};
using HeaderList = std::vector<Header>;

// An HPACK header block written field by field, without Huffman coding.
class HpackBlock {
 public:
  // §6.2.2 literal without indexing, new name.
  HpackBlock& literal(std::string_view name, std::string_view value);
  // §6.2.1 literal with incremental indexing, new name: the field enters the dynamic table.
  HpackBlock& literalIndexed(std::string_view name, std::string_view value);
  // §6.1 indexed field: 1..61 static table, 62.. dynamic table (62 = most recent entry).
  HpackBlock& indexed(uint32_t index);
  HpackBlock& raw(std::string_view bytes);

  const std::string& bytes() const { return bytes_; }

 private:
  void integer(uint32_t value, int prefix_bits, uint8_t first_byte_flags);
  void string(std::string_view text);

  std::string bytes_;
};

// The headers of a gRPC unary call to grpc.example.com (what grpc++ sends, minus user-agent).
HeaderList grpcRequestHeaders(std::string_view path = "/test.Echo/Unary");
HpackBlock encodeHeaders(const HeaderList& headers);

std::string frame(FrameType type, uint8_t flags, uint32_t stream_id, std::string_view payload);
// A frame header announcing `length` payload bytes; the caller sends the payload (or not).
std::string frameHeader(FrameType type, uint8_t flags, uint32_t stream_id, uint32_t length);
std::string settingsFrame(const std::vector<std::pair<SettingId, uint32_t>>& settings);
std::string settingsAckFrame();
std::string headersFrame(uint32_t stream_id, std::string_view block, uint8_t flags);
std::string continuationFrame(uint32_t stream_id, std::string_view block, bool end_headers);
std::string dataFrame(uint32_t stream_id, std::string_view data, bool end_stream);
std::string rstStreamFrame(uint32_t stream_id, H2Error error);
std::string pingFrame(uint64_t opaque, bool ack = false);
std::string windowUpdateFrame(uint32_t stream_id, uint32_t increment);
// HEADERS then as many CONTINUATION frames as `block` needs at `max_frame_size` bytes each.
std::string headerBlockFrames(uint32_t stream_id, std::string_view block, bool end_stream,
                              size_t max_frame_size = kDefaultMaxFrameSize);
// One gRPC length-prefixed message.
std::string grpcMessage(std::string_view payload);

// What the client has seen of one stream.
struct StreamRecord {
  std::vector<HeaderList> header_blocks;  // response headers, then trailers
  std::string data;
  bool ended = false;  // END_STREAM received
  std::optional<uint32_t> reset_code;

  // The value of `name` in the first or last header block; empty when absent.
  std::string responseHeader(std::string_view name) const;
  std::string trailer(std::string_view name) const;
  // :status 200 and grpc-status 0 (in trailers or Trailers-Only), ended without reset.
  bool grpcOk() const;
  std::string describe() const;
};

struct GoAway {
  uint32_t last_stream_id = 0;
  uint32_t error_code = 0;
  std::string debug_data;
};

// A plaintext TCP connection to 127.0.0.1:port speaking raw HTTP/2 frames. Writes never block
// forever and never deadlock: while waiting to write, it reads and processes what the peer sends.
// The server's SETTINGS are acknowledged automatically unless a test turns that off. One thread.
class RawH2Client {
 public:
  explicit RawH2Client(int port);
  ~RawH2Client();
  RawH2Client(const RawH2Client&) = delete;
  RawH2Client& operator=(const RawH2Client&) = delete;

  bool connected() const { return fd_.valid(); }
  const std::string& connectError() const { return connect_error_; }

  // Writes every byte before `timeout`. False when the peer closed or reset the connection, or
  // the time ran out (timedOut() tells which).
  bool send(std::string_view bytes, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Sends the preface and `settings`, then waits for the server's SETTINGS.
  bool handshake(const std::vector<std::pair<SettingId, uint32_t>>& settings = {},
                 std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Reads and processes frames until `condition` holds, the connection ends or `timeout` passes;
  // returns `condition()`.
  bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout);
  // Waits for EOF or a reset from the peer.
  bool waitClosed(std::chrono::milliseconds timeout);
  // Sends a PING and waits for its ACK: everything sent before it has been processed.
  bool roundTrip(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // A unary gRPC request with an empty message on a new stream; returns its id.
  uint32_t sendGrpcRequest(const HeaderList& extra_headers = {});
  // Waits for the stream to end or be reset; then StreamRecord::grpcOk says how it went.
  bool waitStreamDone(uint32_t stream_id,
                      std::chrono::milliseconds timeout = std::chrono::seconds(5));
  uint32_t nextStreamId() {
    uint32_t id = next_stream_id_;
    next_stream_id_ += 2;
    return id;
  }

  bool closed() const { return closed_; }
  bool resetByPeer() const { return reset_by_peer_; }
  bool timedOut() const { return timed_out_; }
  const std::optional<GoAway>& goAway() const { return go_away_; }
  const StreamRecord* stream(uint32_t stream_id) const;
  const std::map<uint32_t, StreamRecord>& streams() const { return streams_; }
  bool serverSettingsSeen() const { return server_settings_seen_; }
  bool settingsAcked() const { return settings_acked_; }
  std::optional<uint32_t> serverSetting(SettingId id) const;
  uint32_t serverMaxFrameSize() const;
  size_t bytesSent() const { return bytes_sent_; }
  size_t framesReceived() const { return frames_received_; }
  // What the server sent that this client could not parse (e.g. bad HPACK); empty when fine.
  const std::string& parseError() const { return parse_error_; }
  // GOAWAY, resets and the state of the connection: for failure messages.
  std::string describe() const;

  void setAutoAckSettings(bool on) { auto_ack_settings_ = on; }

 private:
  // Moves bytes both ways until out_ is empty (when `flush`) or `condition` holds, the connection
  // ends or `deadline` passes. Returns false only on timeout.
  bool pump(const std::function<bool()>& condition, bool flush,
            std::chrono::steady_clock::time_point deadline);
  // Reads once; false on EOF or error (then closed_ is set).
  bool readSome();
  // Writes once from out_; false when the peer is gone.
  bool writeSome();
  void parseFrames();
  void onFrame(FrameType type, uint8_t flags, uint32_t stream_id, std::string_view payload);
  void onHeaderBlock(uint32_t stream_id, bool end_stream);

  testing::Fd fd_;
  std::string connect_error_;
  std::string in_;
  std::string out_;            // whole frames only, so acks queued by onFrame land between frames
  std::string pending_block_;  // a header block waiting for its CONTINUATION frames
  uint32_t pending_block_stream_ = 0;
  bool pending_block_end_stream_ = false;
  nghttp2_hd_inflater* inflater_ = nullptr;
  std::map<uint32_t, StreamRecord> streams_;
  std::map<uint16_t, uint32_t> server_settings_;
  std::optional<GoAway> go_away_;
  std::vector<uint64_t> ping_acks_;
  uint64_t next_ping_ = 1;
  uint32_t next_stream_id_ = 1;
  size_t bytes_sent_ = 0;
  size_t frames_received_ = 0;
  std::string frame_log_;  // the first frames received, e.g. "SETTINGS PING+ACK", for describe()
  bool closed_ = false;
  bool reset_by_peer_ = false;
  bool timed_out_ = false;
  bool server_settings_seen_ = false;
  bool settings_acked_ = false;
  bool auto_ack_settings_ = true;
  std::string parse_error_;
};

}  // namespace meshgate::abuse
