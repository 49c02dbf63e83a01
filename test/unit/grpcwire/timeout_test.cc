#include "grpcwire/timeout.h"

#include <string>

#include <gtest/gtest.h>

namespace meshgate::grpcwire {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

TEST(TimeoutTest, ParsesEveryUnit) {
  struct Row {
    std::string_view text;
    nanoseconds value;
  };
  const Row rows[] = {
      {"1H", hours(1)},
      {"2M", minutes(2)},
      {"30S", seconds(30)},
      {"100m", milliseconds(100)},
      {"5u", microseconds(5)},
      {"7n", nanoseconds(7)},
      {"0n", nanoseconds(0)},
      {"0H", nanoseconds(0)},
      {"00000001S", seconds(1)},
      {"99999999n", nanoseconds(99'999'999)},
      {"99999999S", seconds(99'999'999)},
      {"2562047H", hours(2'562'047)},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(parseGrpcTimeout(row.text), row.value) << row.text;
  }
}

TEST(TimeoutTest, RejectsMalformedValues) {
  for (std::string_view text : {"", "S", "1", "10", "123456789S", "-1S", "+1S", " 1S", "1S ", "1 S",
                                "1s", "1h", "1x", "1.5S", "0x1S", "1SS", "１S"}) {
    EXPECT_EQ(parseGrpcTimeout(text), std::nullopt) << "'" << text << "'";
  }
  EXPECT_EQ(parseGrpcTimeout(std::string_view("1\0S", 3)), std::nullopt);
}

TEST(TimeoutTest, SaturatesInsteadOfOverflowing) {
  EXPECT_EQ(parseGrpcTimeout("99999999H"), nanoseconds::max());
  EXPECT_EQ(parseGrpcTimeout("2562048H"), nanoseconds::max());
  // 99999999 minutes is ~190 years and still fits: no saturation below the limit.
  EXPECT_EQ(parseGrpcTimeout("99999999M"), minutes(99'999'999));
  EXPECT_EQ(parseGrpcTimeout("2562047H"), hours(2'562'047));
}

TEST(TimeoutTest, FormatsInTheFinestUnitThatFits) {
  struct Row {
    nanoseconds value;
    std::string_view text;
  };
  const Row rows[] = {
      {nanoseconds(1), "1n"},
      {nanoseconds(99'999'999), "99999999n"},
      {nanoseconds(100'000'000), "100000u"},
      {milliseconds(250), "250000u"},
      {seconds(1), "1000000u"},
      {seconds(100), "100000m"},
      {seconds(99'999), "99999000m"},
      {seconds(100'000), "100000S"},
      {hours(1), "3600000m"},
      {hours(24 * 365), "31536000S"},
      {seconds(99'999'999), "99999999S"},
      {seconds(100'000'000), "1666666M"},
      {hours(2'562'047), "2562047H"},
      {nanoseconds::max(), "2562047H"},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(formatGrpcTimeout(row.value), row.text) << row.value.count();
  }
}

TEST(TimeoutTest, FormatTruncatesSoTheDeadlineIsNeverExtended) {
  // 123456789 ns does not fit in 8 digits of n; in u it is 123456.789, written as 123456u.
  EXPECT_EQ(formatGrpcTimeout(nanoseconds(123'456'789)), "123456u");
  for (int64_t nanos : {int64_t{123'456'789}, int64_t{999'999'999'999}, int64_t{1} << 40,
                        int64_t{1} << 62, nanoseconds::max().count()}) {
    auto parsed = parseGrpcTimeout(formatGrpcTimeout(nanoseconds(nanos)));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_LE(parsed->count(), nanos);
    // A coarser unit is only chosen once the value exceeds 8 digits of the finer one, so at least
    // 10^5 units remain and less than one part in 10^5 is lost.
    EXPECT_GE(parsed->count(), nanos - nanos / 100'000);
  }
}

TEST(TimeoutTest, ExpiredDeadlinesFormatAsZero) {
  EXPECT_EQ(formatGrpcTimeout(nanoseconds(0)), "0n");
  EXPECT_EQ(formatGrpcTimeout(nanoseconds(-5)), "0n");
  EXPECT_EQ(formatGrpcTimeout(nanoseconds::min()), "0n");
}

TEST(TimeoutTest, FormatThenParseIsExactWhenTheValueFitsAUnit) {
  for (nanoseconds value : {nanoseconds(42), nanoseconds(milliseconds(1500)),
                            nanoseconds(seconds(86'400)), nanoseconds(minutes(90))}) {
    EXPECT_EQ(parseGrpcTimeout(formatGrpcTimeout(value)), value);
  }
}

}  // namespace
}  // namespace meshgate::grpcwire
