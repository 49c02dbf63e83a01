#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace meshgate::grpcwire {

// PROTOCOL-HTTP2: grpc-timeout is 1 to 8 ASCII digits and one unit letter (H M S m u n).
// Anything else (sign, space, 9 digits, unknown unit) is nullopt; the caller then ignores the
// header, as gRPC servers do. A value beyond what nanoseconds can hold (more than ~292 years, e.g.
// "99999999H") saturates to nanoseconds::max(), which callers treat as "no deadline".
std::optional<std::chrono::nanoseconds> parseGrpcTimeout(std::string_view text);

// The header value for a remaining time, in the finest unit whose value fits in 8 digits, so the
// value is exact whenever it can be. When a coarser unit is needed the value is truncated, never
// rounded up: a gateway forwards what is left of its caller's deadline, and an upstream must never
// be told it has more time than the caller will wait. The loss is below one unit, and a coarser
// unit is only used once at least 10^5 of it remain, so under 1e-5 of the value. Zero and negative
// durations give "0n" (already expired); durations beyond "99999999H" clamp to it.
std::string formatGrpcTimeout(std::chrono::nanoseconds timeout);

}  // namespace meshgate::grpcwire
