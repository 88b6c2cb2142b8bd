#include "hrms/core/time.hpp"

#include <chrono>

#include <fmt/format.h>

namespace hrms {

std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
    // Howard Hinnant's algorithm: exact for every Gregorian date.
    y -= m <= 2;
    std::int64_t const era = (y >= 0 ? y : y - 399) / 400;
    unsigned const yoe = static_cast<unsigned>(y - era * 400);
    unsigned const doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

namespace {
void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
    z += 719468;
    std::int64_t const era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned const doe = static_cast<unsigned>(z - era * 146097);
    unsigned const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<int>(yoe) + static_cast<int>(era) * 400;
    unsigned const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned const mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
}

}  // namespace

bool read_fixed_digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

bool is_valid_date(int y, int m, int d) {
    if (m < 1 || m > 12 || d < 1) return false;
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool const leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int const max = (m == 2 && leap) ? 29 : kDays[m - 1];
    return d <= max;
}

std::string to_rfc3339(Instant t) {
    std::int64_t days = t.ms / 86'400'000;
    std::int64_t rem = t.ms % 86'400'000;
    if (rem < 0) {
        rem += 86'400'000;
        --days;
    }
    int y;
    unsigned m, d;
    civil_from_days(days, y, m, d);
    auto const h = rem / 3'600'000, mi = rem / 60'000 % 60, s = rem / 1000 % 60, ms = rem % 1000;
    if (y < 0 || y > 9999) return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", y, m, d, h, mi, s, ms);
    // Every stored time goes through here (the audit writer formats one per request): digits by
    // hand, not a format string.
    char out[25] = "0000-00-00T00:00:00.000Z";
    auto put = [&](int pos, int width, std::int64_t v) {
        for (int i = pos + width - 1; i >= pos; --i, v /= 10) out[i] = static_cast<char>('0' + v % 10);
    };
    put(0, 4, y);
    put(5, 2, m);
    put(8, 2, d);
    put(11, 2, h);
    put(14, 2, mi);
    put(17, 2, s);
    put(20, 3, ms);
    return std::string(out, 24);
}

std::optional<Instant> parse_rfc3339(std::string_view s) {
    int y, mo, d, h, mi, sec;
    if (!read_fixed_digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !read_fixed_digits(s, 5, 2, mo) ||
        s[7] != '-' || !read_fixed_digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        !read_fixed_digits(s, 11, 2, h) || s[13] != ':' || !read_fixed_digits(s, 14, 2, mi) || s[16] != ':' ||
        !read_fixed_digits(s, 17, 2, sec))
        return std::nullopt;
    if (!is_valid_date(y, mo, d) || h > 23 || mi > 59 || sec > 59) return std::nullopt;
    std::size_t pos = 19;
    int frac_ms = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        int n = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (n < 3) frac_ms = frac_ms * 10 + (s[pos] - '0');
            ++n;
            ++pos;
        }
        if (n == 0) return std::nullopt;
        for (int i = n; i < 3; ++i) frac_ms *= 10;
    }
    std::int64_t offset_min = 0;
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
        ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        int oh, om;
        if (!read_fixed_digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
            !read_fixed_digits(s, pos + 4, 2, om) || oh > 23 || om > 59)
            return std::nullopt;
        offset_min = (s[pos] == '+' ? 1 : -1) * (oh * 60 + om);
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != s.size()) return std::nullopt;
    std::int64_t const days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    std::int64_t const ms =
        ((days * 24 + h) * 60 + mi - offset_min) * 60'000 + sec * 1000LL + frac_ms;
    return Instant{ms};
}

double monotonic_seconds() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace hrms
