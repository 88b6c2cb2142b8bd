#include "hrms/http/metrics.hpp"

#include <fmt/format.h>

namespace hrms::http {

void Metrics::set_routes(std::vector<std::string> routes) {
    routes_ = std::move(routes);
    routes_.push_back("unmatched");
    latency_.clear();
    std::size_t const slots = routes_.size() * kMethods.size() * kStatuses.size();
    requests_ = std::make_unique<std::atomic<std::uint64_t>[]>(slots);
    for (std::size_t i = 0; i < slots; ++i) requests_[i] = 0;
    for (std::size_t i = 0; i < routes_.size(); ++i)
        latency_.push_back(std::make_unique<core::Histogram>(kBuckets));
}

void Metrics::finished(std::size_t route, std::string const& method, int status, double seconds) {
    in_flight_.fetch_sub(1, std::memory_order_relaxed);
    if (routes_.empty()) return;
    if (route >= routes_.size()) route = routes_.size() - 1;
    latency_[route]->observe(seconds);
    auto const slot = (route * kMethods.size() + method_slot(method)) * kStatuses.size() + status_slot(status);
    requests_[slot].fetch_add(1, std::memory_order_relaxed);
}

std::size_t Metrics::status_slot(int status) {
    for (std::size_t i = 0; i + 1 < kStatuses.size(); ++i) {
        if (kStatuses[i] == status) return i;
    }
    return kStatuses.size() - 1;  // "other"
}

std::size_t Metrics::method_slot(std::string const& method) {
    for (std::size_t i = 0; i + 1 < kMethods.size(); ++i) {
        if (method == kMethods[i]) return i;
    }
    return kMethods.size() - 1;
}

std::string Metrics::render(app::PoolStats const& pool) const {
    std::string out;
    out += "# HELP hrms_http_requests_total HTTP requests by route template, method and status.\n";
    out += "# TYPE hrms_http_requests_total counter\n";
    for (std::size_t r = 0; r < routes_.size(); ++r) {
        for (std::size_t m = 0; m < kMethods.size(); ++m) {
            for (std::size_t st = 0; st < kStatuses.size(); ++st) {
                auto const n = requests_[(r * kMethods.size() + m) * kStatuses.size() + st].load(
                    std::memory_order_relaxed);
                if (n == 0) continue;
                auto const status = kStatuses[st] ? std::to_string(kStatuses[st]) : std::string("other");
                out += fmt::format("hrms_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
                                   core::escape_label_value(routes_[r]), kMethods[m], status, n);
            }
        }
    }
    out += "# HELP hrms_http_slow_requests_total Requests slower than HRMS_SLOW_REQUEST_MS (flagged in the audit trail).\n";
    out += "# TYPE hrms_http_slow_requests_total counter\n";
    out += "hrms_http_slow_requests_total " + std::to_string(slow_.load(std::memory_order_relaxed)) + "\n";
    // HELP and TYPE once for the family, then a series per route that has served a request.
    constexpr std::string_view kLatency = "hrms_http_request_duration_seconds";
    out += core::family_header(kLatency, "Time from request parsed to response ready.",
                               "histogram");
    for (std::size_t r = 0; r < routes_.size(); ++r) {
        if (latency_[r]->count() == 0) continue;
        out += latency_[r]->render_series(kLatency, {{"route", routes_[r]}});
    }
    out += "# HELP hrms_http_requests_in_flight Requests being handled now.\n";
    out += "# TYPE hrms_http_requests_in_flight gauge\n";
    out += fmt::format("hrms_http_requests_in_flight {}\n", in_flight_.load(std::memory_order_relaxed));
    out += "# HELP hrms_db_pool_connections Database connections in the pools.\n";
    out += "# TYPE hrms_db_pool_connections gauge\n";
    out += fmt::format("hrms_db_pool_connections {}\n", pool.size);
    out += "# HELP hrms_db_pool_in_use Database connections lent out now.\n";
    out += "# TYPE hrms_db_pool_in_use gauge\n";
    out += fmt::format("hrms_db_pool_in_use {}\n", pool.in_use);
    out += "# HELP hrms_db_pool_waits_total Times a request waited for a free connection.\n";
    out += "# TYPE hrms_db_pool_waits_total counter\n";
    out += fmt::format("hrms_db_pool_waits_total {}\n", pool.waits);
    for (auto const& source : sources_) out += source();
    return out;
}

}  // namespace hrms::http
