#pragma once

#include <string_view>

#include "absl/status/status.h"

namespace meshgate::base {

// A status message as std::string_view (Debian's absl::string_view is a distinct type that
// fmt cannot format).
inline std::string_view message(const absl::Status& status) {
  return {status.message().data(), status.message().size()};
}

}  // namespace meshgate::base
