#include "hrms/http/metrics.hpp"

#include <gtest/gtest.h>

using namespace hrms::http;

TEST(Metrics, RequestsAreCountedByRouteMethodAndStatus) {
    Metrics m;
    m.set_routes({"/healthz", "/api/v1/users/{id}"});
    m.started();
    m.finished(1, "GET", 404, 0.002);
    m.started();
    m.finished(1, "GET", 404, 0.003);
    m.started();
    m.finished(0, "GET", 200, 0.0001);
    auto const text = m.render({4, 1, 0});
    EXPECT_NE(text.find("hrms_http_requests_total{route=\"/api/v1/users/{id}\",method=\"GET\",status=\"404\"} 2"),
              std::string::npos);
    EXPECT_NE(text.find("hrms_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 1"),
              std::string::npos);
    EXPECT_NE(text.find("hrms_http_requests_in_flight 0"), std::string::npos);
    EXPECT_NE(text.find("hrms_db_pool_in_use 1"), std::string::npos);
}

TEST(Metrics, HistogramBucketsAreCumulative) {
    Metrics m;
    m.set_routes({"/r"});
    for (double s : {0.0004, 0.004, 0.04, 20.0}) {
        m.started();
        m.finished(0, "GET", 200, s);
    }
    auto const text = m.render({});
    EXPECT_NE(text.find("hrms_http_request_duration_seconds_bucket{route=\"/r\",le=\"0.0005\"} 1"), std::string::npos);
    EXPECT_NE(text.find("hrms_http_request_duration_seconds_bucket{route=\"/r\",le=\"0.005\"} 2"), std::string::npos);
    EXPECT_NE(text.find("hrms_http_request_duration_seconds_bucket{route=\"/r\",le=\"10\"} 3"), std::string::npos);
    EXPECT_NE(text.find("hrms_http_request_duration_seconds_bucket{route=\"/r\",le=\"+Inf\"} 4"), std::string::npos);
    EXPECT_NE(text.find("hrms_http_request_duration_seconds_count{route=\"/r\"} 4"), std::string::npos);
}

TEST(Metrics, UnknownStatusesAndMethodsFallIntoOther) {
    Metrics m;
    m.set_routes({"/r"});
    m.started();
    m.finished(0, "BREW", 418, 0.001);
    EXPECT_NE(m.render({}).find("method=\"OTHER\",status=\"other\"} 1"), std::string::npos);
}

TEST(Metrics, LatencyHistogramIsOneFamilyWithASeriesPerRouteServed) {
    Metrics m;
    m.set_routes({"/a", "/b", "/idle"});
    for (std::size_t route : {0, 1, 1}) {
        m.started();
        m.finished(route, "GET", 200, 0.01);
    }
    auto const text = m.render({});
    auto occurrences = [&](std::string const& s) {
        std::size_t n = 0;
        for (auto at = text.find(s); at != std::string::npos; at = text.find(s, at + 1)) ++n;
        return n;
    };
    EXPECT_EQ(occurrences("# HELP hrms_http_request_duration_seconds "), 1u);
    EXPECT_EQ(occurrences("# TYPE hrms_http_request_duration_seconds histogram\n"), 1u);
    EXPECT_NE(text.find("hrms_http_request_duration_seconds_count{route=\"/a\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("hrms_http_request_duration_seconds_count{route=\"/b\"} 2\n"), std::string::npos);
    EXPECT_EQ(text.find("route=\"/idle\""), std::string::npos) << "a route never served adds no series";
}

TEST(Metrics, RouteLabelsAreEscapedInCountersAndHistogram) {
    Metrics m;
    m.set_routes({"/q\"b\\n\nx"});
    m.started();
    m.finished(0, "GET", 200, 0.01);
    auto const text = m.render({});
    std::string const route = "route=\"/q\\\"b\\\\n\\nx\"";
    EXPECT_NE(text.find("hrms_http_requests_total{" + route + ",method=\"GET\""), std::string::npos);
    EXPECT_NE(text.find("hrms_http_request_duration_seconds_bucket{" + route + ",le=\"+Inf\"} 1\n"),
              std::string::npos);
    EXPECT_NE(text.find("hrms_http_request_duration_seconds_sum{" + route + "} 0.01\n"), std::string::npos);
}
