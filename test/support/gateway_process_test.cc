// The process harness, exercised with /bin/sh standing in for the gateway.
#include "support/gateway_process.h"

#include <gtest/gtest.h>

namespace meshgate::testing {
namespace {

using namespace std::chrono_literals;

TEST(GatewayProcessTest, ParsesListeningLinesUntilReady) {
  GatewayProcess process(
      "/bin/sh", {"-c",
                  "echo 'listening 443 127.0.0.1:4430'; echo 'listening 80 127.0.0.1:8080'; "
                  "echo starting >&2; echo ready; exec sleep 30"});
  ASSERT_TRUE(process.waitReady(5s)) << process.describe();
  EXPECT_EQ(process.port(443), 4430);
  EXPECT_EQ(process.port(80), 8080);
  EXPECT_EQ(process.port(81), -1);
  EXPECT_TRUE(process.waitForStderrLine({"start"}, 5s));
  EXPECT_GT(process.rssKiB(), 0);
  EXPECT_EQ(process.terminate(5s), 128 + 15);
}

TEST(GatewayProcessTest, ReportsExitBeforeReady) {
  GatewayProcess process("/bin/sh", {"-c", "echo 'bad config' >&2; exit 2"});
  EXPECT_FALSE(process.waitReady(5s));
  EXPECT_EQ(process.waitExit(5s), 2);
}

TEST(GatewayProcessTest, RunToExitCollectsOutput) {
  ProcessResult result =
      runToExit("/bin/sh", {"-c", "echo out; echo 'a.yaml:1:2: error: x' >&2; exit 2"}, 5s);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.stdout_text, "out\n");
  EXPECT_EQ(result.stderr_text, "a.yaml:1:2: error: x\n");
}

TEST(GatewayProcessTest, DestructorKillsARunningChild) {
  pid_t pid = 0;
  {
    GatewayProcess process("/bin/sh", {"-c", "echo ready; exec sleep 30"});
    ASSERT_TRUE(process.waitReady(5s));
    pid = process.pid();
  }
  EXPECT_NE(::kill(pid, 0), 0);
}

}  // namespace
}  // namespace meshgate::testing
