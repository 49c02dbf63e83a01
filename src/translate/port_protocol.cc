#include "translate/port_protocol.h"

#include <optional>

#include <absl/strings/ascii.h>

namespace meshgate::translate {
namespace {

using ir::UpstreamProtocol;

// One protocol word, as Istio's protocol.Parse reads it (lower-cased here).
std::optional<UpstreamProtocol> protocolOf(const std::string& word) {
  if (word == "grpc" || word == "grpc-web" || word == "http2" || word == "kubernetes.io/h2c" ||
      word == "kubernetes.io/grpc") {
    return UpstreamProtocol::kHttp2;
  }
  if (word == "http" || word == "kubernetes.io/ws") return UpstreamProtocol::kHttp11;
  return std::nullopt;
}

std::string describe(UpstreamProtocol protocol) {
  return protocol == UpstreamProtocol::kHttp2 ? "HTTP/2" : "HTTP/1.1";
}

ProtocolDecision fromWord(std::string_view source, std::string_view written, std::string word) {
  std::string lower = absl::AsciiStrToLower(word);
  if (auto protocol = protocolOf(lower)) {
    return {*protocol, std::string(source) + " '" + std::string(written) + "' declares " +
                           describe(*protocol)};
  }
  return {UpstreamProtocol::kUnknown,
          std::string(source) + " '" + std::string(written) + "' declares no HTTP protocol"};
}

}  // namespace

ProtocolDecision decideProtocol(std::string_view port_name, std::string_view app_protocol,
                                std::string_view service_entry_protocol) {
  if (!app_protocol.empty()) {
    return fromWord("appProtocol", app_protocol, std::string(app_protocol));
  }
  // Istio builds ServiceEntry ports from `protocol` alone; the name does not declare anything.
  if (!service_entry_protocol.empty()) {
    return fromWord("ServiceEntry protocol", service_entry_protocol,
                    std::string(service_entry_protocol));
  }
  if (!port_name.empty()) {
    // "<protocol>[-<suffix>]": the protocol is everything before the first '-', so
    // "grpc-web" reads as grpc, which is HTTP/2 either way.
    std::string_view prefix = port_name.substr(0, port_name.find('-'));
    ProtocolDecision decision = fromWord("port name", port_name, std::string(prefix));
    if (decision.protocol != UpstreamProtocol::kUnknown) return decision;
  }
  return {UpstreamProtocol::kUnknown,
          port_name.empty()
              ? "the port has no name and no appProtocol; the protocol is not declared"
              : "port name '" + std::string(port_name) +
                    "' has no protocol prefix; the protocol is not declared"};
}

}  // namespace meshgate::translate
