#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "config/diagnostics.h"
#include "config/model/model.h"

namespace meshgate::config {

struct LoadResult {
  Model model;
  Diagnostics diagnostics;
};

// Loads files and directories (*.yaml and *.yml, recursively, in sorted path order) of
// multi-document YAML. Everything usable goes into the model; every problem into diagnostics.
LoadResult loadPaths(const std::vector<std::filesystem::path>& paths);

// Loads one YAML text as if it were the file `file_name` (tests and fuzzing).
LoadResult loadString(std::string_view yaml, std::string_view file_name);

}  // namespace meshgate::config
