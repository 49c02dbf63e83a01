// End-to-end flow control: a client that stops reading a huge server stream must stall the
// backend, not fill the gateway's memory.
#include <algorithm>

#include <gtest/gtest.h>

#include "integration/gateway_fixture.h"
#include "support/raw_h2_client.h"

namespace meshgate::testing {
namespace {

using namespace std::chrono_literals;

// "A few MiB": the gateway's per-stream buffers plus its windows, with room for allocator noise.
constexpr long kMaxRssGrowthKiB = 8 * 1024;
constexpr int kMessageBytes = 256 << 10;
constexpr int kOneGiBOfMessages = (1 << 30) / kMessageBytes;

RawH2Client::Options rawOptions(const GatewayTest& t, bool auto_window_update) {
  RawH2Client::Options options;
  options.tls = t.tls();
  options.tls_options.ca_pem = t.certs().caCertPem();
  options.auto_window_update = auto_window_update;
  options.initial_window_bytes = auto_window_update ? (1 << 20) : 65535;
  options.keep_bodies = false;
  return options;
}

std::string streamOf(int messages) {
  StreamingOutputCallRequest request;
  for (int i = 0; i < messages; ++i) request.add_response_parameters()->set_size(kMessageBytes);
  return grpcFrame(request);
}

MESHGATE_TEST_BOTH_TOPOLOGIES(StalledReaderStallsBackendWithinBoundedMemory) {
  ASSERT_TRUE(t.startWithOneBackend());
  const HeaderList headers = grpcRequestHeaders("grpc.example.com", kStreamingOutputCallMethod,
                                                t.tls() ? "https" : "http");
  std::string error;
  {
    // The same shape of call, read to the end, so pools and allocator arenas exist before the
    // baseline is taken.
    auto reader = RawH2Client::connect(t.port(), rawOptions(t, true), &error);
    ASSERT_NE(reader, nullptr) << error;
    int32_t stream = reader->submit(headers, streamOf(8));
    ASSERT_TRUE(reader->waitClosed(stream, kWait));
    ASSERT_EQ(reader->response(stream).trailer("grpc-status"), "0");
  }
  const long baseline_kib = t.gateway().rssKiB();
  ASSERT_GT(baseline_kib, 0);

  auto client = RawH2Client::connect(t.port(), rawOptions(t, false), &error);
  ASSERT_NE(client, nullptr) << error;
  int32_t stream = client->submit(headers, streamOf(kOneGiBOfMessages));
  long peak_kib = baseline_kib;
  auto sample = [&] {
    peak_kib = std::max(peak_kib, t.gateway().rssKiB());
    return true;
  };
  // The client keeps reading frames (and answering PINGs) but never returns window credit.
  ASSERT_TRUE(client->pumpUntil([&] { return sample() && t.backend().isWriteBlockedFor(500ms); },
                                3 * kWait))
      << "the backend never blocked; it wrote " << t.backend().bytesWritten() << " bytes";
  // Stay stalled a while longer and keep sampling: memory must not creep.
  ASSERT_TRUE(client->pumpUntil([&] { return sample() && t.backend().isWriteBlockedFor(1500ms); },
                                3 * kWait));
  EXPECT_FALSE(client->response(stream).closed) << "the stalled stream was ended";
  EXPECT_LE(client->response(stream).body_bytes, 65535u) << "more than the client's window arrived";
  EXPECT_LT(t.backend().bytesWritten(), 64 << 20) << "the gateway kept reading from the backend";
  EXPECT_LT(peak_kib - baseline_kib, kMaxRssGrowthKiB)
      << "gateway RSS grew from " << baseline_kib << " KiB to " << peak_kib << " KiB while the "
      << "backend had written " << (t.backend().bytesWritten() >> 20) << " MiB";

  ::testing::Test::RecordProperty("gateway_rss_growth_kib",
                                  std::to_string(peak_kib - baseline_kib));
  ::testing::Test::RecordProperty("backend_bytes_written",
                                  std::to_string(t.backend().bytesWritten()));

  client->cancel(stream);
  EXPECT_TRUE(client->pumpUntil(
      [&] { return t.backend().cancellations() >= 1 && t.backend().activeCalls() == 0; }, kWait))
      << "the backend never saw the stalled stream cancelled";
}

}  // namespace
}  // namespace meshgate::testing
