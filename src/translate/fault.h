#pragma once

#include <optional>
#include <string>

#include "config/diagnostics.h"
#include "config/model/virtual_service.h"
#include "ir/config.h"

namespace meshgate::translate {

// VirtualService http[].fault at `path` (e.g. "spec.http[0].fault") with Istio's validation:
// delay needs fixedDelay; abort exactly one of httpStatus (200..599) and grpcStatus (a status
// name); percentages 0..100, and an absent percentage injects into no call, as in Istio.
// Errors leave the fault (or the part in error) out; nullopt when nothing is left.
std::optional<ir::Fault> translateFault(const config::HttpFault& fault, const std::string& path,
                                        config::Diagnostics& d);

// The gRPC status number for an Istio grpcStatus name ("UNAVAILABLE" → 14); nullopt otherwise.
std::optional<uint32_t> grpcStatusNumber(std::string_view name);

}  // namespace meshgate::translate
