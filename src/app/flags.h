#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/server.h"

namespace meshgate::app {

// "15s", "500ms", "1m", "2h", "1.5s" → milliseconds; nullopt when malformed.
std::optional<std::chrono::milliseconds> parseDuration(std::string_view text);

// Parses `meshgate serve` arguments (after "serve"). On error returns nullopt and sets error.
std::optional<server::ServeOptions> parseServeFlags(const std::vector<std::string>& args,
                                                    std::string& error);

}  // namespace meshgate::app
