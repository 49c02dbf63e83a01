#include "translate/port_protocol.h"

#include <gtest/gtest.h>

namespace meshgate::translate {
namespace {

using ir::UpstreamProtocol;

TEST(SelectProtocolTest, FollowsIstioExplicitProtocolSelection) {
  struct Case {
    const char* name;
    const char* app_protocol;
    const char* se_protocol;
    UpstreamProtocol expected;
  };
  const Case cases[] = {
      {"grpc", "", "", UpstreamProtocol::kHttp2},
      {"grpc-api", "", "", UpstreamProtocol::kHttp2},
      {"GRPC-api", "", "", UpstreamProtocol::kHttp2},
      {"grpc-web", "", "", UpstreamProtocol::kHttp2},
      {"http2", "", "", UpstreamProtocol::kHttp2},
      {"http2-x", "", "", UpstreamProtocol::kHttp2},
      {"http", "", "", UpstreamProtocol::kHttp11},
      {"http-web", "", "", UpstreamProtocol::kHttp11},
      {"httpweb", "", "", UpstreamProtocol::kUnknown},
      {"tcp", "", "", UpstreamProtocol::kUnknown},
      {"https", "", "", UpstreamProtocol::kUnknown},
      {"", "", "", UpstreamProtocol::kUnknown},
      {"web", "", "", UpstreamProtocol::kUnknown},
      // appProtocol wins over the name
      {"http", "grpc", "", UpstreamProtocol::kHttp2},
      {"grpc", "http", "", UpstreamProtocol::kHttp11},
      {"x", "kubernetes.io/h2c", "", UpstreamProtocol::kHttp2},
      {"x", "kubernetes.io/grpc", "", UpstreamProtocol::kHttp2},
      {"x", "grpc-web", "", UpstreamProtocol::kHttp2},
      {"x", "http2", "", UpstreamProtocol::kHttp2},
      {"grpc", "tcp", "", UpstreamProtocol::kUnknown},
      // ServiceEntry protocol
      {"", "", "GRPC", UpstreamProtocol::kHttp2},
      {"", "", "HTTP2", UpstreamProtocol::kHttp2},
      {"", "", "HTTP", UpstreamProtocol::kHttp11},
      {"grpc", "", "TCP", UpstreamProtocol::kUnknown},
      {"", "", "HTTPS", UpstreamProtocol::kUnknown},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(selectProtocol(c.name, c.app_protocol, c.se_protocol), c.expected)
        << "name='" << c.name << "' appProtocol='" << c.app_protocol << "' protocol='"
        << c.se_protocol << "'";
  }
}

TEST(DecideProtocolTest, ReasonNamesTheDeclaration) {
  EXPECT_EQ(decideProtocol("http-api", "", "").reason, "port name 'http-api' declares HTTP/1.1");
  EXPECT_EQ(decideProtocol("x", "grpc", "").reason, "appProtocol 'grpc' declares HTTP/2");
  EXPECT_EQ(decideProtocol("", "", "").reason,
            "the port has no name and no appProtocol; the protocol is not declared");
}

}  // namespace
}  // namespace meshgate::translate
