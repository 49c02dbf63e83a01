#pragma once

#include <memory>

#include <grpcpp/impl/codegen/service_type.h>

namespace meshgate::testing {

class BackendState;
class TimerThread;

// The backend's implementations of meshgate.testing.TestService and OtherService on gRPC's
// callback API. They borrow `state` and `timers`, which must outlive the server they serve on.
std::unique_ptr<grpc::Service> makeTestService(BackendState& state, TimerThread& timers);
std::unique_ptr<grpc::Service> makeOtherService(BackendState& state);

}  // namespace meshgate::testing
