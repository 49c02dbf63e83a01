#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/byte_queue.h"
#include "http/h2/codec.h"
#include "http/headers.h"
#include "io/event_loop.h"
#include "proxy/fault.h"
#include "proxy/local_reply.h"
#include "proxy/proxy_config.h"
#include "proxy/request_replay.h"
#include "proxy/response_framing.h"
#include "proxy/retry_state.h"
#include "proxy/shadow_stream.h"
#include "upstream/cluster_manager.h"
#include "upstream/outlier_detector.h"
#include "upstream/upstream_connection.h"

namespace meshgate::proxy {

class DownstreamSession;

// One call: a downstream HTTP/2 stream bridged to one upstream stream at a time. Bytes move
// between the two sides through bounded queues; a side's flow-control window reopens only when
// its bytes have been handed to the other side, so a slow reader anywhere stops the writer at a
// window's worth of buffering. Until a response byte goes downstream a failed attempt may be
// retried on a new upstream stream (active_stream_retry.cc). Owned by its DownstreamSession;
// worker-local.
class ActiveStream : public upstream::UpstreamStreamCallbacks, public ShadowOwner {
 public:
  ActiveStream(DownstreamSession& session, int32_t stream_id, size_t listener_index,
               std::shared_ptr<const ProxyConfig> config);
  ~ActiveStream() override;
  ActiveStream(const ActiveStream&) = delete;
  ActiveStream& operator=(const ActiveStream&) = delete;

  // Downstream (client) side, from the session.
  bool onRequestHeader(std::string_view name, std::string_view value);
  void onRequestHeadersEnd(bool end_stream);
  void onRequestData(const uint8_t* data, size_t length);
  void onRequestDataEnd();
  http::h2::BodyChunk onResponseBodyRead(uint8_t* buffer, size_t length);

  // upstream::UpstreamStreamCallbacks
  bool onUpstreamHeader(std::string_view name, std::string_view value) override;
  void onUpstreamHeadersEnd(bool end_stream) override;
  void onUpstreamData(const uint8_t* data, size_t length) override;
  void onUpstreamDataEnd() override;
  void onUpstreamClose(uint32_t error_code, std::string_view reason) override;
  http::h2::BodyChunk onUpstreamBodyRead(uint8_t* buffer, size_t length) override;

  // ShadowOwner
  void onShadowGone(ShadowStream& shadow) override;

 private:
  void startCall();
  // Picks a host (avoiding those tried) and opens an upstream stream. False when the call was
  // answered locally instead.
  bool startAttempt();
  // Retries: active_stream_retry.cc.
  // Schedules the next attempt after a backoff when the route's policy retries `failure` and
  // attempts, the budget, the replay buffer and the commitment allow; detaches the failed
  // attempt. False: the failure is the call's.
  bool retryAttempt(AttemptFailure failure, std::string_view why);
  void onBackoffDone();
  void armPerTryTimer();
  void onPerTryTimeout();
  // Trailers arrived for held response headers: retry, or send both on.
  void onHeldTrailers();
  // The deadline or perTryTimeout passed: DEADLINE_EXCEEDED with `message`.
  void expire(const std::string& message);
  // The call goes upstream on the route (after its fault delay, if any).
  void forwardCall(const router::CompiledRoute& route);
  // The route's fault for this call: true when it holds the call (delay) or answered it.
  bool injectFault(const router::CompiledRoute& route);
  void onFaultDelayEnd();
  // While a fault delay holds the call, request bytes wait here for the upstream.
  bool holdingRequest() const { return fault_delaying_ && !response_started_; }
  // redirect / directResponse: true when the route answered the call itself.
  bool answerLocally(const ir::Route& route, std::string_view authority, std::string_view path);
  void startMirrors(const ir::Route& route);
  // The request headers as the upstream gets them; views into request_headers_, valid until
  // the next call on this thread.
  std::span<const http::HeaderView> upstreamRequestHeaders() const;
  void sendLocalReply(const LocalReply& reply);
  void sendResponseHeaders(bool end_stream);
  void endCommittedResponse(const std::string& message,
                            grpcwire::Code code = grpcwire::Code::kUnavailable);
  void detachUpstream(uint32_t error_code);
  // The caller's grpc-timeout: true with `timeout` set (or not), false after answering a
  // malformed one with INTERNAL.
  bool readClientTimeout(std::optional<std::chrono::nanoseconds>& timeout);
  // Arms the call's deadline, the sooner of the route timeout and the caller's grpc-timeout.
  // False when it has passed already (the call was answered).
  bool armDeadline(std::optional<std::chrono::milliseconds> route_timeout,
                   std::optional<std::chrono::nanoseconds> client_timeout);
  void onDeadline();
  void reportOutcome(upstream::Outcome outcome);
  // Calls to clusters without outlierDetection skip the classification.
  bool detectsOutliers() const {
    return cluster_ != nullptr && cluster_->outlier_detector != nullptr;
  }

  DownstreamSession& session_;
  const int32_t stream_id_;
  const size_t listener_index_;
  std::shared_ptr<const ProxyConfig> config_;

  // Request (downstream → upstream).
  http::HeaderList request_headers_;
  http::HeaderList request_trailers_;
  size_t request_header_bytes_ = 0;
  bool request_headers_done_ = false;
  bool request_headers_too_large_ = false;
  bool request_ended_ = false;
  RequestReplay request_body_;

  // Upstream stream; null before the call starts and after it ended.
  upstream::UpstreamConnection* upstream_ = nullptr;
  int32_t upstream_stream_id_ = -1;
  // The cluster and host of the call (they live in config_), for messages.
  const upstream::ClusterInfo* cluster_ = nullptr;
  const upstream::HostInfo* host_ = nullptr;
  uint32_t host_index_ = 0;
  // What the upstream's answer counts as for outlier detection, reported once at its end.
  upstream::Outcome outcome_ = upstream::Outcome::kSuccess;
  bool outcome_reported_ = false;
  upstream::ActiveRequest active_request_;  // the cluster's http2MaxRequests slot
  uint32_t cluster_index_ = 0;
  std::optional<uint64_t> hash_;  // the call's consistent-hash key, for every attempt
  std::string set_cookie_;        // a generated consistent-hash cookie
  std::string upstreamLabel() const;

  // Response (upstream → downstream).
  http::HeaderList response_headers_;
  http::HeaderList response_trailers_;
  bool response_started_ = false;  // headers sent downstream: committed
  bool response_ended_ = false;    // everything the upstream will send is queued
  bool replied_locally_ = false;
  size_t response_header_bytes_ = 0;
  bool response_headers_too_large_ = false;
  // A gRPC response whose headers carried no grpc-status: it must end with trailers, and
  // between messages (followed by response_framing_).
  bool response_needs_grpc_status_ = false;
  std::optional<ResponseFraming> response_framing_;  // in place: no allocation per call
  // Ends a malformed gRPC response with INTERNAL trailers naming the upstream and the fault.
  void failMalformedResponse(const std::string& what);
  base::ByteQueue response_body_;
  // The current attempt: its response headers are complete (what follows is trailers), their
  // :status, and whether the whole request went upstream.
  bool attempt_headers_done_ = false;
  int attempt_status_ = 0;
  bool attempt_request_sent_ = false;

  // Retries: the route's policy, attempts made, the backoff and perTryTimeout timers (made on
  // first use).
  RetryState retry_;
  std::unique_ptr<io::Timer> backoff_timer_;
  std::unique_ptr<io::Timer> per_try_timer_;

  // The route's actions for this call; they live in config_. rewritten_path_ holds a
  // rewrite.uri result (only routes with one pay for it).
  const ir::Route* route_ = nullptr;
  const ir::WeightedCluster* destination_ = nullptr;
  std::string rewritten_path_;
  // Mirrors of this call still reading request bytes; empty (no allocation) without mirrors.
  std::vector<ShadowStream*> shadows_;

  // The call's deadline: the sooner of the route's timeout (VirtualService http[].timeout) and
  // the caller's grpc-timeout; only armed when there is one. upstream_timeout_ is the
  // grpc-timeout the upstream gets: what is left when the upstream stream starts.
  std::unique_ptr<io::Timer> deadline_timer_;
  std::chrono::steady_clock::time_point deadline_{};
  std::string deadline_reason_;
  std::string upstream_timeout_;

  // Fault injection: what this call drew, and the delay's timer (only routes with a fault).
  FaultPlan fault_;
  const router::CompiledRoute* faulted_route_ = nullptr;
  std::unique_ptr<io::Timer> fault_timer_;
  bool fault_delaying_ = false;
};

}  // namespace meshgate::proxy
