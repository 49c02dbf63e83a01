#include "io/http_server.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

namespace meshgate::io {
namespace {
constexpr int kBacklog = 64;

std::string_view methodName(evhttp_cmd_type command) {
  switch (command) {
    case EVHTTP_REQ_GET:
      return "GET";
    case EVHTTP_REQ_HEAD:
      return "HEAD";
    case EVHTTP_REQ_POST:
      return "POST";
    case EVHTTP_REQ_PUT:
      return "PUT";
    case EVHTTP_REQ_DELETE:
      return "DELETE";
    default:
      return "OTHER";
  }
}
}  // namespace

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::start(EventLoop& loop,
                                                              const Address& address,
                                                              Handler handler) {
  auto fd = listenTcp(address, false, kBacklog);
  if (!fd.ok()) return fd.status();
  Address bound = localAddress(fd->get());
  evhttp* http = evhttp_new(loop.base());
  if (http == nullptr) return absl::InternalError("evhttp_new failed");
  // evhttp owns the socket from here and closes it with the server.
  if (evhttp_accept_socket(http, fd->get()) != 0) {
    evhttp_free(http);
    return absl::InternalError("evhttp_accept_socket failed");
  }
  fd->release();
  // Only what the admin endpoints need: small GETs.
  evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
  evhttp_set_max_headers_size(http, 16 * 1024);
  evhttp_set_max_body_size(http, 0);
  std::unique_ptr<HttpServer> server(new HttpServer(http, bound, std::move(handler)));
  evhttp_set_gencb(http, &HttpServer::onRequest, server.get());
  return server;
}

HttpServer::~HttpServer() { evhttp_free(http_); }

void HttpServer::onRequest(evhttp_request* request, void* self) {
  auto* server = static_cast<HttpServer*>(self);
  const evhttp_uri* uri = evhttp_request_get_evhttp_uri(request);
  const char* path = uri == nullptr ? nullptr : evhttp_uri_get_path(uri);
  Response response = server->handler_(methodName(evhttp_request_get_command(request)),
                                       path == nullptr ? "/" : path);
  evhttp_add_header(evhttp_request_get_output_headers(request), "Content-Type",
                    response.content_type.c_str());
  evbuffer* body = evbuffer_new();
  evbuffer_add(body, response.body.data(), response.body.size());
  evhttp_send_reply(request, response.status, nullptr, body);
  evbuffer_free(body);
}

}  // namespace meshgate::io
