// PDF and XLSX exporters, read back with the tools a reader would use: pdftotext (poppler) for
// the PDF, openpyxl for the workbook.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "hrms/reports/export.hpp"

namespace hrms::reports {
namespace {

using core::Cell;
using core::ColumnType;

Instant at(char const* rfc3339) { return *parse_rfc3339(rfc3339); }

char const* const kNames[] = {"Zoë Ångström", "Łukasz Żółć", "Ελένη Παπαδοπούλου", "Дмитрий Иванов", "Ada Lovelace"};

core::Table hires_table(std::string title, std::size_t rows) {
    core::Table t;
    t.key = "new_hires";
    t.title = std::move(title);
    t.columns = {{"name", "Name", ColumnType::text},          {"department", "Department", ColumnType::text},
                 {"started", "Started", ColumnType::datetime}, {"tasks", "Tasks done", ColumnType::integer},
                 {"completion", "Completion", ColumnType::percent}, {"hours", "Time spent", ColumnType::hours},
                 {"score", "Score", ColumnType::number}};
    Instant const first = at("2026-11-02T09:30:00Z");
    for (std::size_t i = 0; i < rows; ++i) {
        std::string name = kNames[i % std::size(kNames)];
        if (i >= std::size(kNames)) name += " " + std::to_string(i);
        std::string department = i == 3   ? "=1+1"
                                 : i == 7 ? "Research and Development of Very Long Department Names That Overflow"
                                          : "Engineering";
        t.rows.push_back({Cell{name}, Cell{department}, Cell{first.plus_seconds(3600.0 * static_cast<double>(i))},
                          Cell{std::int64_t(1000 + i)}, Cell{87.5}, i % 9 == 0 ? Cell{} : Cell{12.25},
                          Cell{3.14159}});
    }
    return t;
}

core::Report sample_report(std::size_t rows = 300) {
    core::Report r;
    r.kind = core::ReportKind::weekly;
    r.title = "Weekly onboarding report";
    r.period = {"2026-11-02", "2026-11-08", at("2026-11-01T23:00:00Z"), at("2026-11-08T23:00:00Z"), "Europe/Berlin"};
    r.previous = {"2026-10-26", "2026-11-01", at("2026-10-25T23:00:00Z"), at("2026-11-01T23:00:00Z"),
                  "Europe/Berlin"};
    r.generated_at = at("2026-11-09T07:05:00Z");

    core::Section pipeline;
    pipeline.key = "pipeline";
    pipeline.title = "Pipeline";
    pipeline.metrics = {
        {"completed", "Onboardings completed", core::Unit::count, 1234, 1100, 1300, true},
        {"completion_rate", "Completion rate", core::Unit::percent, 87.5, 90.25, std::nullopt, true},
        {"median_review", "Median review time", core::Unit::hours, std::nullopt, 5.5, std::nullopt, false},
    };
    pipeline.tables.push_back(hires_table("New hires", rows));
    pipeline.tables.back().total_rows = 1250;
    pipeline.charts.push_back({"by_department", "Hires by department", core::Unit::count,
                               {{"Engineering", 120}, {"Sales", 45}, {"Ελένη's team", 3}}});

    core::Section sla;
    sla.key = "sla";
    sla.title = "Review SLA";
    sla.metrics = {{"breaches", "SLA breaches", core::Unit::count, 4, std::nullopt, std::nullopt, false},
                   {"wait_days", "Average wait", core::Unit::days, 2.25, std::nullopt, 1.0, false}};
    sla.tables.push_back(hires_table("Reviews: SLA / breaches [open] per reviewer", 2));
    sla.tables.push_back(hires_table("new HIRES", 2));

    r.sections = {pipeline, sla};
    r.insights = {"Completions rose 12.2% (1,100 to 1,234) while the median review time is unknown this week "
                  "because no reviews were decided; the wrap must break this long line into several lines."};
    r.recommendations = {"Add a reviewer to Łukasz Żółć's queue: 4 SLA breaches this week."};
    return r;
}

// A file under the test's temporary directory, removed at the end of the test.
class ScratchFile {
public:
    // openpyxl goes by the file's extension, so a workbook needs ".xlsx".
    explicit ScratchFile(std::string const& bytes, std::string const& extension = {}) {
        path_ = (std::filesystem::path(testing::TempDir()) / ("hrms-exporters-XXXXXX" + extension)).string();
        int const fd = ::mkstemps(path_.data(), static_cast<int>(extension.size()));
        EXPECT_GE(fd, 0);
        ::close(fd);
        std::ofstream(path_, std::ios::binary) << bytes;
    }
    ~ScratchFile() { std::filesystem::remove(path_); }
    std::string const& path() const { return path_; }

private:
    std::string path_;
};

std::string run(std::string const& command) {
    std::string out;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) return out;
    char buf[4096];
    while (std::size_t const n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
    ::pclose(pipe);
    return out;
}

// The text of each page, as pdftotext lays it out.
std::vector<std::string> pdf_pages(std::string const& pdf) {
    ScratchFile const file(pdf);
    std::string const text = run("pdftotext -layout '" + file.path() + "' - 2>/dev/null");
    std::vector<std::string> pages;
    std::istringstream in(text);
    for (std::string page; std::getline(in, page, '\f');) pages.push_back(page);
    if (!pages.empty() && pages.back().find_first_not_of(" \n") == std::string::npos) pages.pop_back();
    return pages;
}

// Facts about a workbook, read by openpyxl: "key<TAB>value" lines.
std::map<std::string, std::string> xlsx_facts(std::string const& xlsx) {
    ScratchFile const file(xlsx, ".xlsx");
    constexpr char const* kScript = R"py(
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["New hires"]
summary = wb["Summary"]
facts = {
    "sheets": "|".join(wb.sheetnames),
    "name": ws["A2"].value,
    "formula": ws["B5"].value,
    "formula_type": type(ws["B5"].value).__name__,
    "count": ws["D2"].value,
    "count_type": type(ws["D2"].value).__name__,
    "percent": ws["E2"].value,
    "percent_format": ws["E2"].number_format,
    "instant": ws["C2"].value,
    "instant_type": type(ws["C2"].value).__name__,
    "freeze": ws.freeze_panes,
    "filter": ws.auto_filter.ref,
    "header_bold": ws["A1"].font.b,
    "note": ws["A303"].value,
    "summary_value": summary["C7"].value,
    "summary_value_type": type(summary["C7"].value).__name__,
    "summary_missing": summary["C9"].value,
}
for k, v in facts.items():
    print(f"{k}\t{v}")
)py";
    std::string const out =
        run("PYTHONIOENCODING=utf-8 /usr/bin/python3 -c '" + std::string(kScript) + "' '" + file.path() + "' 2>&1");
    std::map<std::string, std::string> facts;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);)
        if (auto const tab = line.find('\t'); tab != std::string::npos)
            facts[line.substr(0, tab)] = line.substr(tab + 1);
    if (facts.empty()) ADD_FAILURE() << "openpyxl said: " << out;
    return facts;
}

TEST(PdfExport, IsAPdfShowingNonAsciiNamesInTheEmbeddedFont) {
    auto const pdf = to_pdf(sample_report(), {});
    ASSERT_TRUE(pdf) << pdf.error().message;
    EXPECT_TRUE(pdf->starts_with("%PDF-"));

    std::string all;
    for (auto const& page : pdf_pages(*pdf)) all += page;
    for (char const* expected : {"Weekly onboarding report", "Zoë Ångström", "Łukasz Żółć", "Ελένη Παπαδοπούλου",
                                 "Дмитрий Иванов", "Page 1 of", "2026-11-02 – 2026-11-08 (Europe/Berlin)",
                                 "Generated 2026-11-09 08:05 by hrms", "1,234", "87.5%", "+134", "−2.8 pp"})
        EXPECT_NE(all.find(expected), std::string::npos) << expected;
}

TEST(PdfExport, EveryPageHasTheHeaderAndSaysPageNOfTheTotal) {
    auto const pdf = to_pdf(sample_report(), {});
    ASSERT_TRUE(pdf) << pdf.error().message;
    auto const pages = pdf_pages(*pdf);
    ASSERT_GT(pages.size(), 1u);
    std::string const total = std::to_string(pages.size());
    for (std::size_t i = 0; i < pages.size(); ++i) {
        EXPECT_NE(pages[i].find("Page " + std::to_string(i + 1) + " of " + total), std::string::npos) << i;
        EXPECT_NE(pages[i].find("Weekly onboarding report"), std::string::npos) << i;
    }
    EXPECT_NE(pages.back().find("Page " + total + " of " + total), std::string::npos);
}

TEST(PdfExport, ATableBrokenAcrossPagesRepeatsItsHeaderAndSaysHowManyRowsItShows) {
    auto const pdf = to_pdf(sample_report(), {});
    ASSERT_TRUE(pdf) << pdf.error().message;
    auto const pages = pdf_pages(*pdf);
    ASSERT_GT(pages.size(), 2u);
    EXPECT_NE(pages[2].find("New hires (continued)"), std::string::npos);
    EXPECT_NE(pages[2].find("Tasks done"), std::string::npos);
    std::string all;
    for (auto const& page : pages) all += page;
    EXPECT_NE(all.find("Showing 300 of 1,250 rows"), std::string::npos);
    EXPECT_NE(all.find("Дмитрий Иванов 298"), std::string::npos);  // the last row is there
}

TEST(PdfExport, LongCellTextIsCutWithAnEllipsis) {
    auto report = sample_report(10);
    auto const pdf = to_pdf(report, {});
    ASSERT_TRUE(pdf) << pdf.error().message;
    std::string all;
    for (auto const& page : pdf_pages(*pdf)) all += page;
    EXPECT_EQ(all.find("That Overflow"), std::string::npos);
    EXPECT_NE(all.find("Research and"), std::string::npos);
    EXPECT_NE(all.find("…"), std::string::npos);
}

TEST(PdfExport, AMissingFontFileIsAnErrorNamingThePath) {
    ExportOptions o;
    o.font_path = "/nonexistent/fonts/Missing.ttf";
    auto const pdf = to_pdf(sample_report(5), o);
    ASSERT_FALSE(pdf);
    EXPECT_EQ(pdf.error().code, ErrorCode::internal);
    EXPECT_NE(pdf.error().message.find("/nonexistent/fonts/Missing.ttf"), std::string::npos);
}

TEST(PdfExport, AFileThatIsNotAFontIsAnErrorNotACrash) {
    ScratchFile const not_a_font("this is not a TrueType font");
    ExportOptions o;
    o.bold_font_path = not_a_font.path();
    auto const pdf = to_pdf(sample_report(5), o);
    ASSERT_FALSE(pdf);
    EXPECT_NE(pdf.error().message.find(not_a_font.path()), std::string::npos);
}

TEST(XlsxExport, IsAWorkbookWithASummaryAndASheetPerTableNamedAsExcelAllows) {
    auto const xlsx = to_xlsx(sample_report(), {});
    ASSERT_TRUE(xlsx) << xlsx.error().message;
    EXPECT_TRUE(xlsx->starts_with("PK"));
    auto facts = xlsx_facts(*xlsx);
    EXPECT_EQ(facts["sheets"], "Summary|New hires|Reviews SLA breaches open per r|new HIRES (2)");
    EXPECT_EQ(facts["freeze"], "A2");
    EXPECT_EQ(facts["filter"], "A1:G301");
    EXPECT_EQ(facts["header_bold"], "True");
    EXPECT_EQ(facts["note"], "Showing 300 of 1,250 rows");
}

TEST(XlsxExport, NumbersStayNumbersAndInstantsAreLocalDateTimes) {
    auto const xlsx = to_xlsx(sample_report(), {});
    ASSERT_TRUE(xlsx) << xlsx.error().message;
    auto facts = xlsx_facts(*xlsx);
    EXPECT_EQ(facts["count_type"], "int");
    EXPECT_EQ(facts["count"], "1000");
    EXPECT_EQ(facts["percent"], "87.5");
    EXPECT_EQ(facts["percent_format"], "0.0\"%\"");
    EXPECT_EQ(facts["instant_type"], "datetime");
    EXPECT_EQ(facts["instant"], "2026-11-02 10:30:00");  // 09:30 UTC is 10:30 in Berlin
    EXPECT_EQ(facts["summary_value_type"], "int");
    EXPECT_EQ(facts["summary_value"], "1234");
    EXPECT_EQ(facts["summary_missing"], "None");  // a metric with no value leaves its cell empty
}

TEST(XlsxExport, TextStaysTextEvenWhenItLooksLikeAFormula) {
    auto const xlsx = to_xlsx(sample_report(10), {});
    ASSERT_TRUE(xlsx) << xlsx.error().message;
    auto facts = xlsx_facts(*xlsx);
    EXPECT_EQ(facts["name"], "Zoë Ångström");
    EXPECT_EQ(facts["formula"], "=1+1");
    EXPECT_EQ(facts["formula_type"], "str");
}

TEST(XlsxExport, LeavesNoTemporaryFileBehind) {
    auto const dir = std::filesystem::path(testing::TempDir()) / "hrms-xlsx-tmp";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    ExportOptions o;
    o.temp_dir = dir.string();
    auto const xlsx = to_xlsx(sample_report(10), o);
    ASSERT_TRUE(xlsx) << xlsx.error().message;
    EXPECT_TRUE(std::filesystem::is_empty(dir));
    std::filesystem::remove_all(dir);
}

TEST(XlsxExport, AnUnusableTemporaryDirectoryIsAnError) {
    ExportOptions o;
    o.temp_dir = "/nonexistent/hrms-tmp";
    auto const xlsx = to_xlsx(sample_report(5), o);
    ASSERT_FALSE(xlsx);
    EXPECT_NE(xlsx.error().message.find("/nonexistent/hrms-tmp"), std::string::npos);
}

}  // namespace
}  // namespace hrms::reports
