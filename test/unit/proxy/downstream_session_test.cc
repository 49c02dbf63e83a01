#include "proxy/downstream_session.h"

#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "http/h2/codec.h"
#include "io/socket.h"
#include "unit/io/run_until.h"

namespace meshgate::proxy {
namespace {

using namespace std::chrono_literals;
using test::runUntil;

// The worker side: frees a session once it reports its close, as server::Worker does.
class TestWorker : public WorkerContext {
 public:
  TestWorker(io::EventLoop& loop, const http::Limits& limits) : WorkerContext(loop, limits, 1) {}
  void onSessionClosed(DownstreamSession& session) override {
    ++sessions_closed;
    if (session_.get() == &session) loop().deferDelete(std::move(session_));
  }
  void adopt(std::unique_ptr<DownstreamSession> session) { session_ = std::move(session); }

  int sessions_closed = 0;

 private:
  std::unique_ptr<DownstreamSession> session_;
};

// A downstream client: an h2 client codec over a raw socket, driven by the same loop.
class TestClient : public http::h2::CodecCallbacks {
 public:
  TestClient(io::EventLoop& loop, io::Fd fd)
      : fd_(std::move(fd)),
        codec_(http::h2::Codec::Role::kClient, http::Limits(), *this),
        watch_(loop, fd_.get(), [this](short) { readAvailable(); }) {
    watch_.want(io::FdWatch::kRead);
  }

  // Sends what the codec has queued (the preface and SETTINGS to start with).
  void flush() {
    base::ByteQueue out;
    ASSERT_TRUE(codec_.produce(out, SIZE_MAX));
    while (!out.empty()) {
      ssize_t n = ::send(fd_.get(), out.data(), out.size(), MSG_NOSIGNAL);
      ASSERT_GT(n, 0) << std::strerror(errno);
      out.drain(static_cast<size_t>(n));
    }
  }
  int32_t request(std::string_view content_type, std::string_view path = "/pkg.Svc/Method") {
    const http::HeaderView headers[] = {{":method", "POST"},
                                        {":scheme", "http"},
                                        {":path", path},
                                        {":authority", "grpc.example.com"},
                                        {"content-type", content_type},
                                        {"te", "trailers"}};
    int32_t id = codec_.submitRequest(headers, false, nullptr);
    flush();
    return id;
  }

  // http::h2::CodecCallbacks
  void onStreamBegin(int32_t) override {}
  bool onHeader(int32_t, std::string_view name, std::string_view value) override {
    response.add(name, value);
    return true;
  }
  void onHeadersEnd(int32_t, bool end_stream) override { response_ended |= end_stream; }
  void onData(int32_t stream_id, const uint8_t* data, size_t length) override {
    body.append(reinterpret_cast<const char*>(data), length);
    codec_.consume(stream_id, length);
  }
  void onDataEnd(int32_t) override { response_ended = true; }
  void onStreamClose(int32_t, uint32_t) override {}
  http::h2::BodyChunk onBodyRead(int32_t, uint8_t*, size_t) override {
    return {http::h2::BodyChunk::Kind::kEnd, 0};
  }
  void onGoAway(int32_t, uint32_t) override { got_goaway = true; }

  http::HeaderList response;
  std::string body;
  bool response_ended = false;
  bool got_goaway = false;
  bool saw_eof = false;

 private:
  void readAvailable() {
    uint8_t buffer[16 * 1024];
    ssize_t n;
    while ((n = ::recv(fd_.get(), buffer, sizeof(buffer), 0)) > 0) {
      codec_.receive(buffer, static_cast<size_t>(n));
    }
    if (n == 0) {
      saw_eof = true;
      watch_.want(0);
    }
    flush();
  }

  io::Fd fd_;
  http::h2::Codec codec_;
  io::FdWatch watch_;
};

class DownstreamSessionTest : public ::testing::Test {
 protected:
  DownstreamSessionTest() { limits_.idle_timeout = 50ms; }

  // Connects a client to a session over 127.0.0.1.
  void connect() {
    auto listener = io::listenTcp(*io::Address::fromNumeric("127.0.0.1", 0), false, 16);
    ASSERT_TRUE(listener.ok()) << listener.status();
    auto fd = io::connectTcp(io::localAddress(listener->get()));
    ASSERT_TRUE(fd.ok()) << fd.status();
    int accepted = -1;
    io::FdWatch watch(loop_, listener->get(), [&](short) {
      accepted = ::accept4(listener->get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    });
    watch.want(io::FdWatch::kRead);
    ASSERT_TRUE(runUntil(loop_, [&] { return accepted >= 0; }));
    worker_.adopt(std::make_unique<DownstreamSession>(worker_, io::Fd(accepted), 0, nullptr));
    client_ = std::make_unique<TestClient>(loop_, std::move(*fd));
  }

  // One listener whose routes send everything to a cluster without endpoints.
  void useConfigWithoutEndpoints() {
    auto ir = std::make_shared<ir::Config>();
    ir::Listener listener;
    listener.name = "0.0.0.0_8080";
    ir::Route route;
    route.name = "default/vs.http[0]";
    route.matches = {{.path = {ir::PathMatchKind::kPrefix, "/pkg.Svc/", false}}};
    route.clusters = {{"outbound|50051||empty.default.svc.cluster.local", 100}};
    listener.virtual_hosts = {{"grpc.example.com:8080", {"grpc.example.com"}, {route}}};
    ir->listeners.push_back(listener);
    auto config = std::make_shared<ProxyConfig>();
    config->ir = ir;
    config->clusters = std::make_shared<const upstream::ClusterSet>(
        std::vector<upstream::ClusterInfo>{{"outbound|50051||empty.default.svc.cluster.local",
                                            "empty.default.svc.cluster.local",
                                            {}}});
    auto table = router::RouteTable::build(
        ir->listeners[0], [&](std::string_view name) { return config->clusters->indexOf(name); });
    ASSERT_TRUE(table.ok()) << table.status();
    config->route_tables.push_back(std::move(*table));
    worker_.setConfig(config);
  }

  io::EventLoop loop_;
  http::Limits limits_;
  TestWorker worker_{loop_, limits_};
  std::unique_ptr<TestClient> client_;
};

TEST_F(DownstreamSessionTest, GrpcCallToAClusterWithoutEndpointsGetsUnavailable) {
  useConfigWithoutEndpoints();
  connect();
  client_->request("application/grpc");
  ASSERT_TRUE(runUntil(loop_, [&] { return client_->response_ended; }));
  EXPECT_EQ(client_->response.get(":status"), "200");
  EXPECT_EQ(client_->response.get("grpc-status"), "14");
  EXPECT_EQ(client_->response.get("grpc-message"),
            "no healthy upstream for empty.default.svc.cluster.local (cluster "
            "outbound|50051||empty.default.svc.cluster.local has no endpoints)");
}

TEST_F(DownstreamSessionTest, UnroutableGrpcCallGetsUnimplemented) {
  useConfigWithoutEndpoints();
  connect();
  client_->request("application/grpc", "/other.Svc/Method");
  ASSERT_TRUE(runUntil(loop_, [&] { return client_->response_ended; }));
  EXPECT_EQ(client_->response.get(":status"), "200");
  EXPECT_EQ(client_->response.get("grpc-status"), "12");
  EXPECT_EQ(client_->response.get("grpc-message"),
            "no route for host 'grpc.example.com' path '/other.Svc/Method'");
}

TEST_F(DownstreamSessionTest, NonGrpcCallGetsAnHttpErrorWithTheMessageAsBody) {
  useConfigWithoutEndpoints();
  connect();
  client_->request("application/json");
  ASSERT_TRUE(runUntil(loop_, [&] { return client_->response_ended; }));
  EXPECT_EQ(client_->response.get(":status"), "503");
  EXPECT_FALSE(client_->response.has("grpc-status"));
  EXPECT_EQ(client_->body,
            "no healthy upstream for empty.default.svc.cluster.local (cluster "
            "outbound|50051||empty.default.svc.cluster.local has no endpoints)\n");
  EXPECT_EQ(client_->response.get("content-length"), std::to_string(client_->body.size()));
}

TEST_F(DownstreamSessionTest, IdleTimeoutClosesASessionWithoutStreams) {
  connect();
  client_->flush();  // preface and SETTINGS, then nothing
  ASSERT_TRUE(runUntil(
      loop_, [&] { return worker_.sessions_closed > 0; }, 5s));
  EXPECT_TRUE(runUntil(
      loop_, [&] { return client_->saw_eof; }, 5s));
  EXPECT_TRUE(client_->got_goaway);
}

// Limits::idle_timeout: "also a silent new connection". A client that connects and never sends
// a byte must not hold a session (and its socket) forever.
TEST_F(DownstreamSessionTest, IdleTimeoutClosesASilentConnection) {
  connect();
  ASSERT_TRUE(runUntil(
      loop_, [&] { return worker_.sessions_closed > 0; }, 2s))
      << "the session outlived 40 idle timeouts";
  EXPECT_TRUE(runUntil(
      loop_, [&] { return client_->saw_eof; }, 5s));
}

}  // namespace
}  // namespace meshgate::proxy
