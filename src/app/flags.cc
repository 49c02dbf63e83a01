#include "app/flags.h"

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "absl/strings/numbers.h"
#include "base/log.h"
#include "base/strings.h"

namespace meshgate::app {

std::optional<std::chrono::milliseconds> parseDuration(std::string_view text) {
  struct Unit {
    std::string_view suffix;
    double ms;
  };
  // Longest suffixes first so "ms" is not read as "s".
  static constexpr Unit kUnits[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
  for (const auto& unit : kUnits) {
    if (text.size() <= unit.suffix.size() || !text.ends_with(unit.suffix)) continue;
    double value = 0;
    if (!absl::SimpleAtod(base::toAbsl(text.substr(0, text.size() - unit.suffix.size())), &value)) {
      return std::nullopt;
    }
    // Bounded at ~1000 years, which also rejects inf and nan (comparisons with nan fail).
    double ms = value * unit.ms;
    if (!(ms >= 0 && ms < 3.2e13)) return std::nullopt;
    return std::chrono::milliseconds(static_cast<int64_t>(ms));
  }
  return std::nullopt;
}

namespace {

bool parseUint(std::string_view text, uint32_t& out) {
  return absl::SimpleAtoi(base::toAbsl(text), &out);
}

bool parsePair(std::string_view text, char separator, std::string& key, std::string& value) {
  size_t at = text.find(separator);
  if (at == std::string_view::npos || at == 0) return false;
  key = std::string(text.substr(0, at));
  value = std::string(text.substr(at + 1));
  return true;
}

// Applies one "--flag value" pair; returns an error message or "".
std::string applyFlag(std::string_view flag, const std::string& value,
                      server::ServeOptions& options) {
  auto& limits = options.limits;
  uint32_t number = 0;
  std::string key;
  std::string rest;
  if (flag == "--config") {
    options.config_paths.push_back(value);
  } else if (flag == "--listen") {
    if (!parsePair(value, '=', key, rest) || !parseUint(key, number)) {
      return "--listen expects PORT=HOST:PORT";
    }
    options.listen[number] = rest;
  } else if (flag == "--admin") {
    if (value.rfind(':') == std::string::npos) return "--admin expects HOST:PORT";
    options.admin = value;
  } else if (flag == "--workers") {
    if (!parseUint(value, number) || number == 0 || number > 256) return "--workers expects 1..256";
    options.workers = number;
  } else if (flag == "--selector") {
    if (!parsePair(value, '=', key, rest)) return "--selector expects KEY=VALUE";
    options.selector.emplace_back(key, rest);
  } else if (flag == "--locality") {
    // Istio's region/zone/subzone; at most three parts, the region not empty.
    if (value.empty() || value.front() == '/' || std::count(value.begin(), value.end(), '/') > 2) {
      return "--locality expects REGION[/ZONE[/SUBZONE]]";
    }
    options.locality = value;
  } else if (flag == "--log-level") {
    base::LogLevel level;
    if (!base::parseLogLevel(value, level))
      return "--log-level expects trace|debug|info|warn|error";
    base::setLogLevel(level);
  } else if (flag == "--drain-time" || flag == "--idle-timeout" || flag == "--connect-timeout" ||
             flag == "--dns-refresh") {
    auto duration = parseDuration(value);
    if (!duration) return fmt::format("{} expects a duration such as 15s or 500ms", flag);
    if (flag == "--drain-time") limits.drain_time = *duration;
    if (flag == "--idle-timeout") limits.idle_timeout = *duration;
    if (flag == "--connect-timeout") limits.connect_timeout = *duration;
    if (flag == "--dns-refresh") options.dns_refresh = *duration;
  } else if (flag == "--max-concurrent-streams" || flag == "--max-header-list-size" ||
             flag == "--stream-window" || flag == "--connection-window") {
    if (!parseUint(value, number) || number == 0) return fmt::format("{} expects a number", flag);
    if (flag == "--max-concurrent-streams") limits.max_concurrent_streams = number;
    if (flag == "--max-header-list-size") limits.max_header_list_bytes = number;
    // RFC 9113 §6.9.1: windows are between 65535 and 2^31-1 here.
    if ((flag == "--stream-window" || flag == "--connection-window") &&
        (number < 65535 || number > 0x7fffffff)) {
      return fmt::format("{} expects 65535..2147483647", flag);
    }
    if (flag == "--stream-window") limits.stream_window_bytes = number;
    if (flag == "--connection-window") limits.connection_window_bytes = number;
  } else if (flag == "--retry-buffer-bytes") {
    // 0 is allowed: no call is replayed, so only failures before any request byte is read
    // (connect failures, refusals) are retried.
    if (!parseUint(value, number) || number > 0x7fffffff) {
      return "--retry-buffer-bytes expects 0..2147483647";
    }
    limits.retry_buffer_bytes = number;
  } else {
    return fmt::format("unknown flag {}", flag);
  }
  return "";
}

}  // namespace

std::optional<server::ServeOptions> parseServeFlags(const std::vector<std::string>& args,
                                                    std::string& error) {
  server::ServeOptions options;
  options.workers = std::max(1u, std::thread::hardware_concurrency());
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::string value;
    if (size_t eq = flag.find('='); flag.starts_with("--") && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      error = fmt::format("{} needs a value", flag);
      return std::nullopt;
    }
    error = applyFlag(flag, value, options);
    if (!error.empty()) return std::nullopt;
  }
  if (options.config_paths.empty()) {
    error = "at least one --config PATH is required";
    return std::nullopt;
  }
  return options;
}

}  // namespace meshgate::app
