#include "server/config_watcher.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "base/log.h"

namespace meshgate::server {
namespace {

constexpr uint32_t kMask = IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_CREATE | IN_DELETE |
                           IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF;

// Kubernetes mounts a ConfigMap as symlinks into "..data", swapped atomically by renaming
// "..data_tmp" over it: such names change every file of the directory at once.
bool isAtomicWriterName(std::string_view name) { return name.substr(0, 2) == ".."; }

void stampFile(const std::filesystem::path& path, std::string& stamp) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    stamp += path.string() + " missing\n";
    return;
  }
  stamp += fmt::format("{} {} {} {}.{}\n", path.string(), info.st_ino, info.st_size,
                       info.st_mtim.tv_sec, info.st_mtim.tv_nsec);
}

bool isYaml(const std::filesystem::path& path) {
  return path.extension() == ".yaml" || path.extension() == ".yml";
}

}  // namespace

std::string filesStamp(const std::vector<std::filesystem::path>& paths) {
  std::string stamp;
  for (const auto& path : paths) {
    std::error_code error;
    if (!std::filesystem::is_directory(path, error)) {
      stampFile(path, stamp);
      continue;
    }
    auto options = std::filesystem::directory_options::skip_permission_denied;
    for (auto it = std::filesystem::recursive_directory_iterator(path, options, error);
         !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
      std::error_code kind_error;
      if (isYaml(it->path()) && !it->is_directory(kind_error)) stampFile(it->path(), stamp);
    }
  }
  return stamp;
}

ConfigWatcher::ConfigWatcher(io::EventLoop& loop, std::vector<std::filesystem::path> paths,
                             Options options, std::function<bool()> on_change)
    : paths_(std::move(paths)),
      on_change_(std::move(on_change)),
      debouncer_(options.quiet, options.max_delay),
      fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)),
      timer_(loop, [this] { onTimer(); }) {
  if (!fd_.valid()) {
    MG_LOG(kWarn, "config: cannot watch files ({}); reload with SIGHUP", std::strerror(errno));
    return;
  }
  addWatches();
  watch_ = std::make_unique<io::FdWatch>(loop, fd_.get(), [this](short) { onReadable(); });
  watch_->want(io::FdWatch::kRead);
}

ConfigWatcher::~ConfigWatcher() = default;

// Idempotent: inotify hands back the existing descriptor for an inode already watched, so this
// runs again after every change to follow replaced files and new subdirectories.
void ConfigWatcher::addWatches() {
  for (const auto& path : paths_) {
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) {
      addDirectoryTree(path);
      continue;
    }
    add(path, Watch{path, true, false, {}});
    auto parent = path.parent_path();
    if (parent.empty()) parent = ".";
    add(parent, Watch{parent, false, false, {path.filename().string()}});
  }
}

void ConfigWatcher::addDirectoryTree(const std::filesystem::path& dir) {
  add(dir, Watch{dir, false, true, {}});
  std::error_code error;
  auto options = std::filesystem::directory_options::skip_permission_denied;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, options, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    std::error_code kind_error;
    if (it->is_directory(kind_error)) add(it->path(), Watch{it->path(), false, true, {}});
  }
}

void ConfigWatcher::add(const std::filesystem::path& path, Watch watch) {
  int wd = ::inotify_add_watch(fd_.get(), path.c_str(), kMask);
  if (wd < 0) {
    // A file that does not exist (yet): its directory's watch reports its creation.
    if (errno != ENOENT) {
      MG_LOG(kWarn, "config: cannot watch {}: {}", path.string(), std::strerror(errno));
    }
    return;
  }
  auto [it, inserted] = watches_.try_emplace(wd, std::move(watch));
  if (inserted) return;
  // One inode reached through two --config paths: it reports what either asked for.
  Watch& known = it->second;
  known.itself = known.itself || watch.itself;
  known.tree = known.tree || watch.tree;
  for (auto& name : watch.names) {
    if (std::find(known.names.begin(), known.names.end(), name) == known.names.end()) {
      known.names.push_back(name);
    }
  }
}

// Only what the loader reads counts: a log file or an editor's swap file next to the config
// must not cause reloads (a log written into a watched directory would loop forever).
bool ConfigWatcher::relevant(const Watch& watch, std::string_view name, bool is_directory) const {
  if (watch.itself || name.empty() || isAtomicWriterName(name)) return true;
  if (watch.tree && (is_directory || isYaml(std::filesystem::path(name)))) return true;
  for (const auto& wanted : watch.names) {
    if (wanted == name) return true;
  }
  return false;
}

void ConfigWatcher::onReadable() {
  alignas(inotify_event) char buffer[16384];
  bool changed = false;
  for (;;) {
    ssize_t n = ::read(fd_.get(), buffer, sizeof buffer);
    if (n <= 0) break;
    for (ssize_t offset = 0; offset < n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + offset);
      offset += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      if (event->mask & IN_Q_OVERFLOW) {
        changed = true;  // events were lost: assume everything changed
        continue;
      }
      auto it = watches_.find(event->wd);
      if (it == watches_.end()) continue;
      if (event->mask & IN_IGNORED) {
        watches_.erase(it);  // the kernel dropped the watch (its inode is gone)
        continue;
      }
      std::string_view name = event->len > 0 ? std::string_view(event->name) : std::string_view();
      if (!relevant(it->second, name, (event->mask & IN_ISDIR) != 0)) continue;
      MG_LOG(kDebug, "config: {} changed (inotify mask {:#x})",
             name.empty() ? it->second.path.string() : (it->second.path / name).string(),
             event->mask);
      changed = true;
    }
  }
  if (!changed) return;
  debouncer_.event(Debouncer::Clock::now());
  armTimer();
}

void ConfigWatcher::armTimer() {
  auto due = debouncer_.due();
  if (!due) return;
  auto wait = std::chrono::ceil<std::chrono::milliseconds>(*due - Debouncer::Clock::now());
  timer_.arm(std::max(wait, std::chrono::milliseconds(0)));
}

void ConfigWatcher::onTimer() {
  if (!debouncer_.take(Debouncer::Clock::now())) {
    armTimer();
    return;
  }
  addWatches();
  if (!on_change_()) {
    debouncer_.event(Debouncer::Clock::now());
    armTimer();
  }
}

}  // namespace meshgate::server
