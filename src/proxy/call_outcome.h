#pragma once

#include <string_view>

#include "upstream/outlier_detector.h"

namespace meshgate::proxy {

// How an upstream answer counts for outlier detection. grpc-status (from Trailers-Only headers
// or from trailers) decides when present: UNAVAILABLE and DEADLINE_EXCEEDED are gateway errors,
// INTERNAL and UNKNOWN server errors, every other code (OK, NOT_FOUND, INVALID_ARGUMENT, ...)
// is the application's answer and a success. Without one, :status decides: 502/503/504 gateway
// errors, other 5xx server errors, the rest successes.
upstream::Outcome callOutcome(std::string_view http_status, std::string_view grpc_status);

}  // namespace meshgate::proxy
