#pragma once

#include <string_view>

#include <fmt/format.h>

namespace meshgate::base {

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError };

// The process-wide log sink: the one global of the project. Thread-safe; each line is written
// with one write(2) so lines from workers never interleave.
LogLevel logLevel();
void setLogLevel(LogLevel level);
bool parseLogLevel(std::string_view text, LogLevel& out);
void writeLog(LogLevel level, std::string_view message);

}  // namespace meshgate::base

#define MG_LOG(level, ...)                                                                       \
  do {                                                                                           \
    if (::meshgate::base::LogLevel::level >= ::meshgate::base::logLevel()) {                     \
      ::meshgate::base::writeLog(::meshgate::base::LogLevel::level, ::fmt::format(__VA_ARGS__)); \
    }                                                                                            \
  } while (false)
