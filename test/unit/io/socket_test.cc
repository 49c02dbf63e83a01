#include "io/socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <string>
#include <sys/select.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace meshgate::io {
namespace {

std::string messageOf(const absl::Status& status) {
  return {status.message().data(), status.message().size()};
}

TEST(AddressTest, ParsesIpv4) {
  auto address = Address::fromNumeric("127.0.0.1", 8080);
  ASSERT_TRUE(address.ok()) << address.status();
  EXPECT_EQ(address->storage.ss_family, AF_INET);
  EXPECT_EQ(address->length, sizeof(sockaddr_in));
  EXPECT_EQ(address->port(), 8080);
  EXPECT_EQ(address->toString(), "127.0.0.1:8080");
}

TEST(AddressTest, ParsesIpv6) {
  auto address = Address::fromNumeric("2001:db8::1", 443);
  ASSERT_TRUE(address.ok()) << address.status();
  EXPECT_EQ(address->storage.ss_family, AF_INET6);
  EXPECT_EQ(address->length, sizeof(sockaddr_in6));
  EXPECT_EQ(address->port(), 443);
  EXPECT_EQ(address->toString(), "[2001:db8::1]:443");
}

TEST(AddressTest, ParsesBracketedIpv6) {
  auto address = Address::fromNumeric("[::1]", 50051);
  ASSERT_TRUE(address.ok()) << address.status();
  EXPECT_EQ(address->storage.ss_family, AF_INET6);
  EXPECT_EQ(address->toString(), "[::1]:50051");
}

TEST(AddressTest, KeepsTheFullPortRange) {
  auto address = Address::fromNumeric("0.0.0.0", 65535);
  ASSERT_TRUE(address.ok());
  EXPECT_EQ(address->port(), 65535);
  EXPECT_EQ(address->toString(), "0.0.0.0:65535");
}

TEST(AddressTest, RejectsAnythingButANumericAddress) {
  for (const char* text : {"", "localhost", "grpc.example.com", "1.2.3", "256.0.0.1", "1.2.3.4:80",
                           "[::1", "::1]", "[]", "::g", " 1.2.3.4", "1.2.3.4 "}) {
    auto address = Address::fromNumeric(text, 80);
    ASSERT_FALSE(address.ok()) << text;
    EXPECT_EQ(address.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_EQ(messageOf(address.status()), "'" + std::string(text) + "' is not an IP address");
  }
}

TEST(FdTest, MoveTransfersOwnership) {
  Fd a(::dup(STDIN_FILENO));
  ASSERT_TRUE(a.valid());
  int raw = a.get();
  Fd b(std::move(a));
  EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): the moved-from state is the point
  EXPECT_EQ(b.get(), raw);
  Fd c;
  c = std::move(b);
  EXPECT_EQ(c.get(), raw);
  c.reset();
  EXPECT_FALSE(c.valid());
  EXPECT_EQ(::fcntl(raw, F_GETFD), -1);  // closed
}

Address loopback(uint16_t port) { return *Address::fromNumeric("127.0.0.1", port); }

TEST(ListenTcpTest, PortZeroBindsAnEphemeralPort) {
  auto fd = listenTcp(loopback(0), true, 16);
  ASSERT_TRUE(fd.ok()) << fd.status();
  Address bound = localAddress(fd->get());
  EXPECT_NE(bound.port(), 0);
  EXPECT_EQ(bound.toString(), "127.0.0.1:" + std::to_string(bound.port()));
}

TEST(ListenTcpTest, ReusePortLetsASecondSocketJoinThePort) {
  auto first = listenTcp(loopback(0), true, 16);
  ASSERT_TRUE(first.ok()) << first.status();
  uint16_t port = localAddress(first->get()).port();
  auto second = listenTcp(loopback(port), true, 16);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(localAddress(second->get()).port(), port);
  EXPECT_NE(first->get(), second->get());
}

TEST(ListenTcpTest, WithoutReusePortASecondBindFailsNamingTheAddress) {
  auto first = listenTcp(loopback(0), false, 16);
  ASSERT_TRUE(first.ok()) << first.status();
  uint16_t port = localAddress(first->get()).port();
  auto second = listenTcp(loopback(port), false, 16);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(messageOf(second.status()).starts_with("bind 127.0.0.1:" + std::to_string(port)))
      << second.status();
}

TEST(ListenTcpTest, ListensOnIpv6Loopback) {
  auto fd = listenTcp(*Address::fromNumeric("::1", 0), true, 16);
  if (!fd.ok() && (messageOf(fd.status()).find("Cannot assign") != std::string::npos ||
                   messageOf(fd.status()).find("not supported") != std::string::npos)) {
    GTEST_SKIP() << "no IPv6 loopback here: " << fd.status();
  }
  ASSERT_TRUE(fd.ok()) << fd.status();
  Address bound = localAddress(fd->get());
  EXPECT_EQ(bound.storage.ss_family, AF_INET6);
  EXPECT_NE(bound.port(), 0);
}

TEST(ConnectTcpTest, StartsANonBlockingConnectThatCompletes) {
  auto listener = listenTcp(loopback(0), true, 16);
  ASSERT_TRUE(listener.ok());
  Address target = localAddress(listener->get());
  auto fd = connectTcp(target);
  ASSERT_TRUE(fd.ok()) << fd.status();
  EXPECT_TRUE(::fcntl(fd->get(), F_GETFL) & O_NONBLOCK);
  // The handshake finishes in the kernel's backlog; a blocking wait on writability ends it.
  fd_set writable;
  FD_ZERO(&writable);
  FD_SET(fd->get(), &writable);
  timeval timeout{10, 0};
  ASSERT_EQ(::select(fd->get() + 1, nullptr, &writable, nullptr, &timeout), 1);
  EXPECT_EQ(connectResult(fd->get()), 0);
  EXPECT_EQ(peerAddress(fd->get()).toString(), target.toString());
}

}  // namespace
}  // namespace meshgate::io
