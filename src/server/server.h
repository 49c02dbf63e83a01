#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "http/limits.h"

namespace meshgate::server {

struct ServeOptions {
  std::vector<std::string> config_paths;
  // Gateway port → "host:port" to bind instead of 0.0.0.0:<port>.
  std::map<uint32_t, std::string> listen;
  size_t workers = 1;
  std::vector<std::pair<std::string, std::string>> selector;
  http::Limits limits;
  // How often ServiceEntry resolution: DNS hosts are resolved again.
  std::chrono::milliseconds dns_refresh{std::chrono::seconds(30)};
  // --admin HOST:PORT: where the admin endpoint listens; empty: no admin endpoint.
  std::string admin;
  // --locality: the gateway's region/zone/subzone (Istio's format) for locality load balancing.
  std::string locality;
};

// Runs `meshgate serve` until SIGTERM/SIGINT has drained it. Returns the process exit code:
// 0 after a drain, 2 for a config that cannot be served, 1 for other start-up failures.
int serve(const ServeOptions& options);

}  // namespace meshgate::server
