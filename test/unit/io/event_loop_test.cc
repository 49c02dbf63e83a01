#include "io/event_loop.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <memory>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <event2/event.h>
#include <gtest/gtest.h>

#include "unit/io/run_until.h"

namespace meshgate::io {
namespace {

using namespace std::chrono_literals;
using test::runFor;
using test::runUntil;

// Sets a flag (and may retire another object) when destroyed.
class Probe : public Deletable {
 public:
  Probe(bool& destroyed, EventLoop* loop = nullptr, std::unique_ptr<Deletable> next = nullptr)
      : destroyed_(destroyed), loop_(loop), next_(std::move(next)) {}
  ~Probe() override {
    destroyed_ = true;
    if (loop_ != nullptr && next_ != nullptr) loop_->deferDelete(std::move(next_));
  }

 private:
  bool& destroyed_;
  EventLoop* loop_;
  std::unique_ptr<Deletable> next_;
};

// A non-blocking pipe, closed on destruction.
struct Pipe {
  Pipe() { EXPECT_EQ(::pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0); }
  ~Pipe() {
    ::close(fds[0]);
    ::close(fds[1]);
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  void write() { EXPECT_EQ(::write(fds[1], "x", 1), 1); }
  int fds[2];
};

TEST(EventLoopTest, PostFromAnotherThreadRunsOnTheLoopThread) {
  EventLoop loop;
  std::atomic<bool> ran{false};
  std::thread::id ran_on;
  std::thread poster([&] {
    loop.post([&] {
      ran_on = std::this_thread::get_id();
      ran = true;
    });
  });
  EXPECT_TRUE(runUntil(loop, [&] { return ran.load(); }));
  poster.join();
  EXPECT_EQ(ran_on, std::this_thread::get_id());
}

TEST(EventLoopTest, PostedCallbacksRunInPostOrder) {
  EventLoop loop;
  std::vector<int> order;
  std::thread poster([&] {
    for (int i = 0; i < 100; ++i) loop.post([&order, i] { order.push_back(i); });
  });
  poster.join();
  EXPECT_TRUE(runUntil(loop, [&] { return order.size() == 100; }));
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[i], i);
}

TEST(EventLoopTest, ManyThreadsPostingLoseNothing) {
  EventLoop loop;
  int count = 0;  // only touched on the loop thread
  std::vector<std::thread> posters;
  for (int t = 0; t < 4; ++t) {
    posters.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) loop.post([&count] { ++count; });
    });
  }
  EXPECT_TRUE(runUntil(loop, [&] { return count == 4000; }));
  for (auto& poster : posters) poster.join();
  EXPECT_EQ(count, 4000);
}

TEST(EventLoopTest, ExitFromAnotherThreadMakesRunReturn) {
  EventLoop loop;
  bool ran = false;
  // A failing exit() would leave run() blocked forever; this breaks the loop at the deadline.
  bool deadline_hit = false;
  Timer deadline(loop, [&] {
    deadline_hit = true;
    event_base_loopbreak(loop.base());
  });
  deadline.arm(10s);
  std::thread other([&] {
    loop.post([&] { ran = true; });
    loop.exit();
  });
  loop.run();
  other.join();
  EXPECT_TRUE(ran);
  EXPECT_FALSE(deadline_hit);
}

TEST(EventLoopTest, DeferDeleteDestroysAfterTheCallbackReturns) {
  EventLoop loop;
  bool destroyed = false;
  bool destroyed_inside_callback = true;
  bool posted_ran = false;
  loop.post([&] {
    loop.deferDelete(std::make_unique<Probe>(destroyed));
    destroyed_inside_callback = destroyed;
    posted_ran = true;
  });
  EXPECT_TRUE(runUntil(loop, [&] { return destroyed; }));
  EXPECT_TRUE(posted_ran);
  EXPECT_FALSE(destroyed_inside_callback);
}

TEST(EventLoopTest, ObjectsRetiredByADestructorAreDestroyedToo) {
  EventLoop loop;
  bool first = false;
  bool second = false;
  loop.post([&] {
    loop.deferDelete(std::make_unique<Probe>(first, &loop, std::make_unique<Probe>(second)));
  });
  EXPECT_TRUE(runUntil(loop, [&] { return first && second; }));
}

TEST(EventLoopTest, RunDeferredDeletesDestroysRetiredObjectsNow) {
  EventLoop loop;
  bool first = false;
  bool second = false;
  loop.deferDelete(std::make_unique<Probe>(first, &loop, std::make_unique<Probe>(second)));
  loop.runDeferredDeletes();
  EXPECT_TRUE(first);
  EXPECT_TRUE(second);
  runFor(loop, 5ms);  // the delete event that was still pending finds nothing left to do
}

TEST(EventLoopTest, DestructorDestroysObjectsStillWaitingForDeletion) {
  bool destroyed = false;
  {
    EventLoop loop;
    loop.deferDelete(std::make_unique<Probe>(destroyed));
    EXPECT_FALSE(destroyed);
  }
  EXPECT_TRUE(destroyed);
}

TEST(TimerTest, FiresOnceAfterItsDelay) {
  EventLoop loop;
  int fired = 0;
  Timer timer(loop, [&] { ++fired; });
  EXPECT_FALSE(timer.armed());
  timer.arm(1ms);
  EXPECT_TRUE(timer.armed());
  EXPECT_TRUE(runUntil(loop, [&] { return fired > 0; }));
  EXPECT_FALSE(timer.armed());
  runFor(loop, 20ms);
  EXPECT_EQ(fired, 1);
}

TEST(TimerTest, CancelPreventsFiring) {
  EventLoop loop;
  int fired = 0;
  Timer timer(loop, [&] { ++fired; });
  timer.arm(1ms);
  timer.cancel();
  EXPECT_FALSE(timer.armed());
  runFor(loop, 30ms);
  EXPECT_EQ(fired, 0);
}

TEST(TimerTest, ArmingAgainMovesTheDeadline) {
  EventLoop loop;
  int fired = 0;
  Timer timer(loop, [&] { ++fired; });
  timer.arm(std::chrono::hours(1));
  timer.arm(1ms);
  EXPECT_TRUE(runUntil(
      loop, [&] { return fired == 1; }, 5s));
}

TEST(TimerTest, CallbackMayArmItsOwnTimerAgain) {
  EventLoop loop;
  int fired = 0;
  std::unique_ptr<Timer> timer;
  timer = std::make_unique<Timer>(loop, [&] {
    if (++fired < 3) timer->arm(1ms);
  });
  timer->arm(1ms);
  EXPECT_TRUE(runUntil(loop, [&] { return fired == 3; }));
  EXPECT_FALSE(timer->armed());
}

TEST(TimerTest, DestroyingAnArmedTimerCancelsIt) {
  EventLoop loop;
  int fired = 0;
  auto timer = std::make_unique<Timer>(loop, [&] { ++fired; });
  timer->arm(1ms);
  timer.reset();
  runFor(loop, 30ms);
  EXPECT_EQ(fired, 0);
}

TEST(DeferredTest, SchedulingTwiceRunsOnce) {
  EventLoop loop;
  int runs = 0;
  Deferred deferred(loop, [&] { ++runs; });
  deferred.schedule();
  deferred.schedule();
  EXPECT_TRUE(runUntil(loop, [&] { return runs > 0; }));
  runFor(loop, 10ms);
  EXPECT_EQ(runs, 1);
}

TEST(DeferredTest, CallbacksOfOneIterationCoalesceIntoOneRun) {
  EventLoop loop;
  int runs = 0;
  int posted = 0;
  Deferred deferred(loop, [&] { ++runs; });
  for (int i = 0; i < 5; ++i) {
    loop.post([&] {
      ++posted;
      deferred.schedule();
    });
  }
  EXPECT_TRUE(runUntil(loop, [&] { return runs > 0; }));
  EXPECT_EQ(posted, 5);
  EXPECT_EQ(runs, 1);
}

TEST(DeferredTest, RunsAfterTheIoThatWasReadyInTheSameIteration) {
  EventLoop loop;
  Pipe a;
  Pipe b;
  std::vector<std::string> order;
  Deferred deferred(loop, [&] { order.push_back("deferred"); });
  FdWatch watch_a(loop, a.fds[0], [&](short) {
    order.push_back("a");
    deferred.schedule();
  });
  FdWatch watch_b(loop, b.fds[0], [&](short) {
    order.push_back("b");
    deferred.schedule();
  });
  watch_a.want(FdWatch::kRead);
  watch_b.want(FdWatch::kRead);
  a.write();
  b.write();
  EXPECT_TRUE(runUntil(loop, [&] { return !order.empty() && order.back() == "deferred"; }));
  ASSERT_EQ(order.size(), 3u);
  EXPECT_EQ(order[2], "deferred");
}

TEST(DeferredTest, MayBeScheduledAgainFromItsOwnCallback) {
  EventLoop loop;
  int runs = 0;
  std::unique_ptr<Deferred> deferred;
  deferred = std::make_unique<Deferred>(loop, [&] {
    if (++runs < 3) deferred->schedule();
  });
  deferred->schedule();
  EXPECT_TRUE(runUntil(loop, [&] { return runs == 3; }));
}

TEST(DeferredTest, CancelPreventsTheRun) {
  EventLoop loop;
  int runs = 0;
  Deferred deferred(loop, [&] { ++runs; });
  deferred.schedule();
  deferred.cancel();
  runFor(loop, 10ms);
  EXPECT_EQ(runs, 0);
  deferred.schedule();  // and a cancelled Deferred can be scheduled again
  EXPECT_TRUE(runUntil(loop, [&] { return runs == 1; }));
}

TEST(DeferredTest, DestroyingAScheduledDeferredCancelsIt) {
  EventLoop loop;
  int runs = 0;
  auto deferred = std::make_unique<Deferred>(loop, [&] { ++runs; });
  deferred->schedule();
  deferred.reset();
  runFor(loop, 10ms);
  EXPECT_EQ(runs, 0);
}

TEST(FdWatchTest, ReportsReadabilityUntilInterestIsDropped) {
  EventLoop loop;
  Pipe pipe;
  int ready = 0;
  FdWatch watch(loop, pipe.fds[0], [&](short what) {
    EXPECT_TRUE(what & FdWatch::kRead);
    ++ready;
    char c;
    while (::read(pipe.fds[0], &c, 1) == 1) {
    }
  });
  watch.want(FdWatch::kRead);
  EXPECT_EQ(watch.wanted(), FdWatch::kRead);
  pipe.write();
  EXPECT_TRUE(runUntil(loop, [&] { return ready == 1; }));
  watch.want(0);
  pipe.write();
  runFor(loop, 20ms);
  EXPECT_EQ(ready, 1);
  watch.want(FdWatch::kRead);  // the byte written meanwhile is reported once interest returns
  EXPECT_TRUE(runUntil(loop, [&] { return ready == 2; }));
}

TEST(SignalWatchTest, RunsItsCallbackOnTheLoopForEverySignal) {
  EventLoop loop;
  int fired = 0;
  SignalWatch watch(loop, SIGUSR2, [&] { ++fired; });
  ASSERT_EQ(std::raise(SIGUSR2), 0);
  EXPECT_EQ(fired, 0);  // the handler only records it; the loop runs the callback
  EXPECT_TRUE(runUntil(loop, [&] { return fired == 1; }));
  ASSERT_EQ(std::raise(SIGUSR2), 0);
  EXPECT_TRUE(runUntil(loop, [&] { return fired == 2; }));
}

}  // namespace
}  // namespace meshgate::io
