#include "grpcwire/timeout.h"

#include <array>
#include <cstdint>
#include <limits>

namespace meshgate::grpcwire {
namespace {

constexpr size_t kMaxDigits = 8;
constexpr int64_t kMaxValue = 99'999'999;

struct Unit {
  char letter;
  int64_t nanos;
};

// Finest first, the order formatGrpcTimeout tries them in.
constexpr std::array<Unit, 6> kUnits = {{
    {'n', 1},
    {'u', 1'000},
    {'m', 1'000'000},
    {'S', 1'000'000'000},
    {'M', 60'000'000'000},
    {'H', 3'600'000'000'000},
}};

}  // namespace

std::optional<std::chrono::nanoseconds> parseGrpcTimeout(std::string_view text) {
  if (text.size() < 2 || text.size() > kMaxDigits + 1) return std::nullopt;
  int64_t value = 0;
  for (char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  for (const Unit& unit : kUnits) {
    if (unit.letter != text.back()) continue;
    // value <= 99999999, so only H and M can overflow; check before multiplying.
    if (value > std::numeric_limits<int64_t>::max() / unit.nanos) {
      return std::chrono::nanoseconds::max();
    }
    return std::chrono::nanoseconds(value * unit.nanos);
  }
  return std::nullopt;
}

std::string formatGrpcTimeout(std::chrono::nanoseconds timeout) {
  int64_t nanos = timeout.count();
  if (nanos <= 0) return "0n";
  for (const Unit& unit : kUnits) {
    int64_t value = nanos / unit.nanos;
    if (value <= kMaxValue) return std::to_string(value) + unit.letter;
  }
  return std::to_string(kMaxValue) + 'H';
}

}  // namespace meshgate::grpcwire
