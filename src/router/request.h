#pragma once

#include <cstdint>
#include <string_view>

#include "http/headers.h"

namespace meshgate::router {

// What route matching reads from a request: views into the request's header block, valid for
// the duration of the match.
struct RequestView {
  std::string_view authority;                 // :authority, or Host
  std::string_view path;                      // :path, with its query string
  std::string_view method;                    // :method
  std::string_view scheme;                    // :scheme
  const http::HeaderList* headers = nullptr;  // every request field; nullptr reads as empty
  uint32_t port = 0;  // the Gateway server port of the listener the call arrived on
};

}  // namespace meshgate::router
