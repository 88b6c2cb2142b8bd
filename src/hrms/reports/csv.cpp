// The report as RFC 4180 CSV: blocks (metrics, each table, insights) separated by blank lines.
#include <charconv>

#include "hrms/core/text.hpp"
#include "hrms/reports/export.hpp"

namespace hrms::reports {

namespace {
// Numbers go out as numbers (shortest text that reads back the same), never through
// csv_field: "-2.5" is a number, not a formula to neutralise.
void number(std::string& out, double v) {
    char buf[64];
    auto const [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    if (ec == std::errc()) out.append(buf, end);
}

void optional_number(std::string& out, std::optional<double> v) {
    if (v) number(out, *v);
}

void row(std::string& out, std::initializer_list<std::string_view> fields) {
    bool first = true;
    for (auto f : fields) {
        if (!first) out += ',';
        first = false;
        core::csv_field(out, f);
    }
    out += "\r\n";
}

void cell(std::string& out, core::Cell const& c) {
    if (auto const* s = std::get_if<std::string>(&c)) core::csv_field(out, *s);
    else if (auto const* i = std::get_if<std::int64_t>(&c)) out += std::to_string(*i);
    else if (auto const* d = std::get_if<double>(&c)) number(out, *d);
    else if (auto const* t = std::get_if<Instant>(&c)) out += to_rfc3339(*t);
}
}  // namespace

std::string to_csv(core::Report const& r) {
    std::string out;
    row(out, {"report", r.title});
    row(out, {"kind", core::to_string(r.kind)});
    row(out, {"period", r.period.from_date, r.period.to_date, r.period.time_zone});
    row(out, {"previous_period", r.previous.from_date, r.previous.to_date, r.previous.time_zone});
    row(out, {"generated_at", to_rfc3339(r.generated_at)});
    out += "\r\n";
    row(out, {"metrics"});
    row(out, {"section", "metric", "label", "unit", "value", "previous", "change", "goal"});
    for (auto const& s : r.sections) {
        for (auto const& m : s.metrics) {
            for (auto f : {std::string_view(s.key), std::string_view(m.key), std::string_view(m.label),
                           std::string_view(core::to_string(m.unit))}) {
                core::csv_field(out, f);
                out += ',';
            }
            optional_number(out, m.value);
            out += ',';
            optional_number(out, m.previous);
            out += ',';
            if (m.value && m.previous) number(out, *m.value - *m.previous);
            out += ',';
            optional_number(out, m.goal);
            out += "\r\n";
        }
    }
    for (auto const& s : r.sections) {
        for (auto const& t : s.tables) {
            out += "\r\n";
            row(out, {t.title});
            for (std::size_t i = 0; i < t.columns.size(); ++i) {
                if (i) out += ',';
                core::csv_field(out, t.columns[i].label);
            }
            out += "\r\n";
            for (auto const& cells : t.rows) {
                for (std::size_t i = 0; i < cells.size(); ++i) {
                    if (i) out += ',';
                    cell(out, cells[i]);
                }
                out += "\r\n";
            }
            if (t.total_rows && *t.total_rows > static_cast<std::int64_t>(t.rows.size()))
                row(out, {"showing " + std::to_string(t.rows.size()) + " of " + std::to_string(*t.total_rows) + " rows"});
        }
        for (auto const& c : s.charts) {
            out += "\r\n";
            row(out, {c.title});
            row(out, {"label", core::to_string(c.unit)});
            for (auto const& [label, value] : c.bars) {
                core::csv_field(out, label);
                out += ',';
                number(out, value);
                out += "\r\n";
            }
        }
    }
    for (auto const& [title, lines] : {std::pair{"insights", &r.insights}, std::pair{"recommendations", &r.recommendations}}) {
        if (lines->empty()) continue;
        out += "\r\n";
        row(out, {title});
        for (auto const& l : *lines) row(out, {l});
    }
    return out;
}

}  // namespace hrms::reports
