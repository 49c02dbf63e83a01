#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "ir/config.h"

namespace meshgate::server {

// Gives each listener a slot that it keeps for the life of the process. A session is accepted
// on a slot and routes every stream with the snapshot's listener and route table at that
// index, so an index must not move when a reload adds or removes other listeners. A listener is
// identified by its key (Gateway port and bind address): the same key keeps its slot and its
// sockets; a removed listener's slot stays behind, closed, for the sessions still draining on
// it, and is reopened if the key comes back. Main-thread object; pure bookkeeping (no sockets).
class ListenerSlots {
 public:
  struct Plan {
    // Indexed by slot. A closed slot holds the listener it last served, without TLS.
    std::vector<ir::Listener> listeners;
    std::vector<bool> open;
    std::vector<std::string> keys;
    std::vector<size_t> added;    // slots that open with this plan
    std::vector<size_t> removed;  // slots that close with this plan
    std::vector<size_t> kept;     // slots open before and after (their sockets stay)
  };

  // Lays out `listeners` (as translate produced them) over the slots; keys[i] is the key of
  // listeners[i]. Two listeners with one key are an error. Does not change this object.
  absl::StatusOr<Plan> plan(const std::vector<ir::Listener>& listeners,
                            const std::vector<std::string>& keys) const;
  // Makes `plan` the current layout.
  void commit(const Plan& plan);

  size_t size() const { return slots_.size(); }
  bool isOpen(size_t slot) const { return slots_[slot].open; }
  const std::string& key(size_t slot) const { return slots_[slot].key; }

 private:
  struct Slot {
    std::string key;
    bool open = false;
    ir::Listener last;  // what the slot served last, for its closed placeholder
  };
  std::vector<Slot> slots_;
  absl::flat_hash_map<std::string, size_t> by_key_;
};

}  // namespace meshgate::server
