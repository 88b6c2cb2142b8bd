#include "hrms/core/report.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace hrms::core {
namespace {

TEST(ReportNames, KindsAndFormatsRoundTrip) {
    for (auto k : {ReportKind::daily, ReportKind::weekly, ReportKind::efficiency, ReportKind::sla, ReportKind::reviewers})
        EXPECT_EQ(parse_report_kind(to_string(k)), k);
    EXPECT_STREQ(to_string(ReportKind::reviewers), "admin-performance");
    EXPECT_FALSE(parse_report_kind("reviewers"));
    EXPECT_FALSE(parse_report_kind("Daily"));
    for (auto f : {ReportFormat::json, ReportFormat::csv, ReportFormat::html, ReportFormat::pdf, ReportFormat::xlsx})
        EXPECT_EQ(parse_report_format(to_string(f)), f);
    EXPECT_FALSE(parse_report_format("docx"));
    EXPECT_STREQ(content_type(ReportFormat::pdf), "application/pdf");
}

TEST(ReportValues, FormattedByUnit) {
    EXPECT_EQ(format_value(1234567.0, Unit::count), "1,234,567");
    EXPECT_EQ(format_value(-1234.0, Unit::count), "-1,234");
    EXPECT_EQ(format_value(0.0, Unit::count), "0");
    EXPECT_EQ(format_value(2.5, Unit::count), "2.5");
    EXPECT_EQ(format_value(83.3333, Unit::percent), "83.3%");
    EXPECT_EQ(format_value(12.04, Unit::hours), "12.0 h");
    EXPECT_EQ(format_value(0.375, Unit::days), "0.4 d");
    EXPECT_EQ(format_value(std::nullopt, Unit::hours), "\xE2\x80\x93");
    EXPECT_EQ(format_value(std::nan(""), Unit::count), "\xE2\x80\x93");
}

}  // namespace
}  // namespace hrms::core
