#include "config/loader.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace meshgate::config {
namespace {

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("meshgate_loader_test_" +
             std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::filesystem::path write(const std::string& name, const std::string& text) const {
    std::filesystem::path file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << text;
    return file;
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

constexpr const char* kService = R"(apiVersion: v1
kind: Service
metadata:
  name: grpc-service
spec:
  ports:
  - name: grpc
    port: 50051
    targetPort: grpc-port
  - name: http2-web
    port: 8080
    targetPort: 9090
    appProtocol: http2
)";

TEST(LoaderTest, DuplicateAcrossFilesNamesBothFiles) {
  TempDir dir;
  auto a = dir.write("a.yaml", kService);
  auto b = dir.write("b.yaml", kService);
  LoadResult result = loadPaths({a, b});
  ASSERT_EQ(result.diagnostics.errorCount(), 1u);
  const Diagnostic& error = result.diagnostics.all()[0];
  EXPECT_EQ(error.where.file, b.string());
  EXPECT_NE(error.message.find(a.string() + ":1:1"), std::string::npos) << error.message;
  EXPECT_EQ(result.model.services.size(), 1u);
}

TEST(LoaderTest, DirectoriesAreReadRecursivelyInSortedOrder) {
  TempDir dir;
  dir.write("z/late.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: z}\n");
  dir.write("a.yml", "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n");
  dir.write("notes.txt", "not yaml: [");
  LoadResult result = loadPaths({dir.path()});
  EXPECT_FALSE(result.diagnostics.hasErrors()) << result.diagnostics.format();
  ASSERT_EQ(result.model.pods.size(), 2u);
  EXPECT_EQ(result.model.pods[0].meta.name, "a");
  EXPECT_EQ(result.model.pods[1].meta.name, "z");
  EXPECT_LT(result.model.pods[0].meta.order, result.model.pods[1].meta.order);
}

TEST(LoaderTest, MissingPathIsAnError) {
  LoadResult result = loadPaths({"/nonexistent/meshgate.yaml"});
  ASSERT_TRUE(result.diagnostics.hasErrors());
  EXPECT_EQ(result.diagnostics.format(),
            "/nonexistent/meshgate.yaml: error: no such file or directory\n");
}

TEST(LoaderTest, ServiceTargetPortIsNumberOrName) {
  LoadResult result = loadString(kService, "svc.yaml");
  ASSERT_FALSE(result.diagnostics.hasErrors()) << result.diagnostics.format();
  const Service& service = result.model.services.at(0);
  EXPECT_EQ(service.meta.namespace_name, "default");
  EXPECT_EQ(service.ports[0].target_port_name.value, "grpc-port");
  EXPECT_FALSE(service.ports[0].target_port_number);
  EXPECT_EQ(service.ports[1].target_port_number.value, 9090u);
  EXPECT_EQ(service.ports[1].app_protocol.value, "http2");
}

TEST(LoaderTest, SecretDataIsDecodedAndStringDataWins) {
  LoadResult result = loadString(R"(apiVersion: v1
kind: Secret
metadata: {name: cred, namespace: istio-system}
type: kubernetes.io/tls
data:
  tls.crt: LS0tLS1CRUdJTg==
  tls.key: b2xk
stringData:
  tls.key: new-key
)",
                                 "secret.yaml");
  ASSERT_FALSE(result.diagnostics.hasErrors()) << result.diagnostics.format();
  const Secret& secret = result.model.secrets.at(0);
  EXPECT_EQ(secret.find("tls.crt")->value, "-----BEGIN");
  EXPECT_EQ(secret.find("tls.key")->value, "new-key");
  EXPECT_EQ(secret.find("tls.crt")->where, (base::SourceRef{"secret.yaml", 6, 12}));
}

TEST(LoaderTest, EndpointSliceBelongsToItsServiceLabel) {
  LoadResult result = loadString(R"(apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: grpc-service-abc
  labels: {kubernetes.io/service-name: grpc-service}
addressType: IPv4
endpoints:
- addresses: [10.0.0.1]
  conditions: {ready: false}
  targetRef: {kind: Pod, name: p1}
ports:
- {name: grpc, port: 50051, protocol: TCP}
)",
                                 "slice.yaml");
  ASSERT_FALSE(result.diagnostics.hasErrors()) << result.diagnostics.format();
  const EndpointSlice& slice = result.model.endpoint_slices.at(0);
  EXPECT_EQ(slice.service_name, "grpc-service");
  EXPECT_TRUE(slice.endpoints[0].ready.present);
  EXPECT_FALSE(slice.endpoints[0].ready.value);
  EXPECT_EQ(slice.endpoints[0].target_ref->name, "p1");
  EXPECT_EQ(slice.ports[0].port.value, 50051u);
}

TEST(LoaderTest, ListItemsAreLoaded) {
  LoadResult result = loadString(R"(apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: p, labels: {app: a}}
  status: {podIP: 10.1.1.1}
)",
                                 "list.yaml");
  ASSERT_FALSE(result.diagnostics.hasErrors()) << result.diagnostics.format();
  ASSERT_EQ(result.model.pods.size(), 1u);
  EXPECT_EQ(result.model.pods[0].pod_ip.value, "10.1.1.1");
}

TEST(LoaderTest, AllIstioApiVersionsAreAccepted) {
  for (const char* version :
       {"networking.istio.io/v1alpha3", "networking.istio.io/v1beta1", "networking.istio.io/v1"}) {
    LoadResult result = loadString(std::string("apiVersion: ") + version +
                                       "\nkind: Gateway\nmetadata: {name: g}\nspec:\n  servers:\n"
                                       "  - port: {number: 80, protocol: HTTP}\n    hosts: ['*']\n",
                                   "gw.yaml");
    EXPECT_TRUE(result.diagnostics.all().empty()) << version << result.diagnostics.format();
    EXPECT_EQ(result.model.gateways.size(), 1u) << version;
  }
}

}  // namespace
}  // namespace meshgate::config
