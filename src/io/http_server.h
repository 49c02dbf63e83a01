#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "io/event_loop.h"
#include "io/socket.h"

struct evhttp;
struct evhttp_request;

namespace meshgate::io {

// A small HTTP/1.1 server on the loop, for the admin endpoint: libevent's evhttp parses the
// requests, this class only binds it and hands each request to one handler. Loop-thread only.
class HttpServer {
 public:
  struct Response {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
  };
  // method ("GET", ...) and path without the query string.
  using Handler = std::function<Response(std::string_view method, std::string_view path)>;

  // Binds `address` (port 0: the OS picks one) and serves on `loop`.
  static absl::StatusOr<std::unique_ptr<HttpServer>> start(EventLoop& loop, const Address& address,
                                                           Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound address, with the port the OS chose.
  const Address& address() const { return address_; }

 private:
  HttpServer(evhttp* http, Address address, Handler handler)
      : http_(http), address_(address), handler_(std::move(handler)) {}
  static void onRequest(evhttp_request* request, void* self);

  evhttp* http_;
  Address address_;
  Handler handler_;
};

}  // namespace meshgate::io
