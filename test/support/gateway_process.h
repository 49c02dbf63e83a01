#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <thread>
#include <vector>

#include "support/sockets.h"

namespace meshgate::testing {

// The arguments of one `meshgate serve` run.
struct ServeOptions {
  std::vector<std::filesystem::path> configs;
  // Gateway server ports; each is mapped with --listen PORT=127.0.0.1:0.
  std::vector<int> listen_ports;
  int workers = 2;
  std::string log_level = "info";
  // --admin 127.0.0.1:0, so that tests can read /stats (GatewayProcess::stat).
  bool admin = true;
  // Appended as they are, e.g. {"--drain-time", "10s"}.
  std::vector<std::string> extra_args;

  std::vector<std::string> toArgs() const;
};

// A running meshgate binary: spawned with pipes on stdout and stderr, which a reader thread drains
// all the time (so the child never blocks on a full pipe) into buffers tests can read and wait on.
// The destructor kills the child if it still runs. Owned and used by one test thread.
class GatewayProcess {
 public:
  GatewayProcess(std::filesystem::path binary, std::vector<std::string> args);
  ~GatewayProcess();
  GatewayProcess(const GatewayProcess&) = delete;
  GatewayProcess& operator=(const GatewayProcess&) = delete;

  // Waits until stdout has a line `ready`, then parses the `listening <port> 127.0.0.1:<bound>`
  // lines before it. False when the child exits, closes stdout or `timeout` passes first.
  bool waitReady(std::chrono::milliseconds timeout);

  // The bound local port for a Gateway server port; -1 when none was announced.
  int port(int gateway_port) const;
  const std::map<int, int>& ports() const { return ports_; }
  // The admin endpoint's bound port (its `admin 127.0.0.1:<port>` line); -1 without --admin.
  int adminPort() const { return admin_port_; }

  // GET `path` on the admin endpoint (HTTP/1.0, one connection per request): the status and
  // body, or nullopt when the endpoint cannot be reached.
  struct HttpReply {
    int status = 0;
    std::string body;
  };
  std::optional<HttpReply> adminGet(const std::string& path) const;
  // One value of GET /stats, e.g. stat("meshgate_downstream_streams"); nullopt when absent.
  std::optional<int64_t> stat(const std::string& name) const;
  // Waits until every named stat has its expected value; false (with `last` set to the whole
  // /stats text, for the failure message) when `timeout` passes first.
  bool waitForStats(const std::map<std::string, int64_t>& expected,
                    std::chrono::milliseconds timeout, std::string* last = nullptr) const;
  pid_t pid() const { return pid_; }

  // Sends SIGTERM and waits for the exit; see waitExit().
  std::optional<int> terminate(std::chrono::milliseconds timeout);
  void signal(int signo);
  // The exit code (128 + signal for a signalled child), or nullopt if it still runs at `timeout`.
  std::optional<int> waitExit(std::chrono::milliseconds timeout);
  bool running();

  // VmRSS of the child from /proc/<pid>/status, in KiB; -1 if it cannot be read.
  long rssKiB() const;

  std::string stdoutText() const;
  std::string stderrText() const;
  // Waits until stderr contains every one of `needles` on one line.
  bool waitForStderrLine(const std::vector<std::string>& needles,
                         std::chrono::milliseconds timeout);
  // Waits until `predicate` holds for all of stderr so far.
  bool waitForStderr(const std::function<bool(const std::string&)>& predicate,
                     std::chrono::milliseconds timeout);
  // Waits until the child has closed stdout and stderr (it exited) and both are read.
  bool waitForOutputEnd(std::chrono::milliseconds timeout);
  // The command line, the exit status and all of stderr: for failure messages.
  std::string describe() const;

 private:
  void readLoop();

  std::vector<std::string> argv_;
  pid_t pid_ = -1;
  Fd pidfd_;
  Fd stdout_;
  Fd stderr_;
  Fd wake_read_;
  Fd wake_write_;
  std::optional<int> exit_code_;
  std::map<int, int> ports_;
  int admin_port_ = -1;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::string stdout_text_;
  std::string stderr_text_;
  bool stdout_closed_ = false;
  bool stderr_closed_ = false;
  std::thread reader_;
};

// Runs the binary to completion (up to `timeout`, then kills it): the exit code and both outputs.
struct ProcessResult {
  std::optional<int> exit_code;
  std::string stdout_text;
  std::string stderr_text;
};
ProcessResult runToExit(const std::filesystem::path& binary, std::vector<std::string> args,
                        std::chrono::milliseconds timeout);

}  // namespace meshgate::testing
