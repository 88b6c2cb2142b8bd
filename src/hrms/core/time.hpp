#pragma once
// Time math: instants as milliseconds since the Unix epoch, RFC 3339 text; and the monotonic
// clock durations are measured on (never a date: that comes from app::Clock).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hrms {

// Milliseconds since 1970-01-01T00:00:00Z.
struct Instant {
    std::int64_t ms = 0;
    auto operator<=>(Instant const&) const = default;
    Instant plus_seconds(double s) const { return Instant{ms + static_cast<std::int64_t>(s * 1000)}; }
};

// Seconds on a monotonic clock, for measuring durations and timeouts.
double monotonic_seconds();

// Fixed-width UTC text "2026-11-28T13:05:09.123Z": sorts like the instant, on both databases.
std::string to_rfc3339(Instant t);

// Parses "YYYY-MM-DDTHH:MM:SS[.fff][Z|+hh:mm]"; nullopt when malformed or not a real date.
std::optional<Instant> parse_rfc3339(std::string_view text);

// Days since the epoch for a proleptic Gregorian date (no validation).
std::int64_t days_from_civil(int y, unsigned m, unsigned d);

// Reads exactly `n` ASCII digits of `s` at `pos` into `out`; false (and `out` untouched) when
// they are not all digits or run past the end.
bool read_fixed_digits(std::string_view s, std::size_t pos, std::size_t n, int& out);

// True when y-m-d is a real calendar date.
bool is_valid_date(int y, int m, int d);

}  // namespace hrms
