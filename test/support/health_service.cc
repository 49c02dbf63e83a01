#include "support/health_service.h"

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include "proto/health.grpc.pb.h"

namespace meshgate::testing {

class HealthServiceImpl final : public grpc::health::v1::Health::CallbackService {
 public:
  explicit HealthServiceImpl(HealthService& owner) : owner_(owner) {}

  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* context,
                                  const grpc::health::v1::HealthCheckRequest* request,
                                  grpc::health::v1::HealthCheckResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    HealthService::Status status;
    if (!owner_.check(request->service(), status)) {
      reactor->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service"));
      return reactor;
    }
    response->set_status(static_cast<grpc::health::v1::HealthCheckResponse::ServingStatus>(status));
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  HealthService& owner_;
};

HealthService::HealthService() : impl_(std::make_unique<HealthServiceImpl>(*this)) {
  statuses_[""] = Status::kServing;
}

HealthService::~HealthService() = default;

grpc::Service& HealthService::service() { return *impl_; }

void HealthService::setStatus(const std::string& service, Status status) {
  std::lock_guard lock(mutex_);
  statuses_[service] = status;
}

bool HealthService::check(const std::string& service, Status& status) {
  std::lock_guard lock(mutex_);
  ++checks_[service];
  ++total_;
  changed_.notify_all();
  auto it = statuses_.find(service);
  if (it == statuses_.end()) return false;
  status = it->second;
  return true;
}

uint64_t HealthService::checks(const std::string& service) const {
  std::lock_guard lock(mutex_);
  auto it = checks_.find(service);
  return it == checks_.end() ? 0 : it->second;
}

uint64_t HealthService::checks() const {
  std::lock_guard lock(mutex_);
  return total_;
}

bool HealthService::waitForChecks(uint64_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return total_ >= count; });
}

}  // namespace meshgate::testing
