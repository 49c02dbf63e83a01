#include "proxy/active_stream.h"

#include <charconv>

#include <fmt/format.h>

#include "base/log.h"
#include "grpcwire/percent.h"
#include "grpcwire/timeout.h"
#include "proxy/call_outcome.h"
#include "proxy/downstream_session.h"
#include "proxy/hash_key.h"
#include "proxy/route_actions.h"

namespace meshgate::proxy {
namespace {
constexpr uint32_t kNoError = 0x0;
constexpr uint32_t kInternalError = 0x2;
constexpr uint32_t kRefusedStream = 0x7;
constexpr uint32_t kCancel = 0x8;
// RFC 7541 §4.1: each field costs its octets plus 32.
constexpr size_t kHeaderFieldOverhead = 32;
}  // namespace

using http::h2::BodyChunk;

ActiveStream::ActiveStream(DownstreamSession& session, int32_t stream_id, size_t listener_index,
                           std::shared_ptr<const ProxyConfig> config)
    : session_(session),
      stream_id_(stream_id),
      listener_index_(listener_index),
      config_(std::move(config)) {
  request_headers_.reserve(12, 320);
  ProxyStats& stats = session_.context().stats();
  stats.downstream_streams.add();
  stats.calls.inc();
  request_body_.meter(&stats.request_buffered_bytes);
  response_body_.meter(&stats.response_buffered_bytes);
}

ActiveStream::~ActiveStream() {
  for (ShadowStream* shadow : shadows_) shadow->detach();
  detachUpstream(kCancel);
  // Bytes the client sent that no upstream took: the stream is closed, but the connection
  // window must get them back.
  session_.codec().consumeConnection(request_body_.release());
  session_.context().stats().downstream_streams.sub();
}

void ActiveStream::detachUpstream(uint32_t error_code) {
  if (upstream_ == nullptr) return;
  upstream_->cancelStream(upstream_stream_id_, error_code);
  upstream_ = nullptr;
}

bool ActiveStream::onRequestHeader(std::string_view name, std::string_view value) {
  const auto& limits = session_.context().limits();
  request_header_bytes_ += name.size() + value.size() + kHeaderFieldOverhead;
  http::HeaderList& target = request_headers_done_ ? request_trailers_ : request_headers_;
  if (request_header_bytes_ > limits.max_header_list_bytes ||
      target.size() >= limits.max_header_count) {
    // Keep decoding (HPACK state must stay in sync) but store nothing more; the call is
    // answered once the block ends.
    request_headers_too_large_ = true;
    return true;
  }
  target.add(name, value);
  return true;
}

void ActiveStream::onRequestHeadersEnd(bool end_stream) {
  if (request_headers_done_) {  // trailers
    request_ended_ = true;
    for (ShadowStream* shadow : shadows_) shadow->onRequestEnd(request_trailers_);
    if (upstream_ != nullptr) upstream_->resumeData(upstream_stream_id_);
    return;
  }
  request_headers_done_ = true;
  request_ended_ = end_stream;
  if (request_headers_too_large_) {
    sendLocalReply({grpcwire::Code::kResourceExhausted, 431,
                    fmt::format("request headers exceed {} bytes or {} fields",
                                session_.context().limits().max_header_list_bytes,
                                session_.context().limits().max_header_count)});
    return;
  }
  startCall();
}

void ActiveStream::startCall() {
  std::string_view authority = request_headers_.get(":authority");
  if (authority.empty()) authority = request_headers_.get("host");
  std::string_view path = request_headers_.get(":path");
  if (config_->ir->listeners[listener_index_].https_redirect) {
    sendLocalReply(httpsRedirect(authority, path));
    return;
  }
  std::optional<std::chrono::nanoseconds> client_timeout;
  if (!readClientTimeout(client_timeout)) return;
  const auto& table = config_->route_tables[listener_index_];
  const router::CompiledRoute* route = table.match(
      {authority, path, request_headers_.get(":method"), request_headers_.get(":scheme"),
       &request_headers_, config_->ir->listeners[listener_index_].port});
  if (route == nullptr) {
    sendLocalReply(noRoute(authority, path));
    return;
  }
  route_ = route->route;
  if (answerLocally(*route_, authority, path)) return;
  if (route->targets.empty()) {
    sendLocalReply(
        unavailable(fmt::format("route {} has no destination with weight", route->route->name)));
    return;
  }
  if (!armDeadline(route->route->timeout, client_timeout)) return;
  if (route_->fault && injectFault(*route)) return;
  forwardCall(*route);
}

void ActiveStream::forwardCall(const router::CompiledRoute& compiled) {
  const router::CompiledRoute* route = &compiled;
  std::string_view path = request_headers_.get(":path");
  auto& context = session_.context();
  const router::Target& target = route->pick(context.nextRandom());
  destination_ = pickedDestination(*route, target);
  if (route_->rewrite && route_->rewrite->uri) {
    rewritten_path_ = rewritePath(*route_, path, *route_->rewrite->uri);
  }
  const upstream::ClusterInfo& cluster = config_->clusters->at(target.cluster_index);
  HashKey key =
      computeHashKey(cluster.lb.hash, request_headers_, session_.peer(), context.nextRandom());
  cluster_index_ = target.cluster_index;
  hash_ = key.hash;
  set_cookie_ = std::move(key.set_cookie);
  cluster_ = &cluster;
  if (route_->retry) {
    retry_.policy = &*route_->retry;
    retry_.hold_headers = holdsResponseHeaders(*retry_.policy, isGrpcRequest(request_headers_));
    request_body_.setLimit(context.limits().retry_buffer_bytes);
  }
  if (!startAttempt()) return;
  if (!route_->mirrors.empty()) startMirrors(*route_);
}

bool ActiveStream::startAttempt() {
  auto& context = session_.context();
  const upstream::ClusterInfo& cluster = *cluster_;
  // A retry gives back the failed attempt's http2MaxRequests place before asking for one.
  if (retry_.attempts > 0) active_request_.reset();
  auto pick = context.clusters().pick(*config_->clusters, cluster_index_, hash_,
                                      {retry_.tried_hosts, retry_.policy != nullptr});
  if (!pick.overflow.empty()) {
    sendLocalReply(unavailable(pick.overflow));
    return false;
  }
  if (pick.pool == nullptr) {
    sendLocalReply(
        unavailable(fmt::format("no healthy upstream for {} (cluster {} has no endpoints)",
                                cluster.service_host, cluster.name)));
    return false;
  }
  active_request_ = std::move(pick.slot);
  host_ = pick.host;
  host_index_ = pick.host_index;
  outcome_ = upstream::Outcome::kSuccess;
  outcome_reported_ = false;
  ++retry_.attempts;
  if (retry_.policy != nullptr) retry_.tried_hosts.push_back(pick.host_index);
  retry_.attempts_text = retry_.attempts > 1 ? std::to_string(retry_.attempts - 1) : "";
  attempt_headers_done_ = false;
  attempt_status_ = 0;
  if (request_body_.replayable()) request_body_.rewind();
  std::string error;
  upstream::UpstreamConnection* connection = pick.pool->acquire(error);
  int32_t id = -1;
  if (deadline_timer_ != nullptr) {
    upstream_timeout_ = grpcwire::formatGrpcTimeout(deadline_ - std::chrono::steady_clock::now());
  }
  const bool has_body = !request_ended_ || request_body_.hasUnread() || !request_trailers_.empty();
  attempt_request_sent_ = !has_body;
  if (connection != nullptr) {
    id = connection->startStream(upstreamRequestHeaders(), has_body, *this);
  }
  if (id < 0) {
    std::string message = fmt::format("upstream connect error for {}: {}", cluster.service_host,
                                      error.empty() ? "no stream available" : error);
    if (retryAttempt(AttemptFailure::kConnectFailure, message)) return true;
    sendLocalReply(unavailable(message));
    return false;
  }
  upstream_ = connection;
  upstream_stream_id_ = id;
  armPerTryTimer();
  return true;
}

bool ActiveStream::answerLocally(const ir::Route& route, std::string_view authority,
                                 std::string_view path) {
  if (route.redirect) {
    std::string_view scheme = request_headers_.get(":scheme");
    sendLocalReply(redirectReply(redirectLocation(*route.redirect, scheme, authority, path),
                                 route.redirect->status));
    return true;
  }
  if (route.direct_response) {
    sendLocalReply(directReply(*route.direct_response));
    return true;
  }
  return false;
}

// Each mirror gets its own copy of the call, with Istio's -shadow authority, when its
// percentage says so. The primary call has started: a mirror that cannot start is dropped.
void ActiveStream::startMirrors(const ir::Route& route) {
  auto& context = session_.context();
  for (const ir::Mirror& mirror : route.mirrors) {
    // Percent with four decimals, like Envoy's fractional percent per million.
    if (static_cast<double>(context.nextRandom() % 1000000) >= mirror.percent * 10000) continue;
    auto index = config_->clusters->indexOf(mirror.cluster);
    if (!index) continue;
    std::span<const http::HeaderView> upstream_headers = upstreamRequestHeaders();
    static thread_local std::vector<http::HeaderView> headers;
    headers.assign(upstream_headers.begin(), upstream_headers.end());
    std::string authority;
    for (http::HeaderView& field : headers) {
      if (field.name != ":authority") continue;
      authority = shadowAuthority(field.value);
      field.value = authority;
    }
    bool has_body = !request_ended_ || request_body_.hasUnread() || !request_trailers_.empty();
    ShadowStream* shadow =
        ShadowStream::start(context.shadows(), context.clusters(), *config_->clusters, *index,
                            headers, has_body, context.limits().stream_window_bytes, this);
    if (shadow == nullptr) continue;
    if (shadows_.empty()) shadows_.reserve(route.mirrors.size());
    shadows_.push_back(shadow);
    // What a fault delay held back (nothing otherwise): the shadow copies it too. It may drop
    // itself here (onShadowGone), so it is registered first and not used afterwards.
    if (std::string_view held = request_body_.unreadView(); !held.empty()) {
      shadow->onRequestData(reinterpret_cast<const uint8_t*>(held.data()), held.size());
    }
    if (request_ended_ && has_body && std::ranges::find(shadows_, shadow) != shadows_.end()) {
      shadow->onRequestEnd(request_trailers_);
    }
  }
}

void ActiveStream::onShadowGone(ShadowStream& shadow) { std::erase(shadows_, &shadow); }

std::span<const http::HeaderView> ActiveStream::upstreamRequestHeaders() const {
  static thread_local std::vector<http::HeaderView> headers;
  headers.clear();
  for (http::HeaderView field : request_headers_) {
    if (http::isConnectionSpecific(field.name) || field.name == "host") continue;
    // RFC 9113 §8.2.2: te may only carry "trailers".
    if (field.name == "te" && field.value != "trailers") continue;
    // The upstream leg is h2c.
    if (field.name == ":scheme") field.value = "http";
    // The caller's grpc-timeout is replaced by what is left of the call's deadline.
    if (field.name == "grpc-timeout" && !upstream_timeout_.empty()) continue;
    headers.push_back(field);
  }
  if (!upstream_timeout_.empty()) headers.push_back({"grpc-timeout", upstream_timeout_});
  // gRFC A6: a retry says how many attempts came before it.
  if (!retry_.attempts_text.empty()) {
    std::erase_if(headers, [](const http::HeaderView& field) {
      return field.name == "grpc-previous-rpc-attempts";
    });
    headers.push_back({"grpc-previous-rpc-attempts", retry_.attempts_text});
  }
  if (route_ == nullptr) return headers;
  if (const auto& rewrite = route_->rewrite) {
    for (http::HeaderView& field : headers) {
      if (field.name == ":path" && rewrite->uri) field.value = rewritten_path_;
      if (field.name == ":authority" && rewrite->authority) field.value = *rewrite->authority;
    }
  }
  // Route level, then destination level: the destination's set wins.
  applyRequestMutation(route_->headers.request, headers);
  if (destination_ != nullptr) applyRequestMutation(destination_->headers.request, headers);
  return headers;
}

void ActiveStream::onRequestData(const uint8_t* data, size_t length) {
  if (holdingRequest()) {
    // Kept unacknowledged: flow control bounds what the client sends during the delay.
    request_body_.append(data, length);
    return;
  }
  if (replied_locally_ || (upstream_ == nullptr && !retry_.pending)) {
    // Answered locally or finished: nothing will read these bytes, so release the window.
    session_.codec().consume(stream_id_, length);
    session_.scheduleFlush();
    return;
  }
  if (request_body_.append(data, length)) {
    session_.context().stats().retry_buffer_overflows.inc();
    MG_LOG(kDebug, "stream {}: request outgrew the retry buffer ({} bytes); no more retries",
           stream_id_, session_.context().limits().retry_buffer_bytes);
  }
  if (upstream_ != nullptr) upstream_->resumeData(upstream_stream_id_);
  // Shadows copy what the client sends; iterate over a copy since one may drop itself.
  for (size_t i = shadows_.size(); i-- > 0;) {
    if (i < shadows_.size()) shadows_[i]->onRequestData(data, length);
  }
}

void ActiveStream::onRequestDataEnd() {
  request_ended_ = true;
  for (size_t i = shadows_.size(); i-- > 0;) {
    if (i < shadows_.size()) shadows_[i]->onRequestEnd(request_trailers_);
  }
  if (upstream_ != nullptr) upstream_->resumeData(upstream_stream_id_);
}

BodyChunk ActiveStream::onUpstreamBodyRead(uint8_t* buffer, size_t length) {
  size_t n = request_body_.read(buffer, length);
  // A replayed byte was credited when the first attempt read it.
  if (size_t credit = request_body_.takeCredit(); credit > 0) {
    session_.codec().consume(stream_id_, credit);
    session_.scheduleFlush();
  }
  if (request_body_.hasUnread() || !request_ended_) {
    return {n > 0 ? BodyChunk::Kind::kData : BodyChunk::Kind::kDeferred, n};
  }
  attempt_request_sent_ = true;
  if (!request_trailers_.empty()) {
    upstream_->submitTrailers(upstream_stream_id_, request_trailers_);
    return {BodyChunk::Kind::kTrailers, n};
  }
  return {BodyChunk::Kind::kEnd, n};
}

std::string ActiveStream::upstreamLabel() const {
  if (cluster_ == nullptr || host_ == nullptr) return "(none)";
  return fmt::format("{} {}", cluster_->service_host, host_->label);
}

bool ActiveStream::onUpstreamHeader(std::string_view name, std::string_view value) {
  // Upstream metadata is held until it is forwarded: bound it like the client's.
  response_header_bytes_ += name.size() + value.size() + kHeaderFieldOverhead;
  if (response_header_bytes_ > session_.context().limits().max_header_list_bytes) {
    response_headers_too_large_ = true;
    return false;  // resets the upstream stream; onUpstreamClose answers the client
  }
  http::HeaderList& target = attempt_headers_done_ ? response_trailers_ : response_headers_;
  if (target.empty()) target.reserve(8, 256);
  target.add(name, value);
  return true;
}

void ActiveStream::onUpstreamHeadersEnd(bool end_stream) {
  if (attempt_headers_done_) {  // trailers
    std::string_view grpc_status = detectsOutliers() ? response_trailers_.get("grpc-status") : "";
    if (!grpc_status.empty()) outcome_ = callOutcome({}, grpc_status);
    if (retry_.headers_held) {
      onHeldTrailers();
      return;
    }
    if (response_framing_) {
      // Trailers inside a message: whatever status they claim, the message is lost.
      if (std::string framing = response_framing_->endError(); !framing.empty()) {
        failMalformedResponse(framing);
      }
    }
    response_ended_ = true;
    session_.codec().resumeData(stream_id_);
    session_.scheduleFlush();
    return;
  }
  std::string_view status = response_headers_.get(":status");
  if (status.size() == 3 && status[0] == '1') {  // informational: not forwarded
    response_headers_.clear();
    return;
  }
  attempt_headers_done_ = true;
  if (detectsOutliers()) outcome_ = callOutcome(status, response_headers_.get("grpc-status"));
  if (retry_.policy != nullptr && !response_started_) {
    attempt_status_ = 0;
    std::from_chars(status.data(), status.data() + status.size(), attempt_status_);
    bool grpc = isGrpcRequest(request_headers_);
    ResponseVerdict verdict =
        judgeResponse(*retry_.policy, attempt_status_, response_headers_, grpc);
    if (verdict.retriable && retryAttempt(AttemptFailure::kResponse, verdict.reason)) return;
    // A gRPC status may still come in trailers: nothing goes downstream before the first
    // message or the trailers, while another attempt is possible.
    if (!end_stream && retry_.hold_headers && attempt_status_ == 200 && !retry_.exhausted() &&
        request_body_.canReplay()) {
      retry_.headers_held = true;
      return;
    }
  }
  sendResponseHeaders(end_stream);
}

void ActiveStream::sendResponseHeaders(bool end_stream) {
  response_headers_.remove("connection");
  response_headers_.remove("keep-alive");
  response_headers_.remove("transfer-encoding");
  if (route_ != nullptr) {
    // Envoy applies response_headers_to_add to the headers only, never to trailers.
    applyResponseMutation(route_->headers.response, response_headers_);
    if (destination_ != nullptr)
      applyResponseMutation(destination_->headers.response, response_headers_);
  }
  if (!set_cookie_.empty()) response_headers_.add("set-cookie", set_cookie_);
  response_needs_grpc_status_ = !end_stream && isGrpcRequest(request_headers_) &&
                                response_headers_.get(":status") == "200" &&
                                response_headers_.get("grpc-status").empty();
  if (response_needs_grpc_status_) response_framing_.emplace();
  response_started_ = true;
  retry_.headers_held = false;
  request_body_.stopReplay();  // committed: no attempt will need these bytes again
  response_ended_ = end_stream;
  session_.codec().submitResponse(stream_id_, response_headers_, !end_stream);
  response_headers_.clear();
  session_.scheduleFlush();
}

void ActiveStream::onUpstreamData(const uint8_t* data, size_t length) {
  if (retry_.headers_held) sendResponseHeaders(false);  // the first message commits the call
  if (response_framing_) response_framing_->feed(data, length);
  response_body_.append(data, length);
  session_.codec().resumeData(stream_id_);
  session_.scheduleFlush();
}

void ActiveStream::failMalformedResponse(const std::string& what) {
  response_trailers_.clear();
  response_trailers_.add("grpc-status",
                         std::to_string(grpcwire::codeNumber(grpcwire::Code::kInternal)));
  response_trailers_.add("grpc-message", grpcwire::encodeGrpcMessage(fmt::format(
                                             "upstream {}: {}", upstreamLabel(), what)));
}

void ActiveStream::onUpstreamDataEnd() {
  if (response_needs_grpc_status_) {
    // END_STREAM without trailers breaks PROTOCOL-HTTP2; grpc-go and grpc-java call it
    // INTERNAL. Saying so here gives every client the same status, naming the upstream.
    std::string framing = response_framing_->endError();
    failMalformedResponse(framing.empty() ? "response ended without grpc-status"
                                          : framing + ", without grpc-status");
  }
  response_ended_ = true;
  session_.codec().resumeData(stream_id_);
  session_.scheduleFlush();
}

void ActiveStream::onUpstreamClose(uint32_t error_code, std::string_view reason) {
  upstream_ = nullptr;
  reportOutcome(error_code == kNoError && response_ended_ ? outcome_
                                                          : upstream::Outcome::kLocalOrigin);
  if (per_try_timer_ != nullptr) per_try_timer_->cancel();
  std::string too_large;
  if (response_headers_too_large_) {
    too_large = fmt::format("{}: response metadata exceeds {} bytes", upstreamLabel(),
                            session_.context().limits().max_header_list_bytes);
    reason = too_large;
    if (error_code == kNoError) error_code = kInternalError;
  } else if (!response_started_) {
    AttemptFailure failure = AttemptFailure::kReset;
    if (error_code == kRefusedStream) failure = AttemptFailure::kRefusedStream;
    if (error_code == upstream::kConnectFailure) failure = AttemptFailure::kConnectFailure;
    std::string why = error_code == kNoError ? "closed without a response" : std::string(reason);
    if (retryAttempt(failure, why)) return;
  }
  active_request_.reset();
  if (size_t unsent = request_body_.release(); unsent > 0) {  // nobody will send these now
    session_.codec().consume(stream_id_, unsent);
    session_.scheduleFlush();
  }
  if (error_code == kNoError) {
    // Without END_STREAM from the upstream, NO_ERROR is a reset (RST_STREAM(NO_ERROR)), not
    // the end of the response.
    if (!response_started_) {
      sendLocalReply(unavailable(
          fmt::format("upstream {} closed the stream without a response", upstreamLabel())));
    } else if (!response_ended_) {
      endCommittedResponse(
          fmt::format("upstream {} reset the stream before the response ended", upstreamLabel()));
    }
    return;
  }
  if (!response_started_) {
    MG_LOG(kDebug, "stream {}: upstream failed before responding: {}", stream_id_, reason);
    sendLocalReply(unavailable(fmt::format("upstream {}: {}", upstreamLabel(), reason)));
    return;
  }
  if (response_ended_) return;
  if (error_code == kCancel) {
    // A cancellation is passed on as one.
    session_.codec().resetStream(stream_id_, kCancel);
    session_.scheduleFlush();
    return;
  }
  endCommittedResponse(fmt::format("upstream {}: {}", upstreamLabel(), reason));
}

// The client already has response headers. A gRPC caller still gets a status: what was
// relayed so far, then trailers with UNAVAILABLE naming the upstream. Others get a reset.
void ActiveStream::endCommittedResponse(const std::string& message, grpcwire::Code code) {
  if (isGrpcRequest(request_headers_)) {
    response_trailers_.clear();
    response_trailers_.add("grpc-status", std::to_string(grpcwire::codeNumber(code)));
    response_trailers_.add("grpc-message", grpcwire::encodeGrpcMessage(message));
    response_ended_ = true;
    session_.codec().resumeData(stream_id_);
  } else {
    session_.codec().resetStream(stream_id_, kInternalError);
  }
  session_.scheduleFlush();
}

BodyChunk ActiveStream::onResponseBodyRead(uint8_t* buffer, size_t length) {
  size_t n = response_body_.read(buffer, length);
  if (n > 0 && upstream_ != nullptr) upstream_->consume(upstream_stream_id_, n);
  if (!response_body_.empty() || !response_ended_) {
    return {n > 0 ? BodyChunk::Kind::kData : BodyChunk::Kind::kDeferred, n};
  }
  if (!response_trailers_.empty()) {
    session_.codec().submitTrailers(stream_id_, response_trailers_);
    return {BodyChunk::Kind::kTrailers, n};
  }
  return {BodyChunk::Kind::kEnd, n};
}

// Once per upstream call, for outlier detection: the answer's grpc-status or :status, or a
// local-origin failure (reset, connection lost, timeout). A client's cancel is not reported.
void ActiveStream::reportOutcome(upstream::Outcome outcome) {
  if (!detectsOutliers() || outcome_reported_) return;
  outcome_reported_ = true;
  upstream::ClusterManager::report(*cluster_, host_index_, outcome);
}

void ActiveStream::sendLocalReply(const LocalReply& reply) {
  if (response_started_ || replied_locally_) return;
  replied_locally_ = true;
  session_.context().stats().local_replies.inc();
  detachUpstream(kCancel);
  response_started_ = true;
  if (isGrpcRequest(request_headers_) && reply.location.empty() && !reply.verbatim) {
    response_ended_ = true;
    session_.codec().submitResponse(stream_id_, grpcReplyHeaders(reply), false);
  } else {
    response_body_.append(reply.message);
    if (!reply.verbatim) response_body_.append("\n");
    response_ended_ = true;
    http::HeaderList headers = httpReplyHeaders(reply);
    // The route's own answers carry its response headers, as Envoy's direct responses do.
    if (reply.verbatim && route_ != nullptr)
      applyResponseMutation(route_->headers.response, headers);
    session_.codec().submitResponse(stream_id_, headers, !response_body_.empty());
  }
  // Request bytes buffered for the upstream will never be sent: release their window.
  if (size_t unsent = request_body_.release(); unsent > 0) {
    session_.codec().consume(stream_id_, unsent);
  }
  retry_.pending = false;
  if (backoff_timer_ != nullptr) backoff_timer_->cancel();
  if (per_try_timer_ != nullptr) per_try_timer_->cancel();
  session_.scheduleFlush();
}

}  // namespace meshgate::proxy
