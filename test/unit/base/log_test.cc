#include "base/log.h"

#include <fcntl.h>
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>

namespace meshgate::base {
namespace {

// Restores the process-wide level after each test, since it is the one global.
class LogTest : public ::testing::Test {
 protected:
  void SetUp() override { saved_ = logLevel(); }
  void TearDown() override { setLogLevel(saved_); }

  // Runs fn with stderr redirected into a pipe and returns what it wrote.
  template <typename Fn>
  static std::string captureStderr(Fn fn) {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_NONBLOCK), 0);
    int saved = ::dup(STDERR_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    fn();
    ::dup2(saved, STDERR_FILENO);
    ::close(saved);
    ::close(fds[1]);
    std::string out;
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(fds[0], buffer, sizeof(buffer))) > 0) out.append(buffer, n);
    ::close(fds[0]);
    return out;
  }

 private:
  LogLevel saved_ = LogLevel::kInfo;
};

TEST_F(LogTest, ParsesEveryLevelName) {
  struct Row {
    const char* text;
    LogLevel level;
  };
  const Row rows[] = {{"trace", LogLevel::kTrace},
                      {"debug", LogLevel::kDebug},
                      {"info", LogLevel::kInfo},
                      {"warn", LogLevel::kWarn},
                      {"error", LogLevel::kError}};
  for (const Row& row : rows) {
    LogLevel parsed = row.level == LogLevel::kTrace ? LogLevel::kError : LogLevel::kTrace;
    EXPECT_TRUE(parseLogLevel(row.text, parsed)) << row.text;
    EXPECT_EQ(parsed, row.level) << row.text;
  }
}

TEST_F(LogTest, RejectsUnknownLevelNamesAndLeavesOutputAlone) {
  for (const char* text : {"", "INFO", "warning", "fatal", "info "}) {
    LogLevel parsed = LogLevel::kDebug;
    EXPECT_FALSE(parseLogLevel(text, parsed)) << text;
    EXPECT_EQ(parsed, LogLevel::kDebug) << text;
  }
}

TEST_F(LogTest, SetLogLevelIsWhatLogLevelReturns) {
  setLogLevel(LogLevel::kError);
  EXPECT_EQ(logLevel(), LogLevel::kError);
  setLogLevel(LogLevel::kTrace);
  EXPECT_EQ(logLevel(), LogLevel::kTrace);
}

TEST_F(LogTest, MessagesBelowTheLevelAreNotFormatted) {
  setLogLevel(LogLevel::kWarn);
  int evaluated = 0;
  auto count = [&] { return ++evaluated; };
  std::string out = captureStderr([&] { MG_LOG(kInfo, "skipped {}", count()); });
  EXPECT_EQ(evaluated, 0);
  EXPECT_EQ(out, "");
}

TEST_F(LogTest, WritesOneLineWithLevelAndMessage) {
  setLogLevel(LogLevel::kInfo);
  std::string out = captureStderr([] { MG_LOG(kWarn, "listener {}: {}", "0.0.0.0_443", 7); });
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.front(), '[');
  EXPECT_TRUE(out.ends_with("] [warn] listener 0.0.0.0_443: 7\n")) << out;
  EXPECT_EQ(out.find('\n'), out.size() - 1);
}

}  // namespace
}  // namespace meshgate::base
