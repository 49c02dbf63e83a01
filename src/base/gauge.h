#pragma once

#include <atomic>
#include <cstdint>

namespace meshgate::base {

// A number one thread (a worker) changes and another (the admin) reads. Each worker has its
// own, so there is no contention: relaxed atomics cost about as much as plain adds, and a
// reader summing workers sees each value whole, if not all at the same instant.
class Gauge {
 public:
  void add(int64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  void sub(int64_t n = 1) { value_.fetch_sub(n, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// A Gauge that only goes up (calls served, replies made); kept apart so that the admin can
// print it with the right Prometheus type.
class Counter {
 public:
  void inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

}  // namespace meshgate::base
