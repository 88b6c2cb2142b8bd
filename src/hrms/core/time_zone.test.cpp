#include "hrms/core/time_zone.hpp"

#include <gtest/gtest.h>

namespace hrms::core {
namespace {

Instant at(char const* text) { return *parse_rfc3339(text); }

TEST(LocalDate, ParsesOnlyRealDates) {
    EXPECT_EQ(parse_local_date("2026-02-28"), (LocalDate{2026, 2, 28}));
    EXPECT_EQ(parse_local_date("2024-02-29"), (LocalDate{2024, 2, 29}));
    for (auto bad : {"2026-02-29", "2026-13-01", "2026-1-01", "20260101", "2026-01-01T", "", "yesterday"})
        EXPECT_FALSE(parse_local_date(bad)) << bad;
}

TEST(LocalDate, ArithmeticCrossesMonthsYearsAndLeapDays) {
    EXPECT_EQ(add_days({2024, 2, 28}, 1), (LocalDate{2024, 2, 29}));
    EXPECT_EQ(add_days({2026, 12, 31}, 1), (LocalDate{2027, 1, 1}));
    EXPECT_EQ(add_days({2026, 3, 1}, -1), (LocalDate{2026, 2, 28}));
    EXPECT_EQ(days_between({2026, 1, 1}, {2027, 1, 1}), 365);
    EXPECT_EQ(to_string(LocalDate{2026, 3, 9}), "2026-03-09");
    EXPECT_EQ(weekday({2026, 11, 30}), 0);  // a Monday
    EXPECT_EQ(weekday({2026, 12, 6}), 6);   // a Sunday
    EXPECT_EQ(weekday({1970, 1, 1}), 3);    // a Thursday
}

TEST(TimeZone, UnknownNamesAreRefused) {
    EXPECT_TRUE(TimeZone::find("UTC"));
    EXPECT_TRUE(TimeZone::find("Europe/Berlin"));
    for (auto bad : {"", "Mars/Olympus_Mons", "Europe/Atlantis", "not a zone"}) EXPECT_FALSE(TimeZone::find(bad)) << bad;
}

TEST(TimeZone, DaysBeginAtLocalMidnightAcrossDaylightSaving) {
    auto const berlin = *TimeZone::find("Europe/Berlin");
    EXPECT_EQ(berlin.start_of({2026, 1, 15}), at("2026-01-14T23:00:00Z"));  // CET, +1
    EXPECT_EQ(berlin.start_of({2026, 7, 15}), at("2026-07-14T22:00:00Z"));  // CEST, +2
    // 2026-03-29 lasts 23 hours there, 2026-10-25 lasts 25.
    EXPECT_EQ(berlin.start_of({2026, 3, 30}).ms - berlin.start_of({2026, 3, 29}).ms, 23 * 3'600'000LL);
    EXPECT_EQ(berlin.start_of({2026, 10, 26}).ms - berlin.start_of({2026, 10, 25}).ms, 25 * 3'600'000LL);
    EXPECT_EQ(berlin.date_of(at("2026-07-14T22:00:00Z")), (LocalDate{2026, 7, 15}));
    EXPECT_EQ(berlin.date_of(at("2026-07-14T21:59:59.999Z")), (LocalDate{2026, 7, 14}));
    EXPECT_EQ(berlin.format_minutes(at("2026-07-14T22:05:00Z")), "2026-07-15 00:05");
}

TEST(TimeZone, AMidnightSkippedByAClockChangeStartsTheDayWhenItBegins) {
    // Santiago moves its clocks from 00:00 to 01:00 on the first Sunday of September (2026-09-06).
    auto const santiago = *TimeZone::find("America/Santiago");
    auto const start = santiago.start_of({2026, 9, 6});
    EXPECT_EQ(santiago.date_of(start), (LocalDate{2026, 9, 6}));
    EXPECT_EQ(santiago.date_of(Instant{start.ms - 1}), (LocalDate{2026, 9, 5}));
}

TEST(TimeZone, UtcHasNoOffset) {
    auto const utc = TimeZone::utc();
    EXPECT_EQ(utc.offset_ms(at("2026-07-01T00:00:00Z")), 0);
    EXPECT_EQ(utc.start_of({2026, 12, 1}), at("2026-12-01T00:00:00Z"));
    EXPECT_EQ(utc.date_of(at("1969-12-31T23:59:59Z")), (LocalDate{1969, 12, 31}));
}

}  // namespace
}  // namespace hrms::core
