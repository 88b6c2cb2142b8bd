// The XLSX exporter (libxlsxwriter): a Summary sheet of the metrics, insights and
// recommendations, then a sheet per table with a bold frozen header and an autofilter. Numbers
// stay numbers (formatted by unit), instants become date-times on the report's local clock, and
// text is always written as text, so a name starting with "=" is never run as a formula.
#include <xlsxwriter.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "hrms/core/text.hpp"
#include "hrms/core/time_zone.hpp"
#include "hrms/reports/export.hpp"

namespace hrms::reports {

namespace {

constexpr std::size_t kMaxSheetNameUnits = 31;  // UTF-16 code units, as Excel counts them
constexpr std::size_t kMaxCellChars = 32'767;
constexpr lxw_row_t kMaxRows = LXW_ROW_MAX;
constexpr lxw_col_t kMaxCols = LXW_COL_MAX;
constexpr double kMinColumnWidth = 8;
constexpr double kMaxColumnWidth = 60;
constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::string_view kForbiddenInSheetNames = "[]:*?/\\";

// Text Excel accepts: well-formed UTF-8 and no longer than a cell holds.
std::string cell_string(std::string_view s) {
    std::string out = core::is_valid_utf8(s) ? std::string(s) : core::repair_utf8(s);
    if (out.size() <= kMaxCellChars) return out;
    std::size_t chars = 0, at = 0;
    while (at < out.size()) {
        std::size_t const n = std::max<std::size_t>(1, core::utf8_sequence_length(std::string_view(out).substr(at)));
        if (++chars > kMaxCellChars) break;
        at += n;
    }
    out.resize(at);
    return out;
}

// A sheet name Excel accepts, from a table title: no []:*?/\ or control characters (each
// becomes a space; runs of spaces collapse), no apostrophe or space at either end, at most 31
// UTF-16 units.
std::string sanitize_sheet_name(std::string_view title, std::size_t max_units) {
    std::string const text = core::repair_utf8(title);
    std::string out;
    std::size_t units = 0;
    for (std::size_t at = 0; at < text.size();) {
        std::size_t const n = std::max<std::size_t>(1, core::utf8_sequence_length(std::string_view(text).substr(at)));
        std::string_view cp = std::string_view(text).substr(at, n);
        at += n;
        bool const blank = cp.size() == 1 && (static_cast<unsigned char>(cp[0]) < 0x20 || cp[0] == 0x7F ||
                                              cp[0] == ' ' || kForbiddenInSheetNames.find(cp[0]) != std::string_view::npos);
        if (blank) {
            if (out.empty() || out.back() == ' ') continue;
            cp = " ";
        }
        std::size_t const cp_units = n == 4 ? 2 : 1;
        if (units + cp_units > max_units) break;
        out += cp;
        units += cp_units;
    }
    auto const edge = [](char c) { return c == ' ' || c == '\''; };
    while (!out.empty() && edge(out.back())) out.pop_back();
    std::size_t lead = 0;
    while (lead < out.size() && edge(out[lead])) ++lead;
    return out.substr(lead);
}

// Hands out sheet names unique the way Excel compares them (ignoring case): a name in use gets
// " (2)", " (3)" and so on, shortening the name to make room.
class SheetNames {
public:
    // Excel reserves "History" for its change tracking.
    SheetNames() { taken_.insert(core::fold_case("History")); }

    std::string claim(std::string_view title) {
        std::string base = sanitize_sheet_name(title, kMaxSheetNameUnits);
        if (base.empty()) base = "Table";
        if (taken_.insert(core::fold_case(base)).second) return base;
        for (int n = 2;; ++n) {
            std::string const suffix = fmt::format(" ({})", n);
            std::string const name = sanitize_sheet_name(base, kMaxSheetNameUnits - suffix.size()) + suffix;
            if (taken_.insert(core::fold_case(name)).second) return name;
        }
    }

private:
    std::unordered_set<std::string> taken_;
};

// A file for libxlsxwriter to write, removed on every path.
class TempFile {
public:
    static Result<TempFile> create(std::string const& dir) {
        std::error_code ec;
        std::filesystem::path const base = dir.empty() ? std::filesystem::temp_directory_path(ec) : std::filesystem::path(dir);
        if (ec) return fail(ErrorCode::internal, "XLSX export: no temporary directory: " + ec.message());
        std::string pattern = (base / "hrms-report-XXXXXX").string();
        int const fd = ::mkstemp(pattern.data());
        if (fd < 0)
            return fail(ErrorCode::internal, fmt::format("XLSX export: cannot create a temporary file in {}: {}",
                                                         base.string(), std::strerror(errno)));
        ::close(fd);
        return TempFile(std::move(pattern));
    }

    TempFile(TempFile&& other) noexcept : path_(std::exchange(other.path_, {})) {}
    TempFile& operator=(TempFile&&) = delete;
    ~TempFile() {
        if (!path_.empty()) ::unlink(path_.c_str());
    }

    std::string const& path() const { return path_; }

private:
    explicit TempFile(std::string path) : path_(std::move(path)) {}
    std::string path_;
};

struct WorkbookDeleter {
    void operator()(lxw_workbook* wb) const { lxw_workbook_free(wb); }
};
using WorkbookPtr = std::unique_ptr<lxw_workbook, WorkbookDeleter>;

// #rrggbb mixed with white (`white` of 1 is white), as libxlsxwriter's 0xRRGGBB.
lxw_color_t tinted(std::string_view hex, double white) {
    unsigned rgb = 0x2563EB;
    if (hex.size() == 7 && hex[0] == '#') {
        char* end = nullptr;
        std::string const digits(hex.substr(1));
        unsigned long const parsed = std::strtoul(digits.c_str(), &end, 16);
        if (end && *end == '\0') rgb = static_cast<unsigned>(parsed);
    }
    unsigned out = 0;
    for (int shift : {16, 8, 0}) {
        double const c = (rgb >> shift) & 0xFF;
        out |= static_cast<unsigned>(std::lround(c + (255 - c) * white)) << shift;
    }
    return out;
}

// Excel's date-time for an instant on the local clock of `tz`.
lxw_datetime local_datetime(Instant t, core::TimeZone const& tz) {
    std::int64_t const local = t.ms + tz.offset_ms(t);
    std::int64_t const day = local / kDayMs - (local % kDayMs < 0 ? 1 : 0);
    std::int64_t const in_day = local - day * kDayMs;
    core::LocalDate const d = core::add_days(core::LocalDate{1970, 1, 1}, static_cast<int>(day));
    return {d.year,
            d.month,
            d.day,
            static_cast<int>(in_day / 3'600'000),
            static_cast<int>(in_day / 60'000 % 60),
            static_cast<double>(in_day % 60'000) / 1000.0};
}

class Builder {
public:
    Builder(lxw_workbook* wb, core::Report const& report, ExportOptions const& options)
        : wb_(wb),
          report_(report),
          tz_(core::TimeZone::find(report.period.time_zone).value_or(core::TimeZone::utc())) {
        title_ = format([](lxw_format* f) {
            format_set_bold(f);
            format_set_font_size(f, 14);
        });
        bold_ = format([](lxw_format* f) { format_set_bold(f); });
        header_ = format([&](lxw_format* f) {
            format_set_bold(f);
            format_set_bottom(f, LXW_BORDER_THIN);
            format_set_bg_color(f, tinted(options.brand_color, 0.85));
        });
        note_ = format([](lxw_format* f) {
            format_set_italic(f);
            format_set_font_color(f, 0x6B7280);
        });
        datetime_ = number_format("yyyy-mm-dd hh:mm");
        count_ = number_format("#,##0");
        decimal_ = number_format("#,##0.0");
        percent_ = number_format("0.0\"%\"");
        hours_ = number_format("0.0\" h\"");
        days_ = number_format("0.0\" d\"");
    }

    // The first libxlsxwriter error met, or LXW_NO_ERROR.
    lxw_error error() const { return error_; }

    void summary(lxw_worksheet* ws) {
        auto const period = [](core::ReportPeriod const& p) {
            return fmt::format("{} \xE2\x80\x93 {} ({})", p.from_date, p.to_date, p.time_zone.empty() ? "UTC" : p.time_zone);
        };
        text(ws, 0, 0, report_.title, title_);
        text(ws, 1, 0, "Period", bold_);
        text(ws, 1, 1, period(report_.period), nullptr);
        text(ws, 2, 0, "Compared with", bold_);
        text(ws, 2, 1, period(report_.previous), nullptr);
        text(ws, 3, 0, "Generated at", bold_);
        instant(ws, 3, 1, report_.generated_at);

        lxw_row_t row = 5;
        char const* headers[] = {"Section", "Metric", "Value", "Previous", "Change", "Goal", "Unit"};
        std::vector<double> widths{16, 24, 12, 12, 12, 12, 10};
        widths[1] = std::max(widths[1], display_width(period(report_.previous)));
        for (lxw_col_t c = 0; c < std::size(headers); ++c) text(ws, row, c, headers[c], header_);
        for (auto const& section : report_.sections) {
            for (auto const& m : section.metrics) {
                if (++row >= kMaxRows) break;
                text(ws, row, 0, section.title, nullptr);
                text(ws, row, 1, m.label, nullptr);
                metric_value(ws, row, 2, m.value, m.unit);
                metric_value(ws, row, 3, m.previous, m.unit);
                if (m.value && m.previous) metric_value(ws, row, 4, *m.value - *m.previous, m.unit);
                metric_value(ws, row, 5, m.goal, m.unit);
                text(ws, row, 6, core::to_string(m.unit), nullptr);
                widths[0] = std::max(widths[0], display_width(section.title));
                widths[1] = std::max(widths[1], display_width(m.label));
            }
        }
        for (auto const& [heading, items] : {std::pair{"Insights", &report_.insights},
                                              std::pair{"Recommendations", &report_.recommendations}}) {
            if (items->empty() || row + 2 >= kMaxRows) continue;
            row += 2;
            text(ws, row, 0, heading, bold_);
            for (auto const& item : *items) {
                if (++row >= kMaxRows) break;
                text(ws, row, 0, item, nullptr);
            }
        }
        for (lxw_col_t c = 0; c < widths.size(); ++c)
            check(worksheet_set_column(ws, c, c, std::min(widths[c] + 1, kMaxColumnWidth), nullptr));
    }

    void table(lxw_worksheet* ws, core::Table const& t) {
        auto const ncols = static_cast<lxw_col_t>(std::min<std::size_t>(t.columns.size(), kMaxCols));
        if (ncols == 0) return;
        // Header, rows, a blank row and the note must fit in Excel's rows.
        std::size_t const shown = std::min<std::size_t>(t.rows.size(), kMaxRows - 3);
        std::vector<double> widths(ncols, kMinColumnWidth);
        for (lxw_col_t c = 0; c < ncols; ++c) {
            text(ws, 0, c, t.columns[c].label, header_);
            widths[c] = std::max(widths[c], display_width(t.columns[c].label) + 4);  // room for the filter button
        }
        for (std::size_t r = 0; r < shown; ++r) {
            auto const& row = t.rows[r];
            for (lxw_col_t c = 0; c < ncols && c < row.size(); ++c)
                widths[c] = std::max(widths[c], cell(ws, static_cast<lxw_row_t>(r + 1), c, row[c], t.columns[c].type));
        }
        worksheet_freeze_panes(ws, 1, 0);
        check(worksheet_autofilter(ws, 0, 0, static_cast<lxw_row_t>(shown), ncols - 1));
        for (lxw_col_t c = 0; c < ncols; ++c)
            check(worksheet_set_column(ws, c, c, std::min(widths[c] + 1, kMaxColumnWidth), nullptr));
        auto const total = t.total_rows.value_or(static_cast<std::int64_t>(t.rows.size()));
        if (t.total_rows || shown < t.rows.size())
            text(ws, static_cast<lxw_row_t>(shown + 2), 0,
                 fmt::format("Showing {} of {} rows", core::format_value(static_cast<double>(shown), core::Unit::count),
                             core::format_value(static_cast<double>(total), core::Unit::count)),
                 note_);
    }

private:
    template <class Setup>
    lxw_format* format(Setup setup) {
        lxw_format* f = workbook_add_format(wb_);
        if (!f) {
            check(LXW_ERROR_MEMORY_MALLOC_FAILED);
            return nullptr;
        }
        setup(f);
        return f;
    }

    lxw_format* number_format(char const* pattern) {
        return format([&](lxw_format* f) { format_set_num_format(f, pattern); });
    }

    void check(lxw_error e) {
        if (e != LXW_NO_ERROR && error_ == LXW_NO_ERROR) error_ = e;
    }

    lxw_format* unit_format(core::Unit unit, double v) const {
        switch (unit) {
        case core::Unit::percent: return percent_;
        case core::Unit::hours: return hours_;
        case core::Unit::days: return days_;
        case core::Unit::count: break;
        }
        return v == std::floor(v) ? count_ : decimal_;
    }

    static double display_width(std::string_view s) {
        return static_cast<double>(std::min<std::size_t>(core::utf8_length(s), 200));
    }

    void text(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, std::string_view s, lxw_format* f) {
        check(worksheet_write_string(ws, row, col, cell_string(s).c_str(), f));
    }

    void number(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, double v, lxw_format* f) {
        // Excel has no NaN or infinity: such a value is left empty.
        if (std::isfinite(v)) check(worksheet_write_number(ws, row, col, v, f));
    }

    void metric_value(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, std::optional<double> v, core::Unit unit) {
        if (v) number(ws, row, col, *v, unit_format(unit, *v));
    }

    void instant(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, Instant t) {
        lxw_datetime dt = local_datetime(t, tz_);
        // Excel's calendar starts in 1900 and ends in 9999.
        if (dt.year < 1900 || dt.year > 9999)
            text(ws, row, col, tz_.format_minutes(t), nullptr);
        else
            check(worksheet_write_datetime(ws, row, col, &dt, datetime_));
    }

    // Writes one table cell; returns the width (in characters) it shows at.
    double cell(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, core::Cell const& c, core::ColumnType type) {
        using core::ColumnType;
        if (auto const* s = std::get_if<std::string>(&c)) {
            text(ws, row, col, *s, nullptr);
            return display_width(*s);
        }
        if (auto const* t = std::get_if<Instant>(&c)) {
            instant(ws, row, col, *t);
            return 16;
        }
        double v = 0;
        if (auto const* n = std::get_if<std::int64_t>(&c))
            v = static_cast<double>(*n);
        else if (auto const* d = std::get_if<double>(&c))
            v = *d;
        else
            return 0;
        core::Unit unit = core::Unit::count;
        lxw_format* f = decimal_;
        switch (type) {
        case ColumnType::percent:
            unit = core::Unit::percent;
            f = percent_;
            break;
        case ColumnType::hours:
            unit = core::Unit::hours;
            f = hours_;
            break;
        case ColumnType::integer: f = v == std::floor(v) ? count_ : decimal_; break;
        default: f = std::holds_alternative<std::int64_t>(c) ? count_ : decimal_; break;
        }
        number(ws, row, col, v, f);
        return static_cast<double>(core::format_value(v, unit).size());
    }

    lxw_workbook* wb_;
    core::Report const& report_;
    core::TimeZone tz_;
    lxw_error error_ = LXW_NO_ERROR;
    lxw_format* title_ = nullptr;
    lxw_format* bold_ = nullptr;
    lxw_format* header_ = nullptr;
    lxw_format* note_ = nullptr;
    lxw_format* datetime_ = nullptr;
    lxw_format* count_ = nullptr;
    lxw_format* decimal_ = nullptr;
    lxw_format* percent_ = nullptr;
    lxw_format* hours_ = nullptr;
    lxw_format* days_ = nullptr;
};

std::unexpected<Error> lxw_failure(char const* step, lxw_error e) {
    return fail(ErrorCode::internal, fmt::format("XLSX export: {}: {}", step, lxw_strerror(e)));
}

Result<std::string> read_all(std::string const& path) {
    std::ifstream in(path, std::ios::binary);
    std::error_code ec;
    auto const size = std::filesystem::file_size(path, ec);
    if (!in || ec) return fail(ErrorCode::internal, "XLSX export: cannot read back " + path);
    std::string bytes(size, '\0');
    if (!in.read(bytes.data(), static_cast<std::streamsize>(size)))
        return fail(ErrorCode::internal, "XLSX export: cannot read back " + path);
    return bytes;
}

}  // namespace

Result<std::string> to_xlsx(core::Report const& r, ExportOptions const& o) {
    TempFile const file = TRY(TempFile::create(o.temp_dir));
    std::string tmpdir = std::filesystem::path(file.path()).parent_path().string();
    lxw_workbook_options options{};
    options.constant_memory = LXW_FALSE;
    options.tmpdir = tmpdir.data();
    WorkbookPtr wb(workbook_new_opt(file.path().c_str(), &options));
    if (!wb) return fail(ErrorCode::internal, "XLSX export: libxlsxwriter could not create a workbook");

    std::string title = cell_string(r.title), author = cell_string(o.brand_name);
    lxw_doc_properties properties{};
    properties.title = title.data();
    properties.author = author.data();
    properties.created = static_cast<time_t>(r.generated_at.ms / 1000);  // the same bytes for the same report
    if (auto const e = workbook_set_properties(wb.get(), &properties); e != LXW_NO_ERROR)
        return lxw_failure("document properties", e);

    Builder builder(wb.get(), r, o);
    SheetNames names;
    std::string const summary_name = names.claim("Summary");
    lxw_worksheet* summary = workbook_add_worksheet(wb.get(), summary_name.c_str());
    if (!summary) return fail(ErrorCode::internal, "XLSX export: cannot add the Summary sheet");
    builder.summary(summary);
    for (auto const& section : r.sections) {
        for (auto const& table : section.tables) {
            std::string const name = names.claim(table.title.empty() ? table.key : table.title);
            lxw_worksheet* ws = workbook_add_worksheet(wb.get(), name.c_str());
            if (!ws) return fail(ErrorCode::internal, "XLSX export: cannot add a sheet named " + name);
            builder.table(ws, table);
            if (builder.error() != LXW_NO_ERROR) return lxw_failure(name.c_str(), builder.error());
        }
    }
    if (builder.error() != LXW_NO_ERROR) return lxw_failure("Summary", builder.error());
    // workbook_close writes the file and frees the workbook, whatever it returns.
    if (auto const e = workbook_close(wb.release()); e != LXW_NO_ERROR) return lxw_failure("writing the file", e);
    return read_all(file.path());
}

}  // namespace hrms::reports
