#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/source_ref.h"

namespace meshgate::config {

struct YamlEntry;

// A YAML node as read, with its position: the only YAML type outside yaml_reader.cc, so the
// decoders never see yaml-cpp (or its exceptions). Anchors and aliases are already expanded.
struct YamlNode {
  enum class Kind { kNull, kScalar, kSequence, kMap };

  Kind kind = Kind::kNull;
  std::string scalar;   // kScalar: the text as written, without quotes
  bool quoted = false;  // kScalar: written in quotes (or with a tag), so never a number or bool
  std::vector<YamlNode> items;     // kSequence
  std::vector<YamlEntry> entries;  // kMap, in document order (duplicate keys kept)
  base::SourceRef where;

  bool isNull() const { return kind == Kind::kNull; }
  bool isScalar() const { return kind == Kind::kScalar; }
  bool isSequence() const { return kind == Kind::kSequence; }
  bool isMap() const { return kind == Kind::kMap; }
  // The first value under `key` in a map, or nullptr.
  const YamlNode* get(std::string_view key) const;
};

struct YamlEntry {
  std::string key;
  base::SourceRef key_where;
  YamlNode value;
};

// "a map", "a list", "a string", "null": for "expected X, got Y" messages.
std::string describeKind(const YamlNode& node);

}  // namespace meshgate::config
