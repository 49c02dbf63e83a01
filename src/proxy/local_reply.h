#pragma once

#include <string>
#include <string_view>

#include "grpcwire/status.h"
#include "http/headers.h"
#include "ir/config.h"

namespace meshgate::proxy {

// A response the gateway makes itself. gRPC callers get a Trailers-Only response carrying
// grpc-status and grpc-message; other callers get the HTTP status with the message as body.
struct LocalReply {
  grpcwire::Code code;
  int http_status;
  std::string message;
  std::string location = {};  // for redirects
  // The route's own answer (redirect, directResponse): plain HTTP even to gRPC callers, and
  // the message is the body exactly.
  bool verbatim = false;
  // A gRPC caller's Trailers-Only response carries http_status as :status instead of 200
  // (fault injection's httpStatus); grpc-status is still `code`.
  bool grpc_http_status = false;
};

LocalReply noRoute(std::string_view authority, std::string_view path);
// Gateway server tls.httpsRedirect: a 301 to the same authority and path over https.
LocalReply httpsRedirect(std::string_view authority, std::string_view path);
LocalReply unavailable(std::string message);
// VirtualService redirect and directResponse.
LocalReply redirectReply(std::string location, uint32_t status);
LocalReply directReply(const ir::DirectResponse& response);

bool isGrpcRequest(const http::HeaderList& request_headers);
// Headers of a Trailers-Only gRPC response.
http::HeaderList grpcReplyHeaders(const LocalReply& reply);
// Headers of a plain HTTP reply whose body is the message.
http::HeaderList httpReplyHeaders(const LocalReply& reply);

}  // namespace meshgate::proxy
