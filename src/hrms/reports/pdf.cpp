// The PDF exporter (libharu): A4 portrait, a header and a "page N of M" footer on every page,
// metrics and tables as ruled grids whose header row repeats after a page break, bar charts
// drawn with rectangles, and all text in an embedded TrueType font (UTF-8).
#include <hpdf.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <memory>
#include <numeric>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "hrms/core/text.hpp"
#include "hrms/core/time_zone.hpp"
#include "hrms/reports/export.hpp"

namespace hrms::reports {

namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";   // …
constexpr std::string_view kEnDash = "\xE2\x80\x93";     // –
constexpr std::string_view kMinus = "\xE2\x88\x92";      // −
constexpr std::string_view kBullet = "\xE2\x80\xA2";     // •

// Page geometry in points (A4 is 595.3 x 841.9).
constexpr float kMarginX = 42;
constexpr float kHeaderBaseline = 30;  // from the top edge
constexpr float kHeaderRule = 36;      // from the top edge
constexpr float kContentTop = 52;      // from the top edge
constexpr float kContentBottom = 50;   // from the bottom edge
constexpr float kFooterRule = 38;
constexpr float kFooterBaseline = 26;

constexpr float kSmall = 8;     // header, footer, table cells
constexpr float kBody = 9;      // bullets, title-block lines
constexpr float kSubhead = 10;  // table and chart titles
constexpr float kHeading = 13;  // section titles
constexpr float kTitle = 18;
constexpr float kRowHeight = 13;
constexpr float kCellPadding = 4;
constexpr float kLineHeight = 12;
constexpr float kBarRowHeight = 14;

struct Rgb {
    float r = 0, g = 0, b = 0;
    bool operator==(Rgb const&) const = default;
};

constexpr Rgb kInk{0.12f, 0.13f, 0.15f};
constexpr Rgb kMuted{0.42f, 0.45f, 0.50f};
constexpr Rgb kZebra{0.965f, 0.97f, 0.975f};
constexpr Rgb kGood{0.09f, 0.50f, 0.20f};
constexpr Rgb kBad{0.75f, 0.12f, 0.12f};
constexpr Rgb kDefaultBrand{0.145f, 0.388f, 0.922f};  // #2563eb

// "#rrggbb" as a colour; the default brand blue for anything else.
Rgb parse_color(std::string_view hex) {
    if (hex.size() != 7 || hex[0] != '#') return kDefaultBrand;
    std::array<float, 3> channels{};
    for (std::size_t i = 0; i < 3; ++i) {
        int value = 0;
        for (char c : hex.substr(1 + 2 * i, 2)) {
            int const digit = c >= '0' && c <= '9'   ? c - '0'
                              : c >= 'a' && c <= 'f' ? c - 'a' + 10
                              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                     : -1;
            if (digit < 0) return kDefaultBrand;
            value = value * 16 + digit;
        }
        channels[i] = static_cast<float>(value) / 255.0f;
    }
    return {channels[0], channels[1], channels[2]};
}

Rgb tint(Rgb c, float white) {
    return {c.r + (1 - c.r) * white, c.g + (1 - c.g) * white, c.b + (1 - c.b) * white};
}

// Text libharu can show: well-formed UTF-8 (its UTF-8 encoder stops at a bad byte) without
// control characters (they have no glyph).
std::string printable(std::string_view s) {
    std::string out = core::is_valid_utf8(s) ? std::string(s) : core::repair_utf8(s);
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
    return out;
}

std::size_t code_point_length(std::string_view s, std::size_t at) {
    auto const lead = static_cast<unsigned char>(s[at]);
    std::size_t const n = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    return std::min(n, s.size() - at);
}

// A font and the advance widths of the code points met so far: each code point is measured by
// libharu once, so measuring a long table costs a lookup per character, not a library call.
class Face {
public:
    explicit Face(HPDF_Font font) : font_(font) { ascii_.fill(-1); }

    HPDF_Font font() const { return font_; }

    float width(std::string_view text, float size) {
        float units = 0;
        for (std::size_t at = 0; at < text.size();) {
            std::size_t const n = code_point_length(text, at);
            units += advance(text.substr(at, n));
            at += n;
        }
        return units * size / 1000;
    }

    // `text` cut with an ellipsis so it fits in `max_width`; unchanged when it fits already.
    std::string fit(std::string const& text, float size, float max_width) {
        if (width(text, size) <= max_width) return text;
        float const budget = max_width * 1000 / size - advance(kEllipsis);
        float used = 0;
        std::size_t at = 0;
        while (at < text.size()) {
            std::size_t const n = code_point_length(text, at);
            float const w = advance(std::string_view(text).substr(at, n));
            if (used + w > budget) break;
            used += w;
            at += n;
        }
        return text.substr(0, at) + std::string(kEllipsis);
    }

    // `text` broken into lines no wider than `max_width`, at spaces where it can be and inside a
    // word only when the word alone is wider than a line.
    std::vector<std::string> wrap(std::string_view text, float size, float max_width) {
        std::vector<std::string> lines;
        std::string line;
        float line_width = 0;
        float const space = width(" ", size);
        for (auto word : core::split_trimmed(text, ' ')) {
            if (word.empty()) continue;
            float word_width = width(word, size);
            if (!line.empty() && line_width + space + word_width <= max_width) {
                line += ' ';
                line += word;
                line_width += space + word_width;
                continue;
            }
            if (!line.empty()) lines.push_back(std::move(line));
            line.clear();
            // A word wider than the line is split where it overflows.
            while (word_width > max_width) {
                std::size_t at = 0;
                float used = 0;
                while (at < word.size()) {
                    std::size_t const n = code_point_length(word, at);
                    float const w = width(word.substr(at, n), size);
                    if (at > 0 && used + w > max_width) break;
                    used += w;
                    at += n;
                }
                lines.emplace_back(word.substr(0, at));
                word.remove_prefix(at);
                word_width = width(word, size);
            }
            line = std::string(word);
            line_width = word_width;
        }
        if (!line.empty() || lines.empty()) lines.push_back(std::move(line));
        return lines;
    }

private:
    float advance(std::string_view code_point) {
        if (code_point.size() == 1) {
            auto const c = static_cast<unsigned char>(code_point[0]);
            if (c < ascii_.size()) {
                if (ascii_[c] < 0) ascii_[c] = measure(code_point);
                return ascii_[c];
            }
        }
        auto [it, inserted] = other_.try_emplace(std::string(code_point), 0.0f);
        if (inserted) it->second = measure(code_point);
        return it->second;
    }

    float measure(std::string_view code_point) const {
        auto const tw = HPDF_Font_TextWidth(font_, reinterpret_cast<HPDF_BYTE const*>(code_point.data()),
                                            static_cast<HPDF_UINT>(code_point.size()));
        return static_cast<float>(tw.width);
    }

    HPDF_Font font_;
    std::array<float, 128> ascii_;
    std::unordered_map<std::string, float> other_;
};

// libharu reports errors through a callback and then carries on; the first one is kept here and
// checked, so nothing is thrown or jumped through C frames.
struct HaruError {
    HPDF_STATUS status = HPDF_OK;
    HPDF_STATUS detail = 0;
    bool failed() const { return status != HPDF_OK; }
};

void record_error(HPDF_STATUS status, HPDF_STATUS detail, void* user_data) {
    auto& error = *static_cast<HaruError*>(user_data);
    if (!error.failed()) error = {status, detail};
}

std::string describe(HaruError const& e) {
    char const* what = "";
    switch (e.status) {
    case HPDF_FILE_OPEN_ERROR: what = " (cannot open the file)"; break;
    case HPDF_FAILD_TO_ALLOC_MEM: what = " (out of memory)"; break;
    case HPDF_TTF_INVALID_FOMAT:
    case HPDF_TTF_INVALID_CMAP:
    case HPDF_TTF_MISSING_TABLE:
    case HPDF_UNSUPPORTED_FONT_TYPE: what = " (not a usable TrueType font)"; break;
    case HPDF_TTF_CANNOT_EMBEDDING_FONT: what = " (the font does not allow embedding)"; break;
    default: break;
    }
    return fmt::format("libharu error 0x{:04X}, detail {}{}", static_cast<unsigned>(e.status),
                       static_cast<unsigned>(e.detail), what);
}

struct DocDeleter {
    void operator()(HPDF_Doc doc) const { HPDF_Free(doc); }
};
using DocPtr = std::unique_ptr<std::remove_pointer_t<HPDF_Doc>, DocDeleter>;

enum class Align { left, right };
enum class Tone { normal, muted, good, bad };

struct GridCell {
    std::string text;
    Tone tone = Tone::normal;
};

// A table ready to draw: cell text, column alignment and widths (points, summing to the width
// of the page's content).
struct Grid {
    std::vector<std::string> headers;
    std::vector<Align> aligns;
    std::vector<float> widths;
    std::vector<std::vector<GridCell>> rows;
};

std::string one_decimal(double v) { return std::isfinite(v) ? fmt::format("{:.1f}", v) : std::string(kEnDash); }

std::optional<core::Unit> unit_of(core::ColumnType t) {
    switch (t) {
    case core::ColumnType::percent: return core::Unit::percent;
    case core::ColumnType::hours: return core::Unit::hours;
    case core::ColumnType::integer: return core::Unit::count;
    default: return std::nullopt;
    }
}

std::string cell_text(core::Cell const& cell, core::ColumnType type, core::TimeZone const& tz) {
    if (auto const* s = std::get_if<std::string>(&cell)) return printable(*s);
    if (auto const* n = std::get_if<std::int64_t>(&cell)) {
        return core::format_value(static_cast<double>(*n), unit_of(type).value_or(core::Unit::count));
    }
    if (auto const* v = std::get_if<double>(&cell)) {
        auto const unit = unit_of(type);
        return unit ? core::format_value(*v, *unit) : one_decimal(*v);
    }
    if (auto const* t = std::get_if<Instant>(&cell)) return tz.format_minutes(*t);
    return {};
}

bool is_numeric(core::ColumnType t) { return t != core::ColumnType::text && t != core::ColumnType::datetime; }

// The change from the previous period, signed, in the metric's unit (percentage points for a
// percentage); coloured good or bad when the metric says which direction is better.
GridCell change_cell(core::Metric const& m) {
    if (!m.value || !m.previous || !std::isfinite(*m.value) || !std::isfinite(*m.previous))
        return {std::string(kEnDash), Tone::muted};
    double const diff = *m.value - *m.previous;
    std::string text = core::format_value(std::fabs(diff), m.unit);
    bool const rounds_to_zero = text == core::format_value(0.0, m.unit);
    if (m.unit == core::Unit::percent && text.ends_with('%')) text = text.substr(0, text.size() - 1) + " pp";
    if (rounds_to_zero) return {text, Tone::muted};
    text = std::string(diff > 0 ? "+" : kMinus) + text;
    if (!m.higher_is_better) return {text, Tone::normal};
    return {text, (diff > 0) == *m.higher_is_better ? Tone::good : Tone::bad};
}

// Column widths for `natural` widths in `available` points: all grow in proportion when they
// fit; otherwise narrow columns keep their width and the wide ones share what is left equally.
std::vector<float> fit_widths(std::vector<float> const& natural, float available) {
    std::vector<float> widths(natural.size(), 0);
    if (natural.empty()) return widths;
    float const total = std::accumulate(natural.begin(), natural.end(), 0.0f);
    if (total <= available) {
        for (std::size_t i = 0; i < natural.size(); ++i) widths[i] = natural[i] * available / total;
        return widths;
    }
    std::vector<std::size_t> order(natural.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::ranges::sort(order, {}, [&](std::size_t i) { return natural[i]; });
    float left = available;
    for (std::size_t k = 0; k < order.size(); ++k) {
        float const share = left / static_cast<float>(order.size() - k);
        widths[order[k]] = std::min(natural[order[k]], share);
        left -= widths[order[k]];
    }
    return widths;
}

class Layout {
public:
    Layout(HPDF_Doc doc, HaruError const& error, Face& regular, Face& bold, core::Report const& report,
           ExportOptions const& options)
        : doc_(doc),
          error_(error),
          regular_(regular),
          bold_(bold),
          report_(report),
          options_(options),
          tz_(core::TimeZone::find(report.period.time_zone).value_or(core::TimeZone::utc())),
          brand_(parse_color(options.brand_color)),
          header_fill_(tint(brand_, 0.85f)) {}

    void render() {
        add_page();
        title_block();
        for (auto const& section : report_.sections) {
            if (error_.failed()) return;
            render_section(section);
        }
        bullets("Insights", report_.insights);
        bullets("Recommendations", report_.recommendations);
        footers();
    }

private:
    float content_width() const { return page_width_ - 2 * kMarginX; }

    std::string period_text(core::ReportPeriod const& p) const {
        return printable(fmt::format("{} {} {} ({})", p.from_date, kEnDash, p.to_date,
                                     p.time_zone.empty() ? "UTC" : p.time_zone));
    }

    void add_page() {
        HPDF_Page const page = HPDF_AddPage(doc_);
        if (!page || error_.failed()) {
            page_ = nullptr;
            return;
        }
        HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
        pages_.push_back(page);
        switch_to(page);
        page_width_ = HPDF_Page_GetWidth(page);
        page_height_ = HPDF_Page_GetHeight(page);
        float const baseline = page_height_ - kHeaderBaseline;
        std::string const period = period_text(report_.period);
        float const period_width = regular_.width(period, kSmall);
        text_right(page_width_ - kMarginX, baseline, period, regular_, kSmall, kMuted);
        text(kMarginX, baseline,
             bold_.fit(printable(report_.title), kSmall, content_width() - period_width - 16), bold_, kSmall, kInk);
        rule(page_height_ - kHeaderRule, brand_);
        y_ = page_height_ - kContentTop;
    }

    // Starts a new page unless `height` points are left above the footer.
    bool ensure(float height) {
        if (y_ - height >= kContentBottom) return false;
        add_page();
        return true;
    }

    void switch_to(HPDF_Page page) {
        page_ = page;
        font_ = nullptr;
        font_size_ = 0;
        fill_.reset();
    }

    void set_fill(Rgb c) {
        if (fill_ == c) return;
        HPDF_Page_SetRGBFill(page_, c.r, c.g, c.b);
        fill_ = c;
    }

    void text(float x, float y, std::string const& s, Face& face, float size, Rgb color) {
        if (!page_ || s.empty()) return;
        set_fill(color);
        if (font_ != face.font() || font_size_ != size) {
            HPDF_Page_SetFontAndSize(page_, face.font(), size);
            font_ = face.font();
            font_size_ = size;
        }
        HPDF_Page_BeginText(page_);
        HPDF_Page_TextOut(page_, x, y, s.c_str());
        HPDF_Page_EndText(page_);
    }

    void text_right(float right, float y, std::string const& s, Face& face, float size, Rgb color) {
        text(right - face.width(s, size), y, s, face, size, color);
    }

    void box(float x, float y, float w, float h, Rgb color) {
        if (!page_ || w <= 0 || h <= 0) return;
        set_fill(color);
        HPDF_Page_Rectangle(page_, x, y, w, h);
        HPDF_Page_Fill(page_);
    }

    // A hairline across the content width at height `y`.
    void rule(float y, Rgb color) { box(kMarginX, y, content_width(), 0.6f, color); }

    void title_block() {
        for (auto const& line : bold_.wrap(printable(report_.title), kTitle, content_width())) {
            ensure(kTitle + 6);
            text(kMarginX, y_ - kTitle, line, bold_, kTitle, brand_);
            y_ -= kTitle + 6;
        }
        y_ -= 2;
        std::string const lines[] = {
            "Period: " + period_text(report_.period),
            "Compared with: " + period_text(report_.previous),
            fmt::format("Generated: {} by {}", tz_.format_minutes(report_.generated_at), printable(options_.brand_name)),
        };
        for (auto const& line : lines) {
            text(kMarginX, y_ - kBody, regular_.fit(line, kBody, content_width()), regular_, kBody, kMuted);
            y_ -= kLineHeight;
        }
        y_ -= 10;
    }

    void heading(std::string const& title) {
        ensure(kHeading + 8 + kSubhead + 3 * kRowHeight);
        text(kMarginX, y_ - kHeading, bold_.fit(printable(title), kHeading, content_width()), bold_, kHeading, brand_);
        y_ -= kHeading + 10;
    }

    void subheading(std::string const& title, Rgb color = kInk) {
        if (title.empty()) return;
        text(kMarginX, y_ - kSubhead, bold_.fit(title, kSubhead, content_width()), bold_, kSubhead, color);
        y_ -= kSubhead + 6;
    }

    void note(std::string const& s) {
        ensure(kLineHeight);
        text(kMarginX, y_ - kSmall - 2, regular_.fit(s, kSmall, content_width()), regular_, kSmall, kMuted);
        y_ -= kLineHeight;
    }

    void render_section(core::Section const& s) {
        heading(s.title);
        if (!s.metrics.empty()) render_grid({}, metrics_grid(s.metrics));
        for (auto const& table : s.tables) {
            if (error_.failed()) return;
            std::string footnote;
            if (table.total_rows)
                footnote = fmt::format("Showing {} of {} rows",
                                       core::format_value(static_cast<double>(table.rows.size()), core::Unit::count),
                                       core::format_value(static_cast<double>(*table.total_rows), core::Unit::count));
            render_grid(printable(table.title), table_grid(table), footnote);
        }
        for (auto const& chart : s.charts) render_chart(chart);
        y_ -= 8;
    }

    Grid metrics_grid(std::vector<core::Metric> const& metrics) const {
        Grid g;
        g.headers = {"Metric", "This period", "Previous", "Change", "Goal"};
        g.aligns = {Align::left, Align::right, Align::right, Align::right, Align::right};
        float const w = content_width();
        g.widths = {w * 0.40f, w * 0.15f, w * 0.15f, w * 0.15f, w * 0.15f};
        for (auto const& m : metrics) {
            g.rows.push_back({{printable(m.label)},
                              {core::format_value(m.value, m.unit)},
                              {core::format_value(m.previous, m.unit), Tone::muted},
                              change_cell(m),
                              {core::format_value(m.goal, m.unit), m.goal ? Tone::normal : Tone::muted}});
        }
        return g;
    }

    Grid table_grid(core::Table const& t) {
        Grid g;
        std::size_t const ncols = t.columns.size();
        std::vector<float> natural(ncols, 0);
        for (std::size_t c = 0; c < ncols; ++c) {
            g.headers.push_back(printable(t.columns[c].label));
            g.aligns.push_back(is_numeric(t.columns[c].type) ? Align::right : Align::left);
            natural[c] = bold_.width(g.headers[c], kSmall);
        }
        g.rows.reserve(t.rows.size());
        for (auto const& row : t.rows) {
            auto& out = g.rows.emplace_back(ncols);
            for (std::size_t c = 0; c < ncols && c < row.size(); ++c) {
                out[c].text = cell_text(row[c], t.columns[c].type, tz_);
                natural[c] = std::max(natural[c], regular_.width(out[c].text, kSmall));
            }
        }
        for (float& w : natural) w += 2 * kCellPadding;
        g.widths = fit_widths(natural, content_width());
        return g;
    }

    void grid_header(Grid const& g) {
        box(kMarginX, y_ - kRowHeight, content_width(), kRowHeight, header_fill_);
        grid_row(g.headers, g, bold_, [](std::size_t) { return kInk; });
    }

    template <class Cells, class ColorOf>
    void grid_row(Cells const& cells, Grid const& g, Face& face, ColorOf color_of) {
        float x = kMarginX;
        float const baseline = y_ - kRowHeight + 3.8f;
        for (std::size_t c = 0; c < g.widths.size() && c < cells.size(); ++c) {
            std::string const& raw = cell_string(cells[c]);
            if (!raw.empty()) {
                float const inner = g.widths[c] - 2 * kCellPadding;
                std::string const shown = face.fit(raw, kSmall, inner);
                if (g.aligns[c] == Align::right)
                    text_right(x + g.widths[c] - kCellPadding, baseline, shown, face, kSmall, color_of(c));
                else
                    text(x + kCellPadding, baseline, shown, face, kSmall, color_of(c));
            }
            x += g.widths[c];
        }
        y_ -= kRowHeight;
    }

    static std::string const& cell_string(std::string const& s) { return s; }
    static std::string const& cell_string(GridCell const& c) { return c.text; }

    static Rgb tone_color(Tone t) {
        switch (t) {
        case Tone::muted: return kMuted;
        case Tone::good: return kGood;
        case Tone::bad: return kBad;
        case Tone::normal: break;
        }
        return kInk;
    }

    // A title, the header row and the rows; a row that does not fit starts a new page, where the
    // title (marked continued) and the header row are repeated.
    void render_grid(std::string const& title, Grid const& g, std::string const& footnote = {}) {
        if (g.widths.empty()) return;
        ensure((title.empty() ? 0 : kSubhead + 6) + 2 * kRowHeight + 4);
        subheading(title);
        grid_header(g);
        for (std::size_t i = 0; i < g.rows.size(); ++i) {
            if (y_ - kRowHeight < kContentBottom) {
                add_page();
                if (error_.failed()) return;
                if (!title.empty()) subheading(title + " (continued)", kMuted);
                grid_header(g);
            }
            if (i % 2 == 1) box(kMarginX, y_ - kRowHeight, content_width(), kRowHeight, kZebra);
            auto const& row = g.rows[i];
            grid_row(row, g, regular_, [&](std::size_t c) { return tone_color(row[c].tone); });
        }
        if (g.rows.empty()) note("No rows");
        if (!footnote.empty()) note(footnote);
        y_ -= 10;
    }

    void render_chart(core::Chart const& chart) {
        std::string const title = printable(chart.title);
        ensure(kSubhead + 6 + kBarRowHeight * static_cast<float>(std::min<std::size_t>(chart.bars.size(), 3) + 1));
        subheading(title);
        double max = 0;
        for (auto const& [label, value] : chart.bars)
            if (std::isfinite(value)) max = std::max(max, value);
        float const label_width = content_width() * 0.3f;
        float const value_width = 64;
        float const bar_x = kMarginX + label_width + 6;
        float const bar_span = content_width() - label_width - 6 - value_width;
        for (auto const& [label, value] : chart.bars) {
            if (ensure(kBarRowHeight)) {
                if (error_.failed()) return;
                subheading(title + " (continued)", kMuted);
            }
            float const baseline = y_ - kBarRowHeight + 4;
            text(kMarginX, baseline, regular_.fit(printable(label), kSmall, label_width), regular_, kSmall, kInk);
            float const length =
                max > 0 && std::isfinite(value) && value > 0 ? static_cast<float>(value / max) * bar_span : 0;
            box(bar_x, y_ - kBarRowHeight + 2.5f, length, kBarRowHeight - 5, brand_);
            text(bar_x + length + 4, baseline, core::format_value(value, chart.unit), regular_, kSmall, kInk);
            y_ -= kBarRowHeight;
        }
        if (chart.bars.empty()) note("No data");
        y_ -= 10;
    }

    void bullets(std::string const& title, std::vector<std::string> const& items) {
        if (items.empty() || error_.failed()) return;
        heading(title);
        float const indent = 12;
        for (auto const& item : items) {
            auto const lines = regular_.wrap(printable(item), kBody, content_width() - indent);
            for (std::size_t i = 0; i < lines.size(); ++i) {
                ensure(kLineHeight);
                if (i == 0) text(kMarginX + 2, y_ - kBody, std::string(kBullet), regular_, kBody, brand_);
                text(kMarginX + indent, y_ - kBody, lines[i], regular_, kBody, kInk);
                y_ -= kLineHeight;
            }
            y_ -= 3;
        }
    }

    // Drawn last, when the page count is known: libharu keeps every page open until saving.
    void footers() {
        std::string const left = fmt::format("Generated {} by {}", tz_.format_minutes(report_.generated_at),
                                             printable(options_.brand_name));
        for (std::size_t i = 0; i < pages_.size(); ++i) {
            switch_to(pages_[i]);
            std::string const right = fmt::format("Page {} of {}", i + 1, pages_.size());
            rule(kFooterRule, tint(kMuted, 0.5f));
            text_right(page_width_ - kMarginX, kFooterBaseline, right, regular_, kSmall, kMuted);
            text(kMarginX, kFooterBaseline,
                 regular_.fit(left, kSmall, content_width() - regular_.width(right, kSmall) - 16), regular_, kSmall,
                 kMuted);
        }
    }

    HPDF_Doc doc_;
    HaruError const& error_;
    Face& regular_;
    Face& bold_;
    core::Report const& report_;
    ExportOptions const& options_;
    core::TimeZone tz_;
    Rgb brand_;
    Rgb header_fill_;

    std::vector<HPDF_Page> pages_;
    HPDF_Page page_ = nullptr;
    float page_width_ = 595.276f;
    float page_height_ = 841.89f;
    float y_ = 0;  // the top of the free space on the current page
    HPDF_Font font_ = nullptr;
    float font_size_ = 0;
    std::optional<Rgb> fill_;
};

Result<HPDF_Font> load_font(HPDF_Doc doc, std::string const& path, HaruError const& error) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        return fail(ErrorCode::internal, fmt::format("PDF export: font file not found: {}", path));
    char const* name = HPDF_LoadTTFontFromFile(doc, path.c_str(), HPDF_TRUE);
    HPDF_Font const font = name && !error.failed() ? HPDF_GetFont(doc, name, "UTF-8") : nullptr;
    if (!font || error.failed())
        return fail(ErrorCode::internal, fmt::format("PDF export: cannot use the font {}: {}", path, describe(error)));
    return font;
}

Result<std::string> save(HPDF_Doc doc, HaruError const& error) {
    if (HPDF_SaveToStream(doc) != HPDF_OK || error.failed())
        return fail(ErrorCode::internal, "PDF export: saving failed: " + describe(error));
    HPDF_UINT32 const size = HPDF_GetStreamSize(doc);
    std::string bytes(size, '\0');
    HPDF_UINT32 done = 0;
    while (done < size) {
        // Asking for no more than is left: reading past the end counts as an error in libharu.
        HPDF_UINT32 chunk = size - done;
        HPDF_STATUS const status = HPDF_ReadFromStream(doc, reinterpret_cast<HPDF_BYTE*>(bytes.data() + done), &chunk);
        if ((status != HPDF_OK && status != HPDF_STREAM_EOF) || chunk == 0)
            return fail(ErrorCode::internal, "PDF export: reading the document back failed: " + describe(error));
        done += chunk;
    }
    return bytes;
}

}  // namespace

Result<std::string> to_pdf(core::Report const& r, ExportOptions const& o) {
    HaruError error;  // outlives the document, whose callbacks write to it
    DocPtr const doc(HPDF_New(record_error, &error));
    if (!doc) return fail(ErrorCode::internal, "PDF export: libharu could not create a document");
    HPDF_SetCompressionMode(doc.get(), HPDF_COMP_ALL);
    HPDF_UseUTFEncodings(doc.get());
    if (error.failed()) return fail(ErrorCode::internal, "PDF export: " + describe(error));

    // Info strings are written without an encoder (PDFDocEncoding), so only ASCII is safe there.
    auto const ascii = [](std::string const& s) {
        return std::ranges::all_of(s, [](char c) { return c >= 0x20 && c < 0x7F; });
    };
    if (ascii(r.title)) HPDF_SetInfoAttr(doc.get(), HPDF_INFO_TITLE, r.title.c_str());
    if (ascii(o.brand_name)) HPDF_SetInfoAttr(doc.get(), HPDF_INFO_CREATOR, o.brand_name.c_str());

    Face regular(TRY(load_font(doc.get(), o.font_path, error)));
    Face bold(TRY(load_font(doc.get(), o.bold_font_path, error)));
    Layout(doc.get(), error, regular, bold, r, o).render();
    if (error.failed()) return fail(ErrorCode::internal, "PDF export: drawing failed: " + describe(error));
    return save(doc.get(), error);
}

}  // namespace hrms::reports
