#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "base/source_ref.h"

namespace meshgate::config {

using base::SourceRef;

// A value with the position it was written at. `present` is false when the field was absent
// (or invalid, in which case the loader already reported it): translate skips such values.
template <typename T>
struct Located {
  T value{};
  SourceRef where;
  bool present = false;

  explicit operator bool() const { return present; }
  bool operator==(const Located&) const = default;
};

// Durations as Istio accepts them (Go's time.ParseDuration text: "0s", "1.5s", "100ms", "24h").
using Duration = std::chrono::nanoseconds;

using Labels = std::vector<std::pair<std::string, std::string>>;  // in document order
// A string map whose values keep their positions (annotations, whose values meshgate parses).
using LocatedLabels = std::vector<std::pair<std::string, Located<std::string>>>;

}  // namespace meshgate::config
