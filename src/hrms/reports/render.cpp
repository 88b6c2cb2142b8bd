#include "hrms/reports/export.hpp"

namespace hrms::reports {

Result<std::string> render(core::Report const& r, core::ReportFormat f, ExportOptions const& o) {
    switch (f) {
    case core::ReportFormat::json: return to_json(r);
    case core::ReportFormat::csv: return to_csv(r);
    case core::ReportFormat::html: return to_html(r, o);
    case core::ReportFormat::pdf: return to_pdf(r, o);
    case core::ReportFormat::xlsx: return to_xlsx(r, o);
    }
    return to_json(r);
}

}  // namespace hrms::reports
