#include "server/listener_binder.h"

#include <fmt/format.h>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "base/status.h"

namespace meshgate::server {
namespace {

constexpr int kBacklog = 1024;

absl::StatusOr<io::Address> bindAddress(const ir::Listener& listener,
                                        const std::map<uint32_t, std::string>& listen) {
  auto it = listen.find(listener.port);
  if (it == listen.end()) {
    return io::Address::fromNumeric("0.0.0.0", static_cast<uint16_t>(listener.port));
  }
  const std::string& target = it->second;
  size_t colon = target.rfind(':');
  uint32_t port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(target.substr(colon + 1), &port) ||
      port > 65535) {
    return absl::InvalidArgumentError(
        fmt::format("--listen {}={}: expected HOST:PORT", listener.port, target));
  }
  return io::Address::fromNumeric(target.substr(0, colon), static_cast<uint16_t>(port));
}

}  // namespace

std::string listenerKey(const ir::Listener& listener,
                        const std::map<uint32_t, std::string>& listen) {
  auto it = listen.find(listener.port);
  if (it != listen.end()) return fmt::format("{}={}", listener.port, it->second);
  return fmt::format("{}=0.0.0.0:{}", listener.port, listener.port);
}

absl::StatusOr<BoundListener> bindListener(const ir::Listener& listener,
                                           const std::map<uint32_t, std::string>& listen,
                                           size_t workers) {
  auto address = bindAddress(listener, listen);
  if (!address.ok()) return address.status();
  BoundListener bound;
  for (size_t i = 0; i < workers; ++i) {
    // The first bind fixes the port (port 0 asks the OS); the others join it.
    auto fd = io::listenTcp(i == 0 ? *address : bound.address, true, kBacklog);
    if (!fd.ok()) {
      return absl::UnavailableError(fmt::format("listener {} (gateway port {}): {}", listener.name,
                                                listener.port, base::message(fd.status())));
    }
    if (i == 0) bound.address = io::localAddress(fd->get());
    bound.sockets.push_back(std::move(*fd));
  }
  return bound;
}

}  // namespace meshgate::server
