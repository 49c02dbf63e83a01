#pragma once

#include <stdexcept>
#include <string>

#include "config/diagnostics.h"
#include "config/loader.h"
#include "ir/config.h"
#include "translate/translate.h"

namespace meshgate::translate {

// The IR and every diagnostic (load and translate) of one YAML text, as `serve` would see it.
struct Translated {
  ir::Config ir;
  config::Diagnostics diagnostics;
};

inline Translated translateYaml(const std::string& yaml, const Options& options = {},
                                const std::string& file = "test.yaml") {
  config::LoadResult loaded = config::loadString(yaml, file);
  Translated out{{}, loaded.diagnostics};
  out.ir = translate(loaded.model, options, out.diagnostics);
  return out;
}

// The cluster named `name`; a test that looks for a missing one fails naming it.
inline const ir::Cluster& clusterNamed(const Translated& t, const std::string& name) {
  for (const auto& cluster : t.ir.clusters) {
    if (cluster.name == name) return cluster;
  }
  throw std::runtime_error("no cluster " + name);
}

}  // namespace meshgate::translate
