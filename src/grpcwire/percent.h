#pragma once

#include <string>
#include <string_view>

namespace meshgate::grpcwire {

// PROTOCOL-HTTP2: grpc-message is percent-encoded UTF-8. Bytes outside 0x20-0x7E and '%' itself
// become "%XX" (upper-case hex); everything else is copied.
std::string encodeGrpcMessage(std::string_view message);

// The inverse of encodeGrpcMessage, and lenient as PROTOCOL-HTTP2 asks ("MUST NOT error or throw
// away the message"): a '%' not followed by two hex digits is kept verbatim, and either hex case
// is accepted.
std::string decodeGrpcMessage(std::string_view encoded);

// True when encodeGrpcMessage would change nothing, so callers can skip the copy.
bool isGrpcMessageSafe(std::string_view message);

}  // namespace meshgate::grpcwire
