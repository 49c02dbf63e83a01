#include "support/test_certs.h"

#include <memory>
#include <stdexcept>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace meshgate::testing {
namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Free>;
using CertPtr = std::unique_ptr<X509, Free>;

[[noreturn]] void fail(const std::string& what) {
  char reason[256] = {0};
  ERR_error_string_n(ERR_get_error(), reason, sizeof(reason));
  throw std::runtime_error("test certs: " + what + ": " + reason);
}

void check(int ok, const std::string& what) {
  if (ok != 1) fail(what);
}

KeyPtr newKey() {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) fail("EVP_EC_gen");
  return key;
}

void addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, Free> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext) fail("extension " + value);
  if (X509_add_ext(cert, ext.get(), -1) != 1) fail("X509_add_ext " + value);
}

// A certificate for `key`, named `common_name`, valid from an hour ago for a day. The issuer's
// extensions (authorityKeyIdentifier) need `issuer`; a self-signed certificate passes itself.
CertPtr newCert(EVP_PKEY* key, const std::string& common_name) {
  CertPtr cert(X509_new());
  if (!cert) fail("X509_new");
  check(X509_set_version(cert.get(), 2), "X509_set_version");
  unsigned char serial_bytes[16];
  check(RAND_bytes(serial_bytes, sizeof(serial_bytes)), "RAND_bytes");
  serial_bytes[0] &= 0x7f;
  std::unique_ptr<BIGNUM, Free> serial(BN_bin2bn(serial_bytes, sizeof(serial_bytes), nullptr));
  if (!serial || BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    fail("serial number");
  }
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600) == nullptr) {
    fail("validity");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>("meshgate tests"), -1, -1,
                                   0),
        "subject O");
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                   -1, 0),
        "subject CN");
  check(X509_set_pubkey(cert.get(), key), "X509_set_pubkey");
  return cert;
}

std::string toPem(X509* cert) {
  std::unique_ptr<BIO, Free> bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_X509(bio.get(), cert), "PEM_write_bio_X509");
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string toPem(EVP_PKEY* key) {
  std::unique_ptr<BIO, Free> bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr),
        "PEM_write_bio_PrivateKey");
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

// A certificate the CA signs for `names`, for `usage` (serverAuth or clientAuth).
std::pair<CertPtr, KeyPtr> issueLeaf(X509* ca, EVP_PKEY* ca_key,
                                     const TestCerts::ServerNames& names,
                                     const std::string& usage) {
  KeyPtr key = newKey();
  const std::string common_name = names.dns.empty() ? "meshgate test " + usage : names.dns.front();
  CertPtr cert = newCert(key.get(), common_name);
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(ca)), "leaf issuer");
  std::string san;
  auto addSan = [&](const char* type, const std::string& value) {
    san += (san.empty() ? "" : ",") + std::string(type) + ":" + value;
  };
  for (const auto& dns : names.dns) addSan("DNS", dns);
  for (const auto& ip : names.ips) addSan("IP", ip);
  for (const auto& uri : names.uris) addSan("URI", uri);
  addExtension(cert.get(), ca, NID_basic_constraints, "critical,CA:FALSE");
  addExtension(cert.get(), ca, NID_key_usage, "critical,digitalSignature,keyAgreement");
  addExtension(cert.get(), ca, NID_ext_key_usage, usage);
  addExtension(cert.get(), ca, NID_subject_key_identifier, "hash");
  addExtension(cert.get(), ca, NID_authority_key_identifier, "keyid:always");
  if (!san.empty()) addExtension(cert.get(), ca, NID_subject_alt_name, san);
  if (X509_sign(cert.get(), ca_key, EVP_sha256()) == 0) fail("sign " + usage);
  return {std::move(cert), std::move(key)};
}

}  // namespace

TestCerts::TestCerts(const ServerNames& names) {
  KeyPtr ca_key = newKey();
  CertPtr ca = newCert(ca_key.get(), "meshgate test CA");
  check(X509_set_issuer_name(ca.get(), X509_get_subject_name(ca.get())), "CA issuer");
  addExtension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
  addExtension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  addExtension(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
  if (X509_sign(ca.get(), ca_key.get(), EVP_sha256()) == 0) fail("sign CA");

  auto [server, server_key] = issueLeaf(ca.get(), ca_key.get(), names, "serverAuth");
  ServerNames client_names{{}, {}, {kClientUri}};
  auto [client, client_key] = issueLeaf(ca.get(), ca_key.get(), client_names, "clientAuth");

  ca_cert_pem_ = toPem(ca.get());
  server_cert_pem_ = toPem(server.get());
  server_key_pem_ = toPem(server_key.get());
  client_cert_pem_ = toPem(client.get());
  client_key_pem_ = toPem(client_key.get());
}

}  // namespace meshgate::testing
