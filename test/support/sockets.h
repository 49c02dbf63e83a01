#pragma once

#include <string>
#include <utility>

namespace meshgate::testing {

// Owns a file descriptor; closes it on destruction.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset();

 private:
  int fd_ = -1;
};

// A blocking TCP connection to 127.0.0.1:port with TCP_NODELAY; an invalid Fd and `*error` set
// (if given) when connect() fails.
Fd connectTcp(int port, std::string* error = nullptr);

// True when a TCP connect to 127.0.0.1:port is refused (ECONNREFUSED).
bool connectionRefused(int port);

// A listening socket on 127.0.0.1 with an OS-assigned port; returns it and the port.
std::pair<Fd, int> listenTcp();

// A port on 127.0.0.1 where nothing listens, so connects are refused: a dead backend. The socket
// stays bound (without listen()) while the returned Fd lives, so no other test can take the port.
std::pair<Fd, int> refusingPort();

void setNonBlocking(int fd, bool non_blocking);

}  // namespace meshgate::testing
