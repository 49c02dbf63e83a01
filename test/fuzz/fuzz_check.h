// The checks and extra coverage shared by meshgate's fuzz targets. Header-only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

// Fails the run with the condition's text: a harness check is a finding, never an expected event.
#define MG_FUZZ_CHECK(condition)                                                         \
  do {                                                                                   \
    if (!(condition)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); \
      __builtin_trap();                                                                  \
    }                                                                                    \
  } while (0)

namespace meshgate::fuzz {

// A reported bug that is not fixed yet: when `holds` is false the run goes on (so fuzzing finds
// other things and the corpus replays), unless MG_FUZZ_STRICT=1 is set to reproduce it.
inline bool strictKnownBugs() {
  static const bool strict = [] {
    const char* value = std::getenv("MG_FUZZ_STRICT");
    return value != nullptr && std::string_view(value) == "1";
  }();
  return strict;
}
#define MG_FUZZ_KNOWN_BUG(holds, what)                                          \
  do {                                                                          \
    if (!(holds) && ::meshgate::fuzz::strictKnownBugs()) {                      \
      std::fprintf(stderr, "%s:%d: known bug: %s\n", __FILE__, __LINE__, what); \
      __builtin_trap();                                                         \
    }                                                                           \
  } while (0)

// libFuzzer sees no coverage inside meshgate's libraries (built without -fsanitize=fuzzer) or
// system libraries such as nghttp2, so harnesses report what they observed (event sequences,
// which rule decided) through libFuzzer's extra counters. Outside libFuzzer: a plain array.
inline constexpr size_t kFeatureSlots = 8192;
__attribute__((section("__libfuzzer_extra_counters"),
               used)) inline uint8_t feature_counters[kFeatureSlots];

inline void feature(uint32_t a, uint32_t b = 0) {
  uint32_t key = (a * 0x9e3779b1u) ^ (b + 0x7f4a7c15u + (a << 6) + (a >> 2));
  key *= 0x85ebca6bu;
  uint8_t& counter = feature_counters[(key >> 16) % kFeatureSlots];
  if (counter < 255) ++counter;
}

}  // namespace meshgate::fuzz
