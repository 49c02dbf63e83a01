#pragma once

#include <optional>
#include <string_view>

namespace meshgate::grpcwire {

// The gRPC status codes with their wire numbers (doc/statuscodes.md).
enum class Code {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

inline constexpr int kCodeCount = 17;

constexpr int codeNumber(Code code) { return static_cast<int>(code); }

// The code for a `grpc-status` number; nullopt outside 0..16.
std::optional<Code> codeFromNumber(int number);

// The canonical upper-case name, e.g. "UNAVAILABLE".
std::string_view codeName(Code code);

// Accepts the canonical upper-case names ("RESOURCE_EXHAUSTED") and the lower-case, dash-separated
// spellings of Envoy's and Istio's retryOn ("resource-exhausted"). Nothing else: mixed case and
// "resource_exhausted" are typos the config layer should report, not guess.
std::optional<Code> parseCodeName(std::string_view name);

// The status a client assumes when a response has an HTTP status but no grpc-status
// (grpc/doc/http-grpc-status-mapping.md). Not for choosing an HTTP status from a gRPC code.
Code httpStatusToGrpc(int http_status);

}  // namespace meshgate::grpcwire
