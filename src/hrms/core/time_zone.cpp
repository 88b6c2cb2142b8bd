#include "hrms/core/time_zone.hpp"

#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <cstdio>

namespace hrms::core {

namespace {
constexpr std::int64_t kDayMs = 86'400'000;

// Howard Hinnant's civil_from_days: the proleptic Gregorian date of a day count.
LocalDate civil_from_days(std::int64_t z) {
    z += 719468;
    std::int64_t const era = (z >= 0 ? z : z - 146096) / 146097;
    auto const doe = static_cast<unsigned>(z - era * 146097);
    unsigned const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    std::int64_t const y = static_cast<std::int64_t>(yoe) + era * 400;
    unsigned const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned const mp = (5 * doy + 2) / 153;
    unsigned const d = doy - (153 * mp + 2) / 5 + 1;
    unsigned const m = mp < 10 ? mp + 3 : mp - 9;
    return {static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

std::int64_t day_number(LocalDate d) {
    return days_from_civil(d.year, static_cast<unsigned>(d.month), static_cast<unsigned>(d.day));
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
}  // namespace

std::optional<LocalDate> parse_local_date(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    int y = 0, m = 0, d = 0;
    if (!read_fixed_digits(s, 0, 4, y) || !read_fixed_digits(s, 5, 2, m) || !read_fixed_digits(s, 8, 2, d))
        return std::nullopt;
    if (!is_valid_date(y, m, d)) return std::nullopt;
    return LocalDate{y, m, d};
}

std::string to_string(LocalDate d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
    return buf;
}

LocalDate add_days(LocalDate d, int days) { return civil_from_days(day_number(d) + days); }

int days_between(LocalDate a, LocalDate b) { return static_cast<int>(day_number(b) - day_number(a)); }

int weekday(LocalDate d) {
    // 1970-01-01 was a Thursday (3 when Monday is 0).
    return static_cast<int>(((day_number(d) % 7) + 7 + 3) % 7);
}

struct TimeZone::Impl {
    std::unique_ptr<icu::TimeZone> zone;
};

std::optional<TimeZone> TimeZone::find(std::string_view name) {
    if (name.empty() || name.size() > 64) return std::nullopt;
    auto const id = icu::UnicodeString::fromUTF8(icu::StringPiece(name.data(), static_cast<int32_t>(name.size())));
    std::unique_ptr<icu::TimeZone> zone(icu::TimeZone::createTimeZone(id));
    if (!zone || *zone == icu::TimeZone::getUnknown()) return std::nullopt;
    TimeZone tz;
    auto impl = std::make_shared<Impl>();
    impl->zone = std::move(zone);
    tz.impl_ = std::move(impl);
    tz.name_ = std::string(name);
    return tz;
}

TimeZone TimeZone::utc() { return *find("UTC"); }

std::int64_t TimeZone::offset_ms(Instant t) const {
    int32_t raw = 0, dst = 0;
    UErrorCode status = U_ZERO_ERROR;
    impl_->zone->getOffset(static_cast<UDate>(t.ms), false, raw, dst, status);
    if (U_FAILURE(status)) return 0;
    return static_cast<std::int64_t>(raw) + dst;
}

LocalDate TimeZone::date_of(Instant t) const { return civil_from_days(floor_div(t.ms + offset_ms(t), kDayMs)); }

Instant TimeZone::start_of(LocalDate d) const {
    std::int64_t const local = day_number(d) * kDayMs;
    // The offset at the answer is the offset at (local - offset); two rounds settle it.
    Instant guess{local - offset_ms(Instant{local})};
    guess = Instant{local - offset_ms(guess)};
    // A midnight a clock change skipped: the day begins when the local date becomes d.
    if (date_of(guess) < d) {
        std::int64_t lo = guess.ms, hi = guess.ms + 3 * 3'600'000;
        while (hi - lo > 1) {
            std::int64_t const mid = lo + (hi - lo) / 2;
            (date_of(Instant{mid}) < d ? lo : hi) = mid;
        }
        guess = Instant{hi};
    }
    return guess;
}

std::string TimeZone::format_minutes(Instant t) const {
    std::int64_t const local = t.ms + offset_ms(t);
    auto const date = civil_from_days(floor_div(local, kDayMs));
    std::int64_t const in_day = local - floor_div(local, kDayMs) * kDayMs;
    char buf[48];
    std::snprintf(buf, sizeof buf, "%s %02d:%02d", to_string(date).c_str(), static_cast<int>(in_day / 3'600'000),
                  static_cast<int>(in_day / 60'000 % 60));
    return buf;
}

}  // namespace hrms::core
