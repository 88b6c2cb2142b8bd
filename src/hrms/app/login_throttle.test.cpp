#include "hrms/app/login_throttle.hpp"

#include <gtest/gtest.h>

using namespace hrms;
using namespace hrms::app;

TEST(LoginThrottle, BurstIsAdmittedThenTheIpWaits) {
    LoginThrottle t({.rate_per_s = 1, .burst = 3, .max_failures = 100, .failure_window_s = 60});
    Instant const now{1000};
    EXPECT_EQ(t.admit("1.2.3.4", now), 0);
    EXPECT_EQ(t.admit("1.2.3.4", now), 0);
    EXPECT_EQ(t.admit("1.2.3.4", now), 0);
    EXPECT_GT(t.admit("1.2.3.4", now), 0);
    EXPECT_EQ(t.admit("5.6.7.8", now), 0) << "another IP is unaffected";
    EXPECT_EQ(t.admit("1.2.3.4", Instant{2000}), 0) << "a token refills after a second";
}

TEST(LoginThrottle, TooManyFailuresBlockUntilTheWindowEnds) {
    LoginThrottle t({.rate_per_s = 100, .burst = 100, .max_failures = 2, .failure_window_s = 60});
    EXPECT_EQ(t.admit("ip", Instant{0}), 0);
    t.record_failure("ip", Instant{0});
    t.record_failure("ip", Instant{10});
    EXPECT_GE(t.admit("ip", Instant{20}), 59);
    EXPECT_EQ(t.admit("ip", Instant{60'001}), 0);
}
