#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "base/byte_queue.h"
#include "http/headers.h"
#include "io/event_loop.h"
#include "upstream/cluster_manager.h"
#include "upstream/upstream_connection.h"

namespace meshgate::proxy {

class ShadowStream;

// The call a shadow copies; told when the shadow ends on its own.
class ShadowOwner {
 public:
  virtual ~ShadowOwner() = default;
  virtual void onShadowGone(ShadowStream& shadow) = 0;
};

// The shadows of one worker. A shadow outlives the call it copies (its response is still
// arriving when the client already has the primary's), so the worker owns it until its
// upstream stream ends; destroying the set cancels the ones still running. Worker-local.
class ShadowSet {
 public:
  // `running` (optional) counts the shadows in the set.
  explicit ShadowSet(io::EventLoop& loop, base::Gauge* running = nullptr)
      : loop_(loop), running_(running) {}
  ~ShadowSet();
  ShadowSet(const ShadowSet&) = delete;
  ShadowSet& operator=(const ShadowSet&) = delete;

  ShadowStream* add(std::unique_ptr<ShadowStream> shadow);
  // The shadow finished: destroyed after the current callbacks unwind.
  void retire(ShadowStream* shadow);
  void countDrop() { ++drops_; }
  uint64_t drops() const { return drops_; }
  size_t size() const { return shadows_.size(); }

 private:
  io::EventLoop& loop_;
  base::Gauge* running_;
  absl::flat_hash_map<ShadowStream*, std::unique_ptr<ShadowStream>> shadows_;
  uint64_t drops_ = 0;
};

// Istio's mirror: a copy of a call sent to another cluster, its response read and discarded.
// It must never slow or fail the call it copies, so it keeps its own copy of the request bytes
// and is dropped (cancelled, logged at debug level) when the copy grows past `max_buffered`
// bytes or its upstream fails.
class ShadowStream : public upstream::UpstreamStreamCallbacks, public io::Deletable {
 public:
  // Opens the copy on a host of `cluster_index` with `headers` (the :authority already with
  // its -shadow suffix); nullptr when no host or stream is available (counted as a drop).
  static ShadowStream* start(ShadowSet& set, upstream::ClusterManager& clusters,
                             const upstream::ClusterSet& cluster_set, uint32_t cluster_index,
                             std::span<const http::HeaderView> headers, bool has_body,
                             size_t max_buffered, ShadowOwner* owner);
  ~ShadowStream() override;

  // From the call: a copy of request DATA, and the end of the request.
  void onRequestData(const uint8_t* data, size_t length);
  void onRequestEnd(const http::HeaderList& trailers);
  // The call is gone. A shadow whose request already ended finishes on its own; one still
  // waiting for request bytes can never complete and is cancelled.
  void detach();

  // upstream::UpstreamStreamCallbacks: the response is discarded as it arrives.
  bool onUpstreamHeader(std::string_view, std::string_view) override { return true; }
  void onUpstreamHeadersEnd(bool) override {}
  void onUpstreamData(const uint8_t* data, size_t length) override;
  void onUpstreamDataEnd() override {}
  void onUpstreamClose(uint32_t error_code, std::string_view reason) override;
  http::h2::BodyChunk onUpstreamBodyRead(uint8_t* buffer, size_t length) override;

 private:
  ShadowStream(ShadowSet& set, size_t max_buffered, ShadowOwner* owner)
      : set_(set), max_buffered_(max_buffered), owner_(owner) {}
  // Cancels the upstream stream and retires the shadow.
  void drop(std::string_view why);
  void finish();

  ShadowSet& set_;
  const size_t max_buffered_;
  ShadowOwner* owner_;
  upstream::UpstreamConnection* upstream_ = nullptr;
  int32_t stream_id_ = -1;
  std::string label_;
  base::ByteQueue body_;
  http::HeaderList trailers_;
  bool request_ended_ = false;
  bool finished_ = false;
};

}  // namespace meshgate::proxy
