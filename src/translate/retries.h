#pragma once

#include <optional>
#include <string>

#include "config/diagnostics.h"
#include "config/model/virtual_service.h"
#include "ir/config.h"

// http[].retries with Istio's semantics: its default policy for routes without one, retryOn
// validated like Istio's webhook (every Envoy condition, the gRPC names, HTTP status codes).
namespace meshgate::translate {

// Istio's default: 2 retries on connect-failure, refused-stream, unavailable, cancelled and
// retriable-status-codes (503).
ir::RetryPolicy defaultRetryPolicy();

// The policy of a route whose retries are `retries` (nullptr: none written), at `path`
// ("spec.http[0]"). nullopt: retries disabled (attempts 0) or an error was reported; `ok` is
// cleared on errors.
std::optional<ir::RetryPolicy> translateRetries(const config::HttpRetry* retries,
                                                const std::string& path, config::Diagnostics& d,
                                                bool& ok);

}  // namespace meshgate::translate
