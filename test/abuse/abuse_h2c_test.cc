// Hostile HTTP/2 clients against the real `meshgate serve` over h2c. Each test checks what an
// operator would: the abusive connection got the right GOAWAY or RST_STREAM (RFC 9113) or was
// closed, the process still runs, a fresh connection still gets a normal call through, and RSS
// (/proc/<pid>/status VmRSS) and CPU time (/proc/<pid>/stat utime + stime) stayed bounded.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "abuse/h2c_backend.h"
#include "abuse/raw_h2.h"
#include "support/gateway_process.h"
#include "support/temp_dir.h"

namespace meshgate::abuse {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

constexpr uint32_t kMaxConcurrentStreams = 10;
constexpr uint32_t kMaxHeaderListBytes = 16 * 1024;
// An attack may cost this much RSS at most. Every flood below would cost far more if the gateway
// buffered what it is sent (the CONTINUATION flood may send 64 MiB, the HPACK bomb inflates to
// 120 MB); measured growth is under 2 MiB, ASan's quarantine included.
constexpr long kMaxRssGrowthKiB = 16 * 1024;
// CPU the gateway may spend on one attack; measured under 100 ms, ASan included.
constexpr milliseconds kCpuBudget = seconds(1);
constexpr milliseconds kReplyTimeout = seconds(5);

struct Usage {
  long rss_kib = -1;
  milliseconds cpu{0};
};

Usage usageOf(pid_t pid) {
  Usage usage;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) usage.rss_kib = std::stol(line.substr(6));
  }
  // Fields 14 and 15 of /proc/<pid>/stat, counted after the parenthesised command name.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto close_paren = text.rfind(')');
  if (close_paren != std::string::npos) {
    std::istringstream fields(text.substr(close_paren + 2));
    std::string field;
    long utime = 0;
    long stime = 0;
    for (int index = 3; fields >> field; ++index) {
      if (index == 14) utime = std::stol(field);
      if (index == 15) {
        stime = std::stol(field);
        break;
      }
    }
    usage.cpu = milliseconds((utime + stime) * 1000 / ::sysconf(_SC_CLK_TCK));
  }
  return usage;
}

std::string meshYaml(int backend_port) {
  return R"(apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: grpc, protocol: GRPC}
    hosts: ["grpc.example.com"]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: vs, namespace: default}
spec:
  hosts: ["grpc.example.com"]
  gateways: ["gw"]
  http:
  - route:
    - destination: {host: backend.example.internal, port: {number: 50051}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: backend, namespace: default}
spec:
  hosts: ["backend.example.internal"]
  ports: [{number: 50051, name: grpc, protocol: GRPC}]
  resolution: STATIC
  endpoints: [{address: 127.0.0.1, ports: {grpc: )" +
         std::to_string(backend_port) + "}}]\n";
}

// One gateway per test, so every measurement starts from a fresh process.
class AbuseH2c : public ::testing::Test {
 protected:
  void startGateway(std::vector<std::string> extra_args = {}) {
    testing::ServeOptions options;
    options.configs = {dir_.write("mesh.yaml", meshYaml(backend_.port()))};
    options.listen_ports = {80};
    options.workers = 1;
    options.log_level = "warn";
    options.extra_args = {"--max-concurrent-streams", std::to_string(kMaxConcurrentStreams),
                          "--max-header-list-size", std::to_string(kMaxHeaderListBytes)};
    options.extra_args.insert(options.extra_args.end(), extra_args.begin(), extra_args.end());
    gateway_ = std::make_unique<testing::GatewayProcess>(MESHGATE_BINARY, options.toArgs());
    ASSERT_TRUE(gateway_->waitReady(seconds(20))) << gateway_->describe();
    ASSERT_GT(gateway_->port(80), 0) << gateway_->describe();
    // Warm up, so the baseline includes the upstream connection and the first stream's costs.
    expectNormalCallSucceeds();
    baseline_ = usageOf(gateway_->pid());
  }

  int port() const { return gateway_->port(80); }

  std::unique_ptr<RawH2Client> connect() {
    auto client = std::make_unique<RawH2Client>(port());
    EXPECT_TRUE(client->connected()) << client->connectError();
    return client;
  }

  // Connects and completes the preface and SETTINGS exchange, both ways acknowledged.
  std::unique_ptr<RawH2Client> connectH2() {
    auto client = connect();
    EXPECT_TRUE(client->handshake()) << client->describe();
    EXPECT_TRUE(client->roundTrip()) << client->describe();
    return client;
  }

  void expectNormalCallSucceeds() {
    auto client = connectH2();
    uint32_t id = client->sendGrpcRequest();
    ASSERT_TRUE(client->waitStreamDone(id, kReplyTimeout)) << client->describe();
    EXPECT_TRUE(client->stream(id)->grpcOk()) << client->describe();
  }

  // The operator's checklist after an attack.
  void expectGatewayHealthy() {
    ASSERT_TRUE(gateway_->running()) << gateway_->describe();
    expectNormalCallSucceeds();
    Usage now = usageOf(gateway_->pid());
    long rss_growth = now.rss_kib - baseline_.rss_kib;
    milliseconds cpu = now.cpu - baseline_.cpu;
    std::printf("[ measure  ] rss %ld KiB -> %ld KiB (%+ld KiB), cpu %lld ms\n", baseline_.rss_kib,
                now.rss_kib, rss_growth, static_cast<long long>(cpu.count()));
    RecordProperty("rss_growth_kib", std::to_string(rss_growth));
    RecordProperty("cpu_ms", std::to_string(cpu.count()));
    EXPECT_LT(rss_growth, kMaxRssGrowthKiB) << "RSS grew from " << baseline_.rss_kib << " KiB";
    EXPECT_LT(cpu, kCpuBudget) << "CPU used by the attack";
    ASSERT_TRUE(gateway_->running()) << gateway_->describe();
  }

  // RFC 9113 §5.4.1: GOAWAY with `code`, then the TCP connection is closed.
  void expectConnectionError(RawH2Client& client, H2Error code) {
    client.waitFor([&] { return client.goAway().has_value() || client.closed(); }, kReplyTimeout);
    ASSERT_TRUE(client.goAway().has_value())
        << "expected GOAWAY " << errorName(code) << "; " << client.describe();
    EXPECT_EQ(errorName(client.goAway()->error_code), errorName(code)) << client.describe();
    EXPECT_TRUE(client.waitClosed(kReplyTimeout))
        << "not closed after GOAWAY; " << client.describe();
  }

  // RFC 9113 §5.4.2: RST_STREAM with `code` on `stream_id`; the connection stays usable.
  void expectStreamError(RawH2Client& client, uint32_t stream_id, H2Error code) {
    client.waitStreamDone(stream_id, kReplyTimeout);
    const StreamRecord* record = client.stream(stream_id);
    ASSERT_TRUE(record != nullptr && record->reset_code.has_value())
        << "expected RST_STREAM " << errorName(code) << " on stream " << stream_id << "; "
        << client.describe();
    EXPECT_EQ(errorName(*record->reset_code), errorName(code)) << client.describe();
    EXPECT_FALSE(client.goAway().has_value()) << client.describe();
  }

  void expectStreamsOverTheLimitRefused(RawH2Client& client, const std::set<std::string>& refusals);

  H2cBackend backend_;
  testing::TempDir dir_;
  std::unique_ptr<testing::GatewayProcess> gateway_;
  Usage baseline_;
};

TEST_F(AbuseH2c, NormalCallSucceedsAndLimitsAreAdvertised) {
  startGateway();
  auto client = connectH2();
  EXPECT_EQ(client->serverSetting(SettingId::kMaxConcurrentStreams), kMaxConcurrentStreams);
  EXPECT_EQ(client->serverSetting(SettingId::kMaxHeaderListSize), kMaxHeaderListBytes);
  uint32_t id = client->sendGrpcRequest();
  ASSERT_TRUE(client->waitStreamDone(id)) << client->describe();
  EXPECT_TRUE(client->stream(id)->grpcOk()) << client->describe();
  expectGatewayHealthy();
}

// CVE-2023-44487: streams opened and reset at once cost the server work but never count against
// the concurrency limit. The gateway must notice and end the connection.
TEST_F(AbuseH2c, RapidResetGetsGoAwayAndOthersKeepWorking) {
  startGateway();
  auto client = connectH2();
  const std::string block = encodeHeaders(grpcRequestHeaders()).bytes();
  constexpr size_t kMaxStreams = 20000;
  constexpr size_t kBatch = 200;
  size_t streams_sent = 0;
  while (streams_sent < kMaxStreams && !client->goAway() && !client->closed()) {
    std::string burst;
    for (size_t i = 0; i < kBatch; ++i) {
      uint32_t id = client->nextStreamId();
      burst += headersFrame(id, block, kFlagEndHeaders);
      burst += rstStreamFrame(id, H2Error::kCancel);
    }
    if (!client->send(burst)) break;
    streams_sent += kBatch;
    // Wait until the gateway has read the burst, so a GOAWAY it sends is not lost to a TCP reset.
    client->roundTrip();
  }
  client->waitFor([&] { return client->goAway().has_value() || client->closed(); }, kReplyTimeout);
  std::printf(
      "[ measure  ] %zu streams opened and reset before the gateway reacted (%zu reached the "
      "backend): %s\n",
      streams_sent, backend_.requestsStarted(), client->describe().c_str());
  EXPECT_LT(streams_sent, kMaxStreams) << client->describe();
  ASSERT_TRUE(client->goAway().has_value()) << client->describe();
  const std::set<std::string> calm = {errorName(H2Error::kEnhanceYourCalm),
                                      errorName(H2Error::kInternalError)};
  EXPECT_TRUE(calm.count(errorName(client->goAway()->error_code)) == 1) << client->describe();
  EXPECT_TRUE(client->waitClosed(kReplyTimeout)) << client->describe();
  expectGatewayHealthy();
}

// CVE-2024-27316: a header block that never ends. The gateway must close the connection after a
// bounded number of CONTINUATION frames instead of decoding (or buffering) them forever.
TEST_F(AbuseH2c, ContinuationFloodIsCutOff) {
  startGateway();
  auto client = connectH2();
  const uint32_t id = client->nextStreamId();
  ASSERT_TRUE(client->send(headersFrame(id, encodeHeaders(grpcRequestHeaders()).bytes(), 0)));
  HpackBlock filler;
  for (int i = 0; filler.bytes().size() < 16000; ++i) {
    filler.literal("x-flood-" + std::to_string(i), std::string(100, 'f'));
  }
  const std::string continuation = continuationFrame(id, filler.bytes(), false);
  constexpr size_t kMaxFrames = 4096;  // 64 MiB
  constexpr size_t kFramesPerSend = 64;
  std::string chunk;
  for (size_t i = 0; i < kFramesPerSend; ++i) chunk += continuation;
  size_t frames_sent = 0;
  while (frames_sent < kMaxFrames && client->send(chunk)) frames_sent += kFramesPerSend;
  std::printf("[ measure  ] %zu CONTINUATION frames (%zu KiB) written before the close: %s\n",
              frames_sent, client->bytesSent() / 1024, client->describe().c_str());
  EXPECT_FALSE(client->timedOut())
      << "gateway stopped reading but kept the connection; " << client->describe();
  EXPECT_LT(frames_sent, kMaxFrames) << client->describe();
  EXPECT_TRUE(client->waitClosed(kReplyTimeout)) << client->describe();
  if (client->goAway()) {
    EXPECT_NE(errorName(client->goAway()->error_code), errorName(H2Error::kNoError));
  }
  EXPECT_EQ(backend_.requestsStarted(), 1u) << "the endless request reached the backend";
  expectGatewayHealthy();
}

// One 4000-byte field added to the HPACK dynamic table, then referenced 30000 times by a one-byte
// index: 34 KB on the wire, 120 MB of headers once decoded.
TEST_F(AbuseH2c, HpackBombIsRefused) {
  startGateway();
  auto client = connectH2();
  HpackBlock block = encodeHeaders(grpcRequestHeaders());
  block.literalIndexed("x-bomb", std::string(4000, 'b'));
  for (int i = 0; i < 30000; ++i) block.indexed(62);
  const uint32_t id = client->nextStreamId();
  client->send(headerBlockFrames(id, block.bytes(), true, client->serverMaxFrameSize()));
  client->waitFor(
      [&] {
        const StreamRecord* record = client->stream(id);
        return client->goAway() || client->closed() ||
               (record != nullptr && (record->ended || record->reset_code));
      },
      kReplyTimeout);
  const StreamRecord* record = client->stream(id);
  bool refused =
      client->goAway() || client->closed() ||
      (record != nullptr && (record->reset_code || (record->ended && !record->grpcOk())));
  EXPECT_TRUE(refused) << client->describe();
  if (record != nullptr && record->ended && !record->reset_code) {
    // A local reply: 431, or gRPC's RESOURCE_EXHAUSTED for a crossed header limit.
    EXPECT_TRUE(record->responseHeader(":status") == "431" || record->trailer("grpc-status") == "8")
        << client->describe();
  }
  EXPECT_EQ(backend_.requestsStarted(), 1u) << "the bomb reached the backend";
  expectGatewayHealthy();
}

// A header list over --max-header-list-size refuses that stream only; the connection goes on.
TEST_F(AbuseH2c, OversizedHeaderListRefusesOnlyThatStream) {
  startGateway();
  auto client = connectH2();
  const uint32_t id = client->nextStreamId();
  HeaderList headers = grpcRequestHeaders();
  headers.push_back({"x-big", std::string(2 * kMaxHeaderListBytes, 'h')});
  client->send(
      headerBlockFrames(id, encodeHeaders(headers).bytes(), true, client->serverMaxFrameSize()));
  ASSERT_TRUE(client->waitStreamDone(id)) << client->describe();
  const StreamRecord* record = client->stream(id);
  bool refused = record->reset_code.has_value() || record->responseHeader(":status") == "431" ||
                 record->trailer("grpc-status") == "8";
  EXPECT_TRUE(refused) << client->describe();
  EXPECT_FALSE(client->goAway().has_value()) << client->describe();
  EXPECT_EQ(backend_.requestsStarted(), 1u) << "the oversized request reached the backend";
  uint32_t next = client->sendGrpcRequest();
  ASSERT_TRUE(client->waitStreamDone(next)) << client->describe();
  EXPECT_TRUE(client->stream(next)->grpcOk()) << client->describe();
  expectGatewayHealthy();
}

TEST_F(AbuseH2c, HeaderListUnderTheLimitIsServed) {
  startGateway();
  auto client = connectH2();
  uint32_t id = client->sendGrpcRequest({{"x-medium", std::string(kMaxHeaderListBytes / 2, 'm')}});
  ASSERT_TRUE(client->waitStreamDone(id)) << client->describe();
  EXPECT_TRUE(client->stream(id)->grpcOk()) << client->describe();
}

// A client that connects and sends nothing at all is closed after --idle-timeout.
TEST_F(AbuseH2c, SilentClientIsClosedAfterIdleTimeout) {
  startGateway({"--idle-timeout", "1s"});
  auto client = connect();
  client->setAutoAckSettings(false);  // not even an acknowledgement of the server's SETTINGS
  auto start = steady_clock::now();
  ASSERT_TRUE(client->waitClosed(seconds(10))) << client->describe();
  auto waited = std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
  std::printf("[ measure  ] closed after %lld ms\n", static_cast<long long>(waited.count()));
  EXPECT_GE(waited, milliseconds(800)) << "closed before the idle timeout";
  EXPECT_LT(waited, seconds(5));
  expectGatewayHealthy();
}

// Same after a complete handshake: a connection without streams is idle.
TEST_F(AbuseH2c, IdleH2ConnectionIsClosedAfterIdleTimeout) {
  startGateway({"--idle-timeout", "1s"});
  auto client = connectH2();
  auto start = steady_clock::now();
  ASSERT_TRUE(client->waitClosed(seconds(10))) << client->describe();
  auto waited = std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
  EXPECT_GE(waited, milliseconds(800));
  EXPECT_LT(waited, seconds(5));
  if (client->goAway()) {
    EXPECT_EQ(errorName(client->goAway()->error_code), errorName(H2Error::kNoError));
  }
  expectGatewayHealthy();
}

// RFC 9113 §3.4: an invalid preface is a connection error; the GOAWAY may be omitted.
TEST_F(AbuseH2c, BadPrefaceClosesTheConnection) {
  startGateway();
  auto client = connect();
  client->send("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n" + settingsFrame({}));
  EXPECT_TRUE(client->waitClosed(kReplyTimeout)) << client->describe();
  if (client->goAway()) {
    EXPECT_EQ(errorName(client->goAway()->error_code), errorName(H2Error::kProtocolError));
  }
  expectGatewayHealthy();
}

TEST_F(AbuseH2c, BinaryGarbageClosesTheConnection) {
  startGateway();
  auto client = connect();
  std::string garbage;
  uint32_t state = 12345;
  for (int i = 0; i < 4096; ++i) {
    state = state * 1103515245u + 12345u;
    garbage.push_back(static_cast<char>(state >> 16));
  }
  client->send(garbage);
  EXPECT_TRUE(client->waitClosed(kReplyTimeout)) << client->describe();
  expectGatewayHealthy();
}

// RFC 9113 §6.1.
TEST_F(AbuseH2c, DataOnStreamZeroIsProtocolError) {
  startGateway();
  auto client = connectH2();
  client->send(dataFrame(0, "hello", false));
  expectConnectionError(*client, H2Error::kProtocolError);
  expectGatewayHealthy();
}

// RFC 9113 §4.2: a frame carrying a field block over SETTINGS_MAX_FRAME_SIZE.
TEST_F(AbuseH2c, HeadersLargerThanMaxFrameSizeIsFrameSizeError) {
  startGateway();
  auto client = connectH2();
  uint32_t length = client->serverMaxFrameSize() + 1;
  std::string block = encodeHeaders(grpcRequestHeaders()).bytes();
  block.resize(length, '\0');
  client->send(frameHeader(FrameType::kHeaders, kFlagEndHeaders | kFlagEndStream, 1, length) +
               block);
  expectConnectionError(*client, H2Error::kFrameSizeError);
  expectGatewayHealthy();
}

// RFC 9113 §6.7.
TEST_F(AbuseH2c, PingOfWrongLengthIsFrameSizeError) {
  startGateway();
  auto client = connectH2();
  client->send(frame(FrameType::kPing, 0, 0, "123456789"));
  expectConnectionError(*client, H2Error::kFrameSizeError);
  expectGatewayHealthy();
}

// RFC 9113 §5.1.1: clients open odd streams only.
TEST_F(AbuseH2c, HeadersOnEvenStreamIsProtocolError) {
  startGateway();
  auto client = connectH2();
  client->send(headersFrame(2, encodeHeaders(grpcRequestHeaders()).bytes(),
                            kFlagEndHeaders | kFlagEndStream));
  expectConnectionError(*client, H2Error::kProtocolError);
  expectGatewayHealthy();
}

// RFC 9113 §8.1.1, §8.2, §8.3: malformed requests are stream errors of type PROTOCOL_ERROR.
TEST_F(AbuseH2c, MalformedRequestsAreResetWithProtocolError) {
  startGateway();
  auto client = connectH2();
  auto without = [](std::string_view name) {
    HeaderList headers;
    for (const Header& header : grpcRequestHeaders()) {
      if (header.name != name) headers.push_back(header);
    }
    return headers;
  };
  auto with = [](Header extra) {
    HeaderList headers = grpcRequestHeaders();
    headers.push_back(std::move(extra));
    return headers;
  };
  HeaderList pseudo_after_regular = grpcRequestHeaders();
  pseudo_after_regular.push_back({":authority", "grpc.example.com"});
  struct Case {
    std::string name;
    HeaderList headers;
  };
  const std::vector<Case> cases = {
      {"uppercase header name", with({"X-Upper", "1"})},
      {"missing :path", without(":path")},
      {"missing :method", without(":method")},
      {"unknown pseudo-header", with({":protocol-x", "1"})},
      {"pseudo-header after a regular header", pseudo_after_regular},
      {"connection-specific header", with({"connection", "keep-alive"})},
      {"te other than trailers", with({"te", "gzip"})},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    uint32_t id = client->nextStreamId();
    client->send(headerBlockFrames(id, encodeHeaders(c.headers).bytes(), true));
    expectStreamError(*client, id, H2Error::kProtocolError);
  }
  EXPECT_EQ(backend_.requestsStarted(), 1u) << "a malformed request reached the backend";
  uint32_t id = client->sendGrpcRequest();
  ASSERT_TRUE(client->waitStreamDone(id)) << client->describe();
  EXPECT_TRUE(client->stream(id)->grpcOk()) << client->describe();
  expectGatewayHealthy();
}

// RFC 9113 §6.9.1: a WINDOW_UPDATE that takes the connection window past 2^31-1.
TEST_F(AbuseH2c, ConnectionWindowOverflowIsFlowControlError) {
  startGateway();
  auto client = connectH2();
  client->send(windowUpdateFrame(0, 0x7FFFFFFF));
  expectConnectionError(*client, H2Error::kFlowControlError);
  expectGatewayHealthy();
}

// RFC 9113 §6.9.1: the same on a stream resets that stream only.
TEST_F(AbuseH2c, StreamWindowOverflowIsFlowControlStreamError) {
  startGateway();
  auto client = connectH2();
  uint32_t id = client->nextStreamId();
  client->send(headersFrame(id, encodeHeaders(grpcRequestHeaders()).bytes(), kFlagEndHeaders));
  client->send(windowUpdateFrame(id, 0x7FFFFFFF));
  expectStreamError(*client, id, H2Error::kFlowControlError);
  uint32_t next = client->sendGrpcRequest();
  ASSERT_TRUE(client->waitStreamDone(next)) << client->describe();
  EXPECT_TRUE(client->stream(next)->grpcOk()) << client->describe();
  expectGatewayHealthy();
}

// RFC 9113 §6.9: an increment of 0 on the connection is a connection error.
TEST_F(AbuseH2c, ZeroWindowIncrementIsProtocolError) {
  startGateway();
  auto client = connectH2();
  client->send(windowUpdateFrame(0, 0));
  expectConnectionError(*client, H2Error::kProtocolError);
  expectGatewayHealthy();
}

// Opens the limit's worth of streams without ending them, then two more; the two must be refused
// as streams, the open ones must complete, and the connection must go on serving.
void AbuseH2c::expectStreamsOverTheLimitRefused(RawH2Client& client,
                                                const std::set<std::string>& refusals) {
  const std::string block = encodeHeaders(grpcRequestHeaders()).bytes();
  std::vector<uint32_t> open;
  for (uint32_t i = 0; i < kMaxConcurrentStreams; ++i) {
    open.push_back(client.nextStreamId());
    client.send(headersFrame(open.back(), block, kFlagEndHeaders));
  }
  ASSERT_TRUE(client.roundTrip()) << client.describe();
  std::vector<uint32_t> excess = {client.nextStreamId(), client.nextStreamId()};
  for (uint32_t id : excess) client.send(headersFrame(id, block, kFlagEndHeaders));
  for (uint32_t id : excess) {
    client.waitStreamDone(id, kReplyTimeout);
    const StreamRecord* record = client.stream(id);
    ASSERT_TRUE(record != nullptr && record->reset_code.has_value())
        << "stream " << id << " over the limit was not refused; " << client.describe();
    EXPECT_TRUE(refusals.count(errorName(*record->reset_code)) == 1) << client.describe();
  }
  EXPECT_FALSE(client.goAway().has_value()) << client.describe();
  for (uint32_t id : open) client.send(dataFrame(id, grpcMessage(""), true));
  for (uint32_t id : open) {
    ASSERT_TRUE(client.waitStreamDone(id)) << client.describe();
    EXPECT_TRUE(client.stream(id)->grpcOk()) << "stream " << id << ": " << client.describe();
  }
  uint32_t after = client.sendGrpcRequest();
  ASSERT_TRUE(client.waitStreamDone(after)) << client.describe();
  EXPECT_TRUE(client.stream(after)->grpcOk()) << client.describe();
}

// RFC 9113 §5.1.2 asks for a stream error when a client opens more streams than the limit it
// has acknowledged. nghttp2 1.52 (and so meshgate, nghttpx and Apache) treats it as a connection
// error instead: GOAWAY(PROTOCOL_ERROR). A known deviation, documented in the README: only a
// client that ignores a limit it acknowledged meets it, and other connections are unaffected.
TEST_F(AbuseH2c, StreamsOverTheAcknowledgedLimitEndOnlyThatConnection) {
  startGateway();
  auto client = connectH2();
  ASSERT_TRUE(client->settingsAcked()) << client->describe();
  const std::string block = encodeHeaders(grpcRequestHeaders()).bytes();
  for (uint32_t i = 0; i <= kMaxConcurrentStreams; ++i) {
    client->send(headersFrame(client->nextStreamId(), block, kFlagEndHeaders));
  }
  ASSERT_TRUE(client->waitClosed(kReplyTimeout)) << client->describe();
  ASSERT_TRUE(client->goAway().has_value()) << client->describe();
  EXPECT_EQ(errorName(client->goAway()->error_code), errorName(H2Error::kProtocolError));
  EXPECT_EQ(client->goAway()->last_stream_id, 2 * kMaxConcurrentStreams - 1) << client->describe();
  auto other = connectH2();
  uint32_t id = other->sendGrpcRequest();
  ASSERT_TRUE(other->waitStreamDone(id)) << other->describe();
  EXPECT_TRUE(other->stream(id)->grpcOk()) << other->describe();
  expectGatewayHealthy();
}

// The common race: a client opens streams before it has acknowledged the server's SETTINGS. The
// excess must be REFUSED_STREAM, which tells the client it may retry them.
TEST_F(AbuseH2c, StreamsOverTheLimitBeforeSettingsAckAreRefusedStream) {
  startGateway();
  auto client = connect();
  client->setAutoAckSettings(false);
  ASSERT_TRUE(client->handshake()) << client->describe();
  expectStreamsOverTheLimitRefused(*client, {errorName(H2Error::kRefusedStream)});
  expectGatewayHealthy();
}

}  // namespace
}  // namespace meshgate::abuse
