#pragma once
// Exporters: one core::Report rendered as JSON, CSV, HTML, PDF or XLSX. Each takes only the
// model, so every format shows the same numbers.
#include <string>

#include "hrms/app/reports.hpp"
#include "hrms/core/error.hpp"
#include "hrms/core/report.hpp"

namespace hrms::reports {

struct ExportOptions {
    // A TrueType font with the glyphs of the names shown (PDF embeds it); and its bold face.
    std::string font_path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    std::string bold_font_path = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";
    std::string brand_name = "hrms";
    std::string brand_color = "#2563eb";  // #rrggbb
    // Where XLSX is assembled (libxlsxwriter writes a file); the system's temporary directory
    // when empty.
    std::string temp_dir;
};

// The model as JSON (the API's answer for format=json).
std::string to_json(core::Report const& r);
// RFC 4180 CSV: a block per metric list and table (a title row, a header row, the rows), blank
// lines between; CRLF line ends; a cell starting with = + - @ TAB or CR is prefixed with ' so a
// spreadsheet shows it as text instead of running it.
std::string to_csv(core::Report const& r);
// A self-contained, printable HTML page (inline CSS, inline SVG bar charts, no scripts).
std::string to_html(core::Report const& r, ExportOptions const& o);
// A PDF (libharu): header and footer on every page ("page N of M"), tables broken across pages
// with their header repeated, bar charts, text in the embedded TrueType font.
Result<std::string> to_pdf(core::Report const& r, ExportOptions const& o);
// An XLSX workbook (libxlsxwriter): a Summary sheet of the metrics, then a sheet per table,
// numbers as numbers and instants as dates.
Result<std::string> to_xlsx(core::Report const& r, ExportOptions const& o);

// Any of the above by format.
Result<std::string> render(core::Report const& r, core::ReportFormat f, ExportOptions const& o);

// The app's renderer port, with the options fixed at start.
class Renderer final : public app::ReportRenderer {
public:
    explicit Renderer(ExportOptions o) : options_(std::move(o)) {}
    Result<std::string> render(core::Report const& r, core::ReportFormat f) const override {
        return reports::render(r, f, options_);
    }

private:
    ExportOptions options_;
};

}  // namespace hrms::reports
