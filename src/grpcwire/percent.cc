#include "grpcwire/percent.h"

#include <cstdint>

namespace meshgate::grpcwire {
namespace {

bool isUnreserved(uint8_t byte) { return byte >= 0x20 && byte <= 0x7E && byte != '%'; }

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool isGrpcMessageSafe(std::string_view message) {
  for (char c : message) {
    if (!isUnreserved(static_cast<uint8_t>(c))) return false;
  }
  return true;
}

std::string encodeGrpcMessage(std::string_view message) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(message.size());
  for (char c : message) {
    auto byte = static_cast<uint8_t>(c);
    if (isUnreserved(byte)) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0x0F]);
    }
  }
  return out;
}

std::string decodeGrpcMessage(std::string_view encoded) {
  std::string out;
  out.reserve(encoded.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '%' && i + 2 < encoded.size()) {
      int high = hexValue(encoded[i + 1]);
      int low = hexValue(encoded[i + 2]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>((high << 4) | low));
        i += 2;
        continue;
      }
    }
    out.push_back(encoded[i]);
  }
  return out;
}

}  // namespace meshgate::grpcwire
