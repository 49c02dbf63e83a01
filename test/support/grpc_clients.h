#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/message_lite.h>
#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

namespace meshgate::testing {

// How a test's grpc++ client reaches the gateway.
struct ChannelOptions {
  // Sent as :authority; over TLS also the name the server certificate is checked against.
  std::string authority = "grpc.example.com";
  // Non-empty: TLS, trusting only this CA. Empty: plaintext HTTP/2 (h2c).
  std::string ca_pem;
  // 0 keeps grpc's defaults (4 MiB receive).
  int max_message_bytes = 0;
};

// A channel to 127.0.0.1:port with its own subchannel pool, so every channel is its own
// connection.
std::shared_ptr<grpc::Channel> makeChannel(int port, const ChannelOptions& options);

// Connects `channel` and waits until it is READY; false at the deadline.
bool waitConnected(const std::shared_ptr<grpc::Channel>& channel,
                   std::chrono::milliseconds timeout);

// The first value of an initial / trailing metadata key after the call, or "" when absent.
std::string initialMetadata(const grpc::ClientContext& context, std::string_view key);
std::string trailingMetadata(const grpc::ClientContext& context, std::string_view key);

// A deadline `timeout` from now, for ClientContext::set_deadline.
std::chrono::system_clock::time_point deadlineIn(std::chrono::milliseconds timeout);

// gRPC's length-prefixed message framing, for raw HTTP/2 clients.
std::string grpcFrame(const google::protobuf::MessageLite& message);
// The messages of a gRPC body; a truncated tail is dropped.
std::vector<std::string> grpcMessages(std::string_view body);

}  // namespace meshgate::testing
