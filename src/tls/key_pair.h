#pragma once

#include <string>

#include "absl/status/status.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace meshgate::tls {

// The oldest error on OpenSSL's queue as text (then clears the queue).
std::string lastOpensslError();

// Loads a PEM certificate chain (leaf first) and its private key into context. `name` prefixes
// errors: "istio-system/grpc-tls-credential: tls.crt: ...".
absl::Status loadKeyPair(SSL_CTX* context, const std::string& cert_pem, const std::string& key_pem,
                         const std::string& name);

}  // namespace meshgate::tls
