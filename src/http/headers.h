#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace meshgate::http {

// One header field as it crossed the wire (lower-case names, pseudo-headers first).
struct Header {
  std::string name;
  std::string value;
};

// An ordered header list. Lookups are linear: gRPC header blocks hold a handful of fields,
// where a scan beats any map.
class HeaderList {
 public:
  void add(std::string_view name, std::string_view value) {
    fields_.push_back({std::string(name), std::string(value)});
  }
  const std::string* find(std::string_view name) const {
    for (const auto& field : fields_) {
      if (field.name == name) return &field.value;
    }
    return nullptr;
  }
  std::string_view get(std::string_view name) const {
    const std::string* value = find(name);
    return value ? std::string_view(*value) : std::string_view();
  }
  void remove(std::string_view name) {
    std::erase_if(fields_, [&](const Header& field) { return field.name == name; });
  }
  void set(std::string_view name, std::string_view value) {
    for (auto& field : fields_) {
      if (field.name == name) {
        field.value = value;
        return;
      }
    }
    add(name, value);
  }
  const std::vector<Header>& fields() const { return fields_; }
  std::vector<Header>& fields() { return fields_; }
  size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  void clear() { fields_.clear(); }
  void reserve(size_t n) { fields_.reserve(n); }

 private:
  std::vector<Header> fields_;
};

// RFC 9113 §8.2.2: fields a proxy must not forward over HTTP/2.
inline bool isConnectionSpecific(std::string_view name) {
  return name == "connection" || name == "keep-alive" || name == "proxy-connection" ||
         name == "transfer-encoding" || name == "upgrade";
}

}  // namespace meshgate::http
