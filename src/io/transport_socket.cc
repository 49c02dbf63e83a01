#include "io/transport_socket.h"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <unistd.h>

namespace meshgate::io {

IoResult PlainSocket::read(uint8_t* buffer, size_t length) {
  ssize_t n = ::recv(fd_, buffer, length, 0);
  if (n > 0) return {IoStatus::kOk, static_cast<size_t>(n)};
  if (n == 0) return {IoStatus::kClosed, 0};
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return {IoStatus::kAgain, 0};
  reason_ = std::strerror(errno);
  return {IoStatus::kError, 0};
}

IoResult PlainSocket::write(const uint8_t* data, size_t length) {
  ssize_t n = ::send(fd_, data, length, MSG_NOSIGNAL);
  if (n >= 0) return {IoStatus::kOk, static_cast<size_t>(n)};
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return {IoStatus::kAgain, 0};
  reason_ = std::strerror(errno);
  return {IoStatus::kError, 0};
}

}  // namespace meshgate::io
