#pragma once

#include <string>

#include "config/model/located.h"

namespace meshgate::config {

// metadata of every object, plus where the object came from. `order` is the object's position
// across all loaded files (file order, then document order): translate's tie-breaker where
// Istio would use creation time.
struct ObjectMeta {
  std::string name;
  std::string namespace_name = "default";
  Labels labels;
  LocatedLabels annotations;  // meshgate.io/ ones carry settings, so values keep positions
  SourceRef where;            // the document's first line
  size_t order = 0;
  bool operator==(const ObjectMeta&) const = default;
};

}  // namespace meshgate::config
