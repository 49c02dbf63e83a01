#pragma once

#include <string>
#include <vector>

#include "config/model/meta.h"

namespace meshgate::config {

struct KubePort {
  Located<std::string> name;
  Located<uint32_t> port;
  // targetPort is a number or a container port name; at most one of these is present.
  Located<uint32_t> target_port_number;
  Located<std::string> target_port_name;
  Located<std::string> protocol;      // TCP, UDP, SCTP
  Located<std::string> app_protocol;  // grpc, http, kubernetes.io/h2c, ...
  SourceRef where;
  bool operator==(const KubePort&) const = default;
};

struct Service {
  ObjectMeta meta;
  std::vector<KubePort> ports;
  Labels selector;
  Located<std::string> type;
  Located<std::string> external_name;
  bool operator==(const Service&) const = default;
};

}  // namespace meshgate::config
