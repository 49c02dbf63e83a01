#pragma once

#include <string>

#include "config/model/meta.h"

namespace meshgate::config {

// Only what endpoints need: labels (in meta) and the Pod IP. spec is not read.
struct Pod {
  ObjectMeta meta;
  Located<std::string> pod_ip;
  bool operator==(const Pod&) const = default;
};

}  // namespace meshgate::config
