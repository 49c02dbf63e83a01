#pragma once

#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

// Small string helpers over std::string_view. Debian's abseil has its own absl::string_view
// (not an alias of std::string_view), so absl's string utilities do not take ours.
namespace meshgate::base {

inline char asciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

inline std::string lowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = asciiLower(c);
  return out;
}

inline bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (asciiLower(a[i]) != asciiLower(b[i])) return false;
  }
  return true;
}

inline bool startsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && equalsIgnoreCase(text.substr(0, prefix.size()), prefix);
}

// For heterogeneous lookups in absl containers keyed by std::string.
inline absl::string_view toAbsl(std::string_view text) { return {text.data(), text.size()}; }

}  // namespace meshgate::base
