#include "base/log.h"

#include <atomic>
#include <chrono>
#include <string>
#include <unistd.h>

namespace meshgate::base {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kInfo};

std::string_view levelName(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return "trace";
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "?";
}

}  // namespace

LogLevel logLevel() { return g_level.load(std::memory_order_relaxed); }
void setLogLevel(LogLevel level) { g_level.store(level, std::memory_order_relaxed); }

bool parseLogLevel(std::string_view text, LogLevel& out) {
  for (auto level :
       {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (levelName(level) == text) {
      out = level;
      return true;
    }
  }
  return false;
}

void writeLog(LogLevel level, std::string_view message) {
  using namespace std::chrono;
  auto now = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  std::string line =
      fmt::format("[{}.{:03}] [{}] {}\n", now / 1000, now % 1000, levelName(level), message);
  // One write per line: atomic for pipes up to PIPE_BUF, and never interleaved mid-line in
  // practice for regular files opened with O_APPEND.
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace meshgate::base
