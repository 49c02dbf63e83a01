// Live configuration: the gateway follows its --config files (inotify) and SIGHUP, applies a
// valid change without failing a call, and refuses an invalid change whole.
#include <atomic>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <signal.h>
#include <sstream>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "integration/gateway_fixture.h"
#include "support/sockets.h"
#include "support/wait.h"

namespace meshgate::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr char kWhoamiPath[] = "/meshgate.testing.OtherService/Whoami";

// Replaces `path` by renaming a complete file over it, as editors and deploy tools do.
void renameOver(const fs::path& path, const std::string& text) {
  fs::path temp = path.parent_path() / (".new-" + path.filename().string());
  std::ofstream(temp, std::ios::trunc) << text;
  fs::rename(temp, path);
}

// Truncates and rewrites `path` in place.
void writeInPlace(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

// The port of the latest `listening <gateway_port> 127.0.0.1:<port>` line; -1 when none.
int announcedPort(const GatewayProcess& gateway, int gateway_port) {
  std::istringstream lines(gateway.stdoutText());
  std::string line;
  std::string prefix = "listening " + std::to_string(gateway_port) + " 127.0.0.1:";
  int port = -1;
  while (std::getline(lines, line)) {
    if (line.rfind(prefix, 0) == 0) port = std::stoi(line.substr(prefix.size()));
  }
  return port;
}

size_t count(const std::string& text, const std::string& needle) {
  size_t found = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++found;
  }
  return found;
}

bool announcedClosed(const GatewayProcess& gateway, int gateway_port) {
  return gateway.stdoutText().find("closed " + std::to_string(gateway_port) + " ") !=
         std::string::npos;
}

// A ServiceEntry `<name>.internal` whose endpoints are these backends.
ServiceEntrySpec serviceEntry(const std::string& name, const std::vector<TestBackend*>& backends) {
  ServiceEntrySpec entry;
  entry.name = name;
  entry.host = name + ".internal";
  for (auto* backend : backends) entry.endpoints.push_back({"127.0.0.1", backend->port()});
  return entry;
}

// The VirtualService of these tests: optionally Whoami to special.internal, then everything to
// main.internal and alt.internal with weights main_weight and 100 - main_weight.
std::string virtualService(bool whoami_route, int main_weight, std::string whoami_regex = "") {
  std::ostringstream out;
  out << "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n"
         "  name: grpc-vs\n  namespace: default\nspec:\n  hosts:\n  - grpc.example.com\n"
         "  gateways:\n  - istio-system/grpc-gateway\n  http:\n";
  auto destination = [&](const std::string& host, int weight) {
    out << "    - destination:\n        host: " << host
        << "\n        port:\n          number: 50051\n";
    if (weight >= 0) out << "      weight: " << weight << "\n";
  };
  if (whoami_route) {
    out << "  - match:\n    - uri:\n";
    if (whoami_regex.empty()) {
      out << "        exact: \"" << kWhoamiPath << "\"\n";
    } else {
      out << "        regex: \"" << whoami_regex << "\"\n";
    }
    out << "    route:\n";
    destination("special.internal", -1);
  }
  out << "  - route:\n";
  if (main_weight >= 100) {
    destination("main.internal", -1);
  } else if (main_weight <= 0) {
    destination("alt.internal", -1);
  } else {
    destination("main.internal", main_weight);
    destination("alt.internal", 100 - main_weight);
  }
  return out.str();
}

// The backend that answered a Whoami through `channel`, or "error: <code> <message>".
std::string whoami(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = OtherService::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(deadlineIn(kWait));
  WhoamiResponse response;
  grpc::Status status = stub->Whoami(&context, WhoamiRequest(), &response);
  if (!status.ok()) {
    return "error: " + std::to_string(status.error_code()) + " " + status.error_message();
  }
  return initialMetadata(context, "x-backend-id");
}

class Reload : public H2cToH2c {
 protected:
  fs::path meshPath() const { return dir().path() / "mesh.yaml"; }

  // Gateway on port 80 (and `extra_servers`), main.internal → main, alt.internal → alt,
  // special.internal → special, and the VirtualService.
  std::string config(const std::vector<TestBackend*>& main, const std::string& virtual_service,
                     std::vector<int> extra_servers = {}) const {
    MeshYaml yaml;
    GatewaySpec gateway;
    for (int port : extra_servers) {
      GatewayServer server;
      server.port = port;
      server.port_name = "http-" + std::to_string(port);
      gateway.servers.push_back(server);
    }
    yaml.add(gateway);
    yaml.add(serviceEntry("main", main));
    yaml.add(serviceEntry("alt", {alt_.get()}));
    yaml.add(serviceEntry("special", {special_.get()}));
    yaml.addRaw(virtual_service);
    return yaml.str();
  }

  [[nodiscard]] bool startWith(const std::string& text, std::vector<std::string> extra_args = {}) {
    MeshYaml yaml;
    yaml.addRaw(text);
    return start(yaml, std::move(extra_args));
  }

  std::unique_ptr<TestBackend> a_ = std::make_unique<TestBackend>("backend-a");
  std::unique_ptr<TestBackend> alt_ = std::make_unique<TestBackend>("alt");
  std::unique_ptr<TestBackend> special_ = std::make_unique<TestBackend>("special");
};

TEST_F(Reload, RouteAddedByRewritingTheFileIsUsedWithinOneSecond) {
  ASSERT_TRUE(startWith(config({a_.get()}, virtualService(false, 100))));
  auto connection = channel();
  ASSERT_EQ(whoami(connection), "backend-a");

  auto written = Clock::now();
  renameOver(meshPath(), config({a_.get()}, virtualService(true, 100)));
  ASSERT_TRUE(eventually([&] { return whoami(connection) == "special"; }, kWait));
  auto visible = Clock::now() - written;
  EXPECT_LT(visible, 1s) << "the new route took "
                         << std::chrono::duration_cast<std::chrono::milliseconds>(visible).count()
                         << " ms";
  EXPECT_TRUE(gateway().waitForStderrLine({"config version 2 applied", "routes 2"}, kWait));
}

TEST_F(Reload, BrokenFileIsRefusedWholeAndItsFixTakesEffect) {
  ASSERT_TRUE(startWith(config({a_.get()}, virtualService(false, 100))));
  auto connection = channel();
  ASSERT_EQ(whoami(connection), "backend-a");

  // Two problems: a regex RE2 cannot compile, and a port the ServiceEntry does not have.
  std::string broken = config({a_.get()}, virtualService(true, 100, "(unclosed"));
  size_t port_at = broken.rfind("number: 50051");
  broken.replace(port_at, std::string("number: 50051").size(), "number: 50999");
  writeInPlace(meshPath(), broken);
  ASSERT_TRUE(gateway().waitForStderrLine({"config change refused", "2 errors"}, kWait));
  std::string file = meshPath().string();
  int regex_line = lineColumnOf(broken, "regex:").first;
  int port_line = lineColumnOf(broken, "number: 50999").first;
  std::string errors = gateway().stderrText();
  EXPECT_NE(errors.find(file + ":" + std::to_string(regex_line) + ":"), std::string::npos)
      << errors;
  EXPECT_NE(errors.find(file + ":" + std::to_string(port_line) + ":"), std::string::npos) << errors;
  // Nothing of the broken file took effect, not even its valid new route.
  EXPECT_EQ(whoami(connection), "backend-a");
  EXPECT_EQ(whoami(channel()), "backend-a");

  writeInPlace(meshPath(), config({a_.get()}, virtualService(true, 100)));
  EXPECT_TRUE(eventually([&] { return whoami(connection) == "special"; }, kWait));
  EXPECT_TRUE(gateway().waitForStderrLine({"config version 2 applied"}, kWait));
}

TEST_F(Reload, GatewayServerPortsOpenAndClose) {
  ASSERT_TRUE(
      startWith(config({a_.get()}, virtualService(false, 100)), {"--listen", "81=127.0.0.1:0"}));
  int port80 = port();
  auto on80 = channel();
  ASSERT_EQ(whoami(on80), "backend-a");

  renameOver(meshPath(), config({a_.get()}, virtualService(false, 100), {81}));
  ASSERT_TRUE(eventually([&] { return announcedPort(gateway(), 81) > 0; }, kWait))
      << gateway().stdoutText();
  int port81 = announcedPort(gateway(), 81);
  auto on81 = makeChannel(port81, ChannelOptions{});
  EXPECT_EQ(whoami(on81), "backend-a");
  EXPECT_EQ(announcedPort(gateway(), 80), port80) << "an unchanged listener keeps its socket";
  EXPECT_EQ(whoami(on80), "backend-a");

  // A stream in flight on port 81 when the server is removed finishes; new connections fail.
  a_->hold();
  grpc::ClientContext context;
  context.set_deadline(deadlineIn(3 * kWait));
  auto stub = TestService::NewStub(on81);
  StreamingOutputCallRequest request;
  for (int i = 0; i < 3; ++i) request.add_response_parameters()->set_size(100);
  auto reader = stub->StreamingOutputCall(&context, request);
  StreamingOutputCallResponse response;
  ASSERT_TRUE(reader->Read(&response));
  ASSERT_TRUE(a_->waitForParked(1, kWait));

  renameOver(meshPath(), config({a_.get()}, virtualService(false, 100)));
  ASSERT_TRUE(eventually([&] { return announcedClosed(gateway(), 81); }, kWait))
      << gateway().stdoutText();
  EXPECT_TRUE(eventually([&] { return connectionRefused(port81); }, kWait));
  a_->release();
  int received = 1;
  while (reader->Read(&response)) ++received;
  grpc::Status status = reader->Finish();
  EXPECT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
  EXPECT_EQ(received, 3);
  EXPECT_EQ(whoami(on80), "backend-a");
  EXPECT_EQ(whoami(channel()), "backend-a");
}

// Certificate files (serverCertificate/privateKey) are not --config paths: SIGHUP reloads them.
// The next handshake uses the new certificate; connections made before keep working.
TEST_F(Reload, SighupReloadsRotatedCertificateFiles) {
  TestCerts first;
  TestCerts second;
  fs::path cert = dir().write("certs/tls.crt", first.serverCertPem());
  fs::path key = dir().write("certs/tls.key", first.serverKeyPem());
  std::string gateway_yaml =
      "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata:\n  name: grpc-gateway\n"
      "  namespace: istio-system\nspec:\n  selector:\n    istio: ingressgateway\n  servers:\n"
      "  - port:\n      number: 80\n      name: https\n      protocol: HTTPS\n"
      "    hosts:\n    - grpc.example.com\n    tls:\n      mode: SIMPLE\n"
      "      serverCertificate: " +
      cert.string() + "\n      privateKey: " + key.string() + "\n";
  MeshYaml yaml;
  yaml.addRaw(gateway_yaml);
  yaml.add(serviceEntry("main", {a_.get()}));
  yaml.add(serviceEntry("alt", {alt_.get()}));
  yaml.add(serviceEntry("special", {special_.get()}));
  yaml.addRaw(virtualService(false, 100));
  ASSERT_TRUE(start(yaml));
  ChannelOptions trust_first;
  trust_first.ca_pem = first.caCertPem();
  ChannelOptions trust_second;
  trust_second.ca_pem = second.caCertPem();
  auto before = makeChannel(port(), trust_first);
  ASSERT_EQ(whoami(before), "backend-a");

  renameOver(cert, second.serverCertPem());
  renameOver(key, second.serverKeyPem());
  gateway().signal(SIGHUP);
  ASSERT_TRUE(gateway().waitForStderrLine({"config version 2 applied (SIGHUP)"}, kWait));
  EXPECT_EQ(whoami(makeChannel(port(), trust_second)), "backend-a");
  EXPECT_NE(whoami(makeChannel(port(), trust_first)), "backend-a")
      << "a new handshake still got the old certificate";
  EXPECT_EQ(whoami(before), "backend-a") << "the connection made before the rotation broke";
  EXPECT_TRUE(gateway().running());
}

// ---- The proof: 50 changes under load, zero failed calls, one stream unbroken ----

// One finished call of the load.
struct Call {
  Clock::time_point start;
  bool whoami;
  std::string backend;  // "" when it failed
  std::string error;
};

// ~200 calls per second over a few connections (UnaryCall and Whoami alternately), recorded.
class Load {
 public:
  Load(std::function<std::shared_ptr<grpc::Channel>()> make_channel, int threads) {
    for (int t = 0; t < threads; ++t) {
      threads_.emplace_back([this, channel = make_channel(), threads] { run(channel, threads); });
    }
  }
  ~Load() { stop(); }
  void stop() {
    stopping_ = true;
    for (auto& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }
  std::vector<Call> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  void run(const std::shared_ptr<grpc::Channel>& channel, int threads) {
    auto test_stub = TestService::NewStub(channel);
    auto other_stub = OtherService::NewStub(channel);
    // The pacing of the load itself, the only timing here: threads × (1 / period) = 200/s.
    const auto period = std::chrono::microseconds(1'000'000 * threads / 200);
    auto next = Clock::now();
    for (bool whoami = false; !stopping_; whoami = !whoami) {
      next += period;
      std::this_thread::sleep_until(next);
      Call call{Clock::now(), whoami, "", ""};
      grpc::ClientContext context;
      context.set_deadline(deadlineIn(kWait));
      grpc::Status status;
      if (whoami) {
        WhoamiResponse response;
        status = other_stub->Whoami(&context, WhoamiRequest(), &response);
      } else {
        SimpleRequest request;
        SimpleResponse response;
        status = test_stub->UnaryCall(&context, request, &response);
      }
      if (status.ok()) {
        call.backend = initialMetadata(context, "x-backend-id");
      } else {
        call.error = std::to_string(status.error_code()) + " " + status.error_message();
      }
      std::lock_guard lock(mutex_);
      calls_.push_back(std::move(call));
    }
  }

  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<Call> calls_;
  std::vector<std::thread> threads_;
};

// What one config version promises: which backends may answer Whoami and the other calls.
struct Expectation {
  std::set<std::string> whoami;
  std::set<std::string> others;
};

// When traffic shows `expected`: the start of the first call after which every call conforms,
// once the calls since then number at least `enough` and include every expected backend.
std::optional<Clock::time_point> conformingSince(const std::vector<Call>& calls,
                                                 const Expectation& expected, size_t enough) {
  size_t first = calls.size();
  while (first > 0) {
    const Call& call = calls[first - 1];
    const auto& allowed = call.whoami ? expected.whoami : expected.others;
    if (!call.error.empty() || !allowed.contains(call.backend)) break;
    --first;
  }
  if (first == calls.size() || calls.size() - first < enough) return std::nullopt;
  std::set<std::string> seen_whoami;
  std::set<std::string> seen_others;
  Clock::time_point since = calls[first].start;
  for (size_t i = first; i < calls.size(); ++i) {
    (calls[i].whoami ? seen_whoami : seen_others).insert(calls[i].backend);
    since = std::min(since, calls[i].start);  // threads finish calls out of start order
  }
  if (seen_whoami != expected.whoami || seen_others != expected.others) return std::nullopt;
  return since;
}

TEST_F(Reload, FiftyChangesUnderLoadFailNoCallAndBreakNoStream) {
  std::vector<std::unique_ptr<TestBackend>> pool;
  for (int i = 0; i < 4; ++i)
    pool.push_back(std::make_unique<TestBackend>("m" + std::to_string(i)));
  // The state the config is generated from; every step changes one thing.
  std::set<int> main = {0};
  int main_weight = 100;
  bool whoami_route = false;
  auto render = [&] {
    std::vector<TestBackend*> backends;
    for (int i : main) backends.push_back(pool[i].get());
    return config(backends, virtualService(whoami_route, main_weight));
  };
  auto expectation = [&] {
    Expectation expected;
    if (main_weight > 0) {
      for (int i : main) expected.others.insert(pool[i]->id());
    }
    if (main_weight < 100) expected.others.insert("alt");
    expected.whoami = whoami_route ? std::set<std::string>{"special"} : expected.others;
    return expected;
  };
  ASSERT_TRUE(startWith(render()));

  // The long stream: one ping-pong per 50 ms on its own connection for the whole test.
  std::atomic<bool> stream_stop{false};
  std::atomic<int> pongs{0};
  grpc::Status stream_status;
  std::string stream_problem;
  std::thread streamer([&] {
    auto stub = TestService::NewStub(channel());
    grpc::ClientContext context;
    context.set_deadline(deadlineIn(20 * kWait));
    auto stream = stub->FullDuplexCall(&context);
    StreamingOutputCallRequest ping;
    ping.add_response_parameters()->set_size(32);
    while (!stream_stop) {
      StreamingOutputCallResponse pong;
      if (!stream->Write(ping) || !stream->Read(&pong)) {
        stream_problem = "the stream broke after " + std::to_string(pongs.load()) + " pongs";
        break;
      }
      ++pongs;
      std::this_thread::sleep_for(50ms);  // pacing of the stream's own traffic
    }
    stream->WritesDone();
    StreamingOutputCallResponse rest;
    while (stream->Read(&rest)) {
    }
    stream_status = stream->Finish();
  });
  // Ends the stream on every way out of the test, failed assertions included.
  struct Joiner {
    std::atomic<bool>& stop;
    std::thread& thread;
    ~Joiner() {
      stop = true;
      if (thread.joinable()) thread.join();
    }
  } joiner{stream_stop, streamer};
  ASSERT_TRUE(eventually([&] { return pongs > 0; }, kWait));

  Load load([&] { return channel(); }, 4);
  std::chrono::milliseconds slowest{0};
  auto wait_visible = [&](Clock::time_point written, const std::string& what) {
    Expectation expected = expectation();
    std::optional<Clock::time_point> since;
    bool shown = eventually(
        [&] {
          since = conformingSince(load.calls(), expected, 40);
          return since.has_value();
        },
        kWait, 5ms);
    ASSERT_TRUE(shown) << what << ": traffic never showed the change";
    auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(*since - written);
    EXPECT_LT(delay, 1s) << what << ": visible after " << delay.count() << " ms";
    slowest = std::max(slowest, delay);
  };
  wait_visible(Clock::now(), "start");

  size_t refused = 0;
  int version = 1;
  auto cycle_weight = [&] {
    main_weight = main_weight == 100 ? 50 : (main_weight == 50 ? 0 : 100);
  };
  // Adds the first backend not in main, or removes the first one when all are in.
  auto toggle_endpoint = [&](bool prefer_add) {
    bool add = prefer_add ? main.size() < pool.size() : main.size() == 1;
    if (!add) {
      main.erase(main.begin());
      return std::string("an endpoint removed");
    }
    for (int i = 0;; ++i) {
      if (main.insert(i).second) return "endpoint m" + std::to_string(i) + " added";
    }
  };
  // Every step changes the config, so every step is one new version.
  for (int step = 0; step < 50; ++step) {
    std::string what;
    switch (step % 5) {
      case 0:
        what = toggle_endpoint(true);
        break;
      case 1:
        cycle_weight();
        what = "main weight " + std::to_string(main_weight);
        break;
      case 2:
        whoami_route = !whoami_route;
        what = whoami_route ? "Whoami route added" : "Whoami route removed";
        break;
      case 3:
        what = toggle_endpoint(false);
        break;
      case 4: {  // a broken file (a truncated write), then the fix
        // Cut at a line boundary, then a flow sequence that never closes: a YAML syntax error
        // wherever the cut lands (a cut alone may leave a valid config with fewer documents).
        std::string valid = render();
        writeInPlace(meshPath(), valid.substr(0, valid.rfind('\n', valid.size() / 2) + 1) +
                                     "kind: [unclosed\n");
        ++refused;
        ASSERT_TRUE(gateway().waitForStderr(
            [&](const std::string& text) {
              return count(text, "config change refused") >= refused;
            },
            kWait))
            << "step " << step << ": the broken file was not refused";
        cycle_weight();
        what = "fixed after a broken write, main weight " + std::to_string(main_weight);
        break;
      }
    }
    auto written = Clock::now();
    if (step % 2 == 0) {
      renameOver(meshPath(), render());
    } else {
      writeInPlace(meshPath(), render());
    }
    ++version;
    ASSERT_TRUE(gateway().waitForStderrLine(
        {"config version " + std::to_string(version) + " applied"}, kWait))
        << "step " << step << " (" << what << ")";
    wait_visible(written, "step " + std::to_string(step) + " (" + what + ")");
    if (HasFatalFailure()) break;
  }

  load.stop();
  stream_stop = true;
  streamer.join();

  std::vector<Call> calls = load.calls();
  size_t failed = 0;
  std::string first_failure;
  for (const auto& call : calls) {
    if (call.error.empty()) continue;
    if (failed++ == 0) first_failure = call.error;
  }
  EXPECT_EQ(failed, 0u) << "of " << calls.size() << " calls; first: " << first_failure;
  EXPECT_TRUE(stream_problem.empty()) << stream_problem;
  EXPECT_TRUE(stream_status.ok()) << stream_status.error_code() << ": "
                                  << stream_status.error_message();
  EXPECT_GT(pongs.load(), 20);
  std::string log = gateway().stderrText();
  size_t applied = 0;
  for (size_t at = log.find(" applied ("); at != std::string::npos;
       at = log.find(" applied (", at + 1)) {
    ++applied;
  }
  EXPECT_GE(applied, 40u) << "config versions applied";
  std::cout << "[ proof    ] " << calls.size() << " calls, " << failed << " failed, " << pongs
            << " stream round trips, " << applied << " versions applied, " << refused
            << " broken files refused, slowest change visible after " << slowest.count() << " ms\n";
}

}  // namespace
}  // namespace meshgate::testing
