#pragma once

#include <string_view>
#include <vector>

#include "config/diagnostics.h"
#include "config/yaml_node.h"

namespace meshgate::config {

// Bounds that keep hostile input (alias bombs, huge documents) from exhausting memory.
inline constexpr size_t kMaxYamlNodes = 1'000'000;

// Parses every document of a multi-document YAML text. A syntax error becomes one diagnostic at
// the mark yaml-cpp reports; the documents before it are still returned.
std::vector<YamlNode> readYamlDocuments(std::string_view text, std::string_view file_name,
                                        Diagnostics& diagnostics);

}  // namespace meshgate::config
