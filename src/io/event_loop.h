#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

struct event_base;
struct event;

namespace meshgate::io {

// Something the loop may destroy later, outside the callback that retired it.
class Deletable {
 public:
  virtual ~Deletable() = default;
};

// One libevent loop, owned by one thread. post() is the only call other threads may make.
class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  void run();
  // Thread-safe: makes run() return after the current iteration.
  void exit();
  // Thread-safe: runs fn on the loop's thread, in post order.
  void post(std::function<void()> fn);
  event_base* base() const { return base_; }
  // Destroys the object after the current callback returns (loop-thread only).
  void deferDelete(std::unique_ptr<Deletable> object);
  // Destroys what deferDelete() retired, now (owners shutting down the loop's objects).
  void runDeferredDeletes() { drainDeleted(); }

 private:
  void drainPosted();
  void drainDeleted();

  event_base* base_;
  int wake_fd_;
  event* wake_event_;
  std::mutex mutex_;
  std::vector<std::function<void()>> posted_;
  event* delete_event_;
  std::vector<std::unique_ptr<Deletable>> to_delete_;
};

// A one-shot or re-armable timer; destroying it cancels it. Loop-thread only.
class Timer {
 public:
  Timer(EventLoop& loop, std::function<void()> on_fire);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  void arm(std::chrono::milliseconds after);
  void cancel();
  bool armed() const;

 private:
  static void fire(int, short, void* self);
  event* event_;
  std::function<void()> on_fire_;
};

// Runs a callback once after the current batch of events, however often it is scheduled in
// between. Sessions use it to write once per loop iteration instead of once per event.
class Deferred {
 public:
  Deferred(EventLoop& loop, std::function<void()> fn);
  ~Deferred();
  Deferred(const Deferred&) = delete;
  Deferred& operator=(const Deferred&) = delete;

  void schedule();
  void cancel();

 private:
  static void fire(int, short, void* self);
  event* event_;
  bool scheduled_ = false;
  std::function<void()> fn_;
};

// Watches a file descriptor for readability and/or writability. Loop-thread only.
class FdWatch {
 public:
  enum : short { kRead = 0x02, kWrite = 0x04 };  // EV_READ, EV_WRITE
  FdWatch(EventLoop& loop, int fd, std::function<void(short what)> on_ready);
  ~FdWatch();
  FdWatch(const FdWatch&) = delete;
  FdWatch& operator=(const FdWatch&) = delete;

  // Sets the events of interest; a no-op when unchanged.
  void want(short events);
  short wanted() const { return wanted_; }

 private:
  static void fire(int, short what, void* self);
  EventLoop& loop_;
  int fd_;
  short wanted_ = 0;
  event* event_ = nullptr;
  std::function<void(short)> on_ready_;
};

// Runs a callback on the loop's thread when the process receives a signal. One loop per
// process may watch signals (libevent's rule); the main thread's does.
class SignalWatch {
 public:
  SignalWatch(EventLoop& loop, int signal_number, std::function<void()> on_signal);
  ~SignalWatch();
  SignalWatch(const SignalWatch&) = delete;
  SignalWatch& operator=(const SignalWatch&) = delete;

 private:
  static void fire(int, short, void* self);
  event* event_;
  std::function<void()> on_signal_;
};

}  // namespace meshgate::io
