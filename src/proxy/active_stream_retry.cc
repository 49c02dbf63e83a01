// ActiveStream's retries: when an attempt may be retried, the backoff, perTryTimeout, and the
// response headers held while a gRPC status may still arrive in trailers.
#include <fmt/format.h>

#include "base/log.h"
#include "proxy/active_stream.h"
#include "proxy/downstream_session.h"

namespace meshgate::proxy {
namespace {
constexpr uint32_t kCancel = 0x8;
}  // namespace

bool ActiveStream::retryAttempt(AttemptFailure failure, std::string_view why) {
  if (retry_.policy == nullptr || response_started_ || replied_locally_) return false;
  if (!retriesFailure(*retry_.policy, failure, attempt_request_sent_)) return false;
  ProxyStats& counters = session_.context().stats();
  if (retry_.exhausted()) {
    counters.retries_exhausted.inc();
    return false;
  }
  // Bytes already dropped cannot be sent again: the call stays with what it got.
  if (!request_body_.canReplay()) return false;
  if (deadline_timer_ != nullptr && std::chrono::steady_clock::now() >= deadline_) return false;
  retry_.slot.reset();  // the attempt that failed was the previous retry
  retry_.slot = upstream::acquireRetry(cluster_->counters);
  if (!retry_.slot) {
    counters.retry_budget_exceeded.inc();
    MG_LOG(kDebug, "stream {}: not retrying ({}): retry budget of {} is full", stream_id_, why,
           cluster_->name);
    return false;
  }
  counters.retries.inc();
  // The failed attempt counts against its host before the next one picks.
  reportOutcome(failure == AttemptFailure::kResponse ? outcome_ : upstream::Outcome::kLocalOrigin);
  detachUpstream(kCancel);
  if (per_try_timer_ != nullptr) per_try_timer_->cancel();
  // Forget the failed attempt's response.
  response_headers_.clear();
  response_trailers_.clear();
  response_header_bytes_ = 0;
  retry_.headers_held = false;
  retry_.pending = true;
  // The next attempt starts from the first byte. Rewinding now means a request that outgrows
  // the buffer during the backoff still has every byte for that attempt (and no later one).
  request_body_.rewind();
  auto backoff =
      retryBackoff(retry_.policy->backoff_base, retry_.attempts, session_.context().nextRandom());
  MG_LOG(kDebug, "stream {}: attempt {} on {} failed ({}); retrying in {} ms", stream_id_,
         retry_.attempts, upstreamLabel(), why, backoff.count());
  if (backoff_timer_ == nullptr) {
    backoff_timer_ =
        std::make_unique<io::Timer>(session_.context().loop(), [this] { onBackoffDone(); });
  }
  backoff_timer_->arm(backoff);
  return true;
}

void ActiveStream::onBackoffDone() {
  if (!retry_.pending) return;
  retry_.pending = false;
  if (response_started_) return;  // answered meanwhile (the deadline)
  startAttempt();
}

void ActiveStream::armPerTryTimer() {
  if (retry_.policy == nullptr || !retry_.policy->per_try_timeout) return;
  if (per_try_timer_ == nullptr) {
    per_try_timer_ =
        std::make_unique<io::Timer>(session_.context().loop(), [this] { onPerTryTimeout(); });
  }
  per_try_timer_->arm(*retry_.policy->per_try_timeout);
}

// Like Envoy, perTryTimeout bounds the whole attempt. Before the response is committed the
// attempt is cancelled and maybe retried; otherwise the call ends with DEADLINE_EXCEEDED.
void ActiveStream::onPerTryTimeout() {
  session_.context().stats().per_try_timeouts.inc();
  std::string message = fmt::format("perTryTimeout of {} ms exceeded waiting for {}",
                                    retry_.policy->per_try_timeout->count(), upstreamLabel());
  if (!response_started_) {
    detachUpstream(kCancel);
    if (retryAttempt(AttemptFailure::kPerTryTimeout, message)) return;
  }
  expire(message);
}

void ActiveStream::onHeldTrailers() {
  bool grpc = isGrpcRequest(request_headers_);
  ResponseVerdict verdict =
      judgeResponse(*retry_.policy, attempt_status_, response_trailers_, grpc);
  if (verdict.retriable && retryAttempt(AttemptFailure::kResponse, verdict.reason)) return;
  sendResponseHeaders(false);
  response_ended_ = true;
  session_.codec().resumeData(stream_id_);
  session_.scheduleFlush();
}

}  // namespace meshgate::proxy
