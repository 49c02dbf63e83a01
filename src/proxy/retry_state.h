#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "http/headers.h"
#include "ir/config.h"
#include "upstream/retry_budget.h"

namespace meshgate::proxy {

// Per-worker retry counters (plain numbers: the worker owns them, an admin endpoint reads them
// on the worker's thread).
// How an attempt failed before the call was committed.
enum class AttemptFailure {
  kNone,
  kConnectFailure,  // no connection (connect error, refused, no stream available)
  kRefusedStream,   // RST_STREAM(REFUSED_STREAM)
  kReset,           // any other reset or a dropped connection before the response
  kPerTryTimeout,   // the attempt ran out of perTryTimeout
  kResponse,        // a response the policy names (HTTP status or grpc-status)
};

// What a response's header block (headers, Trailers-Only, or trailers) says about retrying.
struct ResponseVerdict {
  bool retriable = false;
  std::string reason;  // "grpc-status 14", "HTTP 503", for the debug log
};

// Whether `policy` retries a response whose headers (for Trailers-Only and plain HTTP) or
// trailers (gRPC after headers) are `block`. `http_status` is the response's :status.
ResponseVerdict judgeResponse(const ir::RetryPolicy& policy, int http_status,
                              const http::HeaderList& block, bool grpc_call);

// Whether `policy` retries a failure without a response. `request_sent`: the whole request
// reached the upstream (reset-before-request only retries when it did not).
bool retriesFailure(const ir::RetryPolicy& policy, AttemptFailure failure, bool request_sent);

// Envoy's jittered exponential backoff for retry number `retry` (1 for the first): uniform in
// [0, (2^retry - 1) x base), capped at 10 x base (250 ms for the default 25 ms base).
std::chrono::milliseconds retryBackoff(std::chrono::milliseconds base, uint32_t retry,
                                       uint64_t random);

// True when the response gives the gateway a reason to hold the response headers until the
// first message or the trailers: a gRPC call on a route retrying on gRPC statuses.
inline bool holdsResponseHeaders(const ir::RetryPolicy& policy, bool grpc_call) {
  return grpc_call && (policy.retry_on & ir::retry_on::kGrpcConditions) != 0;
}

// The retry bookkeeping of one call: attempts made, hosts tried, the budget place held.
struct RetryState {
  const ir::RetryPolicy* policy = nullptr;  // null: the route does not retry
  uint32_t attempts = 0;                    // attempts started
  std::vector<uint32_t> tried_hosts;
  upstream::RetrySlot slot;
  std::string attempts_text;  // grpc-previous-rpc-attempts of the current attempt
  bool pending = false;       // between a failed attempt and the next one (backoff)
  bool hold_headers = false;
  bool headers_held = false;  // this attempt's response headers are waiting
  bool exhausted() const { return policy == nullptr || attempts > policy->num_retries; }
};

}  // namespace meshgate::proxy
