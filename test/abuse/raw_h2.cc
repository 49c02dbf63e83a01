#include "abuse/raw_h2.h"

#include <algorithm>
#include <cerrno>
#include <poll.h>
#include <sstream>
#include <sys/socket.h>

#include <nghttp2/nghttp2.h>

#include "grpcwire/message_deframer.h"

namespace meshgate::abuse {
namespace {

void put32(std::string& out, uint32_t value) {
  out.push_back(static_cast<char>(value >> 24));
  out.push_back(static_cast<char>(value >> 16));
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value));
}

uint32_t get32(std::string_view bytes, size_t at) {
  auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(bytes[at + i])); };
  return (byte(0) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3);
}

int remainingMs(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

std::string_view headerValue(const HeaderList& headers, std::string_view name) {
  for (const Header& header : headers) {
    if (header.name == name) return header.value;
  }
  return {};
}

}  // namespace

std::string errorName(uint32_t code) {
  static constexpr std::string_view kNames[] = {"NO_ERROR",
                                                "PROTOCOL_ERROR",
                                                "INTERNAL_ERROR",
                                                "FLOW_CONTROL_ERROR",
                                                "SETTINGS_TIMEOUT",
                                                "STREAM_CLOSED",
                                                "FRAME_SIZE_ERROR",
                                                "REFUSED_STREAM",
                                                "CANCEL",
                                                "COMPRESSION_ERROR",
                                                "CONNECT_ERROR",
                                                "ENHANCE_YOUR_CALM",
                                                "INADEQUATE_SECURITY",
                                                "HTTP_1_1_REQUIRED"};
  if (code < std::size(kNames)) return std::string(kNames[code]);
  return "0x" + [code] {
    std::ostringstream out;
    out << std::hex << code;
    return out.str();
  }();
}

HpackBlock& HpackBlock::literal(std::string_view name, std::string_view value) {
  integer(0, 4, 0x00);
  string(name);
  string(value);
  return *this;
}

HpackBlock& HpackBlock::literalIndexed(std::string_view name, std::string_view value) {
  integer(0, 6, 0x40);
  string(name);
  string(value);
  return *this;
}

HpackBlock& HpackBlock::indexed(uint32_t index) {
  integer(index, 7, 0x80);
  return *this;
}

HpackBlock& HpackBlock::raw(std::string_view bytes) {
  bytes_.append(bytes);
  return *this;
}

// RFC 7541 §5.1.
void HpackBlock::integer(uint32_t value, int prefix_bits, uint8_t first_byte_flags) {
  const uint32_t max_prefix = (1u << prefix_bits) - 1;
  if (value < max_prefix) {
    bytes_.push_back(static_cast<char>(first_byte_flags | value));
    return;
  }
  bytes_.push_back(static_cast<char>(first_byte_flags | max_prefix));
  value -= max_prefix;
  while (value >= 128) {
    bytes_.push_back(static_cast<char>((value % 128) + 128));
    value /= 128;
  }
  bytes_.push_back(static_cast<char>(value));
}

// RFC 7541 §5.2, H = 0.
void HpackBlock::string(std::string_view text) {
  integer(static_cast<uint32_t>(text.size()), 7, 0x00);
  bytes_.append(text);
}

HeaderList grpcRequestHeaders(std::string_view path) {
  return {{":method", "POST"},
          {":scheme", "http"},
          {":path", std::string(path)},
          {":authority", "grpc.example.com"},
          {"content-type", "application/grpc"},
          {"te", "trailers"}};
}

HpackBlock encodeHeaders(const HeaderList& headers) {
  HpackBlock block;
  for (const Header& header : headers) block.literal(header.name, header.value);
  return block;
}

std::string frameHeader(FrameType type, uint8_t flags, uint32_t stream_id, uint32_t length) {
  std::string out;
  out.push_back(static_cast<char>(length >> 16));
  out.push_back(static_cast<char>(length >> 8));
  out.push_back(static_cast<char>(length));
  out.push_back(static_cast<char>(type));
  out.push_back(static_cast<char>(flags));
  put32(out, stream_id & 0x7FFFFFFF);
  return out;
}

std::string frame(FrameType type, uint8_t flags, uint32_t stream_id, std::string_view payload) {
  std::string out = frameHeader(type, flags, stream_id, static_cast<uint32_t>(payload.size()));
  out.append(payload);
  return out;
}

std::string settingsFrame(const std::vector<std::pair<SettingId, uint32_t>>& settings) {
  std::string payload;
  for (const auto& [id, value] : settings) {
    payload.push_back(static_cast<char>(static_cast<uint16_t>(id) >> 8));
    payload.push_back(static_cast<char>(static_cast<uint16_t>(id)));
    put32(payload, value);
  }
  return frame(FrameType::kSettings, 0, 0, payload);
}

std::string settingsAckFrame() { return frame(FrameType::kSettings, kFlagAck, 0, {}); }

std::string headersFrame(uint32_t stream_id, std::string_view block, uint8_t flags) {
  return frame(FrameType::kHeaders, flags, stream_id, block);
}

std::string continuationFrame(uint32_t stream_id, std::string_view block, bool end_headers) {
  return frame(FrameType::kContinuation, end_headers ? kFlagEndHeaders : 0, stream_id, block);
}

std::string dataFrame(uint32_t stream_id, std::string_view data, bool end_stream) {
  return frame(FrameType::kData, end_stream ? kFlagEndStream : 0, stream_id, data);
}

std::string rstStreamFrame(uint32_t stream_id, H2Error error) {
  std::string payload;
  put32(payload, static_cast<uint32_t>(error));
  return frame(FrameType::kRstStream, 0, stream_id, payload);
}

std::string pingFrame(uint64_t opaque, bool ack) {
  std::string payload;
  put32(payload, static_cast<uint32_t>(opaque >> 32));
  put32(payload, static_cast<uint32_t>(opaque));
  return frame(FrameType::kPing, ack ? kFlagAck : 0, 0, payload);
}

std::string windowUpdateFrame(uint32_t stream_id, uint32_t increment) {
  std::string payload;
  put32(payload, increment);
  return frame(FrameType::kWindowUpdate, 0, stream_id, payload);
}

std::string headerBlockFrames(uint32_t stream_id, std::string_view block, bool end_stream,
                              size_t max_frame_size) {
  std::string out;
  size_t first = std::min(block.size(), max_frame_size);
  uint8_t flags = (end_stream ? kFlagEndStream : 0) | (first == block.size() ? kFlagEndHeaders : 0);
  out += headersFrame(stream_id, block.substr(0, first), flags);
  for (size_t pos = first; pos < block.size(); pos += max_frame_size) {
    std::string_view piece = block.substr(pos, max_frame_size);
    out += continuationFrame(stream_id, piece, pos + piece.size() == block.size());
  }
  return out;
}

std::string grpcMessage(std::string_view payload) {
  auto prefix = grpcwire::encodeMessagePrefix(0, static_cast<uint32_t>(payload.size()));
  std::string out(prefix.begin(), prefix.end());
  out.append(payload);
  return out;
}

std::string StreamRecord::responseHeader(std::string_view name) const {
  if (header_blocks.empty()) return {};
  return std::string(headerValue(header_blocks.front(), name));
}

std::string StreamRecord::trailer(std::string_view name) const {
  if (header_blocks.empty()) return {};
  return std::string(headerValue(header_blocks.back(), name));
}

bool StreamRecord::grpcOk() const {
  return ended && !reset_code && responseHeader(":status") == "200" &&
         trailer("grpc-status") == "0";
}

std::string StreamRecord::describe() const {
  std::ostringstream out;
  out << "blocks=" << header_blocks.size() << " :status=" << responseHeader(":status")
      << " grpc-status=" << trailer("grpc-status") << " grpc-message=" << trailer("grpc-message")
      << " ended=" << ended;
  if (reset_code) out << " reset=" << errorName(*reset_code);
  return out.str();
}

RawH2Client::RawH2Client(int port) {
  fd_ = testing::connectTcp(port, &connect_error_);
  if (fd_.valid()) testing::setNonBlocking(fd_.get(), true);
  nghttp2_hd_inflate_new(&inflater_);
}

RawH2Client::~RawH2Client() { nghttp2_hd_inflate_del(inflater_); }

bool RawH2Client::send(std::string_view bytes, std::chrono::milliseconds timeout) {
  if (closed_) return false;
  out_.append(bytes);
  pump({}, true, std::chrono::steady_clock::now() + timeout);
  return !closed_ && out_.empty();
}

bool RawH2Client::handshake(const std::vector<std::pair<SettingId, uint32_t>>& settings,
                            std::chrono::milliseconds timeout) {
  if (!send(std::string(kClientPreface) + settingsFrame(settings), timeout)) return false;
  return waitFor([this] { return server_settings_seen_; }, timeout);
}

bool RawH2Client::waitFor(const std::function<bool()>& condition,
                          std::chrono::milliseconds timeout) {
  pump(condition, false, std::chrono::steady_clock::now() + timeout);
  return condition();
}

bool RawH2Client::waitClosed(std::chrono::milliseconds timeout) {
  return waitFor([this] { return closed_; }, timeout);
}

bool RawH2Client::roundTrip(std::chrono::milliseconds timeout) {
  uint64_t opaque = next_ping_++;
  if (!send(pingFrame(opaque), timeout)) return false;
  return waitFor(
      [&] { return std::find(ping_acks_.begin(), ping_acks_.end(), opaque) != ping_acks_.end(); },
      timeout);
}

uint32_t RawH2Client::sendGrpcRequest(const HeaderList& extra_headers) {
  uint32_t id = nextStreamId();
  HeaderList headers = grpcRequestHeaders();
  headers.insert(headers.end(), extra_headers.begin(), extra_headers.end());
  send(headerBlockFrames(id, encodeHeaders(headers).bytes(), false, serverMaxFrameSize()) +
       dataFrame(id, grpcMessage(""), true));
  return id;
}

bool RawH2Client::waitStreamDone(uint32_t stream_id, std::chrono::milliseconds timeout) {
  return waitFor(
      [&] {
        const StreamRecord* record = stream(stream_id);
        return record != nullptr && (record->ended || record->reset_code.has_value());
      },
      timeout);
}

const StreamRecord* RawH2Client::stream(uint32_t stream_id) const {
  auto it = streams_.find(stream_id);
  return it == streams_.end() ? nullptr : &it->second;
}

std::optional<uint32_t> RawH2Client::serverSetting(SettingId id) const {
  auto it = server_settings_.find(static_cast<uint16_t>(id));
  if (it == server_settings_.end()) return std::nullopt;
  return it->second;
}

uint32_t RawH2Client::serverMaxFrameSize() const {
  return serverSetting(SettingId::kMaxFrameSize).value_or(kDefaultMaxFrameSize);
}

std::string RawH2Client::describe() const {
  std::ostringstream out;
  out << "connection: closed=" << closed_ << " reset_by_peer=" << reset_by_peer_
      << " timed_out=" << timed_out_ << " bytes_sent=" << bytes_sent_
      << " frames_received=" << frames_received_ << " [" << frame_log_ << "]";
  if (go_away_) {
    out << " GOAWAY(last_stream=" << go_away_->last_stream_id
        << " error=" << errorName(go_away_->error_code) << " debug='" << go_away_->debug_data
        << "')";
  } else {
    out << " no GOAWAY";
  }
  if (!parse_error_.empty()) out << " parse_error='" << parse_error_ << "'";
  size_t shown = 0;
  for (const auto& [id, record] : streams_) {
    if (++shown > 8) {
      out << "\n  ... " << streams_.size() - 8 << " more streams";
      break;
    }
    out << "\n  stream " << id << ": " << record.describe();
  }
  return out.str();
}

bool RawH2Client::pump(const std::function<bool()>& condition, bool flush,
                       std::chrono::steady_clock::time_point deadline) {
  while (!closed_) {
    if (flush ? out_.empty() : (condition && condition())) return true;
    short events = POLLIN;
    if (!out_.empty()) events |= POLLOUT;
    pollfd fd = {fd_.get(), events, 0};
    int ready = ::poll(&fd, 1, remainingMs(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      if (std::chrono::steady_clock::now() >= deadline) {
        timed_out_ = true;
        return false;
      }
      continue;
    }
    if ((fd.revents & (POLLIN | POLLHUP | POLLERR)) != 0 && !readSome()) break;
    if ((fd.revents & POLLOUT) != 0 && !writeSome()) break;
  }
  return true;
}

bool RawH2Client::readSome() {
  char buffer[65536];
  ssize_t n = ::recv(fd_.get(), buffer, sizeof(buffer), 0);
  if (n > 0) {
    in_.append(buffer, static_cast<size_t>(n));
    parseFrames();
    return true;
  }
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return true;
  if (n < 0 && errno == ECONNRESET) reset_by_peer_ = true;
  closed_ = true;
  return false;
}

bool RawH2Client::writeSome() {
  ssize_t n = ::send(fd_.get(), out_.data(), out_.size(), MSG_NOSIGNAL);
  if (n >= 0) {
    out_.erase(0, static_cast<size_t>(n));
    bytes_sent_ += static_cast<size_t>(n);
    return true;
  }
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return true;
  if (errno == ECONNRESET || errno == EPIPE) reset_by_peer_ = errno == ECONNRESET;
  // Whatever the peer sent before it went away may still be readable.
  while (readSome()) {
    pollfd fd = {fd_.get(), POLLIN, 0};
    if (::poll(&fd, 1, 0) <= 0) break;
  }
  closed_ = true;
  return false;
}

void RawH2Client::parseFrames() {
  size_t pos = 0;
  while (in_.size() - pos >= kFrameHeaderBytes) {
    std::string_view view(in_);
    uint32_t length = (uint32_t{static_cast<uint8_t>(view[pos])} << 16) |
                      (uint32_t{static_cast<uint8_t>(view[pos + 1])} << 8) |
                      uint32_t{static_cast<uint8_t>(view[pos + 2])};
    if (in_.size() - pos < kFrameHeaderBytes + length) break;
    auto type = static_cast<FrameType>(view[pos + 3]);
    auto flags = static_cast<uint8_t>(view[pos + 4]);
    uint32_t stream_id = get32(view, pos + 5) & 0x7FFFFFFF;
    onFrame(type, flags, stream_id, view.substr(pos + kFrameHeaderBytes, length));
    pos += kFrameHeaderBytes + length;
  }
  in_.erase(0, pos);
}

void RawH2Client::onFrame(FrameType type, uint8_t flags, uint32_t stream_id,
                          std::string_view payload) {
  ++frames_received_;
  if (frames_received_ <= 16) {
    static constexpr std::string_view kTypeNames[] = {
        "DATA",         "HEADERS", "PRIORITY", "RST_STREAM",    "SETTINGS",
        "PUSH_PROMISE", "PING",    "GOAWAY",   "WINDOW_UPDATE", "CONTINUATION"};
    auto index = static_cast<size_t>(type);
    frame_log_ += frame_log_.empty() ? "" : " ";
    frame_log_ += index < std::size(kTypeNames) ? std::string(kTypeNames[index]) : "UNKNOWN";
    if ((flags & kFlagAck) != 0 && (type == FrameType::kSettings || type == FrameType::kPing)) {
      frame_log_ += "+ACK";
    }
  }
  if (pending_block_stream_ != 0 && type != FrameType::kContinuation) {
    parse_error_ = "server interleaved a frame inside a header block";
  }
  auto strip_padding = [&](std::string_view body) {
    if ((flags & kFlagPadded) == 0 || body.empty()) return body;
    size_t pad = static_cast<uint8_t>(body[0]);
    if (pad + 1 > body.size()) {
      parse_error_ = "server sent bad padding";
      return std::string_view();
    }
    return body.substr(1, body.size() - 1 - pad);
  };
  switch (type) {
    case FrameType::kData: {
      StreamRecord& record = streams_[stream_id];
      record.data.append(strip_padding(payload));
      if ((flags & kFlagEndStream) != 0) record.ended = true;
      break;
    }
    case FrameType::kHeaders: {
      std::string_view block = strip_padding(payload);
      if ((flags & kFlagPriority) != 0) block = block.substr(std::min<size_t>(5, block.size()));
      pending_block_.assign(block);
      pending_block_stream_ = stream_id;
      pending_block_end_stream_ = (flags & kFlagEndStream) != 0;
      if ((flags & kFlagEndHeaders) != 0) onHeaderBlock(stream_id, pending_block_end_stream_);
      break;
    }
    case FrameType::kContinuation:
      pending_block_.append(payload);
      if ((flags & kFlagEndHeaders) != 0) onHeaderBlock(stream_id, pending_block_end_stream_);
      break;
    case FrameType::kRstStream:
      if (payload.size() == 4) streams_[stream_id].reset_code = get32(payload, 0);
      break;
    case FrameType::kSettings:
      if ((flags & kFlagAck) != 0) {
        settings_acked_ = true;
        break;
      }
      for (size_t at = 0; at + 6 <= payload.size(); at += 6) {
        auto id = static_cast<uint16_t>((static_cast<uint8_t>(payload[at]) << 8) |
                                        static_cast<uint8_t>(payload[at + 1]));
        server_settings_[id] = get32(payload, at + 2);
      }
      server_settings_seen_ = true;
      if (auto_ack_settings_) out_ += settingsAckFrame();
      break;
    case FrameType::kPing:
      if (payload.size() != 8) break;
      if ((flags & kFlagAck) != 0) {
        ping_acks_.push_back((uint64_t{get32(payload, 0)} << 32) | get32(payload, 4));
      } else {
        out_ += frame(FrameType::kPing, kFlagAck, 0, payload);
      }
      break;
    case FrameType::kGoAway:
      if (payload.size() >= 8) {
        go_away_ = GoAway{get32(payload, 0) & 0x7FFFFFFF, get32(payload, 4),
                          std::string(payload.substr(8))};
      }
      break;
    case FrameType::kPushPromise:
      parse_error_ = "server sent PUSH_PROMISE";
      break;
    default:
      break;
  }
}

void RawH2Client::onHeaderBlock(uint32_t stream_id, bool end_stream) {
  HeaderList headers;
  auto* in = reinterpret_cast<const uint8_t*>(pending_block_.data());
  size_t left = pending_block_.size();
  while (true) {
    nghttp2_nv nv;
    int inflate_flags = 0;
    ssize_t used = nghttp2_hd_inflate_hd2(inflater_, &nv, &inflate_flags, in, left, 1);
    if (used < 0) {
      parse_error_ = std::string("server sent a bad header block: ") +
                     nghttp2_strerror(static_cast<int>(used));
      break;
    }
    in += used;
    left -= static_cast<size_t>(used);
    if ((inflate_flags & NGHTTP2_HD_INFLATE_EMIT) != 0) {
      headers.push_back({std::string(reinterpret_cast<const char*>(nv.name), nv.namelen),
                         std::string(reinterpret_cast<const char*>(nv.value), nv.valuelen)});
    }
    if ((inflate_flags & NGHTTP2_HD_INFLATE_FINAL) != 0) {
      nghttp2_hd_inflate_end_headers(inflater_);
      break;
    }
    if ((inflate_flags & NGHTTP2_HD_INFLATE_EMIT) == 0 && left == 0) break;
  }
  StreamRecord& record = streams_[stream_id];
  record.header_blocks.push_back(std::move(headers));
  if (end_stream) record.ended = true;
  pending_block_.clear();
  pending_block_stream_ = 0;
}

}  // namespace meshgate::abuse
