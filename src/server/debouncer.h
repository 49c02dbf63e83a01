#pragma once

#include <chrono>
#include <optional>

namespace meshgate::server {

// Turns a burst of file events into one reload. Editors and deploy tools write a config in
// several steps (truncate, write in pieces, rename a temp file over it); reading in between
// would see half a file. The burst is due once no event came for `quiet`, and at the latest
// `max_delay` after its first event, so a file rewritten without pause still reloads.
// Pure time logic: the caller owns the timer and the clock.
class Debouncer {
 public:
  using Clock = std::chrono::steady_clock;

  Debouncer(std::chrono::milliseconds quiet, std::chrono::milliseconds max_delay)
      : quiet_(quiet), max_delay_(max_delay) {}

  // Records an event at `now`.
  void event(Clock::time_point now);
  // When the pending burst becomes due; nullopt when nothing is pending.
  std::optional<Clock::time_point> due() const;
  // True when a burst is pending and due at `now`; it is then consumed.
  bool take(Clock::time_point now);
  bool pending() const { return first_.has_value(); }

 private:
  std::chrono::milliseconds quiet_;
  std::chrono::milliseconds max_delay_;
  std::optional<Clock::time_point> first_;
  Clock::time_point last_;
};

}  // namespace meshgate::server
