// meshgate: an Istio-compatible gRPC gateway. `serve` runs the gateway; `check` validates
// config the way `serve` would load it.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "app/flags.h"
#include "config/loader.h"
#include "server/server.h"
#include "translate/translate.h"

namespace {

constexpr const char* kUsage =
    "usage: meshgate serve --config PATH [--config PATH]... [--listen PORT=HOST:PORT]...\n"
    "                      [--workers N] [--selector KEY=VALUE]... [--log-level LEVEL]\n"
    "                      [--drain-time DURATION] [--idle-timeout DURATION]\n"
    "                      [--connect-timeout DURATION] [--dns-refresh DURATION]\n"
    "                      [--locality REGION/ZONE/SUBZONE]\n"
    "                      [--max-concurrent-streams N]\n"
    "                      [--max-header-list-size BYTES] [--stream-window BYTES]\n"
    "                      [--connection-window BYTES] [--retry-buffer-bytes BYTES]\n"
    "                      [--admin HOST:PORT]\n"
    "       meshgate check --config PATH [--config PATH]...\n";

int check(const std::vector<std::string>& args) {
  std::vector<std::filesystem::path> paths;
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] != "--config") {
      std::fputs(kUsage, stderr);
      return 2;
    }
    paths.emplace_back(args[i + 1]);
  }
  if (paths.empty() || args.size() % 2 != 0) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  auto loaded = meshgate::config::loadPaths(paths);
  meshgate::translate::translate(loaded.model, {}, loaded.diagnostics);
  std::string text = loaded.diagnostics.format();
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (loaded.diagnostics.hasErrors()) return 2;
  std::printf("config OK (%zu warnings)\n", loaded.diagnostics.all().size());
  return 0;
}

int run(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::string command = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "serve") {
    std::string error;
    auto options = meshgate::app::parseServeFlags(args, error);
    if (!options) {
      std::fprintf(stderr, "meshgate serve: %s\n%s", error.c_str(), kUsage);
      return 2;
    }
    return meshgate::server::serve(*options);
  }
  if (command == "check") return check(args);
  if (command == "--help" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  std::fprintf(stderr, "meshgate: unknown command '%s'\n%s", command.c_str(), kUsage);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // Third-party code (yaml-cpp, grpc++) may throw; nothing of ours does. Last line of defence.
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "meshgate: fatal: %s\n", e.what());
    return 1;
  }
}
