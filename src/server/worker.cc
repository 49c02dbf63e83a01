#include "server/worker.h"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>

#include "base/log.h"
#include "tls/tls_socket.h"

namespace meshgate::server {
namespace {
constexpr int kMaxAcceptsPerEvent = 64;
}

Worker::Worker(size_t index, const http::Limits& limits)
    : proxy::WorkerContext(owned_loop_, limits, 0x9e3779b97f4a7c15ULL * (index + 1)),
      index_(index) {}

Worker::~Worker() {
  stop();
  join();
  // Retired sessions and connections hold codecs that allocate from this context: they must
  // go before it does.
  sessions_.clear();
  owned_loop_.runDeferredDeletes();
}

void Worker::addListener(size_t listener_index, io::Fd fd) {
  listeners_.push_back(
      std::make_unique<Listener>(Listener{listener_index, std::move(fd), nullptr}));
}

void Worker::start(std::shared_ptr<const Snapshot> snapshot) {
  snapshot_ = snapshot;
  setConfig(snapshot->proxy);
  for (auto& listener : listeners_) watch(*listener);
  thread_ = std::thread([this] { owned_loop_.run(); });
}

void Worker::watch(Listener& listener) {
  listener.watch = std::make_unique<io::FdWatch>(owned_loop_, listener.fd.get(),
                                                 [this, &listener](short) { accept(listener); });
  listener.watch->want(io::FdWatch::kRead);
}

void Worker::publish(std::shared_ptr<const Snapshot> snapshot) {
  auto change = std::make_shared<Update>();
  change->snapshot = std::move(snapshot);
  update(std::move(change));
}

void Worker::update(std::shared_ptr<Update> change) {
  // std::function needs a copyable callable: the sockets travel inside a shared_ptr.
  owned_loop_.post([this, change = std::move(change)] {
    snapshot_ = change->snapshot;
    setConfig(snapshot_->proxy);
    for (size_t slot : change->close) closeListener(slot);
    for (auto& [slot, fd] : change->open) {
      // After a drain began nothing opens: the socket closes with the update.
      if (draining_) continue;
      listeners_.push_back(std::make_unique<Listener>(Listener{slot, std::move(fd), nullptr}));
      watch(*listeners_.back());
    }
  });
}

void Worker::closeListener(size_t listener_index) {
  std::erase_if(listeners_,
                [&](const auto& listener) { return listener->listener_index == listener_index; });
  std::vector<proxy::DownstreamSession*> sessions;
  for (auto& [raw, session] : sessions_) {
    if (session.listener_index == listener_index) sessions.push_back(raw);
  }
  for (auto* session : sessions) session->drain();
}

void Worker::accept(Listener& listener) {
  for (int i = 0; i < kMaxAcceptsPerEvent; ++i) {
    int fd = ::accept4(listener.fd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED) {
        MG_LOG(kWarn, "worker {}: accept: {}", index_, std::strerror(errno));
      }
      return;
    }
    io::setNoDelay(fd);
    io::Connection::TransportFactory transport;
    if (const auto& tls = snapshot_->tls[listener.listener_index]) {
      transport = [tls](int raw) {
        return std::make_unique<tls::TlsSocket>(tls->defaultContext(), raw, true);
      };
    }
    auto session = std::make_unique<proxy::DownstreamSession>(*this, io::Fd(fd),
                                                              listener.listener_index, transport);
    auto* raw = session.get();
    sessions_.emplace(raw, Session{std::move(session), listener.listener_index});
    raw->start();
  }
}

void Worker::onSessionClosed(proxy::DownstreamSession& session) {
  auto it = sessions_.find(&session);
  if (it == sessions_.end()) return;
  owned_loop_.deferDelete(std::move(it->second.owned));
  sessions_.erase(it);
  maybeIdle();
}

void Worker::drain(std::function<void()> on_idle) {
  owned_loop_.post([this, on_idle = std::move(on_idle)] {
    draining_ = true;
    on_idle_ = on_idle;
    listeners_.clear();
    std::vector<proxy::DownstreamSession*> sessions;
    for (auto& [raw, owned] : sessions_) sessions.push_back(raw);
    for (auto* session : sessions) session->drain();
    maybeIdle();
  });
}

void Worker::maybeIdle() {
  if (draining_ && sessions_.empty() && on_idle_) {
    auto on_idle = std::move(on_idle_);
    on_idle_ = nullptr;
    on_idle();
  }
}

void Worker::stop() { owned_loop_.exit(); }

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace meshgate::server
