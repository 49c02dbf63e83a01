#include "io/connection.h"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include "unit/io/run_until.h"

namespace meshgate::io {
namespace {

using namespace std::chrono_literals;
using test::runFor;
using test::runUntil;

// Records what a Connection reports.
struct Recorder : ConnectionCallbacks {
  void onConnected() override { ++connected; }
  void onData(const uint8_t* bytes, size_t length) override {
    data.append(reinterpret_cast<const char*>(bytes), length);
    if (on_data) on_data();
  }
  void onWritable() override { ++writable; }
  void onClosed(std::string_view why) override {
    ++closed;
    reason = std::string(why);
  }

  int connected = 0;
  std::string data;
  int writable = 0;
  int closed = 0;
  std::string reason;
  std::function<void()> on_data;
};

Address loopback(uint16_t port) { return *Address::fromNumeric("127.0.0.1", port); }

// A client Connection and its accepted server side over 127.0.0.1, on one loop.
class ConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto listener = listenTcp(loopback(0), false, 16);
    ASSERT_TRUE(listener.ok()) << listener.status();
    listener_ = std::move(*listener);
  }

  void connectPair() {
    auto fd = connectTcp(localAddress(listener_.get()));
    ASSERT_TRUE(fd.ok()) << fd.status();
    client_ = std::make_unique<Connection>(loop_, std::move(*fd), nullptr, client_events_, true);
    int accepted = -1;
    FdWatch watch(loop_, listener_.get(), [&](short) {
      accepted = ::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    });
    watch.want(FdWatch::kRead);
    ASSERT_TRUE(runUntil(loop_, [&] { return accepted >= 0; }));
    server_ = std::make_unique<Connection>(loop_, Fd(accepted), nullptr, server_events_, false);
    server_->start();
    ASSERT_TRUE(runUntil(loop_, [&] { return client_events_.connected > 0; }));
  }

  static void send(Connection& connection, std::string_view bytes) {
    connection.output().append(bytes);
    connection.flush();
  }

  EventLoop loop_;
  Fd listener_;
  Recorder client_events_;
  Recorder server_events_;
  std::unique_ptr<Connection> client_;
  std::unique_ptr<Connection> server_;
};

TEST_F(ConnectionTest, ClientReportsConnectedOnce) {
  connectPair();
  runFor(loop_, 10ms);
  EXPECT_EQ(client_events_.connected, 1);
  EXPECT_EQ(client_->state(), Connection::State::kOpen);
  EXPECT_EQ(client_events_.closed, 0);
  EXPECT_TRUE(client_->alpn().empty());
}

TEST_F(ConnectionTest, AcceptedPlainConnectionIsOpenOnceStarted) {
  connectPair();
  EXPECT_EQ(server_events_.connected, 1);
  EXPECT_EQ(server_->state(), Connection::State::kOpen);
  server_->start();  // a second start changes nothing
  EXPECT_EQ(server_events_.connected, 1);
}

TEST_F(ConnectionTest, ServerMayWriteBeforeThePeerSpeaks) {
  connectPair();
  send(*server_, "settings first");
  ASSERT_TRUE(runUntil(loop_, [&] { return client_events_.data.size() >= 14; }));
  EXPECT_EQ(client_events_.data, "settings first");
  EXPECT_TRUE(server_events_.data.empty());
}

TEST_F(ConnectionTest, BytesFlowBothWays) {
  connectPair();
  send(*client_, "ping");
  ASSERT_TRUE(runUntil(loop_, [&] { return server_events_.data.size() >= 4; }));
  EXPECT_EQ(server_events_.data, "ping");
  EXPECT_EQ(server_events_.connected, 1);
  EXPECT_EQ(server_->state(), Connection::State::kOpen);

  send(*server_, "pong");
  ASSERT_TRUE(runUntil(loop_, [&] { return client_events_.data.size() >= 4; }));
  EXPECT_EQ(client_events_.data, "pong");
}

TEST_F(ConnectionTest, LargeWriteArrivesIntactAndReportsWritableOnceDrained) {
  connectPair();
  std::string payload(16 * 1024 * 1024, '\0');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 7 % 251);
  send(*client_, payload);
  EXPECT_FALSE(client_->output().empty());  // more than the socket buffers take at once
  ASSERT_TRUE(runUntil(loop_, [&] { return server_events_.data.size() >= payload.size(); }));
  EXPECT_TRUE(server_events_.data == payload);
  ASSERT_TRUE(runUntil(loop_, [&] { return client_events_.writable > 0; }));
  EXPECT_TRUE(client_->output().empty());
}

TEST_F(ConnectionTest, PeerCloseIsReportedOnce) {
  connectPair();
  server_.reset();
  ASSERT_TRUE(runUntil(loop_, [&] { return client_events_.closed > 0; }));
  EXPECT_EQ(client_events_.reason, "closed by peer");
  EXPECT_EQ(client_->state(), Connection::State::kClosed);
  client_->close("closed again");
  runFor(loop_, 10ms);
  EXPECT_EQ(client_events_.closed, 1);
  EXPECT_EQ(client_events_.reason, "closed by peer");
}

TEST_F(ConnectionTest, LocalCloseIsReportedOnceWithItsReason) {
  connectPair();
  client_->close("session finished");
  EXPECT_EQ(client_events_.closed, 1);
  EXPECT_EQ(client_events_.reason, "session finished");
  EXPECT_EQ(client_->state(), Connection::State::kClosed);
  client_->close("twice");
  send(*client_, "ignored");
  runFor(loop_, 10ms);
  EXPECT_EQ(client_events_.closed, 1);
  EXPECT_EQ(client_events_.reason, "session finished");
}

TEST_F(ConnectionTest, PausedReadingHoldsInputUntilResumed) {
  connectPair();
  send(*client_, "a");
  ASSERT_TRUE(runUntil(loop_, [&] { return server_events_.data == "a"; }));
  server_->setReading(false);
  send(*client_, "b");
  runFor(loop_, 30ms);
  EXPECT_EQ(server_events_.data, "a");
  server_->setReading(true);
  EXPECT_TRUE(runUntil(loop_, [&] { return server_events_.data == "ab"; }));
}

TEST_F(ConnectionTest, CloseFromInsideOnDataEndsReading) {
  connectPair();
  server_events_.on_data = [&] { server_->close("enough"); };
  send(*client_, "first");
  ASSERT_TRUE(runUntil(loop_, [&] { return server_events_.closed > 0; }));
  send(*client_, "second");
  runFor(loop_, 20ms);
  EXPECT_EQ(server_events_.data, "first");
  EXPECT_EQ(server_events_.closed, 1);
  EXPECT_EQ(server_events_.reason, "enough");
}

TEST_F(ConnectionTest, ConnectToAClosedPortIsReportedThroughOnClosed) {
  Address closed_port = localAddress(listener_.get());
  listener_.reset();
  auto fd = connectTcp(closed_port);
  ASSERT_TRUE(fd.ok()) << fd.status();  // loopback connects complete asynchronously
  client_ = std::make_unique<Connection>(loop_, std::move(*fd), nullptr, client_events_, true);
  ASSERT_TRUE(runUntil(loop_, [&] { return client_events_.closed > 0; }));
  EXPECT_EQ(client_events_.reason, "connect: Connection refused");
  EXPECT_EQ(client_events_.connected, 0);
  runFor(loop_, 10ms);
  EXPECT_EQ(client_events_.closed, 1);
}

}  // namespace
}  // namespace meshgate::io
