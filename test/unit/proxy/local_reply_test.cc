#include "proxy/local_reply.h"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace meshgate::proxy {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

Fields fieldsOf(const http::HeaderList& headers) {
  Fields out;
  for (http::HeaderView field : headers) out.emplace_back(field.name, field.value);
  return out;
}

http::HeaderList withContentType(std::string_view content_type) {
  http::HeaderList headers;
  headers.add(":method", "POST");
  headers.add(":path", "/pkg.Svc/Method");
  if (!content_type.empty()) headers.add("content-type", content_type);
  return headers;
}

TEST(LocalReplyTest, GrpcReplyIsATrailersOnlyResponse) {
  LocalReply reply = unavailable("upstream connect error");
  EXPECT_EQ(fieldsOf(grpcReplyHeaders(reply)),
            (Fields{{":status", "200"},
                    {"content-type", "application/grpc"},
                    {"grpc-status", "14"},
                    {"grpc-message", "upstream connect error"}}));
}

TEST(LocalReplyTest, GrpcMessageIsPercentEncoded) {
  LocalReply reply{grpcwire::Code::kInternal, 500, "caf\xc3\xa9 100%\nnext"};
  EXPECT_EQ(grpcReplyHeaders(reply).get("grpc-message"), "caf%C3%A9 100%25%0Anext");
  EXPECT_EQ(grpcReplyHeaders(reply).get("grpc-status"), "13");
}

TEST(LocalReplyTest, NoRouteIsUnimplementedNamingHostAndPath) {
  LocalReply reply = noRoute("grpc.example.com", "/pkg.Svc/Method");
  EXPECT_EQ(reply.code, grpcwire::Code::kUnimplemented);
  EXPECT_EQ(reply.http_status, 404);
  EXPECT_EQ(reply.message, "no route for host 'grpc.example.com' path '/pkg.Svc/Method'");
  EXPECT_EQ(grpcReplyHeaders(reply).get("grpc-status"), "12");
  EXPECT_EQ(grpcReplyHeaders(reply).get("grpc-message"),
            "no route for host 'grpc.example.com' path '/pkg.Svc/Method'");
}

TEST(LocalReplyTest, UnavailableIsGrpc14AndHttp503) {
  LocalReply reply = unavailable("no healthy upstream");
  EXPECT_EQ(reply.code, grpcwire::Code::kUnavailable);
  EXPECT_EQ(reply.http_status, 503);
  EXPECT_EQ(reply.message, "no healthy upstream");
  EXPECT_TRUE(reply.location.empty());
}

TEST(LocalReplyTest, HttpReplyCarriesStatusTypeAndLengthOfMessageAndNewline) {
  LocalReply reply = unavailable("no healthy upstream");
  EXPECT_EQ(fieldsOf(httpReplyHeaders(reply)),
            (Fields{{":status", "503"}, {"content-type", "text/plain"}, {"content-length", "20"}}));
}

TEST(LocalReplyTest, HttpsRedirectPointsAtTheSameAuthorityAndPath) {
  LocalReply reply = httpsRedirect("grpc.example.com:8080", "/index.html?x=1");
  EXPECT_EQ(reply.http_status, 301);
  EXPECT_EQ(reply.location, "https://grpc.example.com:8080/index.html?x=1");
  http::HeaderList headers = httpReplyHeaders(reply);
  EXPECT_EQ(headers[0].name, ":status");
  EXPECT_EQ(headers[0].value, "301");
  EXPECT_EQ(headers.get("location"), "https://grpc.example.com:8080/index.html?x=1");
}

TEST(LocalReplyTest, GrpcReplyHasNoHttpOnlyFields) {
  LocalReply reply = httpsRedirect("a.example.com", "/");
  http::HeaderList headers = grpcReplyHeaders(reply);
  EXPECT_FALSE(headers.has("location"));
  EXPECT_FALSE(headers.has("content-length"));
}

TEST(IsGrpcRequestTest, RecognisesGrpcContentTypes) {
  for (const char* content_type :
       {"application/grpc", "application/grpc+proto", "application/grpc+json"}) {
    EXPECT_TRUE(isGrpcRequest(withContentType(content_type))) << content_type;
  }
}

TEST(IsGrpcRequestTest, OtherRequestsAreNotGrpc) {
  for (const char* content_type : {"", "application/json", "text/plain", "application/grp"}) {
    EXPECT_FALSE(isGrpcRequest(withContentType(content_type))) << content_type;
  }
}

}  // namespace
}  // namespace meshgate::proxy
