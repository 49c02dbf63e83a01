#include "http/h2/codec.h"

#include <cstdlib>
#include <vector>

#include <nghttp2/nghttp2.h>

#include "http/h2/codec_allocator.h"

namespace meshgate::http::h2 {

// nghttp2's C callbacks, translated into CodecCallbacks calls.
struct CodecGlue {
  static Codec& codec(void* user_data) { return *static_cast<Codec*>(user_data); }

  static int onBeginHeaders(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
      codec(user_data).callbacks_.onStreamBegin(frame->hd.stream_id);
    }
    return 0;
  }

  static int onHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                      size_t name_length, const uint8_t* value, size_t value_length, uint8_t,
                      void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;  // PUSH_PROMISE is disabled
    bool ok = codec(user_data).callbacks_.onHeader(
        frame->hd.stream_id, {reinterpret_cast<const char*>(name), name_length},
        {reinterpret_cast<const char*>(value), value_length});
    // Resets this stream only; the connection and its other streams go on.
    return ok ? 0 : NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  }

  static int onFrameRecv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    auto& callbacks = codec(user_data).callbacks_;
    bool end_stream = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    switch (frame->hd.type) {
      case NGHTTP2_HEADERS:
        callbacks.onHeadersEnd(frame->hd.stream_id, end_stream);
        break;
      case NGHTTP2_DATA:
        if (end_stream) callbacks.onDataEnd(frame->hd.stream_id);
        break;
      case NGHTTP2_GOAWAY:
        callbacks.onGoAway(frame->goaway.last_stream_id, frame->goaway.error_code);
        break;
      default:
        break;
    }
    return 0;
  }

  static int onDataChunk(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data,
                         size_t length, void* user_data) {
    codec(user_data).callbacks_.onData(stream_id, data, length);
    return 0;
  }

  static int onStreamClose(nghttp2_session*, int32_t stream_id, uint32_t error_code,
                           void* user_data) {
    codec(user_data).callbacks_.onStreamClose(stream_id, error_code);
    return 0;
  }

  static int onFrameNotSend(nghttp2_session* session, const nghttp2_frame* frame, int,
                            void* user_data) {
    Codec& self = codec(user_data);
    // A client request that never left is closed by nghttp2 itself (it opened the stream
    // before checking). A server HEADERS block that cannot go out (e.g. above the send limit)
    // would leave the stream hanging: reset it so both sides learn the call is over.
    if (self.role_ == Codec::Role::kServer && frame->hd.type == NGHTTP2_HEADERS) {
      nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, frame->hd.stream_id,
                                NGHTTP2_INTERNAL_ERROR);
    }
    return 0;
  }

  // RFC 9113 §8.1: a server whose response is complete while the request is still open asks
  // the client to stop sending with RST_STREAM(NO_ERROR); otherwise the stream would stay
  // half-open (and count against the concurrency limit) until the client ends it, if ever.
  static int onFrameSend(nghttp2_session* session, const nghttp2_frame* frame, void* user_data) {
    if (codec(user_data).role_ != Codec::Role::kServer) return 0;
    if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) return 0;
    if ((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) == 0) return 0;
    if (nghttp2_session_get_stream_remote_close(session, frame->hd.stream_id) == 0) {
      nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, frame->hd.stream_id, NGHTTP2_NO_ERROR);
    }
    return 0;
  }

  static ssize_t readBody(nghttp2_session*, int32_t stream_id, uint8_t* buffer, size_t length,
                          uint32_t* flags, nghttp2_data_source*, void* user_data) {
    BodyChunk chunk = codec(user_data).callbacks_.onBodyRead(stream_id, buffer, length);
    switch (chunk.kind) {
      case BodyChunk::Kind::kData:
        if (chunk.bytes == 0) return NGHTTP2_ERR_DEFERRED;
        break;
      case BodyChunk::Kind::kDeferred:
        return NGHTTP2_ERR_DEFERRED;
      case BodyChunk::Kind::kEnd:
        *flags |= NGHTTP2_DATA_FLAG_EOF;
        break;
      case BodyChunk::Kind::kTrailers:
        *flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
        break;
    }
    return static_cast<ssize_t>(chunk.bytes);
  }
};

namespace {

nghttp2_session_callbacks* makeCallbacks() {
  nghttp2_session_callbacks* callbacks;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, CodecGlue::onBeginHeaders);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, CodecGlue::onHeader);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, CodecGlue::onFrameRecv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, CodecGlue::onDataChunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, CodecGlue::onStreamClose);
  nghttp2_session_callbacks_set_on_frame_not_send_callback(callbacks, CodecGlue::onFrameNotSend);
  nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, CodecGlue::onFrameSend);
  return callbacks;
}

// nghttp2 copies names and values at submit time, so views are enough. The array is
// reused per thread: submitting never allocates once it has grown.
std::vector<nghttp2_nv>& nvScratch(size_t n) {
  static thread_local std::vector<nghttp2_nv> scratch;
  scratch.clear();
  scratch.reserve(n);
  return scratch;
}

nghttp2_nv toNv(HeaderView field) {
  return {reinterpret_cast<uint8_t*>(const_cast<char*>(field.name.data())),
          reinterpret_cast<uint8_t*>(const_cast<char*>(field.value.data())), field.name.size(),
          field.value.size(), NGHTTP2_NV_FLAG_NONE};
}

std::vector<nghttp2_nv>& toNv(const HeaderList& headers) {
  auto& nv = nvScratch(headers.size());
  for (HeaderView field : headers) nv.push_back(toNv(field));
  return nv;
}

std::vector<nghttp2_nv>& toNv(std::span<const HeaderView> headers) {
  auto& nv = nvScratch(headers.size());
  for (HeaderView field : headers) nv.push_back(toNv(field));
  return nv;
}

}  // namespace

Codec::Codec(Role role, const Limits& limits, CodecCallbacks& callbacks, CodecAllocator* allocator)
    : callbacks_(callbacks), role_(role) {
  static nghttp2_session_callbacks* const kCallbacks = makeCallbacks();
  nghttp2_option* option;
  nghttp2_option_new(&option);
  nghttp2_option_set_no_auto_window_update(option, 1);
  nghttp2_option_set_max_continuations(option, limits.max_continuations);
  nghttp2_option_set_stream_reset_rate_limit(option, limits.reset_burst,
                                             limits.reset_rate_per_second);
  nghttp2_option_set_max_settings(option, 32);
  nghttp2_option_set_max_outbound_ack(option, 1000);
  // Header blocks above the limit are refused by onHeader; this bounds HPACK's own buffer.
  nghttp2_option_set_max_send_header_block_length(option, 2 * limits.max_header_list_bytes);
  auto* mem = allocator != nullptr ? static_cast<nghttp2_mem*>(allocator->mem()) : nullptr;
  int rc = role == Role::kServer
               ? nghttp2_session_server_new3(&session_, kCallbacks, this, option, mem)
               : nghttp2_session_client_new3(&session_, kCallbacks, this, option, mem);
  nghttp2_option_del(option);
  if (rc != 0) std::abort();

  std::vector<nghttp2_settings_entry> settings = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, limits.max_concurrent_streams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, limits.stream_window_bytes},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, limits.max_header_list_bytes},
  };
  if (role == Role::kClient) settings.push_back({NGHTTP2_SETTINGS_ENABLE_PUSH, 0});
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0,
                                        static_cast<int32_t>(limits.connection_window_bytes));
}

Codec::~Codec() { nghttp2_session_del(session_); }

bool Codec::receive(const uint8_t* data, size_t length) {
  ssize_t rc = nghttp2_session_mem_recv(session_, data, length);
  return rc >= 0;
}

bool Codec::produce(base::ByteQueue& out, size_t high_watermark) {
  while (out.size() < high_watermark) {
    const uint8_t* data;
    ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) return false;
    if (n == 0) break;
    out.append(data, static_cast<size_t>(n));
  }
  return true;
}

bool Codec::alive() const {
  return nghttp2_session_want_read(session_) != 0 || nghttp2_session_want_write(session_) != 0;
}

bool Codec::wantsWrite() const { return nghttp2_session_want_write(session_) != 0; }

int32_t Codec::submitRequest(std::span<const HeaderView> headers, bool has_body,
                             void* stream_data) {
  auto& nv = toNv(headers);
  nghttp2_data_provider provider{};
  provider.read_callback = CodecGlue::readBody;
  return nghttp2_submit_request(session_, nullptr, nv.data(), nv.size(),
                                has_body ? &provider : nullptr, stream_data);
}

bool Codec::submitResponse(int32_t stream_id, const HeaderList& headers, bool has_body) {
  auto& nv = toNv(headers);
  nghttp2_data_provider provider{};
  provider.read_callback = CodecGlue::readBody;
  return nghttp2_submit_response(session_, stream_id, nv.data(), nv.size(),
                                 has_body ? &provider : nullptr) == 0;
}

bool Codec::submitTrailers(int32_t stream_id, const HeaderList& trailers) {
  auto& nv = toNv(trailers);
  return nghttp2_submit_trailer(session_, stream_id, nv.data(), nv.size()) == 0;
}

void Codec::resumeData(int32_t stream_id) { nghttp2_session_resume_data(session_, stream_id); }

void Codec::consume(int32_t stream_id, size_t bytes) {
  if (bytes > 0) nghttp2_session_consume(session_, stream_id, bytes);
}

void Codec::consumeConnection(size_t bytes) {
  if (bytes > 0) nghttp2_session_consume_connection(session_, bytes);
}

void Codec::resetStream(int32_t stream_id, uint32_t error_code) {
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, error_code);
}

void Codec::goAway(uint32_t error_code) {
  int32_t last = nghttp2_session_get_last_proc_stream_id(session_);
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, last, error_code, nullptr, 0);
}

void Codec::shutdownNotice() { nghttp2_submit_shutdown_notice(session_); }

void Codec::setStreamData(int32_t stream_id, void* data) {
  nghttp2_session_set_stream_user_data(session_, stream_id, data);
}

void* Codec::streamData(int32_t stream_id) const {
  return nghttp2_session_get_stream_user_data(session_, stream_id);
}

uint32_t Codec::peerMaxConcurrentStreams() const {
  return nghttp2_session_get_remote_settings(session_, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
}

}  // namespace meshgate::http::h2
