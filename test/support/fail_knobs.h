#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshgate::testing {

// Failure knobs of the test backend, driven by request metadata so one backend serves many
// retry scenarios:
//   x-fail-call-id: ID         groups a call's attempts (required for the others)
//   x-fail-attempts: N         fail the first N attempts of ID this backend sees (default 1)
//   x-fail-status: CODE        the grpc-status of a failure (default 14, UNAVAILABLE)
//   x-fail-backend: BACKEND-ID only that backend fails (others only record the attempt)
//   x-fail-mode: MODE          trailers-only (default): status in the only HEADERS frame
//                              headers-then-trailers: response headers, then the status
//                              after-message: one response message, then the status
// Every attempt is recorded with its metadata and arrival time.
struct FailPlan {
  enum class Mode { kTrailersOnly, kHeadersThenTrailers, kAfterMessage };
  bool fail = false;
  int status = 14;
  Mode mode = Mode::kTrailersOnly;
  std::string message;  // "injected failure of attempt N of ID"
};

struct AttemptRecord {
  std::string call_id;
  int attempt = 0;  // 1-based, as this backend counted
  std::chrono::steady_clock::time_point arrived;
  std::string previous_attempts;  // grpc-previous-rpc-attempts, empty when absent
  // Time left until the attempt's deadline when it arrived (the gateway's grpc-timeout).
  std::optional<std::chrono::milliseconds> deadline;
};

class FailKnobs {
 public:
  // Counts an attempt of the call with `metadata` and says how it must end.
  FailPlan onAttempt(const std::string& backend_id,
                     const std::multimap<std::string, std::string>& metadata,
                     std::optional<std::chrono::milliseconds> deadline);
  std::vector<AttemptRecord> attempts(std::string_view call_id) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, int, std::less<>> counts_;
  std::vector<AttemptRecord> records_;
};

}  // namespace meshgate::testing
