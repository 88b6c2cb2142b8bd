#include "hrms/core/metrics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

using namespace hrms::core;

namespace {
constexpr std::array<double, 3> kBounds{0.01, 0.1, 1};
}  // namespace

TEST(LabelValue, BackslashQuoteAndNewlineAreEscapedAndNothingElse) {
    EXPECT_EQ(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
    EXPECT_EQ(escape_label_value("/api/v1/users/{id}\té"), "/api/v1/users/{id}\té");
    EXPECT_EQ(escape_label_value(""), "");
}

TEST(Labels, AreRenderedInOrderInsideOneBraceOrNotAtAll) {
    EXPECT_EQ(render_labels({}), "");
    EXPECT_EQ(render_labels({{"job", "a\"b"}, {"outcome", "ok"}}),
              "{job=\"a\\\"b\",outcome=\"ok\"}");
}

TEST(FormatValue, InfinityAndNanAreWrittenAsTheExpositionFormatReadsThem) {
    EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
    EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
    EXPECT_EQ(format_value(std::nan("")), "NaN");
    EXPECT_EQ(format_value(0.0005), "0.0005");
    EXPECT_EQ(format_value(10), "10");
    EXPECT_EQ(format_value(86400), "86400");
}

TEST(Histogram, BucketsAreCumulativeAndEndInPlusInfEqualToTheCount) {
    Histogram h(kBounds);
    for (double s : {0.005, 0.01, 0.05, 0.5, 7.0}) h.observe(s);
    EXPECT_EQ(h.render_series("t_seconds"),
              "t_seconds_bucket{le=\"0.01\"} 2\n"
              "t_seconds_bucket{le=\"0.1\"} 3\n"
              "t_seconds_bucket{le=\"1\"} 4\n"
              "t_seconds_bucket{le=\"+Inf\"} 5\n"
              "t_seconds_sum 7.565\n"
              "t_seconds_count 5\n");
    EXPECT_EQ(h.count(), 5u);
}

TEST(Histogram, AnEmptyHistogramStillHasEveryBucketAndZeroes) {
    Histogram h(kBounds);
    auto const text = h.render_series("t_seconds");
    EXPECT_NE(text.find("t_seconds_bucket{le=\"+Inf\"} 0\n"), std::string::npos);
    EXPECT_NE(text.find("t_seconds_sum 0\n"), std::string::npos);
    EXPECT_NE(text.find("t_seconds_count 0\n"), std::string::npos);
}

TEST(Histogram, NanCountsOnlyPastEveryBoundAndNegativeAddsNothingToTheSum) {
    Histogram h(kBounds);
    h.observe(std::nan(""));
    h.observe(-1);
    auto const text = h.render_series("t");
    EXPECT_NE(text.find("t_bucket{le=\"0.01\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("t_bucket{le=\"1\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("t_bucket{le=\"+Inf\"} 2\n"), std::string::npos);
    EXPECT_NE(text.find("t_sum 0\n"), std::string::npos);
}

TEST(Histogram, LabelsAreEscapedOnEverySeriesWithLeLast) {
    Histogram h(kBounds);
    h.observe(0.2);
    auto const text = h.render_series("t", {{"route", "/a\"b\\c\nd"}});
    std::string const route = "route=\"/a\\\"b\\\\c\\nd\"";
    EXPECT_NE(text.find("t_bucket{" + route + ",le=\"0.01\"} 0\n"), std::string::npos);
    EXPECT_NE(text.find("t_bucket{" + route + ",le=\"+Inf\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("t_sum{" + route + "} 0.2\n"), std::string::npos);
    EXPECT_NE(text.find("t_count{" + route + "} 1\n"), std::string::npos);
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 6)
        << "the newline in the label stays escaped";
}

TEST(Histogram, RenderWritesHelpAndTypeOnceBeforeTheSeries) {
    Histogram h(kBounds);
    auto const text = h.render("t_seconds", "How long t took.");
    EXPECT_TRUE(
        text.starts_with("# HELP t_seconds How long t took.\n# TYPE t_seconds histogram\n"
                         "t_seconds_bucket{le=\"0.01\"} 0\n"));
    EXPECT_EQ(text.find("# HELP", 1), std::string::npos);
}

TEST(Histogram, AddMergesEveryBucketTheSumAndTheCount) {
    Histogram a(kBounds), b(kBounds);
    a.observe(0.005);
    b.observe(0.05);
    b.observe(3);
    a.add(b);
    EXPECT_EQ(a.render_series("t"),
              "t_bucket{le=\"0.01\"} 1\n"
              "t_bucket{le=\"0.1\"} 2\n"
              "t_bucket{le=\"1\"} 2\n"
              "t_bucket{le=\"+Inf\"} 3\n"
              "t_sum 3.055\n"
              "t_count 3\n");
    EXPECT_EQ(b.count(), 2u) << "the merged-in histogram is left as it was";
}
