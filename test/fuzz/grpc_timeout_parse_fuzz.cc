// Checks parseGrpcTimeout against a reference written with 128-bit arithmetic, and that
// formatGrpcTimeout of any parsed value parses back without extending it.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string_view>

#include "grpcwire/timeout.h"

namespace {

using std::chrono::nanoseconds;

std::optional<nanoseconds> referenceParse(std::string_view text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  std::string_view digits = text.substr(0, text.size() - 1);
  if (digits.empty()) return std::nullopt;
  __int128 value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  __int128 unit = 0;
  switch (text.back()) {
    case 'H':
      unit = __int128{3600} * 1'000'000'000;
      break;
    case 'M':
      unit = __int128{60} * 1'000'000'000;
      break;
    case 'S':
      unit = 1'000'000'000;
      break;
    case 'm':
      unit = 1'000'000;
      break;
    case 'u':
      unit = 1'000;
      break;
    case 'n':
      unit = 1;
      break;
    default:
      return std::nullopt;
  }
  __int128 nanos = value * unit;
  if (nanos > std::numeric_limits<int64_t>::max()) return nanoseconds::max();
  return nanoseconds(static_cast<int64_t>(nanos));
}

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::optional<nanoseconds> parsed = meshgate::grpcwire::parseGrpcTimeout(text);
  check(parsed == referenceParse(text));
  if (parsed) {
    check(parsed->count() >= 0);
    std::optional<nanoseconds> again =
        meshgate::grpcwire::parseGrpcTimeout(meshgate::grpcwire::formatGrpcTimeout(*parsed));
    check(again.has_value() && *again <= *parsed);
  }
  // Any 8 bytes as a duration must format to something that parses.
  if (size >= 8) {
    int64_t nanos = 0;
    for (size_t i = 0; i < 8; ++i) nanos = static_cast<int64_t>((uint64_t(nanos) << 8) | data[i]);
    std::string formatted = meshgate::grpcwire::formatGrpcTimeout(nanoseconds(nanos));
    std::optional<nanoseconds> back = meshgate::grpcwire::parseGrpcTimeout(formatted);
    check(back.has_value() && back->count() <= std::max<int64_t>(nanos, 0));
  }
  return 0;
}
