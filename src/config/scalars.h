#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/model/located.h"

// Pure text conversions the decoders share; unit-tested on their own.
namespace meshgate::config {

// Go's time.ParseDuration grammar, which Istio's YAML accepts for Duration fields: an optional
// sign, then one or more "<decimal><unit>" with units ns, us, µs, ms, s, m, h ("1h30m", "1.5s").
// A bare "0" is zero. nullopt on a syntax error or overflow.
std::optional<Duration> parseDuration(std::string_view text);

// Decimal digits only (an optional leading '+'), at most `max`.
std::optional<uint64_t> parseUnsigned(std::string_view text, uint64_t max);
std::optional<int64_t> parseSigned(std::string_view text);
// YAML 1.2 core booleans: true/True/TRUE/false/False/FALSE.
std::optional<bool> parseBool(std::string_view text);

// Standard base64 as Kubernetes writes Secret data; nullopt when not valid base64.
std::optional<std::string> decodeBase64(std::string_view text);

// The closest candidate within a small edit distance (case-insensitive), or empty.
std::string closestMatch(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace meshgate::config
