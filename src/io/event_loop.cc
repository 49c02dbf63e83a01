#include "io/event_loop.h"

#include <cstdint>
#include <cstdlib>
#include <sys/eventfd.h>
#include <unistd.h>

#include <event2/event.h>

#include "base/log.h"

namespace meshgate::io {

EventLoop::EventLoop() {
  event_config* cfg = event_config_new();
  // Workers never share a base across threads, so libevent's internal locking is not needed.
  event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK);
  // Without it libevent reads CLOCK_MONOTONIC_COARSE (4 ms ticks): deadlines fired early.
  event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER);
  base_ = event_base_new_with_config(cfg);
  event_config_free(cfg);
  if (base_ == nullptr) std::abort();
  event_base_priority_init(base_, 2);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) std::abort();
  wake_event_ = event_new(
      base_, wake_fd_, EV_READ | EV_PERSIST,
      [](int fd, short, void* self) {
        uint64_t ignored;
        while (::read(fd, &ignored, sizeof(ignored)) > 0) {
        }
        static_cast<EventLoop*>(self)->drainPosted();
      },
      this);
  event_add(wake_event_, nullptr);
  delete_event_ = event_new(
      base_, -1, 0, [](int, short, void* self) { static_cast<EventLoop*>(self)->drainDeleted(); },
      this);
  event_priority_set(delete_event_, 1);
}

EventLoop::~EventLoop() {
  drainDeleted();
  event_free(delete_event_);
  event_free(wake_event_);
  ::close(wake_fd_);
  event_base_free(base_);
}

void EventLoop::run() { event_base_loop(base_, 0); }

void EventLoop::exit() {
  post([this] { event_base_loopexit(base_, nullptr); });
}

void EventLoop::post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    posted_.push_back(std::move(fn));
  }
  uint64_t one = 1;
  ssize_t ignored = ::write(wake_fd_, &one, sizeof(one));
  (void)ignored;
}

void EventLoop::deferDelete(std::unique_ptr<Deletable> object) {
  if (to_delete_.empty()) event_active(delete_event_, 0, 0);
  to_delete_.push_back(std::move(object));
}

void EventLoop::drainDeleted() {
  // Destructors may retire more objects; keep going until none are left.
  while (!to_delete_.empty()) {
    std::vector<std::unique_ptr<Deletable>> batch;
    batch.swap(to_delete_);
    batch.clear();
  }
}

void EventLoop::drainPosted() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    batch.swap(posted_);
  }
  for (auto& fn : batch) fn();
}

Timer::Timer(EventLoop& loop, std::function<void()> on_fire) : on_fire_(std::move(on_fire)) {
  event_ = evtimer_new(loop.base(), &Timer::fire, this);
}

Timer::~Timer() { event_free(event_); }

void Timer::arm(std::chrono::milliseconds after) {
  timeval tv{static_cast<time_t>(after.count() / 1000),
             static_cast<suseconds_t>((after.count() % 1000) * 1000)};
  // libevent times from the clock it cached when this loop iteration began; a timer armed late
  // in a busy iteration would fire early by that much (a deadline must never be early).
  event_base_update_cache_time(event_get_base(event_));
  evtimer_add(event_, &tv);
}

void Timer::cancel() { evtimer_del(event_); }

bool Timer::armed() const { return evtimer_pending(event_, nullptr) != 0; }

void Timer::fire(int, short, void* self) { static_cast<Timer*>(self)->on_fire_(); }

Deferred::Deferred(EventLoop& loop, std::function<void()> fn) : fn_(std::move(fn)) {
  event_ = event_new(loop.base(), -1, 0, &Deferred::fire, this);
  // Lower priority than I/O: runs after every ready socket of this iteration was read.
  event_priority_set(event_, 1);
}

Deferred::~Deferred() { event_free(event_); }

void Deferred::schedule() {
  if (scheduled_) return;
  scheduled_ = true;
  event_active(event_, 0, 0);
}

void Deferred::cancel() {
  if (!scheduled_) return;
  scheduled_ = false;
  event_del(event_);
}

void Deferred::fire(int, short, void* self) {
  auto* deferred = static_cast<Deferred*>(self);
  deferred->scheduled_ = false;
  deferred->fn_();
}

FdWatch::FdWatch(EventLoop& loop, int fd, std::function<void(short)> on_ready)
    : loop_(loop), fd_(fd), on_ready_(std::move(on_ready)) {}

FdWatch::~FdWatch() {
  if (event_ != nullptr) event_free(event_);
}

void FdWatch::want(short events) {
  if (events == wanted_) return;
  if (event_ == nullptr) {
    event_ = event_new(loop_.base(), fd_, events | EV_PERSIST, &FdWatch::fire, this);
  } else {
    event_del(event_);
    event_assign(event_, loop_.base(), fd_, events | EV_PERSIST, &FdWatch::fire, this);
  }
  wanted_ = events;
  if (events != 0) event_add(event_, nullptr);
}

void FdWatch::fire(int, short what, void* self) { static_cast<FdWatch*>(self)->on_ready_(what); }

SignalWatch::SignalWatch(EventLoop& loop, int signal_number, std::function<void()> on_signal)
    : event_(evsignal_new(loop.base(), signal_number, &SignalWatch::fire, this)),
      on_signal_(std::move(on_signal)) {
  evsignal_add(event_, nullptr);
}

SignalWatch::~SignalWatch() { event_free(event_); }

void SignalWatch::fire(int, short, void* self) { static_cast<SignalWatch*>(self)->on_signal_(); }

}  // namespace meshgate::io
