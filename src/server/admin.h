#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "io/event_loop.h"
#include "io/http_server.h"
#include "server/worker.h"

namespace meshgate::server {

// `serve --admin HOST:PORT`: a small HTTP/1.1 endpoint on the main loop.
//   GET /stats  Prometheus text: the workers' gauges and counters, summed
//   GET /ready  200 while serving, 503 once draining
// Anything else is 404. Reading the workers' numbers takes no lock and costs them nothing.
class Admin {
 public:
  static absl::StatusOr<std::unique_ptr<Admin>> start(
      io::EventLoop& loop, const std::string& address,
      const std::vector<std::unique_ptr<Worker>>& workers);

  const io::Address& address() const { return server_->address(); }
  void setDraining() { draining_ = true; }

 private:
  explicit Admin(const std::vector<std::unique_ptr<Worker>>& workers) : workers_(workers) {}
  io::HttpServer::Response handle(std::string_view method, std::string_view path) const;

  const std::vector<std::unique_ptr<Worker>>& workers_;
  std::unique_ptr<io::HttpServer> server_;
  bool draining_ = false;
};

// The Prometheus text of `workers`' numbers (also what GET /stats answers).
std::string renderStats(const std::vector<std::unique_ptr<Worker>>& workers);

}  // namespace meshgate::server
