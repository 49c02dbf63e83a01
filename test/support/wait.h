#pragma once

#include <chrono>
#include <functional>

namespace meshgate::testing {

// Re-checks `condition` until it holds or `timeout` passes, for conditions no one can notify (a
// process's state, a port that refuses connections). Returns the last result. Conditions that can
// be notified use a condition variable instead.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval = std::chrono::milliseconds(10));

}  // namespace meshgate::testing
