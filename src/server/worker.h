#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "http/limits.h"
#include "io/event_loop.h"
#include "io/socket.h"
#include "proxy/downstream_session.h"
#include "proxy/worker_context.h"
#include "server/snapshot.h"

namespace meshgate::server {

// Holds the loop so that it is built before, and destroyed after, the WorkerContext using it.
struct LoopHolder {
  io::EventLoop owned_loop_;
};

// One thread with its own event loop, listen sockets (SO_REUSEPORT), sessions and upstream
// pools. Connections never move between workers. Other threads talk to it only via post().
class Worker : private LoopHolder, public proxy::WorkerContext {
 public:
  Worker(size_t index, const http::Limits& limits);
  ~Worker() override;

  // Before start(): a listen socket of listener_index for this worker.
  void addListener(size_t listener_index, io::Fd fd);
  void start(std::shared_ptr<const Snapshot> snapshot);
  // Thread-safe. New streams use the snapshot; open streams keep theirs.
  void publish(std::shared_ptr<const Snapshot> snapshot);
  // Thread-safe. Stops accepting and drains every session; on_idle runs (on this worker's
  // thread) once no session is left.
  void drain(std::function<void()> on_idle);
  // Thread-safe. Ends the loop; join() waits for the thread.
  void stop();
  void join();
  size_t index() const { return index_; }

 private:
  struct Listener {
    size_t listener_index;
    io::Fd fd;
    std::unique_ptr<io::FdWatch> watch;
  };
  void accept(Listener& listener);
  void onSessionClosed(proxy::DownstreamSession& session) override;
  void maybeIdle();

  size_t index_;
  std::shared_ptr<const Snapshot> snapshot_;
  std::vector<Listener> listeners_;
  absl::flat_hash_map<proxy::DownstreamSession*, std::unique_ptr<proxy::DownstreamSession>>
      sessions_;
  std::function<void()> on_idle_;
  bool draining_ = false;
  std::thread thread_;
};

}  // namespace meshgate::server
