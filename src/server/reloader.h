#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/config.h"
#include "server/listener_binder.h"
#include "server/listener_slots.h"
#include "server/server.h"
#include "server/snapshot.h"
#include "server/worker.h"

namespace meshgate::server {

// What the gateway knows about its configuration, for an admin interface to show.
struct ConfigStatus {
  uint64_t version = 0;       // the version new calls use (1 at start-up)
  uint64_t accepted = 0;      // changes applied since start-up
  uint64_t refused = 0;       // changes refused since start-up
  bool last_refused = false;  // the latest change was refused (the files differ from `version`)
  // Every problem of the latest refused change, one per line (`file:line:col: ...`).
  std::string last_error;
  std::chrono::system_clock::time_point last_attempt;
};

// Turns the --config files into served snapshots: at start-up, and again on every change
// (inotify, SIGHUP) or DNS refresh. Loading, validating, translating, binding new listeners and
// building the snapshot all happen here, on the main thread; the workers only receive the
// finished snapshot. A change is applied whole or not at all.
class Reloader {
 public:
  Reloader(const ServeOptions& options, std::vector<std::unique_ptr<Worker>>& workers);

  // Loads version 1, binds its listeners, gives every worker its sockets and starts them.
  // Returns 0, or the exit code of serve(): 2 for a config that cannot be served, 1 when a
  // listener cannot be bound. Appends the `listening` lines to announcement.
  int start(std::string& announcement);

  enum class Result { kApplied, kUnchanged, kRefused, kUnsettled };
  // Loads the files again. kUnsettled: a file changed while it was read (try again later).
  Result reload(std::string_view trigger);
  // Resolves DNS clusters again into a new version of the current config.
  void refreshDns();
  // After a drain began, changes are ignored.
  void stop() { stopped_ = true; }
  // Called on the main thread with every snapshot about to be served, before any worker gets it
  // (the health checker follows the clusters this way).
  void onSnapshot(std::function<void(const Snapshot&)> observer) {
    observer_ = std::move(observer);
  }

  // Thread-safe.
  ConfigStatus status() const;
  // The version the workers run (main thread only).
  std::shared_ptr<const Snapshot> current() const { return current_; }

 private:
  struct Loaded {
    std::shared_ptr<const ir::Config> ir;
    std::string diagnostics;  // every problem, formatted
    size_t errors = 0;
    std::chrono::microseconds load_time{0};
    std::chrono::microseconds translate_time{0};
  };
  // A change ready to hand to the workers.
  struct Prepared {
    ListenerSlots::Plan plan;
    std::vector<BoundListener> bound;  // parallel to plan.added
    std::shared_ptr<const ir::Config> slotted;
    std::shared_ptr<const Snapshot> snapshot;
    std::chrono::microseconds snapshot_time{0};
  };

  Loaded load() const;
  void printDiagnostics(const std::string& text);
  absl::StatusOr<Prepared> prepare(const ir::Config& config, uint64_t version) const;
  void commit(Prepared& prepared, std::shared_ptr<const ir::Config> translated);
  void refuse(std::string_view trigger, std::string error, size_t errors);
  std::string describeChange(const Loaded& loaded, const Prepared& prepared) const;
  std::string announce(const Prepared& prepared);

  const ServeOptions& options_;
  std::vector<std::filesystem::path> paths_;
  std::vector<std::unique_ptr<Worker>>& workers_;
  ListenerSlots slots_;
  std::vector<std::string> slot_addresses_;       // bound address per slot, for announcements
  std::shared_ptr<const ir::Config> translated_;  // as translate made it, to detect no-ops
  std::shared_ptr<const ir::Config> slotted_;     // what the snapshots are built from
  std::shared_ptr<const Snapshot> current_;       // the version the workers run
  std::vector<bool> open_;
  uint64_t version_ = 0;
  std::string printed_diagnostics_;  // what was logged last, so each problem is logged once
  bool stopped_ = false;
  std::function<void(const Snapshot&)> observer_;

  mutable std::mutex status_mutex_;
  ConfigStatus status_;
};

}  // namespace meshgate::server
