#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostics.h"
#include "config/model/located.h"
#include "config/yaml_node.h"

namespace meshgate::config {

std::string childPath(const std::string& path, std::string_view key);
std::string indexPath(const std::string& path, size_t index);

// Scalar readers for one node; they report type errors at the node under `path`. A null node
// reads as absent.
Located<std::string> readString(const YamlNode& node, const std::string& path, Diagnostics& d);
Located<uint32_t> readUint(const YamlNode& node, const std::string& path, uint32_t max,
                           Diagnostics& d);
Located<uint32_t> readPort(const YamlNode& node, const std::string& path, Diagnostics& d);
Located<int64_t> readInt(const YamlNode& node, const std::string& path, Diagnostics& d);
Located<bool> readBool(const YamlNode& node, const std::string& path, Diagnostics& d);
Located<Duration> readDuration(const YamlNode& node, const std::string& path, Diagnostics& d);

// Reads one YAML map of a known schema (gRPC's ValidationErrors habit: every error, keyed by
// field path). Every key a decoder asks for counts as known; when the reader goes out of scope,
// the other keys are reported as unknown fields with a "did you mean" hint. Borrows the node
// and the diagnostics for its lifetime.
class MapReader {
 public:
  MapReader(const YamlNode& node, std::string path, Diagnostics& diagnostics);
  ~MapReader();
  MapReader(const MapReader&) = delete;
  MapReader& operator=(const MapReader&) = delete;

  bool valid() const { return valid_; }
  const std::string& path() const { return path_; }
  const SourceRef& where() const { return node_.where; }
  std::string child(std::string_view key) const { return childPath(path_, key); }
  Diagnostics& diagnostics() { return diagnostics_; }

  // The value under `key` (marking it known), or nullptr when absent or null.
  const YamlNode* get(std::string_view key);
  // Keys that are valid in the schema but not read (no warning).
  void ignore(std::initializer_list<std::string_view> keys);
  // Reports `key` as missing when it is absent; returns whether it is present.
  bool require(std::string_view key, std::string_view what = {});

  Located<std::string> string(std::string_view key, bool required = false);
  Located<uint32_t> uint(std::string_view key, uint32_t max, bool required = false);
  Located<uint32_t> port(std::string_view key, bool required = false);
  Located<int64_t> integer(std::string_view key);
  Located<bool> boolean(std::string_view key);
  Located<Duration> duration(std::string_view key);
  std::vector<Located<std::string>> stringList(std::string_view key);
  Labels stringMap(std::string_view key);
  LocatedLabels locatedStringMap(std::string_view key);
  // Records that `key` is present, for fields meshgate parses but does not implement.
  void presence(std::string_view key, std::vector<Located<std::string>>& out);

  // Calls fn(MapReader&) for a nested map under `key`; returns false when absent.
  template <typename F>
  bool object(std::string_view key, F&& fn) {
    const YamlNode* node = get(key);
    if (node == nullptr) return false;
    MapReader nested(*node, child(key), diagnostics_);
    if (nested.valid()) fn(nested);
    return nested.valid();
  }

  // Calls fn(MapReader&, index) for each map in the list under `key`.
  template <typename F>
  void list(std::string_view key, F&& fn) {
    const YamlNode* node = sequence(key);
    if (node == nullptr) return;
    for (size_t i = 0; i < node->items.size(); ++i) {
      MapReader item(node->items[i], indexPath(child(key), i), diagnostics_);
      if (item.valid()) fn(item, i);
    }
  }

 private:
  const YamlNode* sequence(std::string_view key);

  const YamlNode& node_;
  std::string path_;
  Diagnostics& diagnostics_;
  std::vector<std::string> known_;
  bool valid_ = false;
};

}  // namespace meshgate::config
