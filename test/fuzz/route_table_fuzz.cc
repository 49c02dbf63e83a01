// Builds an ir::Listener from the input (virtual hosts with exact, wildcard and "*" domains;
// routes with exact, prefix and regex path matches, some ignoring case), then checks
// RouteTable::build, findVirtualHost, match and pick against a naive reference written here
// from the documented semantics. Any divergence traps.
//
// The input is a sequence of actions, one byte each plus operands (missing bytes read as 0):
//   0 new virtual host       1 domain from a pool        2 route with weighted clusters
//   3 path match from a pool 4 query from the pools      5 raw domain
//   6 raw path match         7 raw query
//   8 header condition on the last match (x-a: exact "1" or present, maybe inverted)
//   9 port condition on the last match (80 or 81)
// Queries carry x-a: 1 or not and arrive on port 80 or 81. match() goes through the route
// index; it must agree with matchInOrder() and with the reference on every query.
// Pools make collisions (a host under a wildcard, a path under a prefix) likely; raw strings
// reach what the pools miss.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <re2/re2.h>

#include "fuzz_check.h"
#include "ir/config.h"
#include "router/route_table.h"

namespace {

using meshgate::fuzz::feature;
using meshgate::ir::Listener;
using meshgate::ir::PathMatch;
using meshgate::ir::PathMatchKind;
using meshgate::ir::Route;
using meshgate::ir::RouteMatch;
using meshgate::ir::VirtualHost;
using meshgate::ir::WeightedCluster;
using meshgate::router::CompiledRoute;
using meshgate::router::RequestView;
using meshgate::router::RouteTable;

constexpr size_t kMaxVirtualHosts = 4;
constexpr size_t kMaxDomains = 4;
constexpr size_t kMaxRoutes = 6;
constexpr size_t kMaxMatches = 3;
constexpr size_t kMaxQueries = 24;

constexpr std::string_view kDomains[] = {"example.com",
                                         "grpc.example.com",
                                         "a.b.example.com",
                                         "example.org",
                                         "localhost",
                                         "127.0.0.1",
                                         "[::1]",
                                         "[2001:db8::1]",
                                         "x",
                                         "",
                                         "*.example.com",
                                         "*.b.example.com",
                                         "*example.com",
                                         "*.com",
                                         "*-svc.example.com",
                                         "*.org",
                                         "*",
                                         "**",
                                         "*.",
                                         "grpc.*",
                                         "*.*",
                                         "GRPC.Example.COM",
                                         "*.EXAMPLE.com",
                                         "xn--bcher-kva.example"};

constexpr std::string_view kHosts[] = {"example.com",
                                       "grpc.example.com",
                                       "a.b.example.com",
                                       "b.example.com",
                                       ".example.com",
                                       "example.org",
                                       "x.org",
                                       "localhost",
                                       "127.0.0.1",
                                       "[::1]",
                                       "[2001:db8::1]",
                                       "x",
                                       "",
                                       "svc-svc.example.com",
                                       "-svc.example.com",
                                       "grpc.",
                                       "com",
                                       "a.com",
                                       "*",
                                       "*.example.com",
                                       "example.com.",
                                       "EXAMPLE.COM",
                                       "grpc.*",
                                       "."};

constexpr std::string_view kPorts[] = {"", ":443", ":8080", ":", ":0"};
constexpr std::string_view kHostPrefixes[] = {"", "a.", "b.", "zz", "."};

constexpr std::string_view kPaths[] = {"/",
                                       "/pkg.Svc/Method",
                                       "/pkg.Svc/",
                                       "/pkg.Svc",
                                       "/pkg.svc/method",
                                       "/PKG.SVC/METHOD",
                                       "/pkg.Svc/Method?x=1",
                                       "/pkg.Svc/Method/",
                                       "",
                                       "/a?b",
                                       "/?",
                                       "?",
                                       "*",
                                       "/pkg.Svc/Other",
                                       "/grpc.health.v1.Health/Check",
                                       "/pkg.Svc/Method?",
                                       "//pkg.Svc/Method",
                                       "/pkg.Svc/Methodx"};

constexpr std::string_view kPathValues[] = {"/",
                                            "/pkg.Svc/Method",
                                            "/pkg.Svc/",
                                            "/pkg.svc/",
                                            "/PKG.SVC/METHOD",
                                            "/pkg.Svc/Method?x=1",
                                            "?",
                                            "",
                                            "/pkg.Svc",
                                            "/grpc.health.v1.Health/Check",
                                            "/pkg.Svc/Method/",
                                            "/pkg.Svc/Method?"};

constexpr std::string_view kRegexes[] = {"/pkg\\.Svc/.*",
                                         "/pkg.Svc/M[a-z]+",
                                         ".*",
                                         "/[A-Z]+.*",
                                         "(/pkg.Svc/Method)?",
                                         "/pkg\\.svc/method",
                                         "[",
                                         "/pkg.Svc/Method\\?x=1",
                                         ".*\\?.*",
                                         "(?i)/PKG.*",
                                         "",
                                         "/pkg\\.Svc/(Method|Other)",
                                         "/grpc\\.health\\.v1\\.Health/\\w+",
                                         "\\Q/pkg.Svc/\\E.*",
                                         "/p",
                                         "/pkg.Svc/Method/?"};

constexpr std::string_view kClusters[] = {"c0", "c1", "c2", "c0", "c1", "c2", "c0", "unknown"};
constexpr uint32_t kWeights[] = {0, 1, 3, 50, 100, 100, 7, 1000};

template <typename T, size_t N>
const T& pick(const T (&pool)[N], uint8_t b) {
  return pool[b % N];
}

// Reads the input front to back; past the end every byte is 0.
class Input {
 public:
  Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool done() const { return pos_ >= size_; }
  uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  std::string raw(size_t max_length) {
    size_t length = std::min<size_t>(byte() % (max_length + 1), size_ - std::min(pos_, size_));
    std::string out(reinterpret_cast<const char*>(data_ + pos_), length);
    pos_ += length;
    return out;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// Upper-cases the letters whose position's bit is set in mask.
std::string mixCase(std::string_view text, uint8_t mask) {
  std::string out(text);
  for (size_t i = 0; i < out.size(); ++i) {
    if (((mask >> (i % 8)) & 1) && out[i] >= 'a' && out[i] <= 'z') out[i] = out[i] - 'a' + 'A';
  }
  return out;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = c - 'A' + 'a';
  }
  return out;
}

// A raw host: bytes mapped onto what a reg-name may hold, plus '*', and never ':' or '[', so
// the port rule stays unambiguous.
std::string rawHost(Input& in) {
  static constexpr std::string_view kAlphabet = "abcxyzABC0189.-_*";
  std::string out = in.raw(12);
  for (char& c : out) c = kAlphabet[static_cast<uint8_t>(c) % kAlphabet.size()];
  return out;
}

std::string mutatePath(std::string path, uint8_t b) {
  if ((b & 1) && !path.empty()) path.pop_back();
  if (b & 2) path += "/x";
  if ((b & 4) && !path.empty()) {
    char& c = path[(b >> 4) % path.size()];
    if (c >= 'a' && c <= 'z') {
      c = c - 'a' + 'A';
    } else if (c >= 'A' && c <= 'Z') {
      c = c - 'A' + 'a';
    }
  }
  if (b & 8) path += "?q=/pkg.Svc/Method";
  return path;
}

struct Query {
  std::string authority;
  std::string path;
  uint64_t random;
  bool header = false;  // sends x-a: 1
  uint32_t port = 80;
};

struct Scenario {
  Listener listener;
  std::vector<Query> queries;

  VirtualHost& virtualHost() {
    if (listener.virtual_hosts.empty()) newVirtualHost();
    return listener.virtual_hosts.back();
  }
  void newVirtualHost() {
    if (listener.virtual_hosts.size() >= kMaxVirtualHosts) return;
    VirtualHost vh;
    vh.name = "vh" + std::to_string(listener.virtual_hosts.size());
    listener.virtual_hosts.push_back(std::move(vh));
  }
  void addDomain(std::string domain) {
    VirtualHost& vh = virtualHost();
    if (vh.domains.size() < kMaxDomains) vh.domains.push_back(std::move(domain));
  }
  void addRoute(uint8_t b, uint8_t weights) {
    VirtualHost& vh = virtualHost();
    if (vh.routes.size() >= kMaxRoutes) return;
    Route route;
    route.name = vh.name + ".r" + std::to_string(vh.routes.size());
    for (size_t i = 0; i < 1u + (b & 1u); ++i) {
      route.clusters.push_back(
          {std::string(pick(kClusters, b >> (1 + 3 * i))), pick(kWeights, weights >> (4 * i))});
    }
    vh.routes.push_back(std::move(route));
  }
  void addMatch(PathMatch match) {
    VirtualHost& vh = virtualHost();
    if (vh.routes.empty()) addRoute(0, 4);
    Route& route = vh.routes.back();
    if (route.matches.size() < kMaxMatches) route.matches.push_back({.path = std::move(match)});
  }
  // The last match of the last route, made if needed.
  RouteMatch& lastMatch() {
    VirtualHost& vh = virtualHost();
    if (vh.routes.empty()) addRoute(0, 4);
    if (vh.routes.back().matches.empty()) addMatch({});
    return vh.routes.back().matches.back();
  }
};

PathMatch poolMatch(uint8_t kind_byte, uint8_t value_byte) {
  PathMatch match;
  match.kind = static_cast<PathMatchKind>(kind_byte % 4);
  match.ignore_case = (kind_byte & 4) != 0;
  if (match.kind == PathMatchKind::kRegex) {
    match.value = pick(kRegexes, value_byte);
  } else if (match.kind != PathMatchKind::kAny) {
    match.value = mixCase(pick(kPathValues, value_byte), kind_byte >> 3);
  }
  return match;
}

Scenario parse(Input& in) {
  Scenario s;
  while (!in.done()) {
    switch (in.byte() % 10) {
      case 0:
        s.newVirtualHost();
        break;
      case 1: {
        uint8_t which = in.byte();
        s.addDomain(mixCase(pick(kDomains, which), in.byte()));
        break;
      }
      case 2: {
        uint8_t b = in.byte();
        s.addRoute(b, in.byte());
        break;
      }
      case 3: {
        uint8_t kind = in.byte();
        s.addMatch(poolMatch(kind, in.byte()));
        break;
      }
      case 4: {
        if (s.queries.size() >= kMaxQueries) break;
        uint8_t host = in.byte();
        uint8_t port = in.byte();
        uint8_t mix = in.byte();
        uint8_t path = in.byte();
        uint8_t mutation = in.byte();
        std::string_view base = pick(kHosts, host);
        // No label goes in front of an IPv6 literal: "a.[::1]" is no authority.
        std::string_view label = base.starts_with("[") ? "" : pick(kHostPrefixes, mix >> 5);
        std::string authority =
            std::string(label) + mixCase(base, mix) + std::string(pick(kPorts, port));
        s.queries.push_back(
            {std::move(authority), mutatePath(std::string(pick(kPaths, path)), mutation),
             uint64_t{mutation} * 7919 + path, (mix & 1) != 0, 80u + ((mix >> 1) & 1u)});
        break;
      }
      case 5:
        s.addDomain(rawHost(in));
        break;
      case 6: {
        PathMatch match = poolMatch(in.byte(), 0);
        match.value = in.raw(24);
        s.addMatch(std::move(match));
        break;
      }
      case 7: {
        if (s.queries.size() >= kMaxQueries) break;
        uint8_t port = in.byte();
        std::string authority = rawHost(in) + std::string(pick(kPorts, port));
        s.queries.push_back({std::move(authority), in.raw(32), port});
        break;
      }
      case 8: {
        uint8_t b = in.byte();
        RouteMatch& match = s.lastMatch();
        if (match.headers.size() >= 2) break;
        PathMatch value{(b & 1) ? PathMatchKind::kExact : PathMatchKind::kAny, "", false};
        if (value.kind == PathMatchKind::kExact) value.value = "1";
        match.headers.push_back({"x-a", value, (b & 2) != 0});
        break;
      }
      case 9:
        s.lastMatch().port = 80u + (in.byte() & 1u);
        break;
    }
  }
  return s;
}

// The documented semantics, spelled out the slow way.
class Reference {
 public:
  explicit Reference(const Listener& listener) : listener_(listener) {
    for (const VirtualHost& vh : listener.virtual_hosts) {
      for (const Route& route : vh.routes) {
        for (const RouteMatch& route_match : route.matches) {
          const PathMatch& match = route_match.path;
          if (match.kind != PathMatchKind::kRegex) continue;
          RE2::Options options;
          options.set_case_sensitive(!match.ignore_case);
          options.set_log_errors(false);
          auto regex = std::make_unique<RE2>(match.value, options);
          if (!regex->ok()) valid_ = false;
          regexes_.push_back({&match, std::move(regex)});
        }
        for (const WeightedCluster& cluster : route.clusters) {
          if (cluster.cluster == "unknown") valid_ = false;
        }
      }
    }
  }

  bool valid() const { return valid_; }

  // Host: the authority without its port (after the ']' of an IPv6 literal), lower-cased.
  static std::string host(std::string_view authority) {
    if (!authority.empty() && authority.front() == '[') {
      size_t close = authority.find(']');
      return lower(close == std::string_view::npos ? authority : authority.substr(0, close + 1));
    }
    size_t colon = authority.find(':');
    return lower(colon == std::string_view::npos ? authority : authority.substr(0, colon));
  }

  // Exact domain first (first declared wins), then the longest "*suffix" with at least one
  // character before the suffix, then "*".
  std::optional<size_t> virtualHost(std::string_view authority, uint32_t& how) const {
    std::string h = host(authority);
    const auto& vhs = listener_.virtual_hosts;
    for (size_t i = 0; i < vhs.size(); ++i) {
      for (const std::string& domain : vhs[i].domains) {
        if (!domain.starts_with("*") && lower(domain) == h) {
          how = 1;
          return i;
        }
      }
    }
    std::optional<size_t> best;
    size_t best_length = 0;
    for (size_t i = 0; i < vhs.size(); ++i) {
      for (const std::string& domain : vhs[i].domains) {
        if (domain == "*" || !domain.starts_with("*")) continue;
        std::string suffix = lower(domain.substr(1));
        if (h.size() > suffix.size() &&
            h.compare(h.size() - suffix.size(), suffix.size(), suffix) == 0) {
          if (!best || suffix.size() > best_length) {
            best = i;
            best_length = suffix.size();
          }
        }
      }
    }
    if (best) {
      how = 2;
      return best;
    }
    for (size_t i = 0; i < vhs.size(); ++i) {
      for (const std::string& domain : vhs[i].domains) {
        if (domain == "*") {
          how = 3;
          return i;
        }
      }
    }
    how = 0;
    return std::nullopt;
  }

  // Routes in order, first match wins; a route without matches matches everything.
  const Route* route(size_t vh, const Query& query, uint32_t& how) const {
    std::string_view path = query.path;
    for (const Route& route : listener_.virtual_hosts[vh].routes) {
      if (route.matches.empty()) {
        how = 8;
        return &route;
      }
      for (const RouteMatch& route_match : route.matches) {
        const PathMatch& match = route_match.path;
        if (matches(match, path) && conditionsHold(route_match, query)) {
          how = static_cast<uint32_t>(match.kind) * 2 + match.ignore_case;
          return &route;
        }
      }
    }
    how = 9;
    return nullptr;
  }

 private:
  // The header and port conditions the fuzzer adds: x-a is "1" when sent; withoutHeaders
  // (invert) holds when the plain condition does not.
  static bool conditionsHold(const RouteMatch& match, const Query& query) {
    if (match.port && *match.port != query.port) return false;
    for (const auto& header : match.headers) {
      bool plain =
          query.header && (header.match.kind == PathMatchKind::kAny || header.match.value == "1");
      if (plain == header.invert) return false;
    }
    return true;
  }

  // Exact and regex see the path without its query; prefix sees all of it.
  bool matches(const PathMatch& match, std::string_view path) const {
    std::string_view bare = path.substr(0, path.find('?'));
    switch (match.kind) {
      case PathMatchKind::kAny:
        return true;
      case PathMatchKind::kExact:
        return match.ignore_case ? lower(bare) == lower(match.value) : bare == match.value;
      case PathMatchKind::kPrefix:
        return match.ignore_case ? lower(path).starts_with(lower(match.value))
                                 : path.starts_with(match.value);
      case PathMatchKind::kRegex:
        for (const auto& [m, regex] : regexes_) {
          if (m == &match)
            return RE2::FullMatch(re2::StringPiece(bare.data(), bare.size()), *regex);
        }
        MG_FUZZ_CHECK(false);
    }
    return false;
  }

  const Listener& listener_;
  std::vector<std::pair<const PathMatch*, std::unique_ptr<RE2>>> regexes_;
  bool valid_ = true;
};

// The weighted pick, in 64 bits: zero weights never win, the rest by cumulative range.
std::optional<uint32_t> expectedPick(const Route& route, uint64_t random) {
  uint64_t total = 0;
  for (const WeightedCluster& cluster : route.clusters) total += cluster.weight;
  if (total == 0) return std::nullopt;
  uint64_t point = random % total;
  uint64_t cumulative = 0;
  for (const WeightedCluster& cluster : route.clusters) {
    cumulative += cluster.weight;
    if (point < cumulative) return static_cast<uint32_t>(cluster.cluster[1] - '0');
  }
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  Scenario scenario = parse(in);
  const Listener& listener = scenario.listener;

  Reference reference(listener);
  auto table = RouteTable::build(listener, [](std::string_view cluster) -> std::optional<uint32_t> {
    if (cluster.size() == 2 && cluster[0] == 'c') return static_cast<uint32_t>(cluster[1] - '0');
    return std::nullopt;
  });
  // Build fails exactly when a regex does not compile or a cluster is unknown.
  MG_FUZZ_CHECK(table.ok() == reference.valid());
  feature(100, table.ok());
  if (!table.ok()) {
    MG_FUZZ_CHECK(!table.status().message().empty());
    return 0;
  }

  for (const Query& query : scenario.queries) {
    uint32_t vh_how = 0;
    std::optional<size_t> vh = reference.virtualHost(query.authority, vh_how);
    const auto* found = table->findVirtualHost(query.authority);
    MG_FUZZ_CHECK((found == nullptr) == !vh.has_value());
    if (found != nullptr) MG_FUZZ_CHECK(found->virtual_host == &listener.virtual_hosts[*vh]);

    meshgate::http::HeaderList headers;
    if (query.header) headers.add("x-a", "1");
    RequestView request{query.authority, query.path, "POST", "http", &headers, query.port};
    const CompiledRoute* route = table->match(request);
    // The index answers exactly what the plain in-order scan answers.
    MG_FUZZ_CHECK(route == table->matchInOrder(request));
    uint32_t route_how = 0;
    const Route* expected = vh ? reference.route(*vh, query, route_how) : nullptr;
    feature(vh_how * 16 + route_how,
            expected ? static_cast<uint32_t>(expected->matches.size()) : 0);
    MG_FUZZ_CHECK((route == nullptr) == (expected == nullptr));
    if (route == nullptr) continue;
    MG_FUZZ_CHECK(route->route == expected);

    std::optional<uint32_t> cluster = expectedPick(*expected, query.random);
    MG_FUZZ_CHECK(route->targets.empty() == !cluster.has_value());
    if (cluster) MG_FUZZ_CHECK(route->pick(query.random).cluster_index == *cluster);
  }
  return 0;
}
