#include "server/listener_slots.h"

#include <fmt/format.h>

#include "absl/status/status.h"

namespace meshgate::server {

absl::StatusOr<ListenerSlots::Plan> ListenerSlots::plan(
    const std::vector<ir::Listener>& listeners, const std::vector<std::string>& keys) const {
  Plan plan;
  size_t slots = slots_.size();
  absl::flat_hash_map<std::string, size_t> new_keys;  // keys not seen before → their new slot
  std::vector<const ir::Listener*> by_slot(slots, nullptr);
  for (size_t i = 0; i < listeners.size(); ++i) {
    const std::string& key = keys[i];
    size_t slot;
    if (auto known = by_key_.find(key); known != by_key_.end()) {
      slot = known->second;
    } else if (auto fresh = new_keys.find(key); fresh != new_keys.end()) {
      slot = fresh->second;
    } else {
      slot = slots++;
      new_keys.emplace(key, slot);
      by_slot.push_back(nullptr);
    }
    if (by_slot[slot] != nullptr) {
      return absl::InvalidArgumentError(fmt::format("listeners {} and {} both bind {}",
                                                    by_slot[slot]->name, listeners[i].name, key));
    }
    by_slot[slot] = &listeners[i];
  }
  plan.listeners.reserve(slots);
  std::vector<std::string> fresh_keys(slots);
  for (const auto& [key, slot] : new_keys) fresh_keys[slot] = key;
  for (size_t slot = 0; slot < slots; ++slot) {
    bool was_open = slot < slots_.size() && slots_[slot].open;
    bool open = by_slot[slot] != nullptr;
    plan.open.push_back(open);
    plan.keys.push_back(slot < slots_.size() ? slots_[slot].key : fresh_keys[slot]);
    if (open) {
      plan.listeners.push_back(*by_slot[slot]);
      (was_open ? plan.kept : plan.added).push_back(slot);
      continue;
    }
    if (was_open) plan.removed.push_back(slot);
    ir::Listener placeholder = slots_[slot].last;
    placeholder.tls.clear();  // nothing is accepted on a closed slot
    plan.listeners.push_back(std::move(placeholder));
  }
  return plan;
}

void ListenerSlots::commit(const Plan& plan) {
  slots_.resize(plan.listeners.size());
  for (size_t slot = 0; slot < slots_.size(); ++slot) {
    Slot& entry = slots_[slot];
    entry.open = plan.open[slot];
    if (entry.key.empty()) {
      entry.key = plan.keys[slot];
      by_key_.emplace(entry.key, slot);
    }
    if (entry.open) entry.last = plan.listeners[slot];
  }
}

}  // namespace meshgate::server
