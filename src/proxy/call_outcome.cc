#include "proxy/call_outcome.h"

#include <charconv>

#include "grpcwire/status.h"

namespace meshgate::proxy {
namespace {

std::optional<int> number(std::string_view text) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

upstream::Outcome callOutcome(std::string_view http_status, std::string_view grpc_status) {
  using grpcwire::Code;
  using upstream::Outcome;
  if (!grpc_status.empty()) {
    auto code = number(grpc_status);
    if (!code) return Outcome::kServerError;  // a garbled status is the server's fault
    switch (static_cast<Code>(*code)) {
      case Code::kUnavailable:
      case Code::kDeadlineExceeded:
        return Outcome::kGatewayError;
      case Code::kInternal:
      case Code::kUnknown:
        return Outcome::kServerError;
      default:
        return Outcome::kSuccess;
    }
  }
  int status = number(http_status).value_or(0);
  if (status == 502 || status == 503 || status == 504) return Outcome::kGatewayError;
  if (status >= 500 && status <= 599) return Outcome::kServerError;
  return Outcome::kSuccess;
}

}  // namespace meshgate::proxy
