#include "proxy/retry_state.h"

#include <algorithm>
#include <charconv>

#include "grpcwire/status.h"

namespace meshgate::proxy {
namespace {

using namespace ir::retry_on;

std::optional<int> parseNumber(std::string_view text) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

uint32_t grpcCondition(grpcwire::Code code) {
  switch (code) {
    case grpcwire::Code::kCancelled:
      return kCancelled;
    case grpcwire::Code::kDeadlineExceeded:
      return kDeadlineExceeded;
    case grpcwire::Code::kInternal:
      return kInternal;
    case grpcwire::Code::kResourceExhausted:
      return kResourceExhausted;
    case grpcwire::Code::kUnavailable:
      return kUnavailable;
    default:
      return 0;
  }
}

}  // namespace

ResponseVerdict judgeResponse(const ir::RetryPolicy& policy, int http_status,
                              const http::HeaderList& block, bool grpc_call) {
  const uint32_t on = policy.retry_on;
  bool http_retry = false;
  if (http_status >= 500 && (on & k5xx) != 0) http_retry = true;
  if ((http_status == 502 || http_status == 503 || http_status == 504) &&
      (on & kGatewayError) != 0) {
    http_retry = true;
  }
  if (http_status == 409 && (on & kRetriable4xx) != 0) http_retry = true;
  if ((on & kRetriableStatusCodes) != 0 &&
      std::find(policy.retriable_status_codes.begin(), policy.retriable_status_codes.end(),
                static_cast<uint32_t>(http_status)) != policy.retriable_status_codes.end()) {
    http_retry = true;
  }
  if ((on & kEnvoyRateLimited) != 0 && !block.get("x-envoy-ratelimited").empty()) {
    return {true, "x-envoy-ratelimited"};
  }
  if (http_retry) return {true, "HTTP " + std::to_string(http_status)};
  if (!grpc_call) return {};
  std::string_view status = block.get("grpc-status");
  if (status.empty()) return {};
  auto number = parseNumber(status);
  if (!number) return {};
  auto code = grpcwire::codeFromNumber(*number);
  if (!code || (on & grpcCondition(*code)) == 0) return {};
  return {true, "grpc-status " + std::string(status)};
}

bool retriesFailure(const ir::RetryPolicy& policy, AttemptFailure failure, bool request_sent) {
  const uint32_t on = policy.retry_on;
  // Envoy: 5xx and gateway-error include every failure without a response.
  const bool any_failure = (on & (k5xx | kGatewayError | kReset)) != 0;
  switch (failure) {
    case AttemptFailure::kConnectFailure:
      return any_failure || (on & kConnectFailure) != 0 ||
             ((on & kResetBeforeRequest) != 0 && !request_sent);
    case AttemptFailure::kRefusedStream:
      return any_failure || (on & kRefusedStream) != 0 ||
             ((on & kResetBeforeRequest) != 0 && !request_sent);
    case AttemptFailure::kReset:
      return any_failure || ((on & kResetBeforeRequest) != 0 && !request_sent);
    case AttemptFailure::kPerTryTimeout:
      // An attempt out of time is a local DEADLINE_EXCEEDED, so deadline-exceeded retries it
      // too (Envoy only retries it on 5xx, gateway-error and reset).
      return any_failure || (on & kDeadlineExceeded) != 0;
    case AttemptFailure::kResponse:
      return true;
    case AttemptFailure::kNone:
      break;
  }
  return false;
}

std::chrono::milliseconds retryBackoff(std::chrono::milliseconds base, uint32_t retry,
                                       uint64_t random) {
  const uint64_t base_ms = std::max<int64_t>(base.count(), 1);
  const uint64_t cap_ms = 10 * base_ms;
  uint32_t doublings = std::clamp<uint32_t>(retry, 1, 32);
  uint64_t ceiling = ((uint64_t{1} << doublings) - 1) * base_ms;
  ceiling = std::min(ceiling, cap_ms);
  return std::chrono::milliseconds(random % ceiling);
}

}  // namespace meshgate::proxy
