#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace meshgate::testing {

// One thread that runs callbacks at their due time, for the test backend's response intervals.
// Callbacks run without the lock held. Thread-safe.
class TimerThread {
 public:
  using Clock = std::chrono::steady_clock;

  TimerThread();
  ~TimerThread();  // Drops callbacks not yet due.
  TimerThread(const TimerThread&) = delete;
  TimerThread& operator=(const TimerThread&) = delete;

  uint64_t schedule(Clock::time_point when, std::function<void()> callback);
  // True when the callback was removed before it started; it will not run.
  bool cancel(uint64_t id);

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::multimap<Clock::time_point, std::pair<uint64_t, std::function<void()>>> due_;
  uint64_t next_id_ = 1;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace meshgate::testing
