#include "translate/health_check.h"

#include <chrono>
#include <set>
#include <vector>

#include "config/scalars.h"
#include "translate/hosts.h"

namespace meshgate::translate {
namespace {

constexpr std::string_view kMeshgatePrefix = "meshgate.io/";
constexpr uint64_t kMaxThreshold = 1000;
// Shorter intervals would make probes a load of their own.
constexpr std::chrono::milliseconds kMinInterval{10};

const std::vector<std::string>& knownKeys() {
  static const std::vector<std::string> keys = {"interval", "timeout", "unhealthy-threshold",
                                                "healthy-threshold", "service"};
  return keys;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Reports every problem of one value against `where`; the caller keeps the result only when
// none was found.
class Parser {
 public:
  Parser(const config::Located<std::string>& value, const std::string& field,
         config::Diagnostics& d)
      : value_(value), field_(field), d_(d) {}

  bool parse(ir::HealthCheck& out) {
    std::string_view rest = value_.value;
    while (true) {
      size_t comma = rest.find(',');
      std::string_view item = trim(rest.substr(0, comma));
      if (!item.empty()) setting(item, out);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    if (ok_ && out.timeout > out.interval) {
      error("timeout (" + std::to_string(out.timeout.count()) + "ms) is longer than interval (" +
                std::to_string(out.interval.count()) + "ms)",
            "a host has one probe in flight at a time; make timeout at most interval");
    }
    return ok_;
  }

 private:
  void setting(std::string_view item, ir::HealthCheck& out) {
    size_t equals = item.find('=');
    if (equals == std::string_view::npos) {
      error("expected key=value, got '" + std::string(item) + "'",
            "e.g. interval=5s,timeout=1s, or \"true\" for the defaults");
      return;
    }
    std::string key(trim(item.substr(0, equals)));
    std::string_view text = trim(item.substr(equals + 1));
    if (!seen_.insert(key).second) {
      error("key '" + key + "' is set twice");
      return;
    }
    if (key == "interval" || key == "timeout") {
      duration(key, text, key == "interval" ? out.interval : out.timeout);
    } else if (key == "unhealthy-threshold" || key == "healthy-threshold") {
      threshold(key, text,
                key == "healthy-threshold" ? out.healthy_threshold : out.unhealthy_threshold);
    } else if (key == "service") {
      out.service = std::string(text);
    } else {
      std::string suggestion = config::closestMatch(key, knownKeys());
      error("unknown key '" + key + "'",
            suggestion.empty() ? "known keys: interval, timeout, unhealthy-threshold, "
                                 "healthy-threshold, service"
                               : "did you mean '" + suggestion + "'?");
    }
  }

  void duration(const std::string& key, std::string_view text, std::chrono::milliseconds& out) {
    std::optional<config::Duration> parsed = config::parseDuration(text);
    if (!parsed) {
      error(key + ": '" + std::string(text) + "' is not a duration", "write e.g. 500ms, 5s or 1m");
      return;
    }
    auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(*parsed);
    std::chrono::milliseconds minimum =
        key == "interval" ? kMinInterval : std::chrono::milliseconds(1);
    if (millis < minimum) {
      error(key + ": '" + std::string(text) + "' is shorter than " +
            std::to_string(minimum.count()) + "ms");
      return;
    }
    out = millis;
  }

  void threshold(const std::string& key, std::string_view text, uint32_t& out) {
    std::optional<uint64_t> parsed = config::parseUnsigned(text, kMaxThreshold);
    if (!parsed || *parsed == 0) {
      error(key + ": '" + std::string(text) + "' is not a whole number from 1 to " +
            std::to_string(kMaxThreshold));
      return;
    }
    out = static_cast<uint32_t>(*parsed);
  }

  void error(std::string message, std::string hint = {}) {
    ok_ = false;
    d_.error(value_.where, field_, std::move(message), std::move(hint));
  }

  const config::Located<std::string>& value_;
  const std::string& field_;
  config::Diagnostics& d_;
  std::set<std::string> seen_;
  bool ok_ = true;
};

std::string annotationField(std::string_view name) {
  return "metadata.annotations." + std::string(name);
}

}  // namespace

std::optional<ir::HealthCheck> parseGrpcHealthCheck(const config::Located<std::string>& value,
                                                    const std::string& field,
                                                    config::Diagnostics& diagnostics) {
  std::string_view text = trim(value.value);
  if (text == "false") return std::nullopt;
  ir::HealthCheck out;
  if (text.empty() || text == "true") return out;
  if (!Parser(value, field, diagnostics).parse(out)) return std::nullopt;
  return out;
}

const std::optional<ir::HealthCheck>* HealthChecks::parsed(const config::DestinationRule& rule) {
  for (const auto& [name, value] : rule.meta.annotations) {
    if (name != kGrpcHealthCheckAnnotation || !value) continue;
    auto [it, inserted] = parsed_.try_emplace(&rule);
    if (inserted) it->second = parseGrpcHealthCheck(value, annotationField(name), diagnostics_);
    return &it->second;
  }
  return nullptr;
}

std::optional<ir::HealthCheck> HealthChecks::forHost(const std::string& fqdn) {
  for (const config::DestinationRule& rule : model_.destination_rules) {
    if (resolveFqdn(rule.host.value, rule.meta.namespace_name) != fqdn) continue;
    if (const auto* check = parsed(rule)) return *check;
  }
  return std::nullopt;
}

void HealthChecks::reportAll() {
  std::vector<std::string> known = {std::string(kGrpcHealthCheckAnnotation)};
  for (const config::DestinationRule& rule : model_.destination_rules) {
    parsed(rule);
    for (const auto& [name, value] : rule.meta.annotations) {
      if (name.rfind(kMeshgatePrefix, 0) != 0 || name == kGrpcHealthCheckAnnotation) continue;
      std::string suggestion = config::closestMatch(name, known);
      diagnostics_.warning(value ? value.where : rule.meta.where, annotationField(name),
                           "unknown meshgate annotation '" + name + "'; it is ignored",
                           suggestion.empty() ? "DestinationRules know " + known.front()
                                              : "did you mean '" + suggestion + "'?");
    }
  }
}

}  // namespace meshgate::translate
