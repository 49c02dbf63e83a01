#include "proxy/shadow_stream.h"

#include "base/log.h"

namespace meshgate::proxy {
namespace {
constexpr uint32_t kCancel = 0x8;
}  // namespace

using http::h2::BodyChunk;

ShadowSet::~ShadowSet() {
  // The shadows cancel their streams as they go; none may call back into the set.
  auto shadows = std::move(shadows_);
  shadows_.clear();
  if (running_ != nullptr) running_->sub(static_cast<int64_t>(shadows.size()));
}

ShadowStream* ShadowSet::add(std::unique_ptr<ShadowStream> shadow) {
  ShadowStream* raw = shadow.get();
  shadows_.emplace(raw, std::move(shadow));
  if (running_ != nullptr) running_->add();
  return raw;
}

void ShadowSet::retire(ShadowStream* shadow) {
  auto it = shadows_.find(shadow);
  if (it == shadows_.end()) return;
  std::unique_ptr<ShadowStream> owned = std::move(it->second);
  shadows_.erase(it);
  if (running_ != nullptr) running_->sub();
  loop_.deferDelete(std::move(owned));
}

ShadowStream* ShadowStream::start(ShadowSet& set, upstream::ClusterManager& clusters,
                                  const upstream::ClusterSet& cluster_set, uint32_t cluster_index,
                                  std::span<const http::HeaderView> headers, bool has_body,
                                  size_t max_buffered, ShadowOwner* owner) {
  const upstream::ClusterInfo& cluster = cluster_set.at(cluster_index);
  auto pick = clusters.pick(cluster_set, cluster_index);
  std::string error;
  upstream::UpstreamConnection* connection =
      pick.pool == nullptr ? nullptr : pick.pool->acquire(error);
  std::unique_ptr<ShadowStream> shadow(new ShadowStream(set, max_buffered, owner));
  int32_t id = connection == nullptr ? -1 : connection->startStream(headers, has_body, *shadow);
  if (id < 0) {
    set.countDrop();
    MG_LOG(kDebug, "mirror to {} dropped: {} ({} mirror drops on this worker)", cluster.name,
           pick.pool == nullptr ? "no endpoints" : (error.empty() ? "no stream available" : error),
           set.drops());
    return nullptr;
  }
  shadow->upstream_ = connection;
  shadow->stream_id_ = id;
  shadow->label_ = cluster.service_host + " " + pick.host->label;
  shadow->request_ended_ = !has_body;
  return set.add(std::move(shadow));
}

ShadowStream::~ShadowStream() {
  if (upstream_ != nullptr) upstream_->cancelStream(stream_id_, kCancel);
}

void ShadowStream::onRequestData(const uint8_t* data, size_t length) {
  if (finished_) return;
  if (body_.size() + length > max_buffered_) {
    drop("its upstream reads slower than the client sends");
    return;
  }
  body_.append(data, length);
  upstream_->resumeData(stream_id_);
}

void ShadowStream::onRequestEnd(const http::HeaderList& trailers) {
  if (finished_) return;
  request_ended_ = true;
  trailers_ = trailers;
  upstream_->resumeData(stream_id_);
}

void ShadowStream::detach() {
  owner_ = nullptr;
  if (!finished_ && !request_ended_) drop("the call it copies ended before its request did");
}

BodyChunk ShadowStream::onUpstreamBodyRead(uint8_t* buffer, size_t length) {
  size_t n = body_.read(buffer, length);
  if (!body_.empty() || !request_ended_) {
    return {n > 0 ? BodyChunk::Kind::kData : BodyChunk::Kind::kDeferred, n};
  }
  if (!trailers_.empty()) {
    upstream_->submitTrailers(stream_id_, trailers_);
    return {BodyChunk::Kind::kTrailers, n};
  }
  return {BodyChunk::Kind::kEnd, n};
}

void ShadowStream::onUpstreamData(const uint8_t*, size_t length) {
  upstream_->consume(stream_id_, length);
}

void ShadowStream::onUpstreamClose(uint32_t error_code, std::string_view reason) {
  upstream_ = nullptr;
  if (error_code != 0) {
    set_.countDrop();
    MG_LOG(kDebug, "mirror to {} failed: {} ({} mirror drops on this worker)", label_, reason,
           set_.drops());
  }
  finish();
}

void ShadowStream::drop(std::string_view why) {
  set_.countDrop();
  MG_LOG(kDebug, "mirror to {} dropped: {} ({} mirror drops on this worker)", label_, why,
         set_.drops());
  if (upstream_ != nullptr) {
    upstream_->cancelStream(stream_id_, kCancel);
    upstream_ = nullptr;
  }
  finish();
}

void ShadowStream::finish() {
  if (finished_) return;
  finished_ = true;
  body_.clear();
  if (owner_ != nullptr) {
    ShadowOwner* owner = owner_;
    owner_ = nullptr;
    owner->onShadowGone(*this);
  }
  set_.retire(this);
}

}  // namespace meshgate::proxy
