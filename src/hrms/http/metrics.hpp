#pragma once
// Prometheus metrics of the HTTP layer: requests by route template and status, a latency
// histogram per route, requests in flight, and database pool use.
#include <array>
#include <functional>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "hrms/app/ports.hpp"
#include "hrms/core/metrics.hpp"

namespace hrms::http {

class Metrics {
public:
    static constexpr std::array<double, 14> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05,   0.1,   0.25,   0.5,   1,    2.5,
                                                     5,      10};
    // Route templates by index (Route::index); one more slot counts unmatched requests. Called
    // once, before serving.
    void set_routes(std::vector<std::string> routes);

    void started() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
    void finished(std::size_t route, std::string const& method, int status, double seconds);
    // A request slower than HRMS_SLOW_REQUEST_MS.
    void slow() { slow_.fetch_add(1, std::memory_order_relaxed); }

    // The text exposition format (version 0.0.4).
    std::string render(app::PoolStats const& pool) const;
    // Another component's metrics, appended to render()'s output. Called before serving.
    void add_source(std::function<std::string()> source) { sources_.push_back(std::move(source)); }

private:
    std::vector<std::string> routes_;
    std::vector<std::unique_ptr<core::Histogram>> latency_;
    std::atomic<std::int64_t> in_flight_{0};
    std::atomic<std::int64_t> slow_{0};
    // Request counters without a lock on the hot path: [route][method][status] slots, with
    // the statuses and methods this server can answer listed up front.
    static constexpr std::array<int, 22> kStatuses{200, 201, 202, 204, 206, 301, 302, 304, 400, 401, 403,
                                                   404, 405, 409, 413, 415, 422, 429, 431, 500, 503, 0};
    static constexpr std::array<char const*, 8> kMethods{"GET", "POST", "PUT", "PATCH", "DELETE",
                                                         "HEAD", "OPTIONS", "OTHER"};
    static std::size_t status_slot(int status);
    static std::size_t method_slot(std::string const& method);
    std::unique_ptr<std::atomic<std::uint64_t>[]> requests_;
    std::vector<std::function<std::string()>> sources_;
};

}  // namespace hrms::http
