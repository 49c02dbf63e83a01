// `serve --admin`: the bound address is announced like the listeners', /stats speaks
// Prometheus text with the workers' numbers summed, /ready answers, anything else is 404.
#include <gtest/gtest.h>

#include "integration/gateway_fixture.h"

namespace meshgate::testing {
namespace {

TEST_F(H2cToH2c, AdminServesStatsReadyAndNotFound) {
  ASSERT_TRUE(startWithOneBackend());
  ASSERT_GT(gateway().adminPort(), 0) << gateway().stdoutText();

  auto ready = gateway().adminGet("/ready");
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(ready->status, 200);
  auto missing = gateway().adminGet("/nothing-here");
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->status, 404);

  auto stats = gateway().adminGet("/stats");
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->status, 200);
  EXPECT_NE(stats->body.find("# TYPE meshgate_downstream_streams gauge\n"), std::string::npos)
      << stats->body;
  EXPECT_NE(stats->body.find("# TYPE meshgate_calls_total counter\n"), std::string::npos);

  // Counters follow the traffic; gauges follow what is open, summed over both workers.
  auto stub = this->stub();
  for (int i = 0; i < 3; ++i) {
    grpc::ClientContext context;
    context.set_deadline(deadlineIn(kWait));
    Empty request, response;
    ASSERT_TRUE(stub->EmptyCall(&context, request, &response).ok());
  }
  EXPECT_EQ(gateway().stat("meshgate_calls_total"), 3);
  EXPECT_EQ(gateway().stat("meshgate_downstream_connections"), 1);
  EXPECT_EQ(gateway().stat("meshgate_upstream_connections"), 1);
  EXPECT_TRUE(gateway().waitForStats(
      {{"meshgate_downstream_streams", 0}, {"meshgate_upstream_streams", 0}}, kWait));
}

// While a call is open the stream gauges count it; they fall back once it ends.
TEST_F(H2cToH2c, AdminGaugesCountAnOpenCall) {
  ASSERT_TRUE(startWithOneBackend());
  auto stub = this->stub();
  grpc::ClientContext context;
  context.set_deadline(deadlineIn(kWait));
  auto stream = stub->FullDuplexCall(&context);
  ASSERT_TRUE(backend().waitForActiveCalls(1, kWait));
  EXPECT_TRUE(gateway().waitForStats(
      {{"meshgate_downstream_streams", 1}, {"meshgate_upstream_streams", 1}}, kWait));
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_TRUE(gateway().waitForStats(
      {{"meshgate_downstream_streams", 0}, {"meshgate_upstream_streams", 0}}, kWait));
}

}  // namespace
}  // namespace meshgate::testing
