#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/sockets.h"

namespace meshgate::testing {

// A plaintext HTTP/2 server on nghttp2, for what a grpc++ server cannot be made to do: answer
// non-gRPC requests and reset streams on purpose. A request's `x-raw-action` header picks the
// behaviour:
//   (absent)              200, x-backend-id, x-method, x-path, body "echo:" + request body
//   reset-before-headers  RST_STREAM(INTERNAL_ERROR) as soon as the request headers arrive
//   reset-after-headers   200 with content-type application/grpc, then RST_STREAM(INTERNAL_ERROR)
//   refuse                RST_STREAM(REFUSED_STREAM) as soon as the request headers arrive
//   status-NNN            a response with :status NNN and no body
//   ratelimited           429 with x-envoy-ratelimited: true
// and, for misbehaving gRPC servers (200 with content-type application/grpc first unless said):
//   close-before-headers  closes the TCP connection when the request headers arrive
//   close-after-headers   closes the TCP connection once the response headers are sent
//   grpc-no-trailers      one empty message, then END_STREAM on DATA: no grpc-status at all
//   grpc-truncated        a message prefix announcing 100 bytes, 10 bytes, then END_STREAM
//   grpc-oversized        a message prefix announcing 2 GiB - 1, 16 bytes, then trailers
//                         claiming success (grpc-status 0)
//   hang                  never answers (the request is recorded)
// One thread serves every connection; observations are thread-safe.
class RawH2Backend {
 public:
  struct Request {
    std::string method;
    std::string path;
    std::string authority;
    std::multimap<std::string, std::string> headers;
    std::string body;
  };

  explicit RawH2Backend(std::string id);
  ~RawH2Backend();
  RawH2Backend(const RawH2Backend&) = delete;
  RawH2Backend& operator=(const RawH2Backend&) = delete;

  const std::string& id() const { return id_; }
  int port() const { return port_; }

  // Requests whose headers arrived (their body may still be coming).
  std::vector<Request> requests() const;
  bool waitForRequests(size_t count, std::chrono::milliseconds timeout) const;

 private:
  struct Connection;
  struct Stream;
  friend struct RawH2BackendCallbacks;

  void serve();
  void record(const Request& request);

  const std::string id_;
  Fd listener_;
  int port_ = 0;
  Fd wake_read_;
  Fd wake_write_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<Request> requests_;
  std::thread thread_;
};

}  // namespace meshgate::testing
