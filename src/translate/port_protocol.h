#pragma once

#include <string>
#include <string_view>

#include "ir/config.h"

namespace meshgate::translate {

struct ProtocolDecision {
  ir::UpstreamProtocol protocol = ir::UpstreamProtocol::kUnknown;
  std::string reason;  // "port name 'grpc-api' declares GRPC (HTTP/2)"
  bool operator==(const ProtocolDecision&) const = default;
};

// Istio's explicit protocol selection
// (istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/):
// appProtocol first; then, for a ServiceEntry port, its `protocol`; then the port name
// `<protocol>` or `<protocol>-<suffix>`. grpc, grpc-web, http2 (and kubernetes.io/h2c,
// kubernetes.io/grpc) are HTTP/2; http (and kubernetes.io/ws) is HTTP/1.1; anything else, or
// nothing, is kUnknown (Istio would sniff or treat it as TCP). Case-insensitive, like Istio.
ProtocolDecision decideProtocol(std::string_view port_name, std::string_view app_protocol,
                                std::string_view service_entry_protocol);

inline ir::UpstreamProtocol selectProtocol(std::string_view port_name,
                                           std::string_view app_protocol,
                                           std::string_view service_entry_protocol) {
  return decideProtocol(port_name, app_protocol, service_entry_protocol).protocol;
}

}  // namespace meshgate::translate
