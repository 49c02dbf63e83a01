#include "tls/server_context.h"

#include <cstring>

#include <fmt/format.h>
#include <openssl/ssl.h>

#include "absl/status/status.h"
#include "base/strings.h"
#include "tls/key_pair.h"

namespace meshgate::tls {
namespace {

// ALPN: h2 when the client offers it. Without h2 we decline ALPN instead of failing the
// handshake, so clients that speak h2 with prior knowledge over TLS still work.
int selectAlpn(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
               unsigned int in_length, void*) {
  for (unsigned int i = 0; i < in_length;) {
    unsigned int length = in[i];
    if (i + 1 + length > in_length) break;
    if (length == 2 && std::memcmp(in + i + 1, "h2", 2) == 0) {
      *out = in + i + 1;
      *out_length = 2;
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + length;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

int selectCertificate(SSL* ssl, int*, void* arg) {  // servername callback
  const auto* self = static_cast<const ServerContext*>(arg);
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (name == nullptr) return SSL_TLSEXT_ERR_OK;
  SSL_CTX* context = self->contextFor(name);
  if (context != SSL_get_SSL_CTX(ssl)) SSL_set_SSL_CTX(ssl, context);
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const ServerContext>> ServerContext::build(
    const std::vector<CertificateSource>& certificates) {
  if (certificates.empty()) return absl::InvalidArgumentError("no certificate");
  std::shared_ptr<ServerContext> result(new ServerContext());
  for (const auto& source : certificates) {
    SSL_CTX* context = SSL_CTX_new(TLS_server_method());
    result->entries_.push_back({source.server_names, context});
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    // RFC 9113 §9.2: TLS 1.2 for h2 needs ephemeral key exchange and AEAD ciphers.
    SSL_CTX_set_cipher_list(context,
                            "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                            "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                            "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
    SSL_CTX_set_options(
        context, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                  SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_SERVER);
    SSL_CTX_set_alpn_select_cb(context, selectAlpn, nullptr);
    SSL_CTX_set_tlsext_servername_callback(context, selectCertificate);
    SSL_CTX_set_tlsext_servername_arg(context, result.get());
    if (auto status = loadKeyPair(context, source.cert_pem, source.key_pem, source.name);
        !status.ok()) {
      return status;
    }
  }
  return std::shared_ptr<const ServerContext>(std::move(result));
}

ServerContext::~ServerContext() {
  for (auto& entry : entries_) SSL_CTX_free(entry.context);
}

SSL_CTX* ServerContext::contextFor(std::string_view server_name) const {
  std::string name = base::lowerAscii(server_name);
  SSL_CTX* best = defaultContext();
  size_t best_suffix = 0;
  for (const auto& entry : entries_) {
    for (const auto& candidate : entry.server_names) {
      if (candidate == name) return entry.context;
      if (candidate.starts_with("*.") && name.ends_with(candidate.substr(1)) &&
          candidate.size() > best_suffix) {
        best = entry.context;
        best_suffix = candidate.size();
      }
    }
  }
  return best;
}

}  // namespace meshgate::tls
