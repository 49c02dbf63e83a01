#include "support/gateway_process.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/wait.h"

extern char** environ;

namespace meshgate::testing {
namespace {

std::pair<Fd, Fd> makePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  }
  return {Fd(fds[0]), Fd(fds[1])};
}

int remainingMs(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

int decodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

std::vector<std::string> ServeOptions::toArgs() const {
  std::vector<std::string> args = {"serve"};
  for (const auto& config : configs) {
    args.push_back("--config");
    args.push_back(config.string());
  }
  for (int port : listen_ports) {
    args.push_back("--listen");
    args.push_back(std::to_string(port) + "=127.0.0.1:0");
  }
  args.push_back("--workers");
  args.push_back(std::to_string(workers));
  args.push_back("--log-level");
  args.push_back(log_level);
  if (admin) {
    args.push_back("--admin");
    args.push_back("127.0.0.1:0");
  }
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  return args;
}

GatewayProcess::GatewayProcess(std::filesystem::path binary, std::vector<std::string> args) {
  argv_.push_back(binary.string());
  argv_.insert(argv_.end(), args.begin(), args.end());
  auto [out_read, out_write] = makePipe();
  auto [err_read, err_write] = makePipe();
  auto [wake_read, wake_write] = makePipe();

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_write.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_write.get(), STDERR_FILENO);
  std::vector<char*> argv;
  for (auto& arg : argv_) argv.push_back(arg.data());
  argv.push_back(nullptr);
  int rc = ::posix_spawn(&pid_, argv_[0].c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    throw std::runtime_error("posix_spawn " + argv_[0] + ": " + std::strerror(rc));
  }
  pidfd_ = Fd(static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0)));
  stdout_ = std::move(out_read);
  stderr_ = std::move(err_read);
  wake_read_ = std::move(wake_read);
  wake_write_ = std::move(wake_write);
  reader_ = std::thread([this] { readLoop(); });
}

GatewayProcess::~GatewayProcess() {
  if (!exit_code_) {
    ::kill(pid_, SIGKILL);
    waitExit(std::chrono::seconds(10));
  }
  char byte = 0;
  [[maybe_unused]] ssize_t ignored = ::write(wake_write_.get(), &byte, 1);
  reader_.join();
}

void GatewayProcess::readLoop() {
  bool out_open = true;
  bool err_open = true;
  char buffer[16384];
  while (out_open || err_open) {
    pollfd fds[3] = {{out_open ? stdout_.get() : -1, POLLIN, 0},
                     {err_open ? stderr_.get() : -1, POLLIN, 0},
                     {wake_read_.get(), POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[2].revents != 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].revents == 0) continue;
      ssize_t n = ::read(i == 0 ? stdout_.get() : stderr_.get(), buffer, sizeof(buffer));
      if (n < 0 && errno == EINTR) continue;
      std::lock_guard lock(mutex_);
      if (n <= 0) {
        (i == 0 ? out_open : err_open) = false;
        (i == 0 ? stdout_closed_ : stderr_closed_) = true;
      } else {
        (i == 0 ? stdout_text_ : stderr_text_).append(buffer, static_cast<size_t>(n));
      }
      changed_.notify_all();
    }
  }
  std::lock_guard lock(mutex_);
  stdout_closed_ = true;
  stderr_closed_ = true;
  changed_.notify_all();
}

bool GatewayProcess::waitForOutputEnd(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [this] { return stdout_closed_ && stderr_closed_; });
}

bool GatewayProcess::waitReady(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  auto has_ready = [this] {
    return stdout_text_.rfind("ready\n", 0) == 0 ||
           stdout_text_.find("\nready\n") != std::string::npos;
  };
  changed_.wait_for(lock, timeout, [&] { return has_ready() || stdout_closed_; });
  if (!has_ready()) return false;
  std::istringstream lines(stdout_text_);
  std::string line;
  while (std::getline(lines, line) && line != "ready") {
    std::istringstream words(line);
    std::string word, address;
    int gateway_port = 0;
    if (line.starts_with("admin ")) {
      auto colon = line.rfind(':');
      if (colon != std::string::npos) admin_port_ = std::stoi(line.substr(colon + 1));
      continue;
    }
    if (words >> word >> gateway_port >> address && word == "listening") {
      auto colon = address.rfind(':');
      if (colon != std::string::npos) ports_[gateway_port] = std::stoi(address.substr(colon + 1));
    }
  }
  return true;
}

std::optional<GatewayProcess::HttpReply> GatewayProcess::adminGet(const std::string& path) const {
  if (admin_port_ <= 0) return std::nullopt;
  Fd fd = connectTcp(admin_port_);
  if (!fd.valid()) return std::nullopt;
  std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    return std::nullopt;
  }
  // HTTP/1.0: the server closes the connection after the response.
  std::string response;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::recv(fd.get(), buffer, sizeof(buffer), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    response.append(buffer, static_cast<size_t>(n));
  }
  // "HTTP/1.1 200 OK\r\n...\r\n\r\nbody"
  size_t space = response.find(' ');
  size_t end = response.find("\r\n\r\n");
  if (space == std::string::npos || end == std::string::npos) return std::nullopt;
  return HttpReply{std::atoi(response.c_str() + space + 1), response.substr(end + 4)};
}

std::optional<int64_t> GatewayProcess::stat(const std::string& name) const {
  auto reply = adminGet("/stats");
  if (!reply || reply->status != 200) return std::nullopt;
  std::istringstream lines(reply->body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > name.size() && line.starts_with(name) && line[name.size()] == ' ') {
      return std::stoll(line.substr(name.size() + 1));
    }
  }
  return std::nullopt;
}

bool GatewayProcess::waitForStats(const std::map<std::string, int64_t>& expected,
                                  std::chrono::milliseconds timeout, std::string* last) const {
  bool ok = eventually(
      [&] {
        for (const auto& [name, value] : expected) {
          if (stat(name) != value) return false;
        }
        return true;
      },
      timeout);
  if (!ok && last != nullptr) {
    auto reply = adminGet("/stats");
    *last = reply ? reply->body : "(no /stats)";
  }
  return ok;
}

int GatewayProcess::port(int gateway_port) const {
  auto it = ports_.find(gateway_port);
  return it == ports_.end() ? -1 : it->second;
}

void GatewayProcess::signal(int signo) {
  if (!exit_code_) ::kill(pid_, signo);
}

std::optional<int> GatewayProcess::terminate(std::chrono::milliseconds timeout) {
  signal(SIGTERM);
  return waitExit(timeout);
}

std::optional<int> GatewayProcess::waitExit(std::chrono::milliseconds timeout) {
  if (exit_code_) return exit_code_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      exit_code_ = decodeStatus(status);
      return exit_code_;
    }
    int left = remainingMs(deadline);
    if (left == 0) return std::nullopt;
    pollfd fd = {pidfd_.get(), POLLIN, 0};
    if (pidfd_.valid()) {
      ::poll(&fd, 1, left);
    } else {
      ::poll(nullptr, 0, std::min(left, 10));
    }
  }
}

bool GatewayProcess::running() { return !waitExit(std::chrono::milliseconds(0)).has_value(); }

long GatewayProcess::rssKiB() const {
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

std::string GatewayProcess::stdoutText() const {
  std::lock_guard lock(mutex_);
  return stdout_text_;
}

std::string GatewayProcess::stderrText() const {
  std::lock_guard lock(mutex_);
  return stderr_text_;
}

bool GatewayProcess::waitForStderrLine(const std::vector<std::string>& needles,
                                       std::chrono::milliseconds timeout) {
  auto found = [&] {
    std::istringstream lines(stderr_text_);
    std::string line;
    while (std::getline(lines, line)) {
      bool all = true;
      for (const auto& needle : needles) all = all && line.find(needle) != std::string::npos;
      if (all) return true;
    }
    return false;
  };
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, found);
}

bool GatewayProcess::waitForStderr(const std::function<bool(const std::string&)>& predicate,
                                   std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return predicate(stderr_text_); });
}

std::string GatewayProcess::describe() const {
  std::ostringstream out;
  out << "command:";
  for (const auto& arg : argv_) out << ' ' << arg;
  out << "\nexit: " << (exit_code_ ? std::to_string(*exit_code_) : "still running");
  std::lock_guard lock(mutex_);
  out << "\nstdout:\n" << stdout_text_ << "stderr:\n" << stderr_text_;
  return out.str();
}

ProcessResult runToExit(const std::filesystem::path& binary, std::vector<std::string> args,
                        std::chrono::milliseconds timeout) {
  ProcessResult result;
  {
    GatewayProcess process(binary, std::move(args));
    result.exit_code = process.waitExit(timeout);
    if (result.exit_code) process.waitForOutputEnd(std::chrono::seconds(5));
    result.stdout_text = process.stdoutText();
    result.stderr_text = process.stderrText();
  }
  return result;
}

}  // namespace meshgate::testing
