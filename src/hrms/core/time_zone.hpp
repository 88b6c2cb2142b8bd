#pragma once
// IANA time zones (ICU's database, built into libicu): where a local day or week begins, and
// what an instant reads as on a local clock. Reports count days and weeks in one.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hrms/core/time.hpp"

namespace hrms::core {

// A calendar date, no zone.
struct LocalDate {
    int year = 1970;
    int month = 1;
    int day = 1;
    auto operator<=>(LocalDate const&) const = default;
};

// "YYYY-MM-DD" of a real calendar date; nullopt otherwise.
std::optional<LocalDate> parse_local_date(std::string_view text);
std::string to_string(LocalDate d);
// `d` moved by `days` (negative: back).
LocalDate add_days(LocalDate d, int days);
// Days from a to b (b - a).
int days_between(LocalDate a, LocalDate b);
// 0 = Monday .. 6 = Sunday.
int weekday(LocalDate d);

class TimeZone {
public:
    // The zone named `name` ("UTC", "Europe/Berlin", "America/New_York"); nullopt for a name
    // ICU does not know.
    static std::optional<TimeZone> find(std::string_view name);
    static TimeZone utc();

    std::string const& name() const { return name_; }
    // Local time minus UTC at `t`, daylight saving included.
    std::int64_t offset_ms(Instant t) const;
    // The local calendar date at `t`.
    LocalDate date_of(Instant t) const;
    // The instant a local date begins (its first local midnight; on a day whose midnight is
    // skipped by a clock change, the first instant of the day).
    Instant start_of(LocalDate d) const;
    // "2026-11-30 14:05" on the local clock.
    std::string format_minutes(Instant t) const;

private:
    struct Impl;
    std::shared_ptr<Impl const> impl_;
    std::string name_;
};

}  // namespace hrms::core
