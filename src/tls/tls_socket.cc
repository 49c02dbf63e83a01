#include "tls/tls_socket.h"

#include <cerrno>
#include <cstring>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace meshgate::tls {

TlsSocket::TlsSocket(SSL_CTX* context, int fd, bool server, const std::string& server_name)
    : ssl_(SSL_new(context)) {
  SSL_set_fd(ssl_, fd);
  if (server) {
    SSL_set_accept_state(ssl_);
  } else {
    SSL_set_connect_state(ssl_);
    if (!server_name.empty()) SSL_set_tlsext_host_name(ssl_, server_name.c_str());
  }
}

TlsSocket::~TlsSocket() { SSL_free(ssl_); }

io::IoResult TlsSocket::fail(int ret) {
  int error = SSL_get_error(ssl_, ret);
  switch (error) {
    case SSL_ERROR_WANT_READ:
      wants_write_ = false;
      return {io::IoStatus::kAgain, 0};
    case SSL_ERROR_WANT_WRITE:
      wants_write_ = true;
      return {io::IoStatus::kAgain, 0};
    case SSL_ERROR_ZERO_RETURN:
      return {io::IoStatus::kClosed, 0};
    case SSL_ERROR_SYSCALL:
      reason_ = errno != 0 ? std::strerror(errno) : "unexpected eof";
      ERR_clear_error();
      return {errno == 0 ? io::IoStatus::kClosed : io::IoStatus::kError, 0};
    default: {
      char text[256] = "tls error";
      if (unsigned long code = ERR_get_error(); code != 0) {
        ERR_error_string_n(code, text, sizeof(text));
      }
      ERR_clear_error();
      reason_ = text;
      // A failed certificate check says why (expired, unknown CA, name mismatch...).
      if (long verify = SSL_get_verify_result(ssl_); verify != X509_V_OK) {
        reason_ += std::string(": ") + X509_verify_cert_error_string(verify);
      }
      return {io::IoStatus::kError, 0};
    }
  }
}

io::IoResult TlsSocket::handshake() {
  ERR_clear_error();
  errno = 0;
  int ret = SSL_do_handshake(ssl_);
  if (ret != 1) return fail(ret);
  const unsigned char* protocol = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(ssl_, &protocol, &length);
  alpn_.assign(reinterpret_cast<const char*>(protocol), length);
  return {};
}

io::IoResult TlsSocket::read(uint8_t* buffer, size_t length) {
  ERR_clear_error();
  errno = 0;
  size_t n = 0;
  int ret = SSL_read_ex(ssl_, buffer, length, &n);
  if (ret == 1) return {io::IoStatus::kOk, n};
  return fail(ret);
}

bool TlsSocket::hasBufferedInput() const { return SSL_has_pending(ssl_) == 1; }

io::IoResult TlsSocket::write(const uint8_t* data, size_t length) {
  ERR_clear_error();
  errno = 0;
  size_t n = 0;
  int ret = SSL_write_ex(ssl_, data, length, &n);
  if (ret == 1) return {io::IoStatus::kOk, n};
  return fail(ret);
}

}  // namespace meshgate::tls
