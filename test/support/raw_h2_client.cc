#include "support/raw_h2_client.h"

#include <algorithm>
#include <cstring>

#include <nghttp2/nghttp2.h>

namespace meshgate::testing {

struct RawH2ClientCallbacks {
  static RawH2Client& self(void* user_data) { return *static_cast<RawH2Client*>(user_data); }

  static int onHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                      size_t name_size, const uint8_t* value, size_t value_size, uint8_t,
                      void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    auto& response = self(user_data).responses_[frame->hd.stream_id];
    std::string key(reinterpret_cast<const char*>(name), name_size);
    std::string text(reinterpret_cast<const char*>(value), value_size);
    if (frame->headers.cat == NGHTTP2_HCAT_HEADERS && !response.headers.empty()) {
      response.trailers.emplace(std::move(key), std::move(text));
    } else {
      response.headers.emplace(std::move(key), std::move(text));
    }
    return 0;
  }

  static int onData(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data, size_t size,
                    void* user_data) {
    RawH2Client& client = self(user_data);
    auto& response = client.responses_[stream_id];
    response.body_bytes += size;
    if (client.options_.keep_bodies)
      response.body.append(reinterpret_cast<const char*>(data), size);
    return 0;
  }

  static int onFrameRecv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    RawH2Client& client = self(user_data);
    if (frame->hd.type == NGHTTP2_GOAWAY) client.goaway_received_ = true;
    if (frame->hd.type == NGHTTP2_RST_STREAM) {
      auto& response = client.responses_[frame->hd.stream_id];
      response.reset = true;
      response.error_code = frame->rst_stream.error_code;
    }
    return 0;
  }

  static int onStreamClose(nghttp2_session*, int32_t stream_id, uint32_t error_code,
                           void* user_data) {
    RawH2Client& client = self(user_data);
    auto& response = client.responses_[stream_id];
    response.closed = true;
    if (response.error_code == 0) response.error_code = error_code;
    client.outgoing_.erase(stream_id);
    return 0;
  }

  static ssize_t readBody(nghttp2_session*, int32_t stream_id, uint8_t* buffer, size_t length,
                          uint32_t* flags, nghttp2_data_source*, void* user_data) {
    RawH2Client& client = self(user_data);
    auto it = client.outgoing_.find(stream_id);
    if (it == client.outgoing_.end()) {
      *flags |= NGHTTP2_DATA_FLAG_EOF;
      return 0;
    }
    Outgoing& out = it->second;
    size_t n = std::min(length, out.body.size() - out.offset);
    std::memcpy(buffer, out.body.data() + out.offset, n);
    out.offset += n;
    if (out.offset == out.body.size()) {
      *flags |= NGHTTP2_DATA_FLAG_EOF;
      if (!out.end_stream) *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
    }
    return static_cast<ssize_t>(n);
  }

  using Outgoing = RawH2Client::Outgoing;
};

std::string RawH2Client::Response::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

std::string RawH2Client::Response::trailer(const std::string& name) const {
  auto it = trailers.find(name);
  return it == trailers.end() ? "" : it->second;
}

std::unique_ptr<RawH2Client> RawH2Client::connect(int port, const Options& options,
                                                  std::string* error) {
  std::unique_ptr<ClientTransport> transport =
      options.tls ? ClientTransport::connectTls(port, options.tls_options, error)
                  : ClientTransport::connectPlain(port, error);
  if (!transport) return nullptr;
  std::unique_ptr<RawH2Client> client(new RawH2Client(std::move(transport), options));
  if (!client->flush()) {
    if (error != nullptr) *error = "cannot send the connection preface";
    return nullptr;
  }
  return client;
}

RawH2Client::RawH2Client(std::unique_ptr<ClientTransport> transport, const Options& options)
    : transport_(std::move(transport)), options_(options) {
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, RawH2ClientCallbacks::onHeader);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks,
                                                            RawH2ClientCallbacks::onData);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks,
                                                       RawH2ClientCallbacks::onFrameRecv);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks,
                                                         RawH2ClientCallbacks::onStreamClose);
  nghttp2_option* option = nullptr;
  nghttp2_option_new(&option);
  if (!options.auto_window_update) nghttp2_option_set_no_auto_window_update(option, 1);
  nghttp2_session_client_new2(&session_, callbacks, this, option);
  nghttp2_option_del(option);
  nghttp2_session_callbacks_del(callbacks);
  nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<uint32_t>(options.initial_window_bytes)},
  };
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, 2);
}

RawH2Client::~RawH2Client() { nghttp2_session_del(session_); }

int32_t RawH2Client::submit(const HeaderList& headers, std::string body, bool end_stream) {
  std::vector<nghttp2_nv> nva;
  for (const auto& [name, value] : headers) {
    nva.push_back({reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                   reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(),
                   value.size(), NGHTTP2_NV_FLAG_NONE});
  }
  nghttp2_data_provider provider{};
  provider.read_callback = RawH2ClientCallbacks::readBody;
  const bool has_body = !body.empty() || !end_stream;
  int32_t stream_id = nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(),
                                             has_body ? &provider : nullptr, nullptr);
  if (stream_id > 0) {
    if (has_body) outgoing_[stream_id] = Outgoing{std::move(body), 0, end_stream};
    responses_[stream_id];
  }
  flush();
  return stream_id;
}

void RawH2Client::cancel(int32_t stream_id) {
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_CANCEL);
  flush();
}

bool RawH2Client::flush() {
  while (nghttp2_session_want_write(session_) != 0) {
    const uint8_t* data = nullptr;
    ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) return false;
    if (n == 0) break;
    if (!transport_->writeAll(data, static_cast<size_t>(n))) {
      ended_ = true;
      return false;
    }
  }
  return true;
}

bool RawH2Client::pumpUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[65536];
  while (true) {
    flush();
    if (done()) return true;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (ended_ || left.count() <= 0) return done();
    transport_->waitReadable(std::min(left, std::chrono::milliseconds(20)));
    while (true) {
      long n = transport_->readSome(buffer, sizeof(buffer));
      if (n < 0) break;
      if (n == 0) {
        ended_ = true;
        break;
      }
      ssize_t used = nghttp2_session_mem_recv(session_, reinterpret_cast<const uint8_t*>(buffer),
                                              static_cast<size_t>(n));
      if (used < 0) {
        ended_ = true;
        break;
      }
    }
  }
}

bool RawH2Client::waitClosed(int32_t stream_id, std::chrono::milliseconds timeout) {
  return pumpUntil([&] { return responses_[stream_id].closed; }, timeout);
}

HeaderList grpcRequestHeaders(const std::string& authority, const std::string& path,
                              const std::string& scheme) {
  return {{":method", "POST"},
          {":scheme", scheme},
          {":authority", authority},
          {":path", path},
          {"content-type", "application/grpc"},
          {"te", "trailers"}};
}

}  // namespace meshgate::testing
