#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "ir/config.h"
#include "proxy/local_reply.h"

// VirtualService fault injection on the data plane: what one call gets, drawn from the worker's
// randomness; ActiveStream holds the call for the delay and answers the abort.
namespace meshgate::proxy {

struct FaultPlan {
  std::optional<std::chrono::milliseconds> delay;
  // Answered instead of forwarding (after the delay, as Envoy orders them).
  const ir::FaultAbort* abort = nullptr;
  bool any() const { return delay.has_value() || abort != nullptr; }
};

// True with probability percent/100, at Envoy's resolution (a millionth); `random` uniform.
bool drawPercent(double percent, uint64_t random);

// Draws the delay and the abort of `fault` independently, each with its own random number.
FaultPlan planFault(const ir::Fault& fault, uint64_t random_delay, uint64_t random_abort);

// The answer to an aborted call. grpcStatus: a Trailers-Only response with that status.
// httpStatus: plain HTTP with that status, or for a gRPC caller Trailers-Only with the same
// :status and the grpc-status PROTOCOL-HTTP2 maps it to (503 → UNAVAILABLE).
LocalReply faultAbortReply(const ir::FaultAbort& abort);

}  // namespace meshgate::proxy
