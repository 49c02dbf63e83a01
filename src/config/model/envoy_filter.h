#pragma once

#include "config/model/meta.h"

namespace meshgate::config {

// Kept opaque: meshgate recognizes only the patch that inserts envoy.filters.http.grpc_web.
struct EnvoyFilter {
  ObjectMeta meta;
  Labels workload_selector;
  size_t patch_count = 0;
  bool is_grpc_web = false;  // every patch inserts the grpc_web HTTP filter
  SourceRef config_patches_where;
  bool operator==(const EnvoyFilter&) const = default;
};

}  // namespace meshgate::config
