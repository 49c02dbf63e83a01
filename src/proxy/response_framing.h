#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include "grpcwire/message_deframer.h"

namespace meshgate::proxy {

// Follows the length-prefixed messages of a gRPC response as it is relayed, without copying
// or holding them, so that a response ending inside a message (a truncated body, or a length
// prefix announcing more than was sent) can be reported as what it is. Without this, trailers
// claiming OK after half a message reach the client, which then reports something unrelated
// (grpc++: UNIMPLEMENTED "No message returned for unary request").
class ResponseFraming {
 public:
  void feed(const uint8_t* data, size_t length) { deframer_.feed(data, length, ignore_); }
  // At the end of the response: empty when it ended between messages, else what is wrong.
  std::string endError() {
    deframer_.finish();
    return deframer_.errorMessage();
  }

 private:
  // Only the framing matters here; the bytes are relayed by the stream.
  struct Ignore : grpcwire::MessageDeframer::Handler {
    void onMessageStart(const grpcwire::MessageHeader&) override {}
    void onMessageData(std::span<const uint8_t>) override {}
    void onMessageEnd() override {}
  };
  // The gateway enforces no message size of its own (clients set theirs); only the framing.
  grpcwire::MessageDeframer deframer_{
      {std::numeric_limits<uint32_t>::max(), grpcwire::kFlagCompressed, false}};
  Ignore ignore_;
};

}  // namespace meshgate::proxy
