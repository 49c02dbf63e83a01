#include "server/debouncer.h"

#include <gtest/gtest.h>

namespace meshgate::server {
namespace {

using std::chrono::milliseconds;

class DebouncerTest : public ::testing::Test {
 protected:
  Debouncer::Clock::time_point at(int ms) { return start_ + milliseconds(ms); }

  Debouncer::Clock::time_point start_ = Debouncer::Clock::now();
  Debouncer debouncer_{milliseconds(100), milliseconds(500)};
};

TEST_F(DebouncerTest, NothingIsDueWithoutEvents) {
  EXPECT_FALSE(debouncer_.due().has_value());
  EXPECT_FALSE(debouncer_.take(at(1000)));
}

TEST_F(DebouncerTest, OneEventIsDueAfterTheQuietPeriod) {
  debouncer_.event(at(0));
  EXPECT_EQ(debouncer_.due(), at(100));
  EXPECT_FALSE(debouncer_.take(at(99)));
  EXPECT_TRUE(debouncer_.take(at(100)));
  EXPECT_FALSE(debouncer_.pending());
  EXPECT_FALSE(debouncer_.take(at(200))) << "a burst is taken once";
}

TEST_F(DebouncerTest, EventsOfABurstPushTheDeadline) {
  debouncer_.event(at(0));
  debouncer_.event(at(60));   // e.g. truncate, then write
  debouncer_.event(at(120));  // rename over
  EXPECT_FALSE(debouncer_.take(at(200)));
  EXPECT_TRUE(debouncer_.take(at(220)));
}

TEST_F(DebouncerTest, AnEndlessBurstIsDueAtTheMaximumDelay) {
  for (int t = 0; t <= 600; t += 50) {
    debouncer_.event(at(t));
    if (t < 500) {
      EXPECT_FALSE(debouncer_.take(at(t))) << t;
    }
  }
  EXPECT_TRUE(debouncer_.take(at(600)));
}

TEST_F(DebouncerTest, ANewBurstStartsAfterTake) {
  debouncer_.event(at(0));
  ASSERT_TRUE(debouncer_.take(at(100)));
  debouncer_.event(at(1000));
  EXPECT_EQ(debouncer_.due(), at(1100));
}

}  // namespace
}  // namespace meshgate::server
