#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/model/meta.h"

namespace meshgate::config {

struct GatewayPort {
  Located<uint32_t> number;
  Located<std::string> name;
  Located<std::string> protocol;  // upper case as written: HTTP, HTTP2, GRPC, HTTPS, TLS, TCP
  Located<uint32_t> target_port;
  SourceRef where;
  bool operator==(const GatewayPort&) const = default;
};

struct ServerTls {
  Located<bool> https_redirect;
  Located<std::string> mode;  // SIMPLE, MUTUAL, PASSTHROUGH, AUTO_PASSTHROUGH, ISTIO_MUTUAL, ...
  Located<std::string> credential_name;
  Located<std::string> server_certificate;
  Located<std::string> private_key;
  Located<std::string> ca_certificates;
  std::vector<Located<std::string>> subject_alt_names;
  Located<std::string> min_protocol_version;
  Located<std::string> max_protocol_version;
  std::vector<Located<std::string>> cipher_suites;
  SourceRef where;
  bool operator==(const ServerTls&) const = default;
};

struct GatewayServer {
  GatewayPort port;
  std::vector<Located<std::string>> hosts;  // "host", "ns/host", "*/host", "./host"
  std::optional<ServerTls> tls;
  Located<std::string> name;
  Located<std::string> bind;
  SourceRef where;
  bool operator==(const GatewayServer&) const = default;
};

struct Gateway {
  ObjectMeta meta;
  Labels selector;
  std::vector<GatewayServer> servers;
  bool operator==(const Gateway&) const = default;
};

}  // namespace meshgate::config
