#include "router/request_matcher.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include "absl/status/status.h"
#include "base/strings.h"

namespace meshgate::router {
namespace {

std::string_view withoutQuery(std::string_view path) {
  size_t query = path.find('?');
  return query == std::string_view::npos ? path : path.substr(0, query);
}

absl::StatusOr<StringMatcher> compileString(const ir::StringMatch& match, std::string_view what) {
  StringMatcher out{match.kind, match.value, match.ignore_case, nullptr};
  if (match.ignore_case) out.value = base::lowerAscii(out.value);
  if (match.kind == ir::PathMatchKind::kRegex) {
    RE2::Options options;
    options.set_case_sensitive(!match.ignore_case);
    options.set_log_errors(false);
    auto regex = std::make_shared<re2::RE2>(match.value, options);
    if (!regex->ok()) {
      return absl::InvalidArgumentError(
          fmt::format("{} regex '{}' does not compile: {}", what, match.value, regex->error()));
    }
    out.regex = std::move(regex);
  }
  return out;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX decoding as Envoy decodes query parameters: malformed escapes stay as written, and '+'
// is not a space.
std::string percentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int high = hexValue(text[i + 1]);
      int low = hexValue(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

// Envoy matches a header that appears several times as its values joined with ','.
std::optional<std::string_view> headerValue(const http::HeaderList* headers, std::string_view name,
                                            std::string& joined) {
  if (headers == nullptr) return std::nullopt;
  std::optional<std::string_view> first;
  for (http::HeaderView field : *headers) {
    if (field.name != name) continue;
    if (!first) {
      first = field.value;
    } else {
      if (joined.empty()) joined = std::string(*first);
      joined.push_back(',');
      joined.append(field.value);
    }
  }
  if (!joined.empty()) return std::string_view(joined);
  return first;
}

bool headerMatches(const HeaderMatcher& matcher, const http::HeaderList* headers) {
  std::string joined;
  std::optional<std::string_view> value = headerValue(headers, matcher.name, joined);
  bool matched = value.has_value() && matcher.match.matches(*value);
  return matched != matcher.invert;
}

}  // namespace

bool StringMatcher::matches(std::string_view text) const {
  switch (kind) {
    case ir::PathMatchKind::kAny:
      return true;
    case ir::PathMatchKind::kExact:
      return ignore_case ? base::equalsIgnoreCase(text, value) : text == value;
    case ir::PathMatchKind::kPrefix:
      return ignore_case ? base::startsWithIgnoreCase(text, value) : text.starts_with(value);
    case ir::PathMatchKind::kRegex:
      return RE2::FullMatch(re2::StringPiece(text.data(), text.size()), *regex);
  }
  return false;
}

bool PathMatcher::matches(std::string_view path) const {
  if (kind == ir::PathMatchKind::kPrefix) return StringMatcher::matches(path);
  return StringMatcher::matches(withoutQuery(path));
}

bool CompiledMatch::matches(const RequestView& request) const {
  if (port && *port != request.port) return false;
  if (!path.matches(request.path)) return false;
  if (authority && !authority->matches(request.authority)) return false;
  if (method && !method->matches(request.method)) return false;
  if (scheme && !scheme->matches(request.scheme)) return false;
  for (const HeaderMatcher& header : headers) {
    if (!headerMatches(header, request.headers)) return false;
  }
  for (const QueryParamMatcher& param : query_params) {
    std::optional<std::string> value = queryParameter(request.path, param.name);
    if (!value || !param.match.matches(*value)) return false;
  }
  return true;
}

bool CompiledMatch::pathOnly() const {
  bool indexable_path =
      (path.kind == ir::PathMatchKind::kExact || path.kind == ir::PathMatchKind::kPrefix) &&
      !path.ignore_case;
  return indexable_path && !authority && !method && !scheme && headers.empty() &&
         query_params.empty() && !port;
}

absl::StatusOr<CompiledMatch> compileMatch(const ir::RouteMatch& match) {
  CompiledMatch out;
  auto path = compileString(match.path, "path");
  if (!path.ok()) return path.status();
  static_cast<StringMatcher&>(out.path) = std::move(*path);
  auto optional = [](const std::optional<ir::StringMatch>& in, std::string_view what,
                     std::optional<StringMatcher>& target) -> absl::Status {
    if (!in) return absl::OkStatus();
    auto compiled = compileString(*in, what);
    if (!compiled.ok()) return compiled.status();
    target = std::move(*compiled);
    return absl::OkStatus();
  };
  if (auto s = optional(match.authority, "authority", out.authority); !s.ok()) return s;
  if (auto s = optional(match.method, "method", out.method); !s.ok()) return s;
  if (auto s = optional(match.scheme, "scheme", out.scheme); !s.ok()) return s;
  for (const ir::HeaderMatch& header : match.headers) {
    auto compiled = compileString(header.match, "header " + header.name);
    if (!compiled.ok()) return compiled.status();
    out.headers.push_back({base::lowerAscii(header.name), std::move(*compiled), header.invert});
  }
  for (const ir::QueryParamMatch& param : match.query_params) {
    auto compiled = compileString(param.match, "query parameter " + param.name);
    if (!compiled.ok()) return compiled.status();
    out.query_params.push_back({param.name, std::move(*compiled)});
  }
  out.port = match.port;
  return out;
}

std::optional<std::string> queryParameter(std::string_view path, std::string_view name) {
  size_t question = path.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  std::string_view query = path.substr(question + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    size_t equals = pair.find('=');
    std::string_view key = pair.substr(0, equals);
    bool same = key.find('%') == std::string_view::npos ? key == name : percentDecode(key) == name;
    if (!same || pair.empty()) continue;
    return equals == std::string_view::npos ? std::string()
                                            : percentDecode(pair.substr(equals + 1));
  }
  return std::nullopt;
}

}  // namespace meshgate::router
