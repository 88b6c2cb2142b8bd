#pragma once
// Per-IP limits on login: a token bucket for attempts and a count of recent failures.
// In memory, per process: the per-account lockout in the database is the shared line of defence.
#include <mutex>
#include <string>
#include <unordered_map>

#include "hrms/core/time.hpp"

namespace hrms::app {

class LoginThrottle {
public:
    struct Limits {
        double rate_per_s = 5;
        double burst = 20;
        int max_failures = 20;
        double failure_window_s = 900;
    };
    explicit LoginThrottle(Limits limits) : limits_(limits) {}

    // Seconds to wait before `ip` may try again; 0 when the attempt may proceed (and is counted).
    double admit(std::string const& ip, Instant now);
    // Counts a failed login from `ip`.
    void record_failure(std::string const& ip, Instant now);

private:
    struct Entry {
        double tokens = 0;
        Instant refilled;
        int failures = 0;
        Instant window_start;
    };
    void prune_locked(Instant now);

    Limits limits_;
    std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
};

}  // namespace hrms::app
