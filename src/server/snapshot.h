#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/config.h"
#include "proxy/proxy_config.h"
#include "tls/server_context.h"

namespace meshgate::server {

// One compiled config version: what the workers route with, plus each listener's TLS context.
// Immutable; built on the main thread and shared with the workers.
struct Snapshot {
  std::shared_ptr<const proxy::ProxyConfig> proxy;
  std::vector<std::shared_ptr<const tls::ServerContext>> tls;  // per listener; null = plaintext
};

// Compiles the IR: route tables, TLS contexts, and cluster addresses. DNS endpoints are
// resolved here with the system resolver (main thread only: it blocks). `open` is parallel to
// config->listeners (empty: all open); a closed listener only serves the streams that still
// arrive on its draining connections: it gets no TLS context, and no routes if its routes name
// clusters that are gone. Hosts that `previous` has too keep their health.
absl::StatusOr<std::shared_ptr<const Snapshot>> buildSnapshot(
    std::shared_ptr<const ir::Config> config, uint64_t version, const std::vector<bool>& open = {},
    const Snapshot* previous = nullptr);

}  // namespace meshgate::server
