#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "io/socket.h"
#include "ir/config.h"

namespace meshgate::server {

// The sockets of one listener: one per worker, sharing the address through SO_REUSEPORT.
struct BoundListener {
  io::Address address;  // the bound address (the real port when 0 was asked for)
  std::vector<io::Fd> sockets;
};

// What identifies a listener across reloads: its Gateway port and the address it binds
// ("443=0.0.0.0:443", "80=127.0.0.1:0"). Same key, same sockets.
std::string listenerKey(const ir::Listener& listener,
                        const std::map<uint32_t, std::string>& listen);

// Binds a listener for `workers` workers on 0.0.0.0:<port>, or where `listen` maps the port.
absl::StatusOr<BoundListener> bindListener(const ir::Listener& listener,
                                           const std::map<uint32_t, std::string>& listen,
                                           size_t workers);

}  // namespace meshgate::server
