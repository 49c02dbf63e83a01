#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "support/client_transport.h"

typedef struct nghttp2_session nghttp2_session;

namespace meshgate::testing {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// An HTTP/2 client on nghttp2 that a test drives by hand: it submits requests, pumps the socket
// until a condition holds, and can refuse to return flow-control credit, which no grpc++ client
// can be made to do. One thread.
class RawH2Client {
 public:
  struct Options {
    bool tls = false;
    ClientTlsOptions tls_options;
    // False: never send WINDOW_UPDATE, so the peer stalls once the windows are used up.
    bool auto_window_update = true;
    int32_t initial_window_bytes = 65535;
    // False: count DATA bytes without keeping them.
    bool keep_bodies = true;
  };

  struct Response {
    std::multimap<std::string, std::string> headers;
    std::multimap<std::string, std::string> trailers;
    std::string body;
    size_t body_bytes = 0;
    bool closed = false;
    bool reset = false;       // RST_STREAM received
    uint32_t error_code = 0;  // from RST_STREAM or stream close

    // The first value, or "" when absent.
    std::string header(const std::string& name) const;
    std::string trailer(const std::string& name) const;
  };

  // Connects to 127.0.0.1:port and sends the preface and SETTINGS. nullptr and `*error` on failure.
  static std::unique_ptr<RawH2Client> connect(int port, const Options& options, std::string* error);
  ~RawH2Client();
  RawH2Client(const RawH2Client&) = delete;
  RawH2Client& operator=(const RawH2Client&) = delete;

  const ClientTransport& transport() const { return *transport_; }

  // Opens a stream with `headers` (pseudo-headers first) and `body`; returns the stream id.
  int32_t submit(const HeaderList& headers, std::string body, bool end_stream = true);
  // Resets a stream with RST_STREAM(CANCEL).
  void cancel(int32_t stream_id);
  const Response& response(int32_t stream_id) { return responses_[stream_id]; }

  // Sends and receives until `done()` holds (checked at least every 20 ms), the connection ends
  // or `timeout` passes. Returns done().
  bool pumpUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout);
  bool waitClosed(int32_t stream_id, std::chrono::milliseconds timeout);

  bool goawayReceived() const { return goaway_received_; }
  bool connectionEnded() const { return ended_; }

 private:
  struct Outgoing {
    std::string body;
    size_t offset = 0;
    bool end_stream = true;
  };

  RawH2Client(std::unique_ptr<ClientTransport> transport, const Options& options);
  bool flush();

  std::unique_ptr<ClientTransport> transport_;
  Options options_;
  nghttp2_session* session_ = nullptr;
  std::map<int32_t, Response> responses_;
  std::map<int32_t, Outgoing> outgoing_;
  bool goaway_received_ = false;
  bool ended_ = false;

  friend struct RawH2ClientCallbacks;
};

// Request headers of a gRPC call to `path` (POST, application/grpc, te: trailers).
HeaderList grpcRequestHeaders(const std::string& authority, const std::string& path,
                              const std::string& scheme = "http");

}  // namespace meshgate::testing
