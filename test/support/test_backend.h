#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <grpcpp/server.h>

#include "support/backend_state.h"
#include "support/health_service.h"

namespace meshgate::testing {

class TimerThread;

// An in-process grpc++ server on 127.0.0.1 with an OS-assigned port, serving TestService and
// OtherService (test/proto/test_service.proto), and grpc.health.v1.Health (health()). It answers
// with its id in the initial metadata `x-backend-id`, echoes `x-echo-*` request metadata as initial
// metadata and `x-echo-trailer-bin` as trailing metadata, honours echo_status and response
// intervals, and records what it saw: calls with their authority, metadata and deadline,
// cancellations, and streaming writes. Observations are thread-safe; waits use a condition variable
// with a deadline.
class TestBackend {
 public:
  struct Options {
    int max_message_bytes = 64 << 20;
    // With both set, the server speaks TLS with this certificate chain and key.
    std::string tls_cert_pem;
    std::string tls_key_pem;
    // Set: clients must present a certificate this CA signed (mutual TLS).
    std::string tls_client_ca_pem;
  };

  explicit TestBackend(std::string id) : TestBackend(std::move(id), Options{}) {}
  TestBackend(std::string id, const Options& options);
  ~TestBackend();
  TestBackend(const TestBackend&) = delete;
  TestBackend& operator=(const TestBackend&) = delete;

  const std::string& id() const { return state_->id(); }
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  std::vector<ObservedCall> calls() const { return state_->calls(); }
  // The attempts this backend saw of the x-fail-call-id `call_id` (support/fail_knobs.h).
  std::vector<AttemptRecord> attempts(std::string_view call_id) const {
    return state_->attempts(call_id);
  }
  size_t callCount(std::string_view method) const { return state_->callCount(method); }
  int activeCalls() const { return state_->activeCalls(); }
  int cancellations() const { return state_->cancellations(); }
  int64_t bytesWritten() const { return state_->bytesWritten(); }
  int64_t messagesWritten() const { return state_->messagesWritten(); }
  bool isWriteBlockedFor(std::chrono::milliseconds blocked_for) const {
    return state_->isWriteBlockedFor(blocked_for);
  }

  bool waitForCalls(std::string_view method, size_t count, std::chrono::milliseconds timeout) {
    return state_->waitForCalls(method, count, timeout);
  }
  bool waitForActiveCalls(int count, std::chrono::milliseconds timeout) {
    return state_->waitForActiveCalls(count, timeout);
  }
  bool waitForIdle(std::chrono::milliseconds timeout) { return state_->waitForIdle(timeout); }
  // True once a call to `method` has been cancelled (OnCancel ran on the backend).
  bool waitForCancelledCall(std::string_view method, std::chrono::milliseconds timeout) {
    return state_->waitForCancelledCall(method, timeout);
  }
  // True once some streaming write has been outstanding (not taken by the peer) for `blocked_for`.
  bool waitForBlockedWrite(std::chrono::milliseconds blocked_for,
                           std::chrono::milliseconds timeout) {
    return state_->waitForBlockedWrite(blocked_for, timeout);
  }

  // While held, every streaming call stops after its first response until release().
  void hold() { state_->hold(); }
  void release() { state_->release(); }
  bool waitForParked(size_t count, std::chrono::milliseconds timeout) {
    return state_->waitForParked(count, timeout);
  }

  // Every UnaryCall and Whoami from now on ends with `code` (OK: back to normal), as a
  // Trailers-Only response or, with after_headers, as response headers then trailers.
  void failAll(grpc::StatusCode code, bool after_headers = false) {
    state_->setFailure({static_cast<int>(code), after_headers});
  }

  // Stops serving: open calls are cancelled and the port is closed.
  void shutdown();

  // grpc.health.v1.Health on the same port: set statuses, count checks.
  HealthService& health() { return *health_; }

 private:
  std::unique_ptr<BackendState> state_;
  std::unique_ptr<TimerThread> timers_;
  std::unique_ptr<grpc::Service> test_service_;
  std::unique_ptr<grpc::Service> other_service_;
  std::unique_ptr<HealthService> health_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

// The method paths the backend records.
inline constexpr char kEmptyCallMethod[] = "/meshgate.testing.TestService/EmptyCall";
inline constexpr char kUnaryCallMethod[] = "/meshgate.testing.TestService/UnaryCall";
inline constexpr char kStreamingOutputCallMethod[] =
    "/meshgate.testing.TestService/StreamingOutputCall";
inline constexpr char kStreamingInputCallMethod[] =
    "/meshgate.testing.TestService/StreamingInputCall";
inline constexpr char kFullDuplexCallMethod[] = "/meshgate.testing.TestService/FullDuplexCall";
inline constexpr char kWhoamiMethod[] = "/meshgate.testing.OtherService/Whoami";

// The bytes the backend sends in a payload of `size` bytes.
std::string backendPayload(size_t size);

}  // namespace meshgate::testing
