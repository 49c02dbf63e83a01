#include "proxy/local_reply.h"

#include <fmt/format.h>

#include "grpcwire/percent.h"

namespace meshgate::proxy {

LocalReply noRoute(std::string_view authority, std::string_view path) {
  return {grpcwire::Code::kUnimplemented, 404,
          fmt::format("no route for host '{}' path '{}'", authority, path)};
}

LocalReply httpsRedirect(std::string_view authority, std::string_view path) {
  return {grpcwire::Code::kUnimplemented, 301, "https is required",
          fmt::format("https://{}{}", authority, path)};
}

LocalReply unavailable(std::string message) {
  return {grpcwire::Code::kUnavailable, 503, std::move(message)};
}

LocalReply redirectReply(std::string location, uint32_t status) {
  return {grpcwire::Code::kUnimplemented, static_cast<int>(status), "", std::move(location), true};
}

LocalReply directReply(const ir::DirectResponse& response) {
  return {grpcwire::Code::kUnknown, static_cast<int>(response.status), response.body, "", true};
}

bool isGrpcRequest(const http::HeaderList& request_headers) {
  // PROTOCOL-HTTP2: application/grpc, optionally followed by +proto, +json, ...
  return request_headers.get("content-type").starts_with("application/grpc");
}

http::HeaderList grpcReplyHeaders(const LocalReply& reply) {
  http::HeaderList headers;
  headers.add(":status", reply.grpc_http_status ? std::to_string(reply.http_status) : "200");
  headers.add("content-type", "application/grpc");
  headers.add("grpc-status", std::to_string(grpcwire::codeNumber(reply.code)));
  headers.add("grpc-message", grpcwire::encodeGrpcMessage(reply.message));
  return headers;
}

http::HeaderList httpReplyHeaders(const LocalReply& reply) {
  http::HeaderList headers;
  headers.add(":status", std::to_string(reply.http_status));
  if (!reply.location.empty()) headers.add("location", reply.location);
  headers.add("content-type", "text/plain");
  headers.add("content-length", std::to_string(reply.message.size() + (reply.verbatim ? 0 : 1)));
  return headers;
}

}  // namespace meshgate::proxy
