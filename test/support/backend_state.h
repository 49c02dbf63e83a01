#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <grpcpp/server_context.h>

#include "support/fail_knobs.h"

namespace meshgate::testing {

// What the backend saw of one call.
struct ObservedCall {
  std::string method;  // "/meshgate.testing.TestService/UnaryCall"
  std::string authority;
  std::string peer;  // "ipv4:127.0.0.1:41234": tells the caller's connections apart
  std::multimap<std::string, std::string> metadata;
  // Time left until the call's deadline when the call arrived; nullopt without a deadline.
  std::optional<std::chrono::milliseconds> deadline;
  bool cancelled = false;
  bool done = false;
};

// The test backend's observations and controls, shared by its reactors (on gRPC's callback
// threads) and the test thread. Every member is guarded by one mutex; waits use its condvar.
class BackendState {
 public:
  using Clock = std::chrono::steady_clock;

  explicit BackendState(std::string id) : id_(std::move(id)) {}

  const std::string& id() const { return id_; }

  // Records a new call, adds x-backend-id and the echoed metadata to `context`, returns its index.
  size_t beginCall(grpc::CallbackServerContext* context, std::string_view method);
  // The x-fail-* knobs (support/fail_knobs.h) for call `call`: counts it as an attempt of its
  // call id and says whether and how it must fail.
  FailPlan failPlan(size_t call);
  std::vector<AttemptRecord> attempts(std::string_view call_id) const {
    return fail_knobs_.attempts(call_id);
  }
  void cancelled(size_t call);
  void done(size_t call);

  // A streaming write started (returns a token) or completed with `bytes` (ok = written).
  uint64_t writeStarted();
  void writeDone(uint64_t token, size_t bytes, bool ok);

  // While held, a streaming response after a call's first one parks `resume` here. Returns
  // false (and keeps nothing) when the backend is not held.
  bool parkIfHeld(const void* owner, std::function<void()> resume);
  // Removes `owner`'s parked continuation; false if release() already took it.
  bool unpark(const void* owner);
  void hold();
  void release();

  // Backend-wide failure (TestBackend::failAll): the status unary calls end with (0: none), and
  // whether response headers go first so that it arrives in trailers.
  struct Failure {
    int code = 0;
    bool after_headers = false;
  };
  void setFailure(Failure failure) {
    std::lock_guard lock(mutex_);
    failure_ = failure;
  }
  Failure failure() const {
    std::lock_guard lock(mutex_);
    return failure_;
  }

  std::vector<ObservedCall> calls() const;
  size_t callCount(std::string_view method) const;
  int activeCalls() const;
  int cancellations() const;
  int64_t bytesWritten() const;
  int64_t messagesWritten() const;
  // True when some streaming write has been outstanding for at least `blocked_for`.
  bool isWriteBlockedFor(std::chrono::milliseconds blocked_for) const;

  // Each waits on the condvar, up to `timeout`, for the condition its name states.
  bool waitForCalls(std::string_view method, size_t count, std::chrono::milliseconds timeout) const;
  bool waitForActiveCalls(int count, std::chrono::milliseconds timeout) const;
  bool waitForIdle(std::chrono::milliseconds timeout) const;
  bool waitForCancelledCall(std::string_view method, std::chrono::milliseconds timeout) const;
  bool waitForParked(size_t count, std::chrono::milliseconds timeout) const;
  // Like waitFor(isWriteBlockedFor(blocked_for)), waking when the oldest write has waited enough.
  bool waitForBlockedWrite(std::chrono::milliseconds blocked_for,
                           std::chrono::milliseconds timeout) const;

 private:
  size_t callCountLocked(std::string_view method) const;
  bool blockedLocked(std::chrono::milliseconds blocked_for, Clock::time_point now) const;

  const std::string id_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<ObservedCall> calls_;
  int active_ = 0;
  int cancellations_ = 0;
  int64_t bytes_written_ = 0;
  int64_t messages_written_ = 0;
  uint64_t next_write_token_ = 1;
  std::map<uint64_t, Clock::time_point> pending_writes_;
  bool held_ = false;
  std::map<const void*, std::function<void()>> parked_;
  FailKnobs fail_knobs_;  // has its own lock
  Failure failure_;
};

}  // namespace meshgate::testing
