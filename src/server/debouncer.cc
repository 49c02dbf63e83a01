#include "server/debouncer.h"

#include <algorithm>

namespace meshgate::server {

void Debouncer::event(Clock::time_point now) {
  if (!first_) first_ = now;
  last_ = std::max(last_, now);
}

std::optional<Debouncer::Clock::time_point> Debouncer::due() const {
  if (!first_) return std::nullopt;
  return std::min(last_ + quiet_, *first_ + max_delay_);
}

bool Debouncer::take(Clock::time_point now) {
  auto when = due();
  if (!when || now < *when) return false;
  first_.reset();
  return true;
}

}  // namespace meshgate::server
