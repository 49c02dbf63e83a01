#include "support/client_transport.h"

#include <cerrno>
#include <mutex>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace meshgate::testing {
namespace {

std::string opensslError() {
  char reason[256] = {0};
  ERR_error_string_n(ERR_get_error(), reason, sizeof(reason));
  return reason;
}

// OpenSSL writes through write(2): a peer that closed first must fail the write, not kill the
// test process with SIGPIPE.
void ignoreSigpipe() {
  static std::once_flag once;
  std::call_once(once, [] { ::signal(SIGPIPE, SIG_IGN); });
}

bool trustCa(SSL_CTX* ctx, const std::string& ca_pem) {
  BIO* bio = BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size()));
  X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (ca == nullptr) return false;
  bool ok = X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca) == 1;
  X509_free(ca);
  return ok;
}

}  // namespace

std::unique_ptr<ClientTransport> ClientTransport::connectPlain(int port, std::string* error) {
  ignoreSigpipe();
  Fd fd = connectTcp(port, error);
  if (!fd.valid()) return nullptr;
  setNonBlocking(fd.get(), true);
  return std::unique_ptr<ClientTransport>(new ClientTransport(std::move(fd)));
}

std::unique_ptr<ClientTransport> ClientTransport::connectTls(int port,
                                                             const ClientTlsOptions& options,
                                                             std::string* error) {
  ignoreSigpipe();
  Fd fd = connectTcp(port, error);
  if (!fd.valid()) return nullptr;
  std::unique_ptr<ClientTransport> transport(new ClientTransport(std::move(fd)));
  auto fail = [&](const std::string& what) {
    if (error != nullptr) *error = what + ": " + opensslError();
    return nullptr;
  };
  transport->ctx_ = SSL_CTX_new(TLS_client_method());
  if (transport->ctx_ == nullptr) return fail("SSL_CTX_new");
  SSL_CTX* ctx = transport->ctx_;
  if (options.version != 0) {
    SSL_CTX_set_min_proto_version(ctx, options.version);
    SSL_CTX_set_max_proto_version(ctx, options.version);
  }
  if (!options.ca_pem.empty()) {
    if (!trustCa(ctx, options.ca_pem)) return fail("CA certificate");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  }
  std::string wire;
  for (const auto& protocol : options.alpn) {
    wire += static_cast<char>(protocol.size());
    wire += protocol;
  }
  if (!wire.empty() &&
      SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char*>(wire.data()),
                              static_cast<unsigned>(wire.size())) != 0) {
    return fail("ALPN");
  }
  transport->ssl_ = SSL_new(ctx);
  SSL* ssl = transport->ssl_;
  SSL_set_fd(ssl, transport->fd_.get());
  SSL_set_tlsext_host_name(ssl, options.server_name.c_str());
  if (!options.ca_pem.empty()) SSL_set1_host(ssl, options.server_name.c_str());
  if (SSL_connect(ssl) != 1) {
    std::string reason = opensslError();
    long verify = SSL_get_verify_result(ssl);
    if (error != nullptr) {
      *error =
          "TLS handshake: " + reason +
          (verify != X509_V_OK ? std::string("; verify: ") + X509_verify_cert_error_string(verify)
                               : std::string());
    }
    return nullptr;
  }
  setNonBlocking(transport->fd_.get(), true);
  return transport;
}

ClientTransport::~ClientTransport() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
}

long ClientTransport::readSome(char* buffer, size_t size) {
  if (ssl_ == nullptr) {
    ssize_t n = ::read(fd_.get(), buffer, size);
    if (n > 0) return n;
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return -1;
    return 0;
  }
  int n = SSL_read(ssl_, buffer, static_cast<int>(size));
  if (n > 0) return n;
  int reason = SSL_get_error(ssl_, n);
  if (reason == SSL_ERROR_WANT_READ || reason == SSL_ERROR_WANT_WRITE) return -1;
  return 0;
}

bool ClientTransport::writeAll(const void* data, size_t size) {
  const char* bytes = static_cast<const char*>(data);
  while (size > 0) {
    long n = 0;
    short wait_for = POLLOUT;
    if (ssl_ == nullptr) {
      n = ::send(fd_.get(), bytes, size, MSG_NOSIGNAL);
      if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
    } else {
      n = SSL_write(ssl_, bytes, static_cast<int>(size));
      if (n <= 0) {
        int reason = SSL_get_error(ssl_, static_cast<int>(n));
        if (reason == SSL_ERROR_WANT_READ) {
          wait_for = POLLIN;
        } else if (reason != SSL_ERROR_WANT_WRITE) {
          return false;
        }
      }
    }
    if (n > 0) {
      bytes += n;
      size -= static_cast<size_t>(n);
      continue;
    }
    pollfd fd = {fd_.get(), wait_for, 0};
    ::poll(&fd, 1, 1000);
  }
  return true;
}

void ClientTransport::waitReadable(std::chrono::milliseconds timeout) {
  if (ssl_ != nullptr && SSL_pending(ssl_) > 0) return;
  pollfd fd = {fd_.get(), POLLIN, 0};
  ::poll(&fd, 1, static_cast<int>(timeout.count()));
}

std::string ClientTransport::alpn() const {
  if (ssl_ == nullptr) return "";
  const unsigned char* protocol = nullptr;
  unsigned int size = 0;
  SSL_get0_alpn_selected(ssl_, &protocol, &size);
  if (protocol == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(protocol), size);
}

std::string ClientTransport::tlsVersion() const {
  return ssl_ == nullptr ? "" : SSL_get_version(ssl_);
}

}  // namespace meshgate::testing
