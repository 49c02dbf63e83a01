#pragma once

#include <string>

#include "ir/config.h"

namespace meshgate::ir {

// Pretty, deterministic JSON of the whole IR (fields in declaration order, 2-space indent):
// golden tests and /config_dump. Private keys are never written, only their size; certificates
// are summarized the same way to keep dumps short.
std::string toJson(const Config& config);

const char* toString(UpstreamProtocol protocol);
const char* toString(PathMatchKind kind);

}  // namespace meshgate::ir
