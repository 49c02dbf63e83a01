#include "grpcwire/status.h"

#include <array>

namespace meshgate::grpcwire {
namespace {

constexpr std::array<std::string_view, kCodeCount> kNames = {
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
};

char toLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// True when name is canonical with every letter lowered and '_' written as '-'.
bool matchesDashedLowerCase(std::string_view canonical, std::string_view name) {
  if (canonical.size() != name.size()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char expected = canonical[i] == '_' ? '-' : toLower(canonical[i]);
    if (name[i] != expected) return false;
  }
  return true;
}

}  // namespace

std::optional<Code> codeFromNumber(int number) {
  if (number < 0 || number >= kCodeCount) return std::nullopt;
  return static_cast<Code>(number);
}

std::string_view codeName(Code code) {
  int number = codeNumber(code);
  if (number < 0 || number >= kCodeCount) return "UNKNOWN";
  return kNames[static_cast<size_t>(number)];
}

std::optional<Code> parseCodeName(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (name == kNames[i] || matchesDashedLowerCase(kNames[i], name)) {
      return static_cast<Code>(i);
    }
  }
  return std::nullopt;
}

Code httpStatusToGrpc(int http_status) {
  switch (http_status) {
    case 400:
      return Code::kInternal;
    case 401:
      return Code::kUnauthenticated;
    case 403:
      return Code::kPermissionDenied;
    case 404:
      return Code::kUnimplemented;
    case 429:
    case 502:
    case 503:
    case 504:
      return Code::kUnavailable;
    default:
      return Code::kUnknown;
  }
}

}  // namespace meshgate::grpcwire
