#pragma once

#include <atomic>
#include <thread>

#include "support/sockets.h"

namespace meshgate::abuse {

// A tiny h2c gRPC backend on 127.0.0.1:0, built on nghttp2's server API and run on its own thread:
// once a request ends it answers 200, content-type application/grpc, one empty message and
// trailers grpc-status 0. It keeps the abuse suite free of grpc++. Start and stop from one thread.
class H2cBackend {
 public:
  H2cBackend();
  ~H2cBackend();
  H2cBackend(const H2cBackend&) = delete;
  H2cBackend& operator=(const H2cBackend&) = delete;

  int port() const { return port_; }
  // Requests whose headers arrived / that got a complete response.
  size_t requestsStarted() const { return requests_started_.load(); }
  size_t responsesSent() const { return responses_sent_.load(); }

 private:
  void run();

  testing::Fd listener_;
  int port_ = 0;
  testing::Fd wake_read_;
  testing::Fd wake_write_;
  std::atomic<size_t> requests_started_{0};
  std::atomic<size_t> responses_sent_{0};
  std::thread thread_;
};

}  // namespace meshgate::abuse
