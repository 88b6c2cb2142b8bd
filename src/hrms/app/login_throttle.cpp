#include "hrms/app/login_throttle.hpp"

#include <algorithm>

namespace hrms::app {

double LoginThrottle::admit(std::string const& ip, Instant now) {
    std::lock_guard lock(mutex_);
    if (entries_.size() > 100'000) prune_locked(now);
    auto [it, fresh] = entries_.try_emplace(ip);
    auto& e = it->second;
    if (fresh) {
        e.tokens = limits_.burst;
        e.refilled = now;
        e.window_start = now;
    }
    double const window_ms = limits_.failure_window_s * 1000;
    if (static_cast<double>(now.ms - e.window_start.ms) >= window_ms) {
        e.failures = 0;
        e.window_start = now;
    }
    if (e.failures >= limits_.max_failures) {
        return std::max(1.0, (window_ms - static_cast<double>(now.ms - e.window_start.ms)) / 1000);
    }
    e.tokens = std::min(limits_.burst,
                        e.tokens + static_cast<double>(now.ms - e.refilled.ms) / 1000 * limits_.rate_per_s);
    e.refilled = now;
    if (e.tokens < 1) return std::max(1.0, (1 - e.tokens) / limits_.rate_per_s);
    e.tokens -= 1;
    return 0;
}

void LoginThrottle::record_failure(std::string const& ip, Instant now) {
    std::lock_guard lock(mutex_);
    auto& e = entries_[ip];
    if (e.failures == 0) e.window_start = now;
    ++e.failures;
}

void LoginThrottle::prune_locked(Instant now) {
    std::erase_if(entries_, [&](auto const& kv) {
        return static_cast<double>(now.ms - kv.second.window_start.ms) >
                   limits_.failure_window_s * 1000 &&
               kv.second.tokens >= limits_.burst - 1;
    });
}

}  // namespace hrms::app
