#include "support/test_backend.h"

#include <stdexcept>

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include "support/backend_services.h"
#include "support/timer_thread.h"

namespace meshgate::testing {

TestBackend::TestBackend(std::string backend_id, const Options& options)
    : state_(std::make_unique<BackendState>(std::move(backend_id))),
      timers_(std::make_unique<TimerThread>()),
      test_service_(makeTestService(*state_, *timers_)),
      other_service_(makeOtherService(*state_)),
      health_(std::make_unique<HealthService>()) {
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (!options.tls_cert_pem.empty() && !options.tls_key_pem.empty()) {
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({options.tls_key_pem, options.tls_cert_pem});
    if (!options.tls_client_ca_pem.empty()) {
      ssl.pem_root_certs = options.tls_client_ca_pem;
      ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
    }
    credentials = grpc::SslServerCredentials(ssl);
  }
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", credentials, &port_);
  builder.RegisterService(test_service_.get());
  builder.RegisterService(other_service_.get());
  builder.RegisterService(&health_->service());
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  server_ = builder.BuildAndStart();
  if (!server_ || port_ == 0) throw std::runtime_error("test backend " + id() + " did not start");
}

TestBackend::~TestBackend() { shutdown(); }

void TestBackend::shutdown() {
  if (!server_) return;
  state_->release();
  // A deadline of now cancels every open call at once; Shutdown returns when they are done.
  server_->Shutdown(std::chrono::system_clock::now());
  server_->Wait();
  server_.reset();
}

std::string backendPayload(size_t size) {
  std::string body(size, '\0');
  for (size_t i = 0; i < size; ++i) body[i] = static_cast<char>((i * 31 + 7) & 0xff);
  return body;
}

}  // namespace meshgate::testing
