#include "ir/ir_json.h"

#include <gtest/gtest.h>

namespace meshgate::ir {
namespace {

TEST(IrJsonTest, EmptyConfig) {
  EXPECT_EQ(toJson(Config{}), "{\n  \"listeners\": [],\n  \"clusters\": []\n}\n");
}

TEST(IrJsonTest, NeverWritesKeyMaterial) {
  Config config;
  Listener listener;
  listener.name = "0.0.0.0_443";
  listener.port = 443;
  TlsCertificate tls;
  tls.server_names = {"grpc.example.com"};
  tls.cert_pem = "CERTDATA";
  tls.key_pem = "SECRETKEY";
  listener.tls.push_back(tls);
  config.listeners.push_back(listener);
  std::string json = toJson(config);
  EXPECT_EQ(json.find("SECRETKEY"), std::string::npos);
  EXPECT_EQ(json.find("CERTDATA"), std::string::npos);
  EXPECT_NE(json.find("\"key_pem\": \"<9 bytes>\""), std::string::npos);
}

TEST(IrJsonTest, EscapesStrings) {
  Config config;
  Cluster cluster;
  cluster.name = "a\"b\\c\nd\x01";
  config.clusters.push_back(cluster);
  EXPECT_NE(toJson(config).find(R"("name": "a\"b\\c\nd\u0001")"), std::string::npos);
}

TEST(IrJsonTest, RouteTimeoutNoneIsExplicit) {
  Config config;
  Listener listener;
  VirtualHost host;
  Route route;
  route.name = "default/vs.http[0]";
  host.routes.push_back(route);
  route.timeout = std::chrono::milliseconds(60000);
  host.routes.push_back(route);
  listener.virtual_hosts.push_back(host);
  config.listeners.push_back(listener);
  std::string json = toJson(config);
  EXPECT_NE(json.find("\"timeout_ms\": \"none\""), std::string::npos);
  EXPECT_NE(json.find("\"timeout_ms\": 60000"), std::string::npos);
}

}  // namespace
}  // namespace meshgate::ir
