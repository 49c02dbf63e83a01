#include "server/server.h"

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <signal.h>
#include <unistd.h>

#include "base/log.h"
#include "base/status.h"
#include "io/event_loop.h"
#include "server/admin.h"
#include "server/config_watcher.h"
#include "server/health_checker.h"
#include "server/outlier_sweeper.h"
#include "server/reloader.h"
#include "server/worker.h"

namespace meshgate::server {
namespace {

// Drives SIGTERM/SIGINT: every worker drains; the main loop ends when all are idle or the
// drain time is over.
class Drainer {
 public:
  Drainer(io::EventLoop& loop, std::vector<std::unique_ptr<Worker>>& workers,
          std::chrono::milliseconds drain_time, Reloader& reloader)
      : loop_(loop),
        workers_(workers),
        reloader_(reloader),
        deadline_(loop, [this] { finish("drain time is over"); }),
        drain_time_(drain_time) {}

  void start() {
    if (started_) return;
    started_ = true;
    reloader_.stop();
    MG_LOG(kInfo, "draining: no new connections; open streams get up to {} ms",
           drain_time_.count());
    deadline_.arm(drain_time_);
    remaining_ = workers_.size();
    for (auto& worker : workers_) {
      worker->drain([this] { loop_.post([this] { onWorkerIdle(); }); });
    }
  }

 private:
  void onWorkerIdle() {
    if (--remaining_ == 0) finish("all streams finished");
  }
  void finish(const char* why) {
    MG_LOG(kInfo, "drain complete: {}", why);
    loop_.exit();
  }

  io::EventLoop& loop_;
  std::vector<std::unique_ptr<Worker>>& workers_;
  Reloader& reloader_;
  io::Timer deadline_;
  std::chrono::milliseconds drain_time_;
  size_t remaining_ = 0;
  bool started_ = false;
};

// Re-resolves DNS clusters every `every` on the main thread (getaddrinfo blocks); the workers
// get a new snapshot version. Calls in flight keep the addresses they started with.
class DnsRefresher {
 public:
  DnsRefresher(io::EventLoop& loop, Reloader& reloader, std::chrono::milliseconds every)
      : reloader_(reloader), every_(every), timer_(loop, [this] { refresh(); }) {
    timer_.arm(every_);
  }

 private:
  void refresh() {
    reloader_.refreshDns();
    timer_.arm(every_);
  }

  Reloader& reloader_;
  std::chrono::milliseconds every_;
  io::Timer timer_;
};

}  // namespace

int serve(const ServeOptions& options) {
  ::signal(SIGPIPE, SIG_IGN);
  std::vector<std::unique_ptr<Worker>> workers;
  for (size_t i = 0; i < options.workers; ++i) {
    workers.push_back(std::make_unique<Worker>(i, options.limits));
  }
  io::EventLoop main_loop;
  HealthChecker health_checker(main_loop, options.limits);
  Reloader reloader(options, workers);
  reloader.onSnapshot(
      [&health_checker](const Snapshot& snapshot) { health_checker.update(*snapshot.proxy); });
  // Watching starts before the first load, so a change made while it runs is not missed.
  ConfigWatcher watcher(
      main_loop, {options.config_paths.begin(), options.config_paths.end()}, {},
      [&reloader] { return reloader.reload("files changed") != Reloader::Result::kUnsettled; });
  std::string announcement;
  if (int code = reloader.start(announcement); code != 0) return code;

  std::unique_ptr<Admin> admin;
  if (!options.admin.empty()) {
    auto started = Admin::start(main_loop, options.admin, workers);
    if (!started.ok()) {
      std::fprintf(stderr, "error: %s\n", std::string(base::message(started.status())).c_str());
      return 1;
    }
    admin = std::move(*started);
    // Like the listeners' lines: with port 0, scripts and tests learn the port here.
    announcement += "admin " + admin->address().toString() + "\n";
  }

  Drainer drainer(main_loop, workers, options.limits.drain_time, reloader);
  DnsRefresher dns(main_loop, reloader, options.dns_refresh);
  OutlierSweeper sweeper(main_loop, [&reloader]() -> std::shared_ptr<const upstream::ClusterSet> {
    auto snapshot = reloader.current();
    return snapshot ? snapshot->proxy->clusters : nullptr;
  });
  auto drain = [&drainer, &admin] {
    if (admin) admin->setDraining();
    drainer.start();
  };
  io::SignalWatch term(main_loop, SIGTERM, drain);
  io::SignalWatch interrupt(main_loop, SIGINT, drain);
  io::SignalWatch hangup(main_loop, SIGHUP, [&reloader] { reloader.reload("SIGHUP"); });

  announcement += "ready\n";
  std::fwrite(announcement.data(), 1, announcement.size(), stdout);
  std::fflush(stdout);
  main_loop.run();

  for (auto& worker : workers) worker->stop();
  for (auto& worker : workers) worker->join();
  return 0;
}

}  // namespace meshgate::server
