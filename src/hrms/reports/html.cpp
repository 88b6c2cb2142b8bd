// The report as one self-contained, printable HTML page: inline CSS, inline SVG bar charts, no
// scripts and nothing fetched, so it reads the same from a mail attachment or an archive.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "hrms/core/time_zone.hpp"
#include "hrms/reports/export.hpp"

namespace hrms::reports {

namespace {
void escape(std::string& out, std::string_view s) {
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
}

std::string esc(std::string_view s) {
    std::string out;
    escape(out, s);
    return out;
}

// A colour setting is used only when it is exactly #rrggbb (it lands inside CSS).
std::string safe_color(std::string const& c) {
    bool ok = c.size() == 7 && c[0] == '#' &&
              std::all_of(c.begin() + 1, c.end(), [](char x) { return std::isxdigit(static_cast<unsigned char>(x)); });
    return ok ? c : "#2563eb";
}

core::Unit unit_of(core::ColumnType t) {
    switch (t) {
    case core::ColumnType::percent: return core::Unit::percent;
    case core::ColumnType::hours: return core::Unit::hours;
    default: return core::Unit::count;
    }
}

std::string cell_text(core::Cell const& c, core::ColumnType type, core::TimeZone const& tz) {
    if (auto const* s = std::get_if<std::string>(&c)) return *s;
    if (auto const* i = std::get_if<std::int64_t>(&c)) return core::format_value(static_cast<double>(*i), core::Unit::count);
    if (auto const* d = std::get_if<double>(&c)) {
        if (type == core::ColumnType::number) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.1f", *d);
            return buf;
        }
        return core::format_value(*d, unit_of(type));
    }
    if (auto const* t = std::get_if<Instant>(&c)) return tz.format_minutes(*t);
    return "";
}

bool numeric(core::ColumnType t) { return t != core::ColumnType::text && t != core::ColumnType::datetime; }

// "+12.5%" style change with a class saying whether it is good news.
std::string change_cell(core::Metric const& m) {
    if (!m.value || !m.previous) return "<td class=\"num\"></td>";
    double const d = *m.value - *m.previous;
    std::string cls = "flat";
    if (d != 0 && m.higher_is_better) cls = (d > 0) == *m.higher_is_better ? "good" : "bad";
    std::string text = core::format_value(std::fabs(d), m.unit);
    return "<td class=\"num " + cls + "\">" + (d > 0 ? "+" : d < 0 ? "\xE2\x88\x92" : "") + esc(text) + "</td>";
}

void chart_svg(std::string& out, core::Chart const& c, std::string const& color) {
    double max = 0;
    for (auto const& [label, v] : c.bars) max = std::max(max, v);
    int const row_h = 22, label_w = 180, bar_w = 380, width = label_w + bar_w + 90;
    int const height = static_cast<int>(c.bars.size()) * row_h + 8;
    out += "<figure><figcaption>" + esc(c.title) + "</figcaption>";
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"" + std::to_string(width) + "\" height=\"" +
           std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(width) + " " + std::to_string(height) +
           "\"><title>" + esc(c.title) + "</title>";
    int y = 4;
    for (auto const& [label, v] : c.bars) {
        int const w = max > 0 ? static_cast<int>(std::lround(bar_w * (v / max))) : 0;
        out += "<text x=\"" + std::to_string(label_w - 8) + "\" y=\"" + std::to_string(y + 15) +
               "\" text-anchor=\"end\">" + esc(label) + "</text>";
        out += "<rect x=\"" + std::to_string(label_w) + "\" y=\"" + std::to_string(y + 3) + "\" width=\"" +
               std::to_string(std::max(w, v > 0 ? 1 : 0)) + "\" height=\"" + std::to_string(row_h - 6) +
               "\" fill=\"" + color + "\"/>";
        out += "<text x=\"" + std::to_string(label_w + w + 6) + "\" y=\"" + std::to_string(y + 15) + "\">" +
               esc(core::format_value(v, c.unit)) + "</text>";
        y += row_h;
    }
    out += "</svg></figure>";
}

constexpr char kStyle[] = R"(
*{box-sizing:border-box}
body{font-family:"DejaVu Sans",system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2937;margin:0;padding:24px;line-height:1.45;background:#fff}
header{border-bottom:3px solid var(--brand);margin-bottom:20px;padding-bottom:8px}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:18px;margin:28px 0 8px;color:var(--brand)}
h3{font-size:15px;margin:16px 0 6px}
.meta{color:#4b5563;font-size:13px}
table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0 12px}
th,td{border-bottom:1px solid #e5e7eb;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f4f6;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.good{color:#047857}td.bad{color:#b91c1c}td.flat{color:#4b5563}
figure{margin:8px 0 16px}figcaption{font-weight:600;font-size:13px;margin-bottom:4px}
svg text{font-size:12px;fill:#1f2937}
.note{color:#4b5563;font-size:12px}
ul{margin:4px 0 12px;padding-left:20px}
footer{margin-top:32px;color:#6b7280;font-size:12px;border-top:1px solid #e5e7eb;padding-top:8px}
@media print{body{padding:0}h2{break-after:avoid}table,figure{break-inside:auto}tr{break-inside:avoid}thead{display:table-header-group}}
)";
}  // namespace

std::string to_html(core::Report const& r, ExportOptions const& o) {
    auto const tz = core::TimeZone::find(r.period.time_zone).value_or(core::TimeZone::utc());
    std::string const color = safe_color(o.brand_color);
    std::string out;
    out.reserve(64 * 1024);
    out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
           "<title>" + esc(r.title) + "</title><style>:root{--brand:" + color + "}" + kStyle + "</style></head><body>";
    out += "<header><h1>" + esc(r.title) + "</h1><div class=\"meta\">" + esc(r.period.from_date);
    if (r.period.to_date != r.period.from_date) out += " \xE2\x80\x93 " + esc(r.period.to_date);
    out += " (" + esc(r.period.time_zone) + "); compared with " + esc(r.previous.from_date);
    if (r.previous.to_date != r.previous.from_date) out += " \xE2\x80\x93 " + esc(r.previous.to_date);
    out += "</div></header><main>";
    for (auto const& s : r.sections) {
        out += "<section><h2>" + esc(s.title) + "</h2>";
        if (!s.metrics.empty()) {
            out += "<table><thead><tr><th>Metric</th><th class=\"num\">This period</th><th class=\"num\">Previous</th>"
                   "<th class=\"num\">Change</th><th class=\"num\">Goal</th></tr></thead><tbody>";
            for (auto const& m : s.metrics) {
                out += "<tr><td>" + esc(m.label) + "</td><td class=\"num\">" + esc(core::format_value(m.value, m.unit)) +
                       "</td><td class=\"num\">" + esc(core::format_value(m.previous, m.unit)) + "</td>" + change_cell(m) +
                       "<td class=\"num\">" + (m.goal ? esc(core::format_value(m.goal, m.unit)) : "") + "</td></tr>";
            }
            out += "</tbody></table>";
        }
        for (auto const& c : s.charts) chart_svg(out, c, color);
        for (auto const& t : s.tables) {
            out += "<h3>" + esc(t.title) + "</h3>";
            if (t.rows.empty()) {
                out += "<p class=\"note\">None.</p>";
                continue;
            }
            out += "<table><thead><tr>";
            for (auto const& c : t.columns)
                out += std::string(numeric(c.type) ? "<th class=\"num\">" : "<th>") + esc(c.label) + "</th>";
            out += "</tr></thead><tbody>";
            for (auto const& row : t.rows) {
                out += "<tr>";
                for (std::size_t i = 0; i < row.size() && i < t.columns.size(); ++i) {
                    out += numeric(t.columns[i].type) ? "<td class=\"num\">" : "<td>";
                    escape(out, cell_text(row[i], t.columns[i].type, tz));
                    out += "</td>";
                }
                out += "</tr>";
            }
            out += "</tbody></table>";
            if (t.total_rows && *t.total_rows > static_cast<std::int64_t>(t.rows.size()))
                out += "<p class=\"note\">Showing " + std::to_string(t.rows.size()) + " of " +
                       std::to_string(*t.total_rows) + " rows.</p>";
        }
        out += "</section>";
    }
    for (auto const& [title, lines] :
         {std::pair{"Insights", &r.insights}, std::pair{"Recommendations", &r.recommendations}}) {
        if (lines->empty()) continue;
        out += std::string("<section><h2>") + title + "</h2><ul>";
        for (auto const& l : *lines) out += "<li>" + esc(l) + "</li>";
        out += "</ul></section>";
    }
    out += "</main><footer>Generated " + esc(tz.format_minutes(r.generated_at)) + " (" + esc(tz.name()) + ") by " +
           esc(o.brand_name) + "</footer></body></html>\n";
    return out;
}

}  // namespace hrms::reports
