#include "http/h2/codec.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace meshgate::http::h2 {
namespace {

constexpr uint32_t kNoError = 0x0;
constexpr uint32_t kProtocolError = 0x1;
constexpr uint32_t kInternalError = 0x2;
constexpr uint32_t kCancel = 0x8;
constexpr size_t kUnbounded = SIZE_MAX;

// What one side sends as a stream's body.
struct OutgoingBody {
  std::string bytes;
  size_t sent = 0;
  bool complete = true;  // false: more bytes may come; the source defers when drained
  std::optional<HeaderList> trailers = std::nullopt;
};

// One side of a connection: a Codec and a log of what it reported, as readable lines.
// Consecutive onData calls of one stream log one "data" line; the bytes go to received.
class Peer : public CodecCallbacks {
 public:
  explicit Peer(Codec::Role role, const Limits& limits = Limits()) : codec(role, limits, *this) {}

  // CodecCallbacks
  void onStreamBegin(int32_t stream_id) override { log("begin {}", stream_id); }
  bool onHeader(int32_t stream_id, std::string_view name, std::string_view value) override {
    log("header {} {}: {}", stream_id, name, value);
    return reject_header.empty() || name != reject_header;
  }
  void onHeadersEnd(int32_t stream_id, bool end_stream) override {
    log("headers-end {} end_stream={}", stream_id, end_stream);
  }
  void onData(int32_t stream_id, const uint8_t* data, size_t length) override {
    std::string line = fmt::format("data {}", stream_id);
    if (events.empty() || events.back() != line) events.push_back(line);
    received[stream_id].append(reinterpret_cast<const char*>(data), length);
    if (auto_consume) {
      codec.consume(stream_id, length);
    } else {
      unconsumed[stream_id] += length;
    }
  }
  void onDataEnd(int32_t stream_id) override { log("data-end {}", stream_id); }
  void onStreamClose(int32_t stream_id, uint32_t error_code) override {
    log("close {} code={}", stream_id, error_code);
    closed[stream_id] = error_code;
  }
  BodyChunk onBodyRead(int32_t stream_id, uint8_t* buffer, size_t length) override {
    auto it = bodies.find(stream_id);
    if (it == bodies.end()) return {BodyChunk::Kind::kEnd, 0};
    OutgoingBody& body = it->second;
    size_t n = std::min(length, body.bytes.size() - body.sent);
    std::memcpy(buffer, body.bytes.data() + body.sent, n);
    body.sent += n;
    if (body.sent < body.bytes.size()) return {BodyChunk::Kind::kData, n};
    if (!body.complete) return {n > 0 ? BodyChunk::Kind::kData : BodyChunk::Kind::kDeferred, n};
    if (body.trailers) {
      EXPECT_TRUE(codec.submitTrailers(stream_id, *body.trailers));
      return {BodyChunk::Kind::kTrailers, n};
    }
    return {BodyChunk::Kind::kEnd, n};
  }
  void onGoAway(int32_t last_stream_id, uint32_t error_code) override {
    log("goaway {} code={}", last_stream_id, error_code);
  }

  // Everything the codec has to send now.
  std::string output() {
    base::ByteQueue out;
    EXPECT_TRUE(codec.produce(out, kUnbounded));
    return std::string(out.view());
  }
  bool feed(std::string_view bytes) {
    return codec.receive(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }

  std::vector<std::string> events;
  std::map<int32_t, std::string> received;
  std::map<int32_t, uint32_t> closed;
  std::map<int32_t, OutgoingBody> bodies;
  std::map<int32_t, size_t> unconsumed;
  bool auto_consume = true;
  std::string reject_header;
  Codec codec;  // last: built after the state its callbacks touch

 private:
  template <typename... Args>
  void log(fmt::format_string<Args...> format, Args&&... args) {
    events.push_back(fmt::format(format, std::forward<Args>(args)...));
  }
};

// Moves bytes both ways until neither side has anything left to send.
void pump(Peer& a, Peer& b) {
  for (int round = 0; round < 10000; ++round) {
    std::string from_a = a.output();
    if (!from_a.empty()) {
      ASSERT_TRUE(b.feed(from_a));
    }
    std::string from_b = b.output();
    if (!from_b.empty()) {
      ASSERT_TRUE(a.feed(from_b));
    }
    if (from_a.empty() && from_b.empty()) return;
  }
  FAIL() << "the peers kept talking";
}

// The request headers a gRPC client sends, as the views submitRequest() takes.
std::vector<HeaderView> grpcRequest(std::string_view path = "/pkg.Svc/Method") {
  return {{":method", "POST"},
          {":scheme", "http"},
          {":path", path},
          {":authority", "grpc.example.com"},
          {"content-type", "application/grpc"},
          {"te", "trailers"}};
}

HeaderList headerList(std::initializer_list<std::pair<std::string_view, std::string_view>> list) {
  HeaderList headers;
  for (const auto& [name, value] : list) headers.add(name, value);
  return headers;
}

// A gRPC length-prefixed message.
std::string grpcFrame(std::string_view message) {
  std::string frame(5, '\0');
  frame[4] = static_cast<char>(message.size());
  frame.append(message);
  return frame;
}

// The GOAWAY frames in bytes a codec produced (the client preface skipped): their error codes.
std::vector<uint32_t> goAwayCodes(std::string_view bytes) {
  constexpr std::string_view kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  if (bytes.starts_with(kPreface)) bytes.remove_prefix(kPreface.size());
  auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])); };
  std::vector<uint32_t> codes;
  while (bytes.size() >= 9) {
    size_t length = byte(0) << 16 | byte(1) << 8 | byte(2);
    if (bytes.size() < 9 + length) break;
    if (byte(3) == 0x7 && length >= 8) {
      codes.push_back(byte(13) << 24 | byte(14) << 16 | byte(15) << 8 | byte(16));
    }
    bytes.remove_prefix(9 + length);
  }
  return codes;
}

std::vector<std::string> eventsOf(const Peer& peer, int32_t stream_id) {
  std::vector<std::string> out;
  std::string id = std::to_string(stream_id);
  for (const auto& event : peer.events) {
    size_t space = event.find(' ');
    if (space == std::string::npos) continue;
    std::string_view rest = std::string_view(event).substr(space + 1);
    if (rest.starts_with(id) && (rest.size() == id.size() || rest[id.size()] == ' ')) {
      out.push_back(event);
    }
  }
  return out;
}

class CodecTest : public ::testing::Test {
 protected:
  // Sends a unary request: headers, one message, END_STREAM.
  int32_t sendUnaryRequest(std::string_view message = "hello") {
    int32_t id = client_.codec.submitRequest(grpcRequest(), true, nullptr);
    EXPECT_GT(id, 0);
    client_.bodies[id] = {grpcFrame(message)};
    pump(client_, server_);
    return id;
  }

  Peer client_{Codec::Role::kClient};
  Peer server_{Codec::Role::kServer};
};

TEST_F(CodecTest, RequestWithBodyAndTrailersReachesTheServer) {
  int32_t id = client_.codec.submitRequest(grpcRequest(), true, nullptr);
  ASSERT_EQ(id, 1);
  client_.bodies[id] = {grpcFrame("hello"), 0, true, headerList({{"x-checksum", "42"}})};
  pump(client_, server_);

  std::vector<std::string> expected = {
      "begin 1",
      "header 1 :method: POST",
      "header 1 :scheme: http",
      "header 1 :path: /pkg.Svc/Method",
      "header 1 :authority: grpc.example.com",
      "header 1 content-type: application/grpc",
      "header 1 te: trailers",
      "headers-end 1 end_stream=false",
      "data 1",
      "header 1 x-checksum: 42",
      "headers-end 1 end_stream=true",
  };
  EXPECT_EQ(server_.events, expected);
  EXPECT_EQ(server_.received[1], grpcFrame("hello"));
  EXPECT_FALSE(server_.closed.contains(1));  // the server has not answered yet
}

TEST_F(CodecTest, TrailersOnlyResponseEndsTheStreamOnBothSides) {
  int32_t id = sendUnaryRequest();
  ASSERT_TRUE(server_.codec.submitResponse(id,
                                           headerList({{":status", "200"},
                                                       {"content-type", "application/grpc"},
                                                       {"grpc-status", "5"},
                                                       {"grpc-message", "not%20found"}}),
                                           false));
  pump(client_, server_);

  std::vector<std::string> expected = {
      "header 1 :status: 200",         "header 1 content-type: application/grpc",
      "header 1 grpc-status: 5",       "header 1 grpc-message: not%20found",
      "headers-end 1 end_stream=true", "close 1 code=0",
  };
  EXPECT_EQ(eventsOf(client_, id), expected);
  EXPECT_EQ(server_.closed[id], kNoError);
  EXPECT_FALSE(client_.received.contains(id));
}

TEST_F(CodecTest, ResponseWithMessageAndTrailersReachesTheClient) {
  int32_t id = sendUnaryRequest();
  ASSERT_TRUE(server_.codec.submitResponse(
      id, headerList({{":status", "200"}, {"content-type", "application/grpc"}}), true));
  server_.bodies[id] = {grpcFrame("world"), 0, true, headerList({{"grpc-status", "0"}})};
  pump(client_, server_);

  std::vector<std::string> expected = {
      "header 1 :status: 200",
      "header 1 content-type: application/grpc",
      "headers-end 1 end_stream=false",
      "data 1",
      "header 1 grpc-status: 0",
      "headers-end 1 end_stream=true",
      "close 1 code=0",
  };
  EXPECT_EQ(eventsOf(client_, id), expected);
  EXPECT_EQ(client_.received[id], grpcFrame("world"));
  EXPECT_EQ(server_.closed[id], kNoError);
}

TEST_F(CodecTest, BodyEndingWithoutTrailersEndsWithDataEnd) {
  int32_t id = sendUnaryRequest("ping");
  std::vector<std::string> server_events = eventsOf(server_, id);
  ASSERT_GE(server_events.size(), 2u);
  EXPECT_EQ(server_events[server_events.size() - 2], "data 1");
  EXPECT_EQ(server_events.back(), "data-end 1");
  EXPECT_EQ(server_.received[id], grpcFrame("ping"));
}

TEST_F(CodecTest, DeferredBodyResumesAfterResumeData) {
  int32_t id = client_.codec.submitRequest(grpcRequest(), true, nullptr);
  client_.bodies[id] = {"", 0, false};
  pump(client_, server_);
  EXPECT_EQ(eventsOf(server_, id).back(), "headers-end 1 end_stream=false");
  EXPECT_FALSE(server_.received.contains(id));

  client_.bodies[id].bytes = grpcFrame("late");
  client_.bodies[id].complete = true;
  client_.codec.resumeData(id);
  pump(client_, server_);
  EXPECT_EQ(server_.received[id], grpcFrame("late"));
  EXPECT_EQ(eventsOf(server_, id).back(), "data-end 1");
}

// Flow control: windows small enough to fill quickly, SETTINGS exchanged before the request.
class CodecFlowControlTest : public ::testing::Test {
 protected:
  static Limits smallWindows() {
    Limits limits;
    limits.stream_window_bytes = kWindow;
    return limits;
  }
  void SetUp() override {
    pump(client_, server_);
    server_.auto_consume = false;
    id_ = client_.codec.submitRequest(grpcRequest(), true, nullptr);
    client_.bodies[id_] = {std::string(kBody, 'x')};
    pump(client_, server_);
  }
  // Acknowledges everything the server holds, as a proxy does once it has forwarded it.
  void consumeAll() {
    server_.codec.consume(id_, server_.unconsumed[id_]);
    server_.unconsumed[id_] = 0;
  }

  static constexpr uint32_t kWindow = 16 * 1024;
  static constexpr size_t kBody = 100 * 1000;
  Peer client_{Codec::Role::kClient, smallWindows()};
  Peer server_{Codec::Role::kServer, smallWindows()};
  int32_t id_ = 0;
};

TEST_F(CodecFlowControlTest, SenderStopsAtTheStreamWindowWithoutConsume) {
  EXPECT_EQ(server_.received[id_].size(), kWindow);
  pump(client_, server_);
  EXPECT_EQ(server_.received[id_].size(), kWindow);
  EXPECT_EQ(client_.bodies[id_].sent, kWindow);
}

TEST_F(CodecFlowControlTest, ConsumeReopensTheWindowByWhatWasConsumed) {
  consumeAll();
  pump(client_, server_);
  EXPECT_EQ(server_.received[id_].size(), 2 * kWindow);
}

TEST_F(CodecFlowControlTest, WholeBodyArrivesWhileTheReceiverKeepsConsuming) {
  int stalls = 0;
  while (server_.received[id_].size() < kBody && stalls < 100) {
    ++stalls;
    consumeAll();
    pump(client_, server_);
  }
  EXPECT_EQ(server_.received[id_], std::string(kBody, 'x'));
  EXPECT_EQ(stalls, static_cast<int>((kBody - 1) / kWindow));
  EXPECT_EQ(eventsOf(server_, id_).back(), "data-end 1");
}

TEST_F(CodecTest, ResetByTheClientReachesTheServerWithItsCode) {
  int32_t id = client_.codec.submitRequest(grpcRequest(), true, nullptr);
  client_.bodies[id] = {"", 0, false};
  pump(client_, server_);
  ASSERT_FALSE(server_.closed.contains(id));
  client_.codec.resetStream(id, kCancel);
  pump(client_, server_);
  ASSERT_TRUE(server_.closed.contains(id));
  EXPECT_EQ(server_.closed[id], kCancel);
  EXPECT_EQ(client_.closed[id], kCancel);
}

TEST_F(CodecTest, ResetByTheServerReachesTheClientWithItsCode) {
  int32_t id = client_.codec.submitRequest(grpcRequest(), true, nullptr);
  client_.bodies[id] = {"", 0, false};
  pump(client_, server_);
  server_.codec.resetStream(id, kInternalError);
  pump(client_, server_);
  ASSERT_TRUE(client_.closed.contains(id));
  EXPECT_EQ(client_.closed[id], kInternalError);
  EXPECT_EQ(server_.closed[id], kInternalError);
}

TEST_F(CodecTest, RefusedHeaderResetsOnlyItsStream) {
  server_.reject_header = "x-too-big";
  std::vector<HeaderView> refused = grpcRequest();
  refused.push_back({"x-too-big", "1"});
  int32_t bad = client_.codec.submitRequest(refused, false, nullptr);
  int32_t good = client_.codec.submitRequest(grpcRequest(), false, nullptr);
  pump(client_, server_);
  ASSERT_TRUE(client_.closed.contains(bad));
  EXPECT_NE(client_.closed[bad], kNoError);
  EXPECT_EQ(eventsOf(server_, good).back(), "headers-end 3 end_stream=true");

  ASSERT_TRUE(server_.codec.submitResponse(
      good, headerList({{":status", "200"}, {"grpc-status", "0"}}), false));
  pump(client_, server_);
  EXPECT_EQ(client_.closed[good], kNoError);
  EXPECT_TRUE(client_.codec.alive());
}

TEST_F(CodecTest, GoAwayTellsTheClientTheLastProcessedStream) {
  int32_t id = sendUnaryRequest();
  server_.codec.goAway(kNoError);
  std::string bytes = server_.output();
  EXPECT_EQ(goAwayCodes(bytes), std::vector<uint32_t>{kNoError});
  ASSERT_TRUE(client_.feed(bytes));
  EXPECT_EQ(client_.events.back(), fmt::format("goaway {} code=0", id));
}

TEST_F(CodecTest, ShutdownNoticeAnnouncesTheHighestStreamId) {
  pump(client_, server_);
  server_.codec.shutdownNotice();
  pump(client_, server_);
  EXPECT_EQ(client_.events.back(), "goaway 2147483647 code=0");
}

TEST_F(CodecTest, PeerMaxConcurrentStreamsFollowsThePeersSettings) {
  Limits limits;
  limits.max_concurrent_streams = 7;
  Peer client(Codec::Role::kClient);
  Peer server(Codec::Role::kServer, limits);
  // Before SETTINGS arrive nghttp2 assumes 100 (RFC 9113 §5.1.2's recommended minimum).
  EXPECT_EQ(client.codec.peerMaxConcurrentStreams(), 100u);
  pump(client, server);
  EXPECT_EQ(client.codec.peerMaxConcurrentStreams(), 7u);
}

TEST_F(CodecTest, StreamDataIsKeptPerStream) {
  int first_marker = 0;
  int second_marker = 0;
  int32_t first = client_.codec.submitRequest(grpcRequest(), false, &first_marker);
  int32_t second = client_.codec.submitRequest(grpcRequest(), false, nullptr);
  pump(client_, server_);
  EXPECT_EQ(client_.codec.streamData(first), &first_marker);
  EXPECT_EQ(client_.codec.streamData(second), nullptr);
  client_.codec.setStreamData(second, &second_marker);
  EXPECT_EQ(client_.codec.streamData(second), &second_marker);
  EXPECT_EQ(server_.codec.streamData(first), nullptr);
  server_.codec.setStreamData(first, &first_marker);
  EXPECT_EQ(server_.codec.streamData(first), &first_marker);
}

// Replays bytes into fresh peers split in two at every offset; each must report what the
// unsplit input did.
template <typename MakePeer>
void expectSameEventsAtEverySplit(std::string_view wire, MakePeer make_peer) {
  auto whole = make_peer();
  ASSERT_TRUE(whole->feed(wire));
  ASSERT_FALSE(whole->events.empty());
  for (size_t offset = 1; offset < wire.size(); ++offset) {
    auto split = make_peer();
    ASSERT_TRUE(split->feed(wire.substr(0, offset))) << "offset " << offset;
    ASSERT_TRUE(split->feed(wire.substr(offset))) << "offset " << offset;
    ASSERT_EQ(split->events, whole->events) << "offset " << offset;
    ASSERT_EQ(split->received, whole->received) << "offset " << offset;
  }
}

TEST_F(CodecTest, RequestSplitAtEveryOffsetGivesTheSameEvents) {
  int32_t id = client_.codec.submitRequest(grpcRequest(), true, nullptr);
  client_.bodies[id] = {grpcFrame("split me"), 0, true, headerList({{"x-checksum", "7"}})};
  std::string wire = client_.output();
  expectSameEventsAtEverySplit(wire, [] { return std::make_unique<Peer>(Codec::Role::kServer); });
}

TEST_F(CodecTest, ResponseSplitAtEveryOffsetGivesTheSameEvents) {
  // Every fresh client sends the same bytes, so the server's answer to one fits them all.
  auto make_client = [](std::string* sent) {
    auto client = std::make_unique<Peer>(Codec::Role::kClient);
    int32_t id = client->codec.submitRequest(grpcRequest(), true, nullptr);
    client->bodies[id] = {grpcFrame("hello")};
    std::string bytes = client->output();
    if (sent != nullptr) *sent = bytes;
    return client;
  };
  std::string request;
  auto requester = make_client(&request);
  ASSERT_TRUE(server_.feed(request));
  ASSERT_TRUE(server_.codec.submitResponse(
      1, headerList({{":status", "200"}, {"content-type", "application/grpc"}}), true));
  server_.bodies[1] = {grpcFrame("world"), 0, true,
                       headerList({{"grpc-status", "0"}, {"grpc-message", ""}})};
  std::string wire = server_.output();
  expectSameEventsAtEverySplit(wire, [&] { return make_client(nullptr); });
}

TEST_F(CodecTest, GarbageInsteadOfTheClientPrefaceFailsReceive) {
  EXPECT_FALSE(server_.feed("GET / HTTP/1.1\r\nHost: grpc.example.com\r\n\r\n"));
}

// A protocol error after the preface is not a receive() failure: nghttp2 queues GOAWAY and the
// session ends once it is out, which owners see through alive().
TEST_F(CodecTest, GarbageFromTheServerEndsTheClientSession) {
  ASSERT_FALSE(client_.output().empty());
  client_.feed(std::string(64, '\xff'));
  EXPECT_EQ(goAwayCodes(client_.output()), std::vector<uint32_t>{kProtocolError});
  EXPECT_FALSE(client_.codec.alive());
}

TEST_F(CodecTest, GarbageAfterThePrefaceEndsTheServerSession) {
  ASSERT_TRUE(server_.feed("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
  server_.feed(std::string(64, '\xff'));
  EXPECT_EQ(goAwayCodes(server_.output()), std::vector<uint32_t>{kProtocolError});
  EXPECT_FALSE(server_.codec.alive());
}

}  // namespace
}  // namespace meshgate::http::h2
