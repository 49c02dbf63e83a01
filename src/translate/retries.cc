#include "translate/retries.h"

#include <charconv>
#include <string_view>

namespace meshgate::translate {
namespace {

using namespace std::chrono_literals;

// Go's http.StatusText knows these codes; Istio accepts a number in retryOn only when it is one.
bool isKnownHttpStatus(uint32_t code) {
  static constexpr uint32_t kKnown[] = {
      100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301,
      302, 303, 304, 305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409,
      410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428,
      429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511};
  for (uint32_t known : kKnown) {
    if (known == code) return true;
  }
  return false;
}

std::optional<uint32_t> conditionNamed(std::string_view name) {
  for (const auto& entry : ir::retry_on::kNames) {
    if (name == entry.name) return entry.condition;
  }
  return std::nullopt;
}

// retryOn is a comma-separated list; Istio's webhook checks each element as written (no
// trimming), so " reset" is an error there and here.
bool parseRetryOn(const config::Located<std::string>& retry_on, const std::string& field,
                  config::Diagnostics& d, ir::RetryPolicy& policy) {
  bool ok = true;
  std::string_view rest = retry_on.value;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    uint32_t code = 0;
    auto [end, error] = std::from_chars(item.data(), item.data() + item.size(), code);
    if (auto condition = conditionNamed(item)) {
      policy.retry_on |= *condition;
    } else if (error == std::errc() && end == item.data() + item.size() &&
               isKnownHttpStatus(code)) {
      policy.retriable_status_codes.push_back(code);
    } else {
      d.error(retry_on.where, field, "'" + std::string(item) + "' is not a valid retryOn policy",
              "use a comma-separated list (no spaces) of 5xx, gateway-error, reset, "
              "connect-failure, refused-stream, retriable-4xx, retriable-status-codes, "
              "retriable-headers, cancelled, deadline-exceeded, internal, resource-exhausted, "
              "unavailable or HTTP status codes such as 503");
      ok = false;
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  // Istio: numeric codes imply retriable-status-codes.
  if (!policy.retriable_status_codes.empty()) {
    policy.retry_on |= ir::retry_on::kRetriableStatusCodes;
  }
  return ok;
}

}  // namespace

ir::RetryPolicy defaultRetryPolicy() {
  using namespace ir::retry_on;
  ir::RetryPolicy policy;
  policy.num_retries = 2;
  policy.retry_on =
      kConnectFailure | kRefusedStream | kUnavailable | kCancelled | kRetriableStatusCodes;
  policy.retriable_status_codes = {503};
  return policy;
}

std::optional<ir::RetryPolicy> translateRetries(const config::HttpRetry* retries,
                                                const std::string& path, config::Diagnostics& d,
                                                bool& ok) {
  if (retries == nullptr) return defaultRetryPolicy();
  const std::string field = path + ".retries";
  const config::HttpRetry& in = *retries;
  bool valid = true;
  if (in.attempts && in.attempts.value < 0) {
    d.error(in.attempts.where, field + ".attempts", "attempts cannot be negative",
            "use 0 to disable retries");
    valid = false;
  }
  if (in.per_try_timeout && in.per_try_timeout.value < 1ms) {
    d.error(in.per_try_timeout.where, field + ".perTryTimeout",
            "perTryTimeout must be at least 1ms");
    valid = false;
  }
  if (in.backoff && in.backoff.value < 1ms) {
    d.error(in.backoff.where, field + ".backoff", "backoff must be at least 1ms");
    valid = false;
  }
  ir::RetryPolicy policy = defaultRetryPolicy();
  if (in.retry_on) {
    policy.retry_on = 0;
    policy.retriable_status_codes.clear();
    valid = parseRetryOn(in.retry_on, field + ".retryOn", d, policy) && valid;
  }
  if (!valid) {
    ok = false;
    return std::nullopt;
  }
  // Istio: attempts absent keeps the default count; 0 disables retries whatever else is set.
  if (in.attempts) {
    if (in.attempts.value == 0) {
      if (in.per_try_timeout || in.retry_on) {
        d.warning(in.attempts.where, field + ".attempts",
                  "attempts is 0, so retries are disabled and the rest of retries is ignored");
      }
      return std::nullopt;
    }
    policy.num_retries = static_cast<uint32_t>(std::min<int64_t>(in.attempts.value, 1000));
  }
  if (in.per_try_timeout) {
    policy.per_try_timeout =
        std::chrono::duration_cast<std::chrono::milliseconds>(in.per_try_timeout.value);
  }
  if (in.backoff) {
    policy.backoff_base = std::chrono::duration_cast<std::chrono::milliseconds>(in.backoff.value);
  }
  // Locality-aware routing decides where retries may go; accepted and recorded.
  policy.retry_remote_localities = in.retry_remote_localhost && in.retry_remote_localhost.value;
  if (in.retry_ignore_previous_hosts && !in.retry_ignore_previous_hosts.value) {
    d.warning(in.retry_ignore_previous_hosts.where, field + ".retryIgnorePreviousHosts",
              "meshgate always sends a retry to another endpoint when the cluster has one; "
              "false is ignored");
  }
  return policy;
}

}  // namespace meshgate::translate
