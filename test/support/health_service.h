#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <grpcpp/impl/codegen/service_type.h>

namespace meshgate::testing {

// grpc.health.v1.Health/Check for the test backend, with a status a test sets per service name
// and a count of the checks it answered. The empty name (the server as a whole) starts SERVING;
// other names are NOT_FOUND until set, as the health-checking protocol says. Thread-safe.
class HealthService {
 public:
  enum class Status { kUnknown = 0, kServing = 1, kNotServing = 2 };

  HealthService();
  ~HealthService();

  void setStatus(const std::string& service, Status status);
  // Check calls answered, for one service name or all.
  uint64_t checks(const std::string& service) const;
  uint64_t checks() const;
  // True once `count` checks in all have been answered.
  bool waitForChecks(uint64_t count, std::chrono::milliseconds timeout) const;

  grpc::Service& service();

 private:
  friend class HealthServiceImpl;
  // The status to answer with, nullopt-like false when the name is unknown; counts the call.
  bool check(const std::string& service, Status& status);

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::map<std::string, Status> statuses_;
  std::map<std::string, uint64_t> checks_;
  uint64_t total_ = 0;
  std::unique_ptr<grpc::Service> impl_;
};

}  // namespace meshgate::testing
