#include "app/flags.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/log.h"

namespace meshgate::app {
namespace {

using std::chrono::milliseconds;

TEST(ParseDurationTest, ReadsEveryUnit) {
  struct Row {
    const char* text;
    int64_t ms;
  };
  const Row rows[] = {
      {"15s", 15000}, {"500ms", 500}, {"1m", 60000},     {"2h", 7200000},
      {"1.5s", 1500}, {"0s", 0},      {"0.5ms", 0},      {"90m", 5400000},
      {"1ms", 1},     {"250ms", 250}, {"0.25h", 900000},
  };
  for (const Row& row : rows) {
    std::optional<milliseconds> parsed = parseDuration(row.text);
    ASSERT_TRUE(parsed.has_value()) << row.text;
    EXPECT_EQ(parsed->count(), row.ms) << row.text;
  }
}

TEST(ParseDurationTest, RejectsMalformedText) {
  for (const char* text : {"", "15", "s", "ms", "m", "h", "-1s", "-0.5ms", "1x", "1d", "1sec",
                           "abc", "s15", "1ms5", "1.2.3s", "ms1"}) {
    EXPECT_EQ(parseDuration(text), std::nullopt) << text;
  }
}

// A duration that milliseconds cannot hold must be refused, not wrapped into a negative one
// (a negative --idle-timeout arms timers that fire at once).
TEST(ParseDurationTest, RejectsValuesMillisecondsCannotHold) {
  for (const char* text : {"1e300s", "1e16s", "infs", "nanms", "9223372036854775807ms"}) {
    std::optional<milliseconds> parsed = parseDuration(text);
    EXPECT_EQ(parsed, std::nullopt)
        << text << " parsed as " << (parsed ? parsed->count() : 0) << " ms";
  }
}

// Restores the log level, which --log-level changes process-wide.
class ParseServeFlagsTest : public ::testing::Test {
 protected:
  void SetUp() override { saved_level_ = base::logLevel(); }
  void TearDown() override { base::setLogLevel(saved_level_); }

  std::optional<server::ServeOptions> parse(std::vector<std::string> args) {
    error_.clear();
    return parseServeFlags(args, error_);
  }
  // The error for args, which must fail.
  std::string errorFor(std::vector<std::string> args) {
    auto options = parse(std::move(args));
    EXPECT_FALSE(options.has_value());
    return error_;
  }

  std::string error_;

 private:
  base::LogLevel saved_level_ = base::LogLevel::kInfo;
};

TEST_F(ParseServeFlagsTest, ConfigIsRequired) {
  EXPECT_EQ(errorFor({}), "at least one --config PATH is required");
  EXPECT_EQ(errorFor({"--workers", "2"}), "at least one --config PATH is required");
}

TEST_F(ParseServeFlagsTest, ConfigMayBeRepeated) {
  auto options = parse({"--config", "gateway.yaml", "--config=services/"});
  ASSERT_TRUE(options.has_value()) << error_;
  EXPECT_EQ(options->config_paths, (std::vector<std::string>{"gateway.yaml", "services/"}));
}

TEST_F(ParseServeFlagsTest, ListenMapsAGatewayPortToHostAndPort) {
  auto options =
      parse({"--config", "c.yaml", "--listen", "443=127.0.0.1:8443", "--listen", "80=[::1]:8080"});
  ASSERT_TRUE(options.has_value()) << error_;
  ASSERT_EQ(options->listen.size(), 2u);
  EXPECT_EQ(options->listen.at(443), "127.0.0.1:8443");
  EXPECT_EQ(options->listen.at(80), "[::1]:8080");
}

TEST_F(ParseServeFlagsTest, AdminTakesHostAndPort) {
  auto options = parse({"--config", "c.yaml", "--admin", "127.0.0.1:0"});
  ASSERT_TRUE(options.has_value()) << error_;
  EXPECT_EQ(options->admin, "127.0.0.1:0");
  EXPECT_TRUE(parse({"--config", "c.yaml"})->admin.empty()) << "no admin endpoint by default";
  EXPECT_EQ(errorFor({"--config", "c.yaml", "--admin", "9901"}), "--admin expects HOST:PORT");
}

TEST_F(ParseServeFlagsTest, EqualsFormMeansTheSameAsASeparateValue) {
  auto separate = parse({"--config", "c.yaml", "--workers", "3", "--listen", "443=0.0.0.0:1"});
  auto joined = parse({"--config=c.yaml", "--workers=3", "--listen=443=0.0.0.0:1"});
  ASSERT_TRUE(separate.has_value());
  ASSERT_TRUE(joined.has_value()) << error_;
  EXPECT_EQ(joined->workers, 3u);
  EXPECT_EQ(joined->workers, separate->workers);
  EXPECT_EQ(joined->config_paths, separate->config_paths);
  EXPECT_EQ(joined->listen, separate->listen);
}

TEST_F(ParseServeFlagsTest, DurationFlagsSetTheirLimits) {
  auto options = parse({"--config", "c.yaml", "--drain-time", "3s", "--idle-timeout=90s",
                        "--connect-timeout", "250ms", "--dns-refresh", "1m"});
  ASSERT_TRUE(options.has_value()) << error_;
  EXPECT_EQ(options->limits.drain_time, milliseconds(3000));
  EXPECT_EQ(options->limits.idle_timeout, milliseconds(90000));
  EXPECT_EQ(options->limits.connect_timeout, milliseconds(250));
  EXPECT_EQ(options->dns_refresh, milliseconds(60000));
}

TEST_F(ParseServeFlagsTest, NumericFlagsSetTheirLimits) {
  auto options =
      parse({"--config", "c.yaml", "--max-concurrent-streams", "64", "--max-header-list-size",
             "8192", "--stream-window", "65535", "--connection-window", "2147483647"});
  ASSERT_TRUE(options.has_value()) << error_;
  EXPECT_EQ(options->limits.max_concurrent_streams, 64u);
  EXPECT_EQ(options->limits.max_header_list_bytes, 8192u);
  EXPECT_EQ(options->limits.stream_window_bytes, 65535u);
  EXPECT_EQ(options->limits.connection_window_bytes, 2147483647u);
}

TEST_F(ParseServeFlagsTest, RetryBufferBytes) {
  auto defaults = parse({"--config", "c.yaml"});
  ASSERT_TRUE(defaults.has_value()) << error_;
  EXPECT_EQ(defaults->limits.retry_buffer_bytes, 1024u * 1024u);
  auto options = parse({"--config", "c.yaml", "--retry-buffer-bytes", "0"});
  ASSERT_TRUE(options.has_value()) << error_;
  EXPECT_EQ(options->limits.retry_buffer_bytes, 0u) << "0: no request is replayed";
  EXPECT_EQ(errorFor({"--config", "c.yaml", "--retry-buffer-bytes", "lots"}),
            "--retry-buffer-bytes expects 0..2147483647");
}

TEST_F(ParseServeFlagsTest, WindowsOutsideTheHttp2RangeAreRefused) {
  for (const char* flag : {"--stream-window", "--connection-window"}) {
    EXPECT_EQ(errorFor({"--config", "c.yaml", flag, "65534"}),
              std::string(flag) + " expects 65535..2147483647");
    EXPECT_EQ(errorFor({"--config", "c.yaml", flag, "2147483648"}),
              std::string(flag) + " expects 65535..2147483647");
    EXPECT_TRUE(parse({"--config", "c.yaml", flag, "65535"}).has_value()) << error_;
    EXPECT_TRUE(parse({"--config", "c.yaml", flag, "2147483647"}).has_value()) << error_;
  }
}

TEST_F(ParseServeFlagsTest, LocalityIsIstiosRegionZoneSubzone) {
  auto options = parse({"--config", "c.yaml", "--locality", "us-east1/us-east1-b/rack-1"});
  ASSERT_TRUE(options.has_value()) << error_;
  EXPECT_EQ(options->locality, "us-east1/us-east1-b/rack-1");
  EXPECT_TRUE(parse({"--config", "c.yaml", "--locality=us-east1"}).has_value()) << error_;
  for (const char* bad : {"", "/zone", "a/b/c/d"}) {
    EXPECT_EQ(errorFor({"--config", "c.yaml", "--locality", bad}),
              "--locality expects REGION[/ZONE[/SUBZONE]]")
        << bad;
  }
}

TEST_F(ParseServeFlagsTest, WorkersMustBeBetweenOneAnd256) {
  EXPECT_EQ(errorFor({"--config", "c.yaml", "--workers", "0"}), "--workers expects 1..256");
  EXPECT_EQ(errorFor({"--config", "c.yaml", "--workers", "257"}), "--workers expects 1..256");
  auto options = parse({"--config", "c.yaml", "--workers", "256"});
  ASSERT_TRUE(options.has_value()) << error_;
  EXPECT_EQ(options->workers, 256u);
}

TEST_F(ParseServeFlagsTest, WorkersDefaultToAtLeastOne) {
  auto options = parse({"--config", "c.yaml"});
  ASSERT_TRUE(options.has_value()) << error_;
  EXPECT_GE(options->workers, 1u);
}

TEST_F(ParseServeFlagsTest, SelectorsAreKeyValuePairs) {
  auto options = parse({"--config", "c.yaml", "--selector", "app=gateway", "--selector=tier=edge"});
  ASSERT_TRUE(options.has_value()) << error_;
  EXPECT_EQ(options->selector, (std::vector<std::pair<std::string, std::string>>{
                                   {"app", "gateway"}, {"tier", "edge"}}));
}

TEST_F(ParseServeFlagsTest, LogLevelSetsTheProcessLevel) {
  base::setLogLevel(base::LogLevel::kInfo);
  ASSERT_TRUE(parse({"--config", "c.yaml", "--log-level", "debug"}).has_value()) << error_;
  EXPECT_EQ(base::logLevel(), base::LogLevel::kDebug);
}

TEST_F(ParseServeFlagsTest, BadValueErrorNamesTheFlag) {
  struct Row {
    std::vector<std::string> args;
    std::string error;
  };
  const Row rows[] = {
      {{"--listen", "443"}, "--listen expects PORT=HOST:PORT"},
      {{"--listen", "=127.0.0.1:1"}, "--listen expects PORT=HOST:PORT"},
      {{"--listen", "https=127.0.0.1:1"}, "--listen expects PORT=HOST:PORT"},
      {{"--workers", "many"}, "--workers expects 1..256"},
      {{"--selector", "app"}, "--selector expects KEY=VALUE"},
      {{"--selector", "=gateway"}, "--selector expects KEY=VALUE"},
      {{"--log-level", "verbose"}, "--log-level expects trace|debug|info|warn|error"},
      {{"--drain-time", "15"}, "--drain-time expects a duration such as 15s or 500ms"},
      {{"--idle-timeout", "soon"}, "--idle-timeout expects a duration such as 15s or 500ms"},
      {{"--connect-timeout", "-1s"}, "--connect-timeout expects a duration such as 15s or 500ms"},
      {{"--dns-refresh", "1d"}, "--dns-refresh expects a duration such as 15s or 500ms"},
      {{"--max-concurrent-streams", "0"}, "--max-concurrent-streams expects a number"},
      {{"--max-header-list-size", "-1"}, "--max-header-list-size expects a number"},
      {{"--stream-window", "big"}, "--stream-window expects a number"},
      {{"--connection-window", "0"}, "--connection-window expects a number"},
  };
  for (const Row& row : rows) {
    std::vector<std::string> args = {"--config", "c.yaml"};
    args.insert(args.end(), row.args.begin(), row.args.end());
    EXPECT_EQ(errorFor(args), row.error) << row.args[0] << " " << row.args[1];
  }
}

TEST_F(ParseServeFlagsTest, FlagWithoutAValueIsAnError) {
  EXPECT_EQ(errorFor({"--config"}), "--config needs a value");
  EXPECT_EQ(errorFor({"--config", "c.yaml", "--workers"}), "--workers needs a value");
}

TEST_F(ParseServeFlagsTest, UnknownFlagIsAnError) {
  EXPECT_EQ(errorFor({"--config", "c.yaml", "--threads", "4"}), "unknown flag --threads");
  EXPECT_EQ(errorFor({"--config", "c.yaml", "--threads=4"}), "unknown flag --threads");
}

}  // namespace
}  // namespace meshgate::app
