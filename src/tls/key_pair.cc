#include "tls/key_pair.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

namespace meshgate::tls {

std::string lastOpensslError() {
  unsigned long code = ERR_get_error();
  if (code == 0) return "unknown error";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  ERR_clear_error();
  return text;
}

absl::Status loadKeyPair(SSL_CTX* context, const std::string& cert_pem, const std::string& key_pem,
                         const std::string& name) {
  BIO* cert_bio = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  X509* leaf = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
  if (leaf == nullptr || SSL_CTX_use_certificate(context, leaf) != 1) {
    X509_free(leaf);
    BIO_free(cert_bio);
    return absl::InvalidArgumentError(fmt::format("{}: tls.crt: {}", name, lastOpensslError()));
  }
  X509_free(leaf);
  // The rest of the PEM is the chain.
  while (X509* chain = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr)) {
    SSL_CTX_add0_chain_cert(context, chain);
  }
  ERR_clear_error();
  BIO_free(cert_bio);

  BIO* key_bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
  BIO_free(key_bio);
  if (key == nullptr || SSL_CTX_use_PrivateKey(context, key) != 1) {
    EVP_PKEY_free(key);
    return absl::InvalidArgumentError(fmt::format("{}: tls.key: {}", name, lastOpensslError()));
  }
  EVP_PKEY_free(key);
  if (SSL_CTX_check_private_key(context) != 1) {
    return absl::InvalidArgumentError(fmt::format("{}: tls.key does not match tls.crt", name));
  }
  return absl::OkStatus();
}

}  // namespace meshgate::tls
