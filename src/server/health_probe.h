#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "io/event_loop.h"
#include "upstream/connection_pool.h"
#include "upstream/upstream_connection.h"

namespace meshgate::server {

// The request of grpc.health.v1.Health/Check as the probe sends it: a gRPC frame holding
// HealthCheckRequest{service = 1 (string)}, encoded by hand (one length-delimited field).
std::string encodeHealthCheckRequest(std::string_view service);

// HealthCheckResponse.status from one gRPC frame: SERVING is 1, a missing field is UNKNOWN (0).
// nullopt when the bytes are not one well-formed, uncompressed frame.
std::optional<uint32_t> decodeHealthCheckResponse(std::string_view frame);

// One unary grpc.health.v1.Health/Check call on a connection of the probing pool, with a
// timeout. Healthy only for grpc-status 0 with status SERVING; a non-OK status, another serving
// status, a reset, a connect failure or the timeout is a failure with a reason for the log.
// Main-loop only; one call at a time.
class HealthProbe : public upstream::UpstreamStreamCallbacks {
 public:
  struct Result {
    bool healthy = false;
    std::string detail;  // why it failed, e.g. "status NOT_SERVING", "timed out after 1000ms"
  };
  using Done = std::function<void(Result)>;

  struct Request {
    std::string authority;  // :authority, the cluster's service host
    std::string service;    // HealthCheckRequest.service
    bool tls = false;       // :scheme https
    std::chrono::milliseconds timeout{1000};
  };

  HealthProbe(io::EventLoop& loop, Done done);
  ~HealthProbe() override;
  HealthProbe(const HealthProbe&) = delete;
  HealthProbe& operator=(const HealthProbe&) = delete;

  // Sends the call. A failure known at once (no connection) is returned and `done` is not called;
  // otherwise `done` runs once, later, from the loop.
  std::optional<Result> start(upstream::ConnectionPool& pool, const Request& request);
  bool inFlight() const { return connection_ != nullptr; }
  // Drops a call in flight without reporting it (the host is no longer probed).
  void cancel();

 private:
  // upstream::UpstreamStreamCallbacks
  bool onUpstreamHeader(std::string_view name, std::string_view value) override;
  void onUpstreamHeadersEnd(bool) override {}
  void onUpstreamData(const uint8_t* data, size_t length) override;
  void onUpstreamDataEnd() override {}
  void onUpstreamClose(uint32_t error_code, std::string_view reason) override;
  http::h2::BodyChunk onUpstreamBodyRead(uint8_t* buffer, size_t length) override;

  void onTimeout();
  void finish(Result result);
  Result verdict() const;

  Done done_;
  io::Timer timeout_;
  std::chrono::milliseconds timeout_after_{0};
  upstream::UpstreamConnection* connection_ = nullptr;  // set while the call is open
  int32_t stream_id_ = -1;
  std::string body_;  // the request frame
  size_t body_sent_ = 0;
  std::string response_;
  bool response_too_large_ = false;
  std::string http_status_;
  std::optional<std::string> grpc_status_;
  std::string grpc_message_;
};

}  // namespace meshgate::server
