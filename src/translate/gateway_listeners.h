#pragma once

#include <optional>
#include <vector>

#include "config/diagnostics.h"
#include "config/model/model.h"
#include "ir/config.h"
#include "translate/translate.h"

namespace meshgate::translate {

// One Gateway server meshgate serves.
struct ServedServer {
  const config::Gateway* gateway = nullptr;
  size_t index = 0;  // into gateway->servers
  bool is_tls = false;

  const config::GatewayServer& server() const { return gateway->servers[index]; }
};

// All servers that share one port number: one listener.
struct PortGroup {
  uint32_t port = 0;
  std::vector<ServedServer> servers;
};

bool selectorMatches(const config::Gateway& gateway, const Options& options);

// The HTTP-family servers of the selected Gateways, grouped by port number (ascending).
// Servers of other protocols (TLS, TCP, ...) are reported and left out.
std::vector<PortGroup> groupServers(const config::Model& model, const Options& options,
                                    config::Diagnostics& diagnostics);

// Fills the listener for one port with its certificates and redirect flag (no virtual hosts
// yet); false after an error that leaves the port unusable (plaintext mixed with TLS, a
// missing certificate).
bool buildListener(const PortGroup& group, const config::Model& model,
                   config::Diagnostics& diagnostics, ir::Listener& listener);

}  // namespace meshgate::translate
