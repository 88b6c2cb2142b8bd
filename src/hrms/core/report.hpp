#pragma once
// The one report model every exporter renders (JSON, CSV, HTML, PDF, XLSX): a title, a period,
// sections of metrics (each with the previous period beside it), tables and bar charts, then
// insights and recommendations. Pure data; app/ builds it, reports/ renders it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hrms/core/time.hpp"

namespace hrms::core {

// Path names: daily, weekly, efficiency, sla, admin-performance.
enum class ReportKind { daily, weekly, efficiency, sla, reviewers };
enum class ReportFormat { json, csv, html, pdf, xlsx };

char const* to_string(ReportKind k);
char const* to_string(ReportFormat f);
std::optional<ReportKind> parse_report_kind(std::string_view text);
std::optional<ReportFormat> parse_report_format(std::string_view text);
// "application/json", "text/csv; charset=utf-8", "text/html; charset=utf-8", "application/pdf",
// "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".
char const* content_type(ReportFormat f);
// "json", "csv", "html", "pdf", "xlsx".
char const* file_extension(ReportFormat f);

// What a number means, for rendering: a count, a percentage (0..100), hours or days.
enum class Unit { count, percent, hours, days };
char const* to_string(Unit u);

// "1,234", "87.5%", "12.3 h", "4.2 d"; "–" (an en dash) for no value.
std::string format_value(std::optional<double> v, Unit unit);

// [from, to) in UTC, and the local dates (inclusive) it covers in `time_zone`.
struct ReportPeriod {
    std::string from_date;  // YYYY-MM-DD, local
    std::string to_date;    // YYYY-MM-DD, local, inclusive
    Instant from;
    Instant to;
    std::string time_zone;  // IANA name
};

struct Metric {
    std::string key;    // snake_case, stable: what JSON readers and tests rely on
    std::string label;  // for people
    Unit unit = Unit::count;
    std::optional<double> value;     // nullopt: nothing to measure (a median of no reviews)
    std::optional<double> previous;  // the same metric over the previous period
    std::optional<double> goal;      // a target, where one is configured
    // true when a higher value is better (completions), false when lower is (breaches); none
    // when neither. Renderers colour the change from `previous` by it.
    std::optional<bool> higher_is_better;
};

enum class ColumnType { text, integer, number, percent, hours, datetime };

struct Column {
    std::string key;
    std::string label;
    ColumnType type = ColumnType::text;
};

// A cell: empty, text, an integer, a number (with the column's unit) or an instant.
using Cell = std::variant<std::monostate, std::string, std::int64_t, double, Instant>;

struct Table {
    std::string key;
    std::string title;
    std::vector<Column> columns;
    std::vector<std::vector<Cell>> rows;
    // Rows there were in all when `rows` was cut at a limit (then a renderer says so).
    std::optional<std::int64_t> total_rows;
};

// A bar chart of labelled values (one series).
struct Chart {
    std::string key;
    std::string title;
    Unit unit = Unit::count;
    std::vector<std::pair<std::string, double>> bars;
};

struct Section {
    std::string key;
    std::string title;
    std::vector<Metric> metrics;
    std::vector<Table> tables;
    std::vector<Chart> charts;
};

struct Report {
    ReportKind kind = ReportKind::daily;
    std::string title;
    ReportPeriod period;
    ReportPeriod previous;  // the period metrics' `previous` values come from
    Instant generated_at;
    std::vector<Section> sections;
    std::vector<std::string> insights;         // observations, each quoting its numbers
    std::vector<std::string> recommendations;  // what to do, each quoting what triggered it
};

}  // namespace hrms::core
