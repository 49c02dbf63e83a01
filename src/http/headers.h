#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace meshgate::http {

// One header field, borrowed: valid while the list (or buffer) it points into is unchanged.
struct HeaderView {
  std::string_view name;
  std::string_view value;
};

// An ordered header list (lower-case names, pseudo-headers first). All bytes live in one
// arena and the fields are small index entries, so a typical gRPC header block costs two
// allocations however many fields it has. Lookups are linear: gRPC blocks hold a handful of
// fields, where a scan beats any map.
class HeaderList {
 public:
  void add(std::string_view name, std::string_view value) {
    entries_.push_back({static_cast<uint32_t>(arena_.size()), static_cast<uint32_t>(name.size()),
                        static_cast<uint32_t>(value.size())});
    arena_.append(name);
    arena_.append(value);
  }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  HeaderView operator[](size_t i) const {
    const Entry& entry = entries_[i];
    std::string_view bytes(arena_);
    return {bytes.substr(entry.offset, entry.name_length),
            bytes.substr(entry.offset + entry.name_length, entry.value_length)};
  }
  // The value of the first field with this name; nullptr-like empty view when absent.
  const HeaderView* find(std::string_view name, HeaderView& out) const {
    for (size_t i = 0; i < entries_.size(); ++i) {
      out = (*this)[i];
      if (out.name == name) return &out;
    }
    return nullptr;
  }
  bool has(std::string_view name) const {
    HeaderView view;
    return find(name, view) != nullptr;
  }
  std::string_view get(std::string_view name) const {
    HeaderView view;
    return find(name, view) ? view.value : std::string_view();
  }
  // Removes every field with this name (their bytes stay in the arena until clear()).
  void remove(std::string_view name) {
    std::erase_if(entries_, [&](const Entry& entry) {
      return std::string_view(arena_).substr(entry.offset, entry.name_length) == name;
    });
  }
  void set(std::string_view name, std::string_view value) {
    remove(name);
    add(name, value);
  }
  void clear() {
    entries_.clear();
    arena_.clear();
  }
  // Bytes and fields to expect; stay under 1 KiB so glibc serves it from its small bins.
  void reserve(size_t fields, size_t bytes) {
    entries_.reserve(fields);
    arena_.reserve(bytes);
  }

  class Iterator {
   public:
    Iterator(const HeaderList& list, size_t i) : list_(list), i_(i) {}
    HeaderView operator*() const { return list_[i_]; }
    Iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator!=(const Iterator& other) const { return i_ != other.i_; }

   private:
    const HeaderList& list_;
    size_t i_;
  };
  Iterator begin() const { return {*this, 0}; }
  Iterator end() const { return {*this, entries_.size()}; }

 private:
  struct Entry {
    uint32_t offset;
    uint32_t name_length;
    uint32_t value_length;
  };
  std::string arena_;
  std::vector<Entry> entries_;
};

// RFC 9113 §8.2.2: fields a proxy must not forward over HTTP/2.
inline bool isConnectionSpecific(std::string_view name) {
  return name == "connection" || name == "keep-alive" || name == "proxy-connection" ||
         name == "transfer-encoding" || name == "upgrade";
}

}  // namespace meshgate::http
