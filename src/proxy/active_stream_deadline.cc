// ActiveStream's clocks: the call's deadline (the route timeout and the caller's grpc-timeout)
// and a route fault's delay, which runs inside that deadline.
#include <fmt/format.h>

#include "grpcwire/timeout.h"
#include "proxy/active_stream.h"
#include "proxy/downstream_session.h"
#include "proxy/fault.h"
#include "proxy/route_actions.h"

namespace meshgate::proxy {
namespace {
constexpr uint32_t kCancel = 0x8;
}  // namespace

bool ActiveStream::readClientTimeout(std::optional<std::chrono::nanoseconds>& timeout) {
  std::string_view text = request_headers_.get("grpc-timeout");
  if (text.empty() || !isGrpcRequest(request_headers_)) return true;
  timeout = grpcwire::parseGrpcTimeout(text);
  if (!timeout) {
    // PROTOCOL-HTTP2 leaves a malformed timeout to the server; gRPC servers answer INTERNAL.
    sendLocalReply(
        {grpcwire::Code::kInternal, 400, fmt::format("malformed grpc-timeout header '{}'", text)});
    return false;
  }
  if (*timeout == std::chrono::nanoseconds::max()) timeout.reset();  // beyond any clock
  return true;
}

bool ActiveStream::armDeadline(std::optional<std::chrono::milliseconds> route_timeout,
                               std::optional<std::chrono::nanoseconds> client_timeout) {
  if (!route_timeout && !client_timeout) return true;
  std::chrono::nanoseconds left = std::chrono::nanoseconds::max();
  if (route_timeout) {
    left = *route_timeout;
    deadline_reason_ = fmt::format("route timeout of {} ms", route_timeout->count());
  }
  if (client_timeout && *client_timeout < left) {
    left = *client_timeout;
    deadline_reason_ =
        fmt::format("grpc-timeout of {} ms",
                    std::chrono::duration_cast<std::chrono::milliseconds>(*client_timeout).count());
  }
  if (left <= std::chrono::nanoseconds::zero()) {
    sendLocalReply({grpcwire::Code::kDeadlineExceeded, 504,
                    fmt::format("{} had passed when the call arrived", deadline_reason_)});
    return false;
  }
  deadline_ = std::chrono::steady_clock::now() + left;
  deadline_timer_ =
      std::make_unique<io::Timer>(session_.context().loop(), [this] { onDeadline(); });
  deadline_timer_->arm(std::chrono::ceil<std::chrono::milliseconds>(left));
  return true;
}

// The deadline covers the whole exchange. Before the response it is answered as
// DEADLINE_EXCEEDED (504 for non-gRPC). Once the response has started, a gRPC caller gets the
// relayed bytes and trailers with DEADLINE_EXCEEDED; others a reset. The upstream is cancelled.
void ActiveStream::onDeadline() {
  if (upstream_ != nullptr) reportOutcome(upstream::Outcome::kLocalOrigin);
  expire(fmt::format("{} exceeded waiting for {}", deadline_reason_, upstreamLabel()));
}

void ActiveStream::expire(const std::string& message) {
  if (!response_started_) {
    sendLocalReply({grpcwire::Code::kDeadlineExceeded, 504, message});
    return;
  }
  if (response_ended_) return;
  detachUpstream(kCancel);
  if (isGrpcRequest(request_headers_)) {
    endCommittedResponse(message, grpcwire::Code::kDeadlineExceeded);
    return;
  }
  session_.codec().resetStream(stream_id_, kCancel);
  session_.scheduleFlush();
}

bool ActiveStream::injectFault(const router::CompiledRoute& route) {
  auto& context = session_.context();
  fault_ = planFault(*route_->fault, context.nextRandom(), context.nextRandom());
  if (fault_.delay) {
    // The call waits here; the deadline, armed already, still applies.
    context.stats().faults_delayed.inc();
    faulted_route_ = &route;
    fault_delaying_ = true;
    fault_timer_ = std::make_unique<io::Timer>(context.loop(), [this] { onFaultDelayEnd(); });
    fault_timer_->arm(*fault_.delay);
    return true;
  }
  if (fault_.abort == nullptr) return false;
  context.stats().faults_aborted.inc();
  sendLocalReply(faultAbortReply(*fault_.abort));
  return true;
}

void ActiveStream::onFaultDelayEnd() {
  fault_delaying_ = false;
  if (response_started_) return;  // the deadline answered the call meanwhile
  if (fault_.abort != nullptr) {
    session_.context().stats().faults_aborted.inc();
    sendLocalReply(faultAbortReply(*fault_.abort));
    return;
  }
  forwardCall(*faulted_route_);
}

}  // namespace meshgate::proxy
