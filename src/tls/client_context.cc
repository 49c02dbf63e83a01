#include "tls/client_context.h"

#include <arpa/inet.h>

#include <fmt/format.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "absl/status/status.h"
#include "base/strings.h"
#include "tls/key_pair.h"
#include "tls/tls_socket.h"

namespace meshgate::tls {
namespace {

// A DNS SAN as RFC 6125 matches it: case-insensitive, "*." covering exactly one left label.
bool dnsNameMatches(std::string_view pattern, std::string_view wanted) {
  std::string p = base::lowerAscii(pattern);
  std::string w = base::lowerAscii(wanted);
  if (p == w) return true;
  if (!p.starts_with("*.")) return false;
  size_t dot = w.find('.');
  return dot != std::string::npos && dot > 0 && w.substr(dot) == p.substr(1);
}

std::string ipText(const ASN1_OCTET_STRING* ip) {
  char text[INET6_ADDRSTRLEN] = {};
  int length = ASN1_STRING_length(ip);
  const unsigned char* data = ASN1_STRING_get0_data(ip);
  if (length == 4) inet_ntop(AF_INET, data, text, sizeof(text));
  if (length == 16) inet_ntop(AF_INET6, data, text, sizeof(text));
  return text;
}

// Sorts the leaf certificate's SANs by type.
void peerNames(X509* cert, std::vector<std::string>& dns, std::vector<std::string>& uris,
               std::vector<std::string>& ips) {
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS || name->type == GEN_URI) {
      const ASN1_IA5STRING* text = name->d.ia5;
      std::string value(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                        static_cast<size_t>(ASN1_STRING_length(text)));
      (name->type == GEN_DNS ? dns : uris).push_back(std::move(value));
    } else if (name->type == GEN_IPADD) {
      ips.push_back(ipText(name->d.iPAddress));
    }
  }
  GENERAL_NAMES_free(names);
}

// Runs after OpenSSL's chain check for every certificate; names are checked on the leaf.
int verifyPeer(int preverified, X509_STORE_CTX* store) {
  if (preverified != 1 || X509_STORE_CTX_get_error_depth(store) != 0) return preverified;
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  const auto* self = static_cast<const ClientContext*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  std::vector<std::string> dns, uris, ips;
  peerNames(X509_STORE_CTX_get_current_cert(store), dns, uris, ips);
  if (self->acceptsPeerNames(dns, uris, ips)) return 1;
  X509_STORE_CTX_set_error(store, X509_V_ERR_HOSTNAME_MISMATCH);
  return 0;
}

absl::Status loadRoots(SSL_CTX* context, const ClientOptions& options) {
  if (options.ca_pem.empty()) {
    if (SSL_CTX_set_default_verify_paths(context) != 1) {
      return absl::InvalidArgumentError(
          fmt::format("{}: system trust store: {}", options.name, lastOpensslError()));
    }
    return absl::OkStatus();
  }
  BIO* bio = BIO_new_mem_buf(options.ca_pem.data(), static_cast<int>(options.ca_pem.size()));
  X509_STORE* store = SSL_CTX_get_cert_store(context);
  int loaded = 0;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    if (X509_STORE_add_cert(store, cert) == 1) ++loaded;
    X509_free(cert);
  }
  BIO_free(bio);
  lastOpensslError();  // the end-of-input "no start line" is expected
  if (loaded == 0) {
    return absl::InvalidArgumentError(
        fmt::format("{}: caCertificates holds no PEM certificate", options.name));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<const ClientContext>> ClientContext::build(ClientOptions options) {
  std::shared_ptr<ClientContext> result(new ClientContext(std::move(options)));
  const ClientOptions& opts = result->options_;
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  result->context_ = context;
  SSL_CTX_set_app_data(context, result.get());
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  SSL_CTX_set_options(context, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                SSL_MODE_RELEASE_BUFFERS);
  static const unsigned char kAlpn[] = {2, 'h', '2'};
  SSL_CTX_set_alpn_protos(context, kAlpn, sizeof(kAlpn));
  if (opts.insecure_skip_verify) {
    SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nullptr);
  } else {
    if (auto status = loadRoots(context, opts); !status.ok()) return status;
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, verifyPeer);
  }
  if (!opts.cert_pem.empty() || !opts.key_pem.empty()) {
    if (auto status = loadKeyPair(context, opts.cert_pem, opts.key_pem, opts.name); !status.ok()) {
      return status;
    }
  }
  return std::shared_ptr<const ClientContext>(std::move(result));
}

ClientContext::~ClientContext() { SSL_CTX_free(context_); }

std::unique_ptr<io::TransportSocket> ClientContext::newSocket(int fd) const {
  return std::make_unique<TlsSocket>(context_, fd, false, options_.sni);
}

bool ClientContext::acceptsPeerNames(const std::vector<std::string>& dns,
                                     const std::vector<std::string>& uris,
                                     const std::vector<std::string>& ips) const {
  auto anyDns = [&](const std::string& wanted) {
    for (const auto& name : dns) {
      if (dnsNameMatches(name, wanted)) return true;
    }
    return false;
  };
  if (options_.subject_alt_names.empty()) return options_.sni.empty() || anyDns(options_.sni);
  for (const auto& wanted : options_.subject_alt_names) {
    if (anyDns(wanted)) return true;
    for (const auto& uri : uris) {
      if (uri == wanted) return true;
    }
    for (const auto& ip : ips) {
      if (ip == wanted) return true;
    }
  }
  return false;
}

}  // namespace meshgate::tls
