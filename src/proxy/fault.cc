#include "proxy/fault.h"

#include <fmt/format.h>

namespace meshgate::proxy {
namespace {
constexpr uint64_t kPerMillion = 1000000;
}  // namespace

bool drawPercent(double percent, uint64_t random) {
  if (percent <= 0) return false;
  if (percent >= 100) return true;
  return static_cast<double>(random % kPerMillion) < percent * (kPerMillion / 100);
}

FaultPlan planFault(const ir::Fault& fault, uint64_t random_delay, uint64_t random_abort) {
  FaultPlan plan;
  if (fault.delay && drawPercent(fault.delay->percent, random_delay)) {
    plan.delay = fault.delay->fixed_delay;
  }
  if (fault.abort && drawPercent(fault.abort->percent, random_abort)) plan.abort = &*fault.abort;
  return plan;
}

LocalReply faultAbortReply(const ir::FaultAbort& abort) {
  if (abort.grpc_status) {
    auto code = grpcwire::codeFromNumber(static_cast<int>(*abort.grpc_status));
    return {code.value_or(grpcwire::Code::kUnknown), 200, "fault filter abort"};
  }
  int status = static_cast<int>(abort.http_status.value_or(503));
  LocalReply reply{grpcwire::httpStatusToGrpc(status), status, "fault filter abort"};
  reply.grpc_http_status = true;
  return reply;
}

}  // namespace meshgate::proxy
