#include "hrms/core/report.hpp"

#include <cmath>
#include <cstdio>

namespace hrms::core {

namespace {
constexpr std::pair<ReportKind, char const*> kKinds[] = {{ReportKind::daily, "daily"},
                                                         {ReportKind::weekly, "weekly"},
                                                         {ReportKind::efficiency, "efficiency"},
                                                         {ReportKind::sla, "sla"},
                                                         {ReportKind::reviewers, "admin-performance"}};
constexpr std::pair<ReportFormat, char const*> kFormats[] = {{ReportFormat::json, "json"},
                                                             {ReportFormat::csv, "csv"},
                                                             {ReportFormat::html, "html"},
                                                             {ReportFormat::pdf, "pdf"},
                                                             {ReportFormat::xlsx, "xlsx"}};

// 1234567 -> "1,234,567".
std::string grouped(long long n) {
    std::string digits = std::to_string(n < 0 ? -n : n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out.push_back(',');
        out.push_back(digits[i]);
    }
    return n < 0 ? "-" + out : out;
}

std::string one_decimal(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}
}  // namespace

char const* to_string(ReportKind k) {
    for (auto const& [kind, name] : kKinds)
        if (kind == k) return name;
    return "daily";
}

char const* to_string(ReportFormat f) {
    for (auto const& [format, name] : kFormats)
        if (format == f) return name;
    return "json";
}

std::optional<ReportKind> parse_report_kind(std::string_view text) {
    for (auto const& [kind, name] : kKinds)
        if (text == name) return kind;
    return std::nullopt;
}

std::optional<ReportFormat> parse_report_format(std::string_view text) {
    for (auto const& [format, name] : kFormats)
        if (text == name) return format;
    return std::nullopt;
}

char const* content_type(ReportFormat f) {
    switch (f) {
    case ReportFormat::json: return "application/json";
    case ReportFormat::csv: return "text/csv; charset=utf-8";
    case ReportFormat::html: return "text/html; charset=utf-8";
    case ReportFormat::pdf: return "application/pdf";
    case ReportFormat::xlsx: return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    }
    return "application/octet-stream";
}

char const* file_extension(ReportFormat f) { return to_string(f); }

char const* to_string(Unit u) {
    switch (u) {
    case Unit::count: return "count";
    case Unit::percent: return "percent";
    case Unit::hours: return "hours";
    case Unit::days: return "days";
    }
    return "count";
}

std::string format_value(std::optional<double> v, Unit unit) {
    if (!v || !std::isfinite(*v)) return "\xE2\x80\x93";
    switch (unit) {
    case Unit::count:
        return *v == std::floor(*v) && std::fabs(*v) < 1e15 ? grouped(static_cast<long long>(*v)) : one_decimal(*v);
    case Unit::percent: return one_decimal(*v) + "%";
    case Unit::hours: return one_decimal(*v) + " h";
    case Unit::days: return one_decimal(*v) + " d";
    }
    return one_decimal(*v);
}

}  // namespace hrms::core
