#pragma once

#include <cstdint>
#include <netinet/in.h>
#include <string>
#include <string_view>
#include <sys/socket.h>

#include "absl/status/statusor.h"

namespace meshgate::io {

// A resolved IPv4 or IPv6 socket address.
struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;

  // Parses a numeric host (no DNS) and a port.
  static absl::StatusOr<Address> fromNumeric(std::string_view host, uint16_t port);
  std::string toString() const;
  uint16_t port() const;
};

// Owns a file descriptor; closes it on destruction.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = other.release();
    }
    return *this;
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset();

 private:
  int fd_ = -1;
};

// Binds and listens, non-blocking. With reuse_port several sockets may share the address, one
// per worker, and the kernel spreads connections across them.
absl::StatusOr<Fd> listenTcp(const Address& address, bool reuse_port, int backlog);
// Starts a non-blocking connect; completion is signalled by writability (see connectResult).
absl::StatusOr<Fd> connectTcp(const Address& address);
// The pending connect's outcome: 0 or an errno value.
int connectResult(int fd);
Address localAddress(int fd);
Address peerAddress(int fd);
void setNoDelay(int fd);

}  // namespace meshgate::io
