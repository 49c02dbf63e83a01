#include "support/backend_state.h"

#include <algorithm>

namespace meshgate::testing {

size_t BackendState::beginCall(grpc::CallbackServerContext* context, std::string_view method) {
  ObservedCall call;
  call.method = std::string(method);
  grpc::string_ref authority = context->ExperimentalGetAuthority();
  call.authority.assign(authority.data(), authority.size());
  call.peer = context->peer();
  const auto deadline = context->deadline();
  const auto now = std::chrono::system_clock::now();
  if (deadline < now + std::chrono::hours(24 * 365)) {
    call.deadline = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
  }
  context->AddInitialMetadata("x-backend-id", id_);
  for (const auto& [key_ref, value_ref] : context->client_metadata()) {
    std::string key(key_ref.data(), key_ref.size());
    std::string value(value_ref.data(), value_ref.size());
    if (key == "x-echo-trailer-bin") {
      context->AddTrailingMetadata(key, value);
    } else if (key.rfind("x-echo-", 0) == 0) {
      context->AddInitialMetadata(key, value);
    }
    call.metadata.emplace(std::move(key), std::move(value));
  }
  std::lock_guard lock(mutex_);
  calls_.push_back(std::move(call));
  ++active_;
  changed_.notify_all();
  return calls_.size() - 1;
}

FailPlan BackendState::failPlan(size_t call) {
  std::multimap<std::string, std::string> metadata;
  std::optional<std::chrono::milliseconds> deadline;
  {
    std::lock_guard lock(mutex_);
    metadata = calls_[call].metadata;
    deadline = calls_[call].deadline;
  }
  return fail_knobs_.onAttempt(id_, metadata, deadline);
}

void BackendState::cancelled(size_t call) {
  std::lock_guard lock(mutex_);
  if (!calls_[call].cancelled) ++cancellations_;
  calls_[call].cancelled = true;
  changed_.notify_all();
}

void BackendState::done(size_t call) {
  std::lock_guard lock(mutex_);
  calls_[call].done = true;
  --active_;
  changed_.notify_all();
}

uint64_t BackendState::writeStarted() {
  std::lock_guard lock(mutex_);
  uint64_t token = next_write_token_++;
  pending_writes_[token] = Clock::now();
  changed_.notify_all();
  return token;
}

void BackendState::writeDone(uint64_t token, size_t bytes, bool ok) {
  std::lock_guard lock(mutex_);
  pending_writes_.erase(token);
  if (ok) {
    bytes_written_ += static_cast<int64_t>(bytes);
    ++messages_written_;
  }
  changed_.notify_all();
}

bool BackendState::parkIfHeld(const void* owner, std::function<void()> resume) {
  std::lock_guard lock(mutex_);
  if (!held_) return false;
  parked_[owner] = std::move(resume);
  changed_.notify_all();
  return true;
}

bool BackendState::unpark(const void* owner) {
  std::lock_guard lock(mutex_);
  return parked_.erase(owner) == 1;
}

void BackendState::hold() {
  std::lock_guard lock(mutex_);
  held_ = true;
}

void BackendState::release() {
  std::map<const void*, std::function<void()>> resumed;
  {
    std::lock_guard lock(mutex_);
    held_ = false;
    resumed.swap(parked_);
  }
  for (auto& [owner, resume] : resumed) resume();
}

std::vector<ObservedCall> BackendState::calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

size_t BackendState::callCountLocked(std::string_view method) const {
  return static_cast<size_t>(std::count_if(
      calls_.begin(), calls_.end(), [&](const auto& call) { return call.method == method; }));
}

size_t BackendState::callCount(std::string_view method) const {
  std::lock_guard lock(mutex_);
  return callCountLocked(method);
}

int BackendState::activeCalls() const {
  std::lock_guard lock(mutex_);
  return active_;
}

int BackendState::cancellations() const {
  std::lock_guard lock(mutex_);
  return cancellations_;
}

int64_t BackendState::bytesWritten() const {
  std::lock_guard lock(mutex_);
  return bytes_written_;
}

int64_t BackendState::messagesWritten() const {
  std::lock_guard lock(mutex_);
  return messages_written_;
}

bool BackendState::blockedLocked(std::chrono::milliseconds blocked_for,
                                 Clock::time_point now) const {
  return std::any_of(pending_writes_.begin(), pending_writes_.end(),
                     [&](const auto& pending) { return now - pending.second >= blocked_for; });
}

bool BackendState::isWriteBlockedFor(std::chrono::milliseconds blocked_for) const {
  std::lock_guard lock(mutex_);
  return blockedLocked(blocked_for, Clock::now());
}

bool BackendState::waitForCalls(std::string_view method, size_t count,
                                std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return callCountLocked(method) >= count; });
}

bool BackendState::waitForActiveCalls(int count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return active_ >= count; });
}

bool BackendState::waitForIdle(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return active_ == 0; });
}

bool BackendState::waitForCancelledCall(std::string_view method,
                                        std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] {
    return std::any_of(calls_.begin(), calls_.end(),
                       [&](const auto& call) { return call.method == method && call.cancelled; });
  });
}

bool BackendState::waitForParked(size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return parked_.size() >= count; });
}

bool BackendState::waitForBlockedWrite(std::chrono::milliseconds blocked_for,
                                       std::chrono::milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  std::unique_lock lock(mutex_);
  while (true) {
    const auto now = Clock::now();
    if (blockedLocked(blocked_for, now)) return true;
    if (now >= deadline) return false;
    // Wake when the oldest outstanding write will have waited long enough, or on any change.
    auto wake = deadline;
    for (const auto& [token, started] : pending_writes_)
      wake = std::min(wake, started + blocked_for);
    changed_.wait_until(lock, wake);
  }
}

}  // namespace meshgate::testing
