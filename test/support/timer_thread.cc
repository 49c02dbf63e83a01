#include "support/timer_thread.h"

namespace meshgate::testing {

TimerThread::TimerThread() : thread_([this] { run(); }) {}

TimerThread::~TimerThread() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

uint64_t TimerThread::schedule(Clock::time_point when, std::function<void()> callback) {
  std::lock_guard lock(mutex_);
  uint64_t id = next_id_++;
  due_.emplace(when, std::make_pair(id, std::move(callback)));
  changed_.notify_all();
  return id;
}

bool TimerThread::cancel(uint64_t id) {
  std::lock_guard lock(mutex_);
  for (auto it = due_.begin(); it != due_.end(); ++it) {
    if (it->second.first == id) {
      due_.erase(it);
      return true;
    }
  }
  return false;
}

void TimerThread::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (due_.empty()) {
      changed_.wait(lock);
      continue;
    }
    auto first = due_.begin();
    const Clock::time_point when = first->first;  // a copy: cancel() may erase the node
    if (Clock::now() < when) {
      changed_.wait_until(lock, when);
      continue;
    }
    std::function<void()> callback = std::move(first->second.second);
    due_.erase(first);
    lock.unlock();
    callback();
    lock.lock();
  }
}

}  // namespace meshgate::testing
