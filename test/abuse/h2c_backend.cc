#include "abuse/h2c_backend.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <list>
#include <memory>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

#include <nghttp2/nghttp2.h>

namespace meshgate::abuse {
namespace {

constexpr std::array<uint8_t, 5> kEmptyMessage = {0, 0, 0, 0, 0};

nghttp2_nv makeNv(std::string_view name, std::string_view value) {
  return {reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
          NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE};
}

// One accepted connection and its nghttp2 server session. Owned by the backend thread.
class BackendConnection {
 public:
  BackendConnection(testing::Fd fd, std::atomic<size_t>& started, std::atomic<size_t>& sent)
      : fd_(std::move(fd)), started_(started), sent_(sent) {
    nghttp2_session_callbacks* callbacks = nullptr;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, &onBeginHeaders);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &onFrameRecv);
    nghttp2_session_server_new(&session_, callbacks, this);
    nghttp2_session_callbacks_del(callbacks);
    nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 10000}};
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, 1);
  }
  ~BackendConnection() { nghttp2_session_del(session_); }
  BackendConnection(const BackendConnection&) = delete;
  BackendConnection& operator=(const BackendConnection&) = delete;

  int fd() const { return fd_.get(); }
  bool wantsWrite() const { return !out_.empty() || nghttp2_session_want_write(session_) != 0; }

  // Reads what is available; false when the connection should be closed.
  bool onReadable() {
    uint8_t buffer[65536];
    while (true) {
      ssize_t n = ::recv(fd_.get(), buffer, sizeof(buffer), 0);
      if (n == 0) return false;
      if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
      if (nghttp2_session_mem_recv(session_, buffer, static_cast<size_t>(n)) < 0) return false;
    }
  }

  // Writes what nghttp2 has, gathered into one send so small frames are not held back by Nagle;
  // false when the connection should be closed.
  bool flush() {
    while (true) {
      const uint8_t* data = nullptr;
      ssize_t n = nghttp2_session_mem_send(session_, &data);
      if (n < 0) return false;
      if (n == 0) break;
      out_.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
    }
    while (!out_.empty()) {
      ssize_t written = ::send(fd_.get(), out_.data(), out_.size(), MSG_NOSIGNAL);
      if (written < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
      out_.erase(0, static_cast<size_t>(written));
    }
    return nghttp2_session_want_read(session_) != 0 || nghttp2_session_want_write(session_) != 0;
  }

 private:
  static int onBeginHeaders(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
      static_cast<BackendConnection*>(user)->started_.fetch_add(1);
    }
    return 0;
  }

  static int onFrameRecv(nghttp2_session* session, const nghttp2_frame* frame, void* user) {
    bool request_ended = (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
                         (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    if (!request_ended) return 0;
    nghttp2_nv headers[] = {makeNv(":status", "200"), makeNv("content-type", "application/grpc")};
    nghttp2_data_provider provider{};
    provider.source.ptr = user;
    provider.read_callback = &readBody;
    nghttp2_submit_response(session, frame->hd.stream_id, headers, 2, &provider);
    return 0;
  }

  static ssize_t readBody(nghttp2_session* session, int32_t stream_id, uint8_t* buf, size_t length,
                          uint32_t* data_flags, nghttp2_data_source* source, void*) {
    auto* self = static_cast<BackendConnection*>(source->ptr);
    if (length < kEmptyMessage.size()) return NGHTTP2_ERR_DEFERRED;
    std::memcpy(buf, kEmptyMessage.data(), kEmptyMessage.size());
    *data_flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
    nghttp2_nv trailers[] = {makeNv("grpc-status", "0")};
    nghttp2_submit_trailer(session, stream_id, trailers, 1);
    self->sent_.fetch_add(1);
    return static_cast<ssize_t>(kEmptyMessage.size());
  }

  testing::Fd fd_;
  std::atomic<size_t>& started_;
  std::atomic<size_t>& sent_;
  nghttp2_session* session_ = nullptr;
  std::string out_;
};

}  // namespace

H2cBackend::H2cBackend() {
  auto [listener, port] = testing::listenTcp();
  listener_ = std::move(listener);
  port_ = port;
  testing::setNonBlocking(listener_.get(), true);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  }
  wake_read_ = testing::Fd(fds[0]);
  wake_write_ = testing::Fd(fds[1]);
  thread_ = std::thread([this] { run(); });
}

H2cBackend::~H2cBackend() {
  char byte = 0;
  [[maybe_unused]] ssize_t ignored = ::write(wake_write_.get(), &byte, 1);
  thread_.join();
}

void H2cBackend::run() {
  std::list<std::unique_ptr<BackendConnection>> connections;
  std::vector<pollfd> fds;
  while (true) {
    fds.clear();
    fds.push_back({wake_read_.get(), POLLIN, 0});
    fds.push_back({listener_.get(), POLLIN, 0});
    for (const auto& connection : connections) {
      short events = POLLIN;
      if (connection->wantsWrite()) events |= POLLOUT;
      fds.push_back({connection->fd(), events, 0});
    }
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[0].revents != 0) return;
    if (fds[1].revents != 0) {
      while (true) {
        int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) break;
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        connections.push_back(std::make_unique<BackendConnection>(
            testing::Fd(fd), requests_started_, responses_sent_));
      }
    }
    size_t index = 2;
    for (auto it = connections.begin(); it != connections.end(); ++index) {
      short revents = index < fds.size() ? fds[index].revents : 0;
      bool keep = true;
      if ((revents & (POLLIN | POLLHUP | POLLERR)) != 0) keep = (*it)->onReadable();
      if (keep) keep = (*it)->flush();
      it = keep ? std::next(it) : connections.erase(it);
    }
  }
}

}  // namespace meshgate::abuse
