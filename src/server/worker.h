#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <utility>
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

  // A config change for this worker, applied as one step on its thread so that it never
  // accepts on a listener its snapshot does not describe.
  struct Update {
    std::shared_ptr<const Snapshot> snapshot;
    std::vector<std::pair<size_t, io::Fd>> open;  // listener slot → this worker's socket
    std::vector<size_t> close;                    // slots that stop accepting and drain
  };

  // Before start(): a listen socket of listener_index for this worker.
  void addListener(size_t listener_index, io::Fd fd);
  void start(std::shared_ptr<const Snapshot> snapshot);
  // Thread-safe. New streams use the snapshot; open streams keep theirs.
  void publish(std::shared_ptr<const Snapshot> snapshot);
  // Thread-safe. Swaps the snapshot (a pointer: O(1) whatever the config's size), starts
  // accepting on the opened slots, and closes the closed ones: their sockets close at once and
  // their sessions drain (GOAWAY; they close when their streams are done).
  void update(std::shared_ptr<Update> update);
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
  struct Session {
    std::unique_ptr<proxy::DownstreamSession> owned;
    size_t listener_index;
  };
  void watch(Listener& listener);
  void accept(Listener& listener);
  void closeListener(size_t listener_index);
  void onSessionClosed(proxy::DownstreamSession& session) override;
  void maybeIdle();

  size_t index_;
  std::shared_ptr<const Snapshot> snapshot_;
  std::vector<std::unique_ptr<Listener>> listeners_;  // stable addresses: watches point at them
  absl::flat_hash_map<proxy::DownstreamSession*, Session> sessions_;
  std::function<void()> on_idle_;
  bool draining_ = false;
  std::thread thread_;
};

}  // namespace meshgate::server
