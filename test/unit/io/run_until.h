#pragma once

#include <chrono>
#include <functional>

#include <event2/event.h>

#include "io/event_loop.h"

namespace meshgate::test {

// Runs loop iterations until done() holds or the deadline passes; returns done(). Tests wait on
// an observable condition this way instead of sleeping.
inline bool runUntil(io::EventLoop& loop, const std::function<bool()>& done,
                     std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
  bool expired = false;
  io::Timer timer(loop, [&] { expired = true; });
  timer.arm(deadline);
  while (!done() && !expired) event_base_loop(loop.base(), EVLOOP_ONCE);
  return done();
}

// Runs the loop for a fixed window, for tests that show something does not happen.
inline void runFor(io::EventLoop& loop, std::chrono::milliseconds window) {
  bool over = false;
  io::Timer timer(loop, [&] { over = true; });
  timer.arm(window);
  while (!over) event_base_loop(loop.base(), EVLOOP_ONCE);
}

}  // namespace meshgate::test
