#include "server/health_probe.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "grpcwire/status.h"

namespace meshgate::server {
namespace {

constexpr std::string_view kCheckPath = "/grpc.health.v1.Health/Check";
constexpr uint32_t kCancel = 0x8;
// A HealthCheckResponse is a few bytes; anything much larger is not one.
constexpr size_t kMaxResponseBytes = 4096;
constexpr uint32_t kServing = 1;

void appendVarint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out += static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  out += static_cast<char>(value);
}

// Reads a varint at `pos`; false when the bytes end first or it is longer than 10 bytes.
bool readVarint(std::string_view bytes, size_t& pos, uint64_t& out) {
  out = 0;
  for (int shift = 0; shift < 64 && pos < bytes.size(); shift += 7) {
    auto byte = static_cast<uint8_t>(bytes[pos++]);
    out |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

std::string_view serviceStatusName(uint64_t status) {
  switch (status) {
    case 0:
      return "UNKNOWN";
    case 1:
      return "SERVING";
    case 2:
      return "NOT_SERVING";
    case 3:
      return "SERVICE_UNKNOWN";
  }
  return "unrecognized";
}

}  // namespace

std::string encodeHealthCheckRequest(std::string_view service) {
  std::string message;
  if (!service.empty()) {  // proto3 leaves an empty string out
    message += '\x0a';     // field 1, wire type 2 (length-delimited)
    appendVarint(message, service.size());
    message.append(service);
  }
  std::string frame(5, '\0');  // uncompressed, then the length big-endian
  auto length = static_cast<uint32_t>(message.size());
  for (int i = 0; i < 4; ++i) frame[1 + i] = static_cast<char>((length >> (8 * (3 - i))) & 0xff);
  return frame + message;
}

std::optional<uint32_t> decodeHealthCheckResponse(std::string_view frame) {
  if (frame.size() < 5 || frame[0] != 0) return std::nullopt;
  uint32_t length = 0;
  for (int i = 1; i < 5; ++i) length = (length << 8) | static_cast<uint8_t>(frame[i]);
  if (frame.size() != 5 + static_cast<size_t>(length)) return std::nullopt;
  std::string_view message = frame.substr(5);
  uint32_t status = 0;
  size_t pos = 0;
  while (pos < message.size()) {
    uint64_t tag = 0;
    if (!readVarint(message, pos, tag)) return std::nullopt;
    uint64_t value = 0;
    switch (tag & 7) {
      case 0:
        if (!readVarint(message, pos, value)) return std::nullopt;
        if (tag >> 3 == 1) status = static_cast<uint32_t>(value);
        break;
      case 1:
        pos += 8;
        break;
      case 2:
        if (!readVarint(message, pos, value) || value > message.size() - pos) return std::nullopt;
        pos += value;
        break;
      case 5:
        pos += 4;
        break;
      default:
        return std::nullopt;
    }
    if (pos > message.size()) return std::nullopt;
  }
  return status;
}

HealthProbe::HealthProbe(io::EventLoop& loop, Done done)
    : done_(std::move(done)), timeout_(loop, [this] { onTimeout(); }) {}

// A connection whose check hung is suspect (a stuck peer, a half-open socket): the next check
// gets a new one, unless other checks still use it.
void HealthProbe::onTimeout() {
  upstream::UpstreamConnection* connection = connection_;
  cancel();
  if (connection != nullptr && connection->activeStreams() == 0) {
    connection->close("health check timed out");
  }
  finish({false, fmt::format("timed out after {}ms", timeout_after_.count())});
}

HealthProbe::~HealthProbe() { cancel(); }

std::optional<HealthProbe::Result> HealthProbe::start(upstream::ConnectionPool& pool,
                                                      const Request& request) {
  std::string error;
  upstream::UpstreamConnection* connection = pool.acquire(error);
  if (connection == nullptr) return Result{false, "cannot connect: " + error};
  body_ = encodeHealthCheckRequest(request.service);
  body_sent_ = 0;
  response_.clear();
  response_too_large_ = false;
  http_status_.clear();
  grpc_status_.reset();
  grpc_message_.clear();
  std::string timeout = fmt::format("{}m", request.timeout.count());
  const http::HeaderView headers[] = {
      {":method", "POST"},
      {":scheme", request.tls ? "https" : "http"},
      {":path", kCheckPath},
      {":authority", request.authority},
      {"content-type", "application/grpc"},
      {"te", "trailers"},
      {"grpc-timeout", timeout},
      {"user-agent", "meshgate-health-check"},
  };
  int32_t stream_id = connection->startStream(headers, true, *this);
  if (stream_id < 0) return Result{false, "the connection takes no new stream"};
  connection_ = connection;
  stream_id_ = stream_id;
  timeout_after_ = request.timeout;
  timeout_.arm(request.timeout);
  return std::nullopt;
}

void HealthProbe::cancel() {
  timeout_.cancel();
  if (connection_ == nullptr) return;
  upstream::UpstreamConnection* connection = connection_;
  connection_ = nullptr;
  connection->cancelStream(stream_id_, kCancel);
}

bool HealthProbe::onUpstreamHeader(std::string_view name, std::string_view value) {
  if (name == ":status") http_status_ = std::string(value);
  if (name == "grpc-status") grpc_status_ = std::string(value);
  if (name == "grpc-message") grpc_message_ = std::string(value.substr(0, 200));
  return true;
}

void HealthProbe::onUpstreamData(const uint8_t* data, size_t length) {
  if (connection_ != nullptr) connection_->consume(stream_id_, length);
  if (response_.size() + length > kMaxResponseBytes) {
    response_too_large_ = true;
    return;
  }
  response_.append(reinterpret_cast<const char*>(data), length);
}

http::h2::BodyChunk HealthProbe::onUpstreamBodyRead(uint8_t* buffer, size_t length) {
  size_t n = std::min(length, body_.size() - body_sent_);
  std::memcpy(buffer, body_.data() + body_sent_, n);
  body_sent_ += n;
  if (body_sent_ < body_.size()) return {http::h2::BodyChunk::Kind::kData, n};
  return {http::h2::BodyChunk::Kind::kEnd, n};
}

void HealthProbe::onUpstreamClose(uint32_t error_code, std::string_view reason) {
  connection_ = nullptr;  // the stream is gone; the connection may be too
  timeout_.cancel();
  if (error_code != 0) {
    finish({false, std::string(reason)});
    return;
  }
  finish(verdict());
}

HealthProbe::Result HealthProbe::verdict() const {
  if (http_status_ != "200") return {false, fmt::format("HTTP status {}", http_status_)};
  if (!grpc_status_) return {false, "no grpc-status"};
  if (*grpc_status_ != "0") {
    int number = std::atoi(grpc_status_->c_str());
    auto code = grpcwire::codeFromNumber(number);
    std::string name = code ? std::string(grpcwire::codeName(*code)) : *grpc_status_;
    return {false, fmt::format("grpc-status {}{}{}", name, grpc_message_.empty() ? "" : ": ",
                               grpc_message_)};
  }
  if (response_too_large_) return {false, "response larger than a HealthCheckResponse"};
  std::optional<uint32_t> status = decodeHealthCheckResponse(response_);
  if (!status) return {false, "malformed HealthCheckResponse"};
  if (*status != kServing) return {false, fmt::format("status {}", serviceStatusName(*status))};
  return {true, "SERVING"};
}

void HealthProbe::finish(Result result) {
  // done_ may start the next call or destroy this probe: nothing touches `this` after it.
  Done done = done_;
  done(std::move(result));
}

}  // namespace meshgate::server
