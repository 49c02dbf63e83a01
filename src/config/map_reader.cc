#include "config/map_reader.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "config/scalars.h"

namespace meshgate::config {
namespace {

template <typename T>
Located<T> located(T value, const YamlNode& node) {
  return {std::move(value), node.where, true};
}

// A scalar for a typed reader, or nullptr after reporting "expected ...".
const YamlNode* scalarOrReport(const YamlNode& node, const std::string& path, Diagnostics& d,
                               std::string_view expected) {
  if (node.isNull()) return nullptr;
  if (!node.isScalar()) {
    d.error(node.where, path, "expected " + std::string(expected) + ", got " + describeKind(node));
    return nullptr;
  }
  return &node;
}

}  // namespace

std::string childPath(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string indexPath(const std::string& path, size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

Located<std::string> readString(const YamlNode& node, const std::string& path, Diagnostics& d) {
  const YamlNode* scalar = scalarOrReport(node, path, d, "a string");
  if (scalar == nullptr) return {};
  return located(scalar->scalar, node);
}

Located<uint32_t> readUint(const YamlNode& node, const std::string& path, uint32_t max,
                           Diagnostics& d) {
  const YamlNode* scalar = scalarOrReport(node, path, d, "a number");
  if (scalar == nullptr) return {};
  std::optional<uint64_t> value =
      parseUnsigned(scalar->scalar, std::numeric_limits<uint64_t>::max());
  if (!value) {
    d.error(node.where, path, "expected a number, got '" + scalar->scalar + "'");
    return {};
  }
  if (*value > max) {
    d.error(node.where, path,
            "value " + scalar->scalar + " is out of range 0-" + std::to_string(max));
    return {};
  }
  return located(static_cast<uint32_t>(*value), node);
}

Located<uint32_t> readPort(const YamlNode& node, const std::string& path, Diagnostics& d) {
  const YamlNode* scalar = scalarOrReport(node, path, d, "a port number");
  if (scalar == nullptr) return {};
  std::optional<uint64_t> value =
      parseUnsigned(scalar->scalar, std::numeric_limits<uint64_t>::max());
  if (!value) {
    d.error(node.where, path, "expected a port number, got '" + scalar->scalar + "'");
    return {};
  }
  if (*value < 1 || *value > 65535) {
    d.error(node.where, path, "port " + scalar->scalar + " is out of range 1-65535");
    return {};
  }
  return located(static_cast<uint32_t>(*value), node);
}

Located<int64_t> readInt(const YamlNode& node, const std::string& path, Diagnostics& d) {
  const YamlNode* scalar = scalarOrReport(node, path, d, "a number");
  if (scalar == nullptr) return {};
  std::optional<int64_t> value = parseSigned(scalar->scalar);
  if (!value) {
    d.error(node.where, path, "expected a number, got '" + scalar->scalar + "'");
    return {};
  }
  return located(*value, node);
}

Located<bool> readBool(const YamlNode& node, const std::string& path, Diagnostics& d) {
  const YamlNode* scalar = scalarOrReport(node, path, d, "true or false");
  if (scalar == nullptr) return {};
  std::optional<bool> value = parseBool(scalar->scalar);
  if (!value) {
    d.error(node.where, path, "expected true or false, got '" + scalar->scalar + "'");
    return {};
  }
  return located(*value, node);
}

Located<Duration> readDuration(const YamlNode& node, const std::string& path, Diagnostics& d) {
  const YamlNode* scalar = scalarOrReport(node, path, d, "a duration");
  if (scalar == nullptr) return {};
  std::optional<Duration> value = parseDuration(scalar->scalar);
  if (!value) {
    d.error(node.where, path, "invalid duration '" + scalar->scalar + "'",
            "write a number with a unit: 100ms, 1.5s, 1m, 24h");
    return {};
  }
  if (value->count() < 0) {
    d.error(node.where, path, "duration '" + scalar->scalar + "' is negative");
    return {};
  }
  return located(*value, node);
}

MapReader::MapReader(const YamlNode& node, std::string path, Diagnostics& diagnostics)
    : node_(node), path_(std::move(path)), diagnostics_(diagnostics) {
  valid_ = node.isMap();
  if (!valid_ && !node.isNull()) {
    diagnostics_.error(node.where, path_, "expected a map, got " + describeKind(node));
  }
}

MapReader::~MapReader() {
  for (const YamlEntry& entry : node_.entries) {
    if (std::find(known_.begin(), known_.end(), entry.key) != known_.end()) continue;
    std::string suggestion = closestMatch(entry.key, known_);
    diagnostics_.warning(entry.key_where, child(entry.key), "unknown field '" + entry.key + "'",
                         suggestion.empty() ? "" : "did you mean '" + suggestion + "'?");
  }
}

const YamlNode* MapReader::get(std::string_view key) {
  known_.emplace_back(key);
  const YamlNode* found = nullptr;
  for (const YamlEntry& entry : node_.entries) {
    if (entry.key != key) continue;
    if (found != nullptr) {
      diagnostics_.error(entry.key_where, child(key), "duplicate key '" + entry.key + "'");
      continue;
    }
    found = &entry.value;
  }
  return found == nullptr || found->isNull() ? nullptr : found;
}

void MapReader::ignore(std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) known_.emplace_back(key);
}

bool MapReader::require(std::string_view key, std::string_view what) {
  if (node_.get(key) != nullptr && !node_.get(key)->isNull()) return true;
  std::string message = "required field '" + std::string(key) + "' is missing";
  if (!what.empty()) message += " (" + std::string(what) + ")";
  diagnostics_.error(node_.where, child(key), message);
  return false;
}

Located<std::string> MapReader::string(std::string_view key, bool required) {
  if (required && !require(key)) return {};
  const YamlNode* node = get(key);
  return node == nullptr ? Located<std::string>{} : readString(*node, child(key), diagnostics_);
}

Located<uint32_t> MapReader::uint(std::string_view key, uint32_t max, bool required) {
  if (required && !require(key)) return {};
  const YamlNode* node = get(key);
  return node == nullptr ? Located<uint32_t>{} : readUint(*node, child(key), max, diagnostics_);
}

Located<uint32_t> MapReader::port(std::string_view key, bool required) {
  if (required && !require(key)) return {};
  const YamlNode* node = get(key);
  return node == nullptr ? Located<uint32_t>{} : readPort(*node, child(key), diagnostics_);
}

Located<int64_t> MapReader::integer(std::string_view key) {
  const YamlNode* node = get(key);
  return node == nullptr ? Located<int64_t>{} : readInt(*node, child(key), diagnostics_);
}

Located<bool> MapReader::boolean(std::string_view key) {
  const YamlNode* node = get(key);
  return node == nullptr ? Located<bool>{} : readBool(*node, child(key), diagnostics_);
}

Located<Duration> MapReader::duration(std::string_view key) {
  const YamlNode* node = get(key);
  return node == nullptr ? Located<Duration>{} : readDuration(*node, child(key), diagnostics_);
}

const YamlNode* MapReader::sequence(std::string_view key) {
  const YamlNode* node = get(key);
  if (node == nullptr) return nullptr;
  if (!node->isSequence()) {
    diagnostics_.error(node->where, child(key), "expected a list, got " + describeKind(*node));
    return nullptr;
  }
  return node;
}

std::vector<Located<std::string>> MapReader::stringList(std::string_view key) {
  std::vector<Located<std::string>> out;
  const YamlNode* node = sequence(key);
  if (node == nullptr) return out;
  for (size_t i = 0; i < node->items.size(); ++i) {
    Located<std::string> value = readString(node->items[i], indexPath(child(key), i), diagnostics_);
    if (value) out.push_back(std::move(value));
  }
  return out;
}

Labels MapReader::stringMap(std::string_view key) {
  Labels out;
  for (auto& [name, value] : locatedStringMap(key)) out.emplace_back(name, std::move(value.value));
  return out;
}

LocatedLabels MapReader::locatedStringMap(std::string_view key) {
  LocatedLabels out;
  const YamlNode* node = get(key);
  if (node == nullptr) return out;
  if (!node->isMap()) {
    diagnostics_.error(node->where, child(key), "expected a map, got " + describeKind(*node));
    return out;
  }
  for (const YamlEntry& entry : node->entries) {
    out.emplace_back(entry.key,
                     readString(entry.value, childPath(child(key), entry.key), diagnostics_));
  }
  return out;
}

void MapReader::presence(std::string_view key, std::vector<Located<std::string>>& out) {
  known_.emplace_back(key);
  const YamlEntry* found = nullptr;
  for (const YamlEntry& entry : node_.entries) {
    if (entry.key == key) found = &entry;
  }
  if (found != nullptr && !found->value.isNull())
    out.push_back({std::string(key), found->key_where, true});
}

}  // namespace meshgate::config
