#include "translate/secrets.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace meshgate::translate {
namespace {
constexpr uintmax_t kMaxPemFileBytes = 1 << 20;
}  // namespace

std::optional<std::string> readPemFile(const std::string& name, const base::SourceRef& where) {
  std::filesystem::path path(name);
  if (path.is_relative()) path = std::filesystem::path(where.file).parent_path() / path;
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error) ||
      std::filesystem::file_size(path, error) > kMaxPemFileBytes || error) {
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return std::nullopt;
  return text.str();
}

bool looksLikePem(const std::string& text) { return text.find("-----BEGIN") != std::string::npos; }

const config::Secret* findSecret(const config::Model& model, const std::string& namespace_name,
                                 const std::string& name) {
  for (const config::Secret& secret : model.secrets) {
    if (secret.meta.namespace_name == namespace_name && secret.meta.name == name) return &secret;
  }
  return nullptr;
}

}  // namespace meshgate::translate
