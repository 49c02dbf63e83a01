#pragma once

#include <string>

namespace meshgate::base {

// Where a config object came from, so errors and dumps can point at YAML lines. 1-based.
struct SourceRef {
  std::string file;
  int line = 0;
  int column = 0;

  bool operator==(const SourceRef&) const = default;
  std::string toString() const {
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
  }
};

}  // namespace meshgate::base
