#pragma once

#include <string>
#include <vector>

#include "config/model/meta.h"

namespace meshgate::config {

// A Secret with its values decoded: `data` is base64-decoded, `stringData` taken verbatim and
// merged over it (as the API server does).
struct Secret {
  ObjectMeta meta;
  Located<std::string> type;  // kubernetes.io/tls, Opaque, ...
  std::vector<std::pair<std::string, Located<std::string>>> values;

  const Located<std::string>* find(const std::string& key) const {
    for (const auto& [name, value] : values) {
      if (name == key) return &value;
    }
    return nullptr;
  }
  bool operator==(const Secret&) const = default;
};

}  // namespace meshgate::config
