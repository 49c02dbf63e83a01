#include "support/raw_h2_backend.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <list>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

#include <nghttp2/nghttp2.h>

namespace meshgate::testing {

struct RawH2Backend::Stream {
  Request request;
  std::string action;
  std::string response_body;
  size_t offset = 0;
  bool ok_trailers_after_body = false;  // grpc-status 0 trailers end the stream
};

struct RawH2Backend::Connection {
  RawH2Backend* owner = nullptr;
  Fd fd;
  nghttp2_session* session = nullptr;
  std::map<int32_t, Stream> streams;
  std::string pending_output;
  bool closed = false;
  bool close_after_write = false;  // close once pending_output is on the wire

  ~Connection() { nghttp2_session_del(session); }
};

struct RawH2BackendCallbacks {
  using Connection = RawH2Backend::Connection;
  using Stream = RawH2Backend::Stream;

  static Connection& self(void* user_data) { return *static_cast<Connection*>(user_data); }

  // Views, not strings: a literal bound to a const std::string& would be a temporary that dies
  // before nghttp2 copies the field.
  static nghttp2_nv header(std::string_view name, std::string_view value) {
    return {reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
            reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
            NGHTTP2_NV_FLAG_NONE};
  }

  static int onBeginHeaders(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
      self(user_data).streams[frame->hd.stream_id];
    }
    return 0;
  }

  static int onHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                      size_t name_size, const uint8_t* value, size_t value_size, uint8_t,
                      void* user_data) {
    auto it = self(user_data).streams.find(frame->hd.stream_id);
    if (it == self(user_data).streams.end()) return 0;
    Stream& stream = it->second;
    std::string key(reinterpret_cast<const char*>(name), name_size);
    std::string text(reinterpret_cast<const char*>(value), value_size);
    if (key == ":method") stream.request.method = text;
    if (key == ":path") stream.request.path = text;
    if (key == ":authority") stream.request.authority = text;
    if (key == "x-raw-action") stream.action = text;
    stream.request.headers.emplace(std::move(key), std::move(text));
    return 0;
  }

  static int onData(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data, size_t size,
                    void* user_data) {
    auto it = self(user_data).streams.find(stream_id);
    if (it != self(user_data).streams.end()) {
      it->second.request.body.append(reinterpret_cast<const char*>(data), size);
    }
    return 0;
  }

  static ssize_t readBody(nghttp2_session* session, int32_t stream_id, uint8_t* buffer,
                          size_t length, uint32_t* flags, nghttp2_data_source*, void*) {
    auto* stream = static_cast<Stream*>(nghttp2_session_get_stream_user_data(session, stream_id));
    if (stream == nullptr) {
      *flags |= NGHTTP2_DATA_FLAG_EOF;
      return 0;
    }
    size_t n = std::min(length, stream->response_body.size() - stream->offset);
    std::memcpy(buffer, stream->response_body.data() + stream->offset, n);
    stream->offset += n;
    if (stream->offset == stream->response_body.size()) {
      *flags |= NGHTTP2_DATA_FLAG_EOF;
      if (stream->ok_trailers_after_body) {
        *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
        nghttp2_nv trailers[] = {header("grpc-status", "0")};
        nghttp2_submit_trailer(session, stream_id, trailers, 1);
      }
    }
    return static_cast<ssize_t>(n);
  }

  // A gRPC message frame: flag, the announced length (big-endian), then `bytes`.
  static std::string grpcFrame(uint32_t announced, std::string_view bytes) {
    std::string frame(5, '\0');
    for (int i = 0; i < 4; ++i) frame[1 + i] = static_cast<char>(announced >> (24 - 8 * i));
    return frame.append(bytes);
  }

  // Misbehaving gRPC answers: 200 application/grpc headers, then a body that breaks the rules.
  static bool respondBadGrpc(nghttp2_session* session, int32_t stream_id, Stream& stream,
                             const std::string& backend_id) {
    if (stream.action == "grpc-no-trailers") {
      stream.response_body = grpcFrame(0, "");
    } else if (stream.action == "grpc-truncated") {
      stream.response_body = grpcFrame(100, std::string(10, 'x'));
    } else if (stream.action == "grpc-oversized") {
      stream.response_body = grpcFrame(0x7fffffff, std::string(16, 'x'));
      stream.ok_trailers_after_body = true;
    } else if (stream.action == "close-after-headers") {
      std::vector<nghttp2_nv> nva = {header(":status", "200"),
                                     header("content-type", "application/grpc")};
      nghttp2_submit_headers(session, NGHTTP2_FLAG_NONE, stream_id, nullptr, nva.data(), nva.size(),
                             nullptr);
      return true;
    } else {
      return false;
    }
    std::vector<nghttp2_nv> nva = {header(":status", "200"),
                                   header("content-type", "application/grpc"),
                                   header("x-backend-id", backend_id)};
    nghttp2_session_set_stream_user_data(session, stream_id, &stream);
    nghttp2_data_provider provider{};
    provider.read_callback = readBody;
    nghttp2_submit_response(session, stream_id, nva.data(), nva.size(), &provider);
    return true;
  }

  static void respond(nghttp2_session* session, int32_t stream_id, Stream& stream,
                      const std::string& backend_id) {
    if (stream.action == "hang") return;
    if (respondBadGrpc(session, stream_id, stream, backend_id)) return;
    if (stream.action == "reset-after-headers") {
      std::vector<nghttp2_nv> nva = {header(":status", "200"),
                                     header("content-type", "application/grpc"),
                                     header("x-backend-id", backend_id)};
      // The reset follows in onFrameSend, once these headers are on the wire: nghttp2 would
      // send a RST_STREAM submitted now ahead of them.
      nghttp2_submit_headers(session, NGHTTP2_FLAG_NONE, stream_id, nullptr, nva.data(), nva.size(),
                             nullptr);
      return;
    }
    // status-NNN: a bodiless response with that :status; ratelimited: Envoy's rate-limit 429.
    if (stream.action.rfind("status-", 0) == 0 || stream.action == "ratelimited") {
      std::string status = stream.action == "ratelimited" ? "429" : stream.action.substr(7);
      std::vector<nghttp2_nv> nva = {header(":status", status),
                                     header("content-type", "application/grpc"),
                                     header("x-backend-id", backend_id)};
      if (stream.action == "ratelimited") nva.push_back(header("x-envoy-ratelimited", "true"));
      nghttp2_submit_response(session, stream_id, nva.data(), nva.size(), nullptr);
      return;
    }
    stream.response_body = "echo:" + stream.request.body;
    const std::string length = std::to_string(stream.response_body.size());
    std::vector<nghttp2_nv> nva = {header(":status", "200"),
                                   header("content-type", "text/plain"),
                                   header("content-length", length),
                                   header("x-backend-id", backend_id),
                                   header("x-method", stream.request.method),
                                   header("x-path", stream.request.path)};
    nghttp2_session_set_stream_user_data(session, stream_id, &stream);
    nghttp2_data_provider provider{};
    provider.read_callback = readBody;
    nghttp2_submit_response(session, stream_id, nva.data(), nva.size(), &provider);
  }

  static int onFrameRecv(nghttp2_session* session, const nghttp2_frame* frame, void* user_data) {
    Connection& connection = self(user_data);
    const int32_t stream_id = frame->hd.stream_id;
    auto it = connection.streams.find(stream_id);
    if (it == connection.streams.end()) return 0;
    Stream& stream = it->second;
    const bool headers_done =
        frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST;
    if (headers_done) {
      connection.owner->record(stream.request);
      if (stream.action == "reset-before-headers") {
        nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_INTERNAL_ERROR);
        return 0;
      }
      if (stream.action == "refuse") {
        nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_REFUSED_STREAM);
        return 0;
      }
      if (stream.action == "close-before-headers") {
        connection.closed = true;
        return 0;
      }
    }
    const bool request_ended =
        (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
        (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    if (request_ended && stream.action != "reset-before-headers" && stream.action != "refuse") {
      respond(session, stream_id, stream, connection.owner->id());
    }
    return 0;
  }

  static int onFrameSend(nghttp2_session* session, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    auto it = self(user_data).streams.find(frame->hd.stream_id);
    if (it != self(user_data).streams.end() && it->second.action == "close-after-headers") {
      self(user_data).close_after_write = true;
    }
    if (it != self(user_data).streams.end() && it->second.action == "reset-after-headers") {
      nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, frame->hd.stream_id,
                                NGHTTP2_INTERNAL_ERROR);
    }
    return 0;
  }

  static int onStreamClose(nghttp2_session*, int32_t stream_id, uint32_t, void* user_data) {
    self(user_data).streams.erase(stream_id);
    return 0;
  }
};

RawH2Backend::RawH2Backend(std::string id) : id_(std::move(id)) {
  auto [listener, port] = listenTcp();
  listener_ = std::move(listener);
  port_ = port;
  setNonBlocking(listener_.get(), true);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  wake_read_ = Fd(fds[0]);
  wake_write_ = Fd(fds[1]);
  thread_ = std::thread([this] { serve(); });
}

RawH2Backend::~RawH2Backend() {
  char byte = 0;
  [[maybe_unused]] ssize_t ignored = ::write(wake_write_.get(), &byte, 1);
  thread_.join();
}

std::vector<RawH2Backend::Request> RawH2Backend::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

bool RawH2Backend::waitForRequests(size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
}

void RawH2Backend::record(const Request& request) {
  std::lock_guard lock(mutex_);
  requests_.push_back(request);
  changed_.notify_all();
}

void RawH2Backend::serve() {
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks,
                                                          RawH2BackendCallbacks::onBeginHeaders);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, RawH2BackendCallbacks::onHeader);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks,
                                                            RawH2BackendCallbacks::onData);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks,
                                                       RawH2BackendCallbacks::onFrameRecv);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks,
                                                         RawH2BackendCallbacks::onStreamClose);
  nghttp2_session_callbacks_set_on_frame_send_callback(callbacks,
                                                       RawH2BackendCallbacks::onFrameSend);
  std::list<Connection> connections;
  char buffer[65536];
  while (true) {
    std::vector<pollfd> fds = {{wake_read_.get(), POLLIN, 0}, {listener_.get(), POLLIN, 0}};
    for (auto& connection : connections) {
      short events = POLLIN;
      if (!connection.pending_output.empty()) events |= POLLOUT;
      fds.push_back({connection.fd.get(), events, 0});
    }
    if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) break;
    if (fds[0].revents != 0) break;
    if (fds[1].revents != 0) {
      int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd >= 0) {
        Connection& connection = connections.emplace_back();
        connection.owner = this;
        connection.fd = Fd(fd);
        nghttp2_session_server_new(&connection.session, callbacks, &connection);
        nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 1000}};
        nghttp2_submit_settings(connection.session, NGHTTP2_FLAG_NONE, settings, 1);
      }
    }
    size_t index = 2;
    for (auto& connection : connections) {
      const short revents = index < fds.size() ? fds[index++].revents : 0;
      if ((revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
        ssize_t n = ::read(connection.fd.get(), buffer, sizeof(buffer));
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) ||
            nghttp2_session_mem_recv(connection.session, reinterpret_cast<uint8_t*>(buffer),
                                     n > 0 ? static_cast<size_t>(n) : 0) < 0) {
          connection.closed = true;
        }
      }
      while (!connection.closed && nghttp2_session_want_write(connection.session) != 0) {
        const uint8_t* data = nullptr;
        ssize_t n = nghttp2_session_mem_send(connection.session, &data);
        if (n <= 0) break;
        connection.pending_output.append(reinterpret_cast<const char*>(data),
                                         static_cast<size_t>(n));
      }
      if (!connection.pending_output.empty()) {
        ssize_t n = ::send(connection.fd.get(), connection.pending_output.data(),
                           connection.pending_output.size(), MSG_NOSIGNAL);
        if (n > 0) connection.pending_output.erase(0, static_cast<size_t>(n));
        if (n < 0 && errno != EAGAIN && errno != EINTR) connection.closed = true;
      }
      if (connection.close_after_write && connection.pending_output.empty()) {
        connection.closed = true;
      }
      if (nghttp2_session_want_read(connection.session) == 0 &&
          nghttp2_session_want_write(connection.session) == 0 &&
          connection.pending_output.empty()) {
        connection.closed = true;
      }
    }
    connections.remove_if([](const Connection& connection) { return connection.closed; });
  }
  connections.clear();
  nghttp2_session_callbacks_del(callbacks);
}

}  // namespace meshgate::testing
