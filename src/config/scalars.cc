#include "config/scalars.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include <absl/strings/escaping.h>

namespace meshgate::config {
namespace {

std::optional<int64_t> unitNanos(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") return 1'000;
  if (unit == "ms") return 1'000'000;
  if (unit == "s") return 1'000'000'000;
  if (unit == "m") return int64_t{60} * 1'000'000'000;
  if (unit == "h") return int64_t{3600} * 1'000'000'000;
  return std::nullopt;
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// One "<decimal><unit>" term starting at `pos`; adds its value in nanoseconds to `total`.
// Integer arithmetic only, so "0.1s" is exactly 100ms; digits below a nanosecond are dropped.
bool parseTerm(std::string_view text, size_t& pos, int64_t& total) {
  size_t start = pos;
  while (pos < text.size() && (isDigit(text[pos]) || text[pos] == '.')) ++pos;
  std::string_view number = text.substr(start, pos - start);
  if (number.empty() || number == "." || std::count(number.begin(), number.end(), '.') > 1) {
    return false;
  }
  size_t unit_start = pos;
  while (pos < text.size() && !isDigit(text[pos]) && text[pos] != '.') ++pos;
  std::optional<int64_t> scale = unitNanos(text.substr(unit_start, pos - unit_start));
  if (!scale) return false;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  size_t point = number.find('.');
  int64_t whole = 0;
  for (char c : number.substr(0, point)) {
    if (whole > (kMax - 9) / 10) return false;
    whole = whole * 10 + (c - '0');
  }
  if (whole > kMax / *scale) return false;
  int64_t value = whole * *scale;
  if (point != std::string_view::npos) {
    int64_t unit = *scale;
    for (char c : number.substr(point + 1)) {
      unit /= 10;
      value += (c - '0') * unit;
    }
  }
  if (value > kMax - total) return false;
  total += value;
  return true;
}

}  // namespace

std::optional<Duration> parseDuration(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return Duration::zero();
  if (text.empty()) return std::nullopt;
  int64_t total = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    if (!parseTerm(text, pos, total)) return std::nullopt;
  }
  return Duration(negative ? -total : total);
}

std::optional<uint64_t> parseUnsigned(std::string_view text, uint64_t max) {
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  if (text.empty() || text.size() > 20) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (!isDigit(c)) return std::nullopt;
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  if (value > max) return std::nullopt;
  return value;
}

std::optional<int64_t> parseSigned(std::string_view text) {
  bool negative = !text.empty() && text[0] == '-';
  if (negative) text.remove_prefix(1);
  auto magnitude = parseUnsigned(text, static_cast<uint64_t>(std::numeric_limits<int64_t>::max()));
  if (!magnitude) return std::nullopt;
  auto value = static_cast<int64_t>(*magnitude);
  return negative ? -value : value;
}

std::optional<bool> parseBool(std::string_view text) {
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  return std::nullopt;
}

std::optional<std::string> decodeBase64(std::string_view text) {
  std::string compact;
  for (char c : text) {
    // Multi-line base64 (as some tools write it) is fine; other garbage is not.
    if (c != '\n' && c != '\r' && c != ' ') compact += c;
  }
  for (char c : compact) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/' && c != '=') {
      return std::nullopt;
    }
  }
  std::string decoded;
  if (!absl::Base64Unescape(compact, &decoded)) return std::nullopt;
  return decoded;
}

namespace {

size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                  std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string closestMatch(std::string_view word, const std::vector<std::string>& candidates) {
  if (word.size() > 64) return {};
  std::string best;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (const std::string& candidate : candidates) {
    size_t distance = editDistance(word, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

}  // namespace meshgate::config
