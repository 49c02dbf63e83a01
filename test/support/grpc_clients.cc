#include "support/grpc_clients.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

namespace meshgate::testing {
namespace {

std::string firstValue(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata,
                       std::string_view key) {
  auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
  return it == metadata.end() ? std::string() : std::string(it->second.data(), it->second.size());
}

}  // namespace

std::shared_ptr<grpc::Channel> makeChannel(int port, const ChannelOptions& options) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetString(GRPC_ARG_DEFAULT_AUTHORITY, options.authority);
  if (options.max_message_bytes > 0) {
    args.SetMaxReceiveMessageSize(options.max_message_bytes);
    args.SetMaxSendMessageSize(options.max_message_bytes);
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (!options.ca_pem.empty()) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = options.ca_pem;
    credentials = grpc::SslCredentials(ssl);
    std::string host = options.authority.substr(0, options.authority.rfind(':'));
    args.SetSslTargetNameOverride(host);
  }
  return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port), credentials, args);
}

bool waitConnected(const std::shared_ptr<grpc::Channel>& channel,
                   std::chrono::milliseconds timeout) {
  return channel->WaitForConnected(deadlineIn(timeout));
}

std::string initialMetadata(const grpc::ClientContext& context, std::string_view key) {
  return firstValue(context.GetServerInitialMetadata(), key);
}

std::string trailingMetadata(const grpc::ClientContext& context, std::string_view key) {
  return firstValue(context.GetServerTrailingMetadata(), key);
}

std::chrono::system_clock::time_point deadlineIn(std::chrono::milliseconds timeout) {
  return std::chrono::system_clock::now() + timeout;
}

std::string grpcFrame(const google::protobuf::MessageLite& message) {
  std::string body = message.SerializeAsString();
  std::string frame(5, '\0');
  const auto size = static_cast<uint32_t>(body.size());
  frame[1] = static_cast<char>(size >> 24);
  frame[2] = static_cast<char>(size >> 16);
  frame[3] = static_cast<char>(size >> 8);
  frame[4] = static_cast<char>(size);
  return frame + body;
}

std::vector<std::string> grpcMessages(std::string_view body) {
  std::vector<std::string> messages;
  while (body.size() >= 5) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(body.data());
    const size_t size = (size_t{bytes[1]} << 24) | (size_t{bytes[2]} << 16) |
                        (size_t{bytes[3]} << 8) | size_t{bytes[4]};
    if (body.size() < 5 + size) break;
    messages.emplace_back(body.substr(5, size));
    body.remove_prefix(5 + size);
  }
  return messages;
}

}  // namespace meshgate::testing
