#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "io/event_loop.h"
#include "io/socket.h"
#include "server/debouncer.h"

namespace meshgate::server {

// Watches the --config paths with inotify and calls on_change once a burst of changes is over
// (see Debouncer). A directory is watched with its subdirectories, so files created later count.
// A file is watched itself (in-place writes) and through its parent directory, filtered by name,
// because editors and Kubernetes' atomic writer replace files by renaming another over them,
// which ends the watch on the old inode. Main-thread object.
class ConfigWatcher {
 public:
  struct Options {
    std::chrono::milliseconds quiet{100};
    std::chrono::milliseconds max_delay{2000};
  };
  // on_change returns false when the files were still moving under it: the watcher then waits
  // for another quiet period and calls again.
  ConfigWatcher(io::EventLoop& loop, std::vector<std::filesystem::path> paths, Options options,
                std::function<bool()> on_change);
  ~ConfigWatcher();

  // False when inotify is unavailable (the gateway then reloads on SIGHUP only).
  bool active() const { return fd_.valid(); }

 private:
  // What events of one watch descriptor mean a change.
  struct Watch {
    std::filesystem::path path;
    bool itself = false;             // a config file itself: every event counts
    bool tree = false;               // a config directory: YAML files and subdirectories count
    std::vector<std::string> names;  // a config file's parent: only these children count
  };
  void addWatches();
  void addDirectoryTree(const std::filesystem::path& dir);
  void add(const std::filesystem::path& path, Watch watch);
  void onReadable();
  bool relevant(const Watch& watch, std::string_view name, bool is_directory) const;
  void onTimer();
  void armTimer();

  std::vector<std::filesystem::path> paths_;
  std::function<bool()> on_change_;
  Debouncer debouncer_;
  io::Fd fd_;
  std::unique_ptr<io::FdWatch> watch_;
  io::Timer timer_;
  absl::flat_hash_map<int, Watch> watches_;
};

// Size, modification time and inode of every YAML file the paths name, as one string: equal
// before and after a load means no file moved while it was read.
std::string filesStamp(const std::vector<std::filesystem::path>& paths);

}  // namespace meshgate::server
