#include "server/admin.h"

#include <fmt/format.h>

#include "absl/strings/numbers.h"
#include "base/status.h"

namespace meshgate::server {
namespace {

// One metric: its name, help, type, and how to read it from one worker.
struct Metric {
  const char* name;
  const char* help;
  bool counter;
  int64_t (*read)(const Worker&);
};

// Gauges return to zero when nothing is in flight; tests rely on that to find leaks.
constexpr Metric kMetrics[] = {
    {"meshgate_downstream_connections", "Open client connections.", false,
     [](const Worker& w) { return w.stats().downstream_connections.value(); }},
    {"meshgate_downstream_streams", "Calls in progress (client streams).", false,
     [](const Worker& w) { return w.stats().downstream_streams.value(); }},
    {"meshgate_upstream_connections", "Open connections to backends.", false,
     [](const Worker& w) { return w.upstreamStats().connections.value(); }},
    {"meshgate_upstream_streams", "Streams open on backend connections.", false,
     [](const Worker& w) { return w.upstreamStats().streams.value(); }},
    {"meshgate_request_buffered_bytes", "Request bytes held for backends.", false,
     [](const Worker& w) { return w.stats().request_buffered_bytes.value(); }},
    {"meshgate_response_buffered_bytes", "Response bytes held for clients.", false,
     [](const Worker& w) { return w.stats().response_buffered_bytes.value(); }},
    {"meshgate_shadow_streams", "Mirror copies of calls still running.", false,
     [](const Worker& w) { return w.stats().shadow_streams.value(); }},
    {"meshgate_calls_total", "Client streams opened.", true,
     [](const Worker& w) { return static_cast<int64_t>(w.stats().calls.value()); }},
    {"meshgate_local_replies_total", "Calls the gateway answered itself.", true,
     [](const Worker& w) { return static_cast<int64_t>(w.stats().local_replies.value()); }},
    {"meshgate_fault_delays_total", "Calls delayed by a route fault.", true,
     [](const Worker& w) { return static_cast<int64_t>(w.stats().faults_delayed.value()); }},
    {"meshgate_fault_aborts_total", "Calls aborted by a route fault.", true,
     [](const Worker& w) { return static_cast<int64_t>(w.stats().faults_aborted.value()); }},
    {"meshgate_retries_total", "Attempts after a call's first.", true,
     [](const Worker& w) { return static_cast<int64_t>(w.stats().retries.value()); }},
    {"meshgate_retry_budget_exceeded_total", "Retries not made: the cluster's budget was full.",
     true,
     [](const Worker& w) { return static_cast<int64_t>(w.stats().retry_budget_exceeded.value()); }},
    {"meshgate_retry_buffer_overflows_total",
     "Calls no longer retriable: the request outgrew --retry-buffer-bytes.", true,
     [](const Worker& w) {
       return static_cast<int64_t>(w.stats().retry_buffer_overflows.value());
     }},
    {"meshgate_per_try_timeouts_total", "Attempts cancelled by perTryTimeout.", true,
     [](const Worker& w) { return static_cast<int64_t>(w.stats().per_try_timeouts.value()); }},
    {"meshgate_retries_exhausted_total", "Calls whose last allowed attempt failed retriably.", true,
     [](const Worker& w) { return static_cast<int64_t>(w.stats().retries_exhausted.value()); }},
    {"meshgate_upstream_connections_opened_total", "Connections opened to backends.", true,
     [](const Worker& w) {
       return static_cast<int64_t>(w.upstreamStats().connections_opened.value());
     }},
};

absl::StatusOr<io::Address> parseAdminAddress(const std::string& text) {
  size_t colon = text.rfind(':');
  uint32_t port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(text.substr(colon + 1), &port) ||
      port > 65535) {
    return absl::InvalidArgumentError(fmt::format("--admin {}: expected HOST:PORT", text));
  }
  std::string host = text.substr(0, colon);
  // [::1]:9901
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return io::Address::fromNumeric(host, static_cast<uint16_t>(port));
}

}  // namespace

std::string renderStats(const std::vector<std::unique_ptr<Worker>>& workers) {
  std::string out;
  for (const Metric& metric : kMetrics) {
    int64_t sum = 0;
    for (const auto& worker : workers) sum += metric.read(*worker);
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", metric.name, metric.help, metric.name,
                       metric.counter ? "counter" : "gauge", metric.name, sum);
  }
  return out;
}

absl::StatusOr<std::unique_ptr<Admin>> Admin::start(
    io::EventLoop& loop, const std::string& address,
    const std::vector<std::unique_ptr<Worker>>& workers) {
  auto bind = parseAdminAddress(address);
  if (!bind.ok()) return bind.status();
  std::unique_ptr<Admin> admin(new Admin(workers));
  Admin* raw = admin.get();
  auto server = io::HttpServer::start(
      loop, *bind,
      [raw](std::string_view method, std::string_view path) { return raw->handle(method, path); });
  if (!server.ok()) {
    return absl::Status(server.status().code(),
                        fmt::format("--admin {}: {}", address, base::message(server.status())));
  }
  admin->server_ = std::move(*server);
  return admin;
}

io::HttpServer::Response Admin::handle(std::string_view, std::string_view path) const {
  if (path == "/stats") {
    return {200, "text/plain; version=0.0.4; charset=utf-8", renderStats(workers_)};
  }
  if (path == "/ready") {
    if (draining_) return {503, "text/plain; charset=utf-8", "draining\n"};
    return {200, "text/plain; charset=utf-8", "ready\n"};
  }
  return {404, "text/plain; charset=utf-8", "not found: try /stats or /ready\n"};
}

}  // namespace meshgate::server
