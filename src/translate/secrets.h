#pragma once

#include <optional>
#include <string>

#include "base/source_ref.h"
#include "config/model/model.h"

// Certificate material the config names: files next to the YAML, and Secrets in the config.
// Shared by Gateway server TLS and DestinationRule upstream TLS.
namespace meshgate::translate {

// Reads a certificate or key file named in the config. Relative paths are relative to the YAML
// file that names them (`where`). Only regular files up to 1 MiB: the config may come from
// anywhere. nullopt when the file cannot be read.
std::optional<std::string> readPemFile(const std::string& name, const base::SourceRef& where);

bool looksLikePem(const std::string& text);

// The Secret namespace/name in the config, or nullptr.
const config::Secret* findSecret(const config::Model& model, const std::string& namespace_name,
                                 const std::string& name);

}  // namespace meshgate::translate
