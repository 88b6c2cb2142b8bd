#pragma once
// Every setting of the server. Loaded by cli/config.cpp from hrms.toml and HRMS_* variables;
// each field is documented in docs/operations.md.
#include <algorithm>
#include <thread>
#include <cstddef>
#include <optional>
#include <string>

namespace hrms::app {

struct Config {
    std::string listen = "127.0.0.1:8080";
    std::string data_dir = "./var";
    std::string database_url;  // default sqlite://$data_dir/hrms.db
    std::string admin_email;
    std::string admin_password;
    bool dev_mode = false;
    std::string log_level = "info";

    int io_threads = 0;        // 0: one per core
    int worker_threads = 0;    // blocking pool; 0: max(4, 2 * cores)
    int db_pool_size = 0;      // readers (SQLite) or connections (PostgreSQL); 0: worker_threads

    // The thread and connection counts, with their defaults applied (the one place they are).
    int effective_io_threads() const { return io_threads > 0 ? io_threads : std::max(1, cores()); }
    int effective_worker_threads() const { return worker_threads > 0 ? worker_threads : std::max(4, 2 * cores()); }
    int effective_db_pool_size() const { return db_pool_size > 0 ? db_pool_size : effective_worker_threads(); }
    static int cores() { return static_cast<int>(std::thread::hardware_concurrency()); }

    std::size_t max_header_bytes = 16 * 1024;
    std::size_t max_body_bytes = 1024 * 1024;           // JSON bodies
    std::size_t max_upload_bytes = 10 * 1024 * 1024;    // HRMS_MAX_UPLOAD_BYTES
    double http_read_timeout_s = 15;   // whole request must arrive within this
    double http_idle_timeout_s = 60;   // keep-alive wait for the next request
    double shutdown_grace_s = 25;      // in-flight work may take this long after SIGTERM
    double slow_request_ms = 500;

    double session_ttl_s = 8 * 3600;           // idle lifetime, renewed on use
    double session_max_age_s = 7 * 24 * 3600;  // absolute lifetime
    double session_renew_after_s = 60;         // write the renewal at most this often
    bool cookie_secure = false;

    int login_max_failures = 5;           // per email and address, then growing delays
    double login_backoff_s = 1;           // the first delay; doubles with each further failure
    double login_lockout_s = 900;         // the longest delay, and how long a lock lasts
    int login_lock_addresses = 10;        // distinct failing addresses that lock an email
    int login_ip_max_failures = 20;       // per IP within the lockout window
    double login_rate_per_ip = 5;         // attempts per second, sustained
    double login_burst_per_ip = 20;

    double invite_ttl_hours = 72;

    // Behind a reverse proxy: forwarding headers count only from these (CIDR list).
    std::string trusted_proxies;
    // Addresses that may read /metrics without a token (CIDR list); unset: loopback when no
    // proxy is trusted, nobody when one is (every request would look like the proxy's).
    std::optional<std::string> metrics_allow;
    // Lets a reviewer decide their own profile (very small organisations only).
    bool allow_self_review = false;

    // The CIDR list of addresses that may read /metrics without a token.
    std::string effective_metrics_allow() const {
        if (metrics_allow) return *metrics_allow;
        return trusted_proxies.empty() ? "127.0.0.0/8,::1/128" : "";
    }

    double sla_hours_details = 48;
    double sla_hours_documents = 72;
    double sla_hours_final = 24;
    double reminder_after = 1.0;  // fraction of the SLA
    double escalate_after = 2.0;
    double sla_scan_interval_s = 60;  // how often reviews past escalate_after are looked for

    // Background jobs (jobs/).
    double job_lease_s = 30;  // a cluster-wide job's lease: max(this, 2 x its interval)

    // WebSocket sessions (/api/v1/ws).
    double ws_idle_timeout_s = 300;          // closed after this long without any frame
    double ws_cleanup_interval_s = 60;       // how often silent sessions are swept
    double ws_auth_timeout_s = 10;           // an unauthenticated socket must send auth by then
    std::size_t ws_max_message_bytes = 4096; // larger client frames: closed with 1009
    std::size_t ws_queue_messages = 1024;    // a session's outgoing queue; beyond: closed 1013
    std::size_t ws_queue_bytes = 1024 * 1024;
    double ws_rate_per_s = 20;               // client messages per second (bursts of twice that)
    double ws_dashboard_interval_s = 1;      // at most one dashboard per admin session this often

    // The configured SQLite URL for the data dir when none was given.
    std::string effective_database_url() const {
        return database_url.empty() ? "sqlite://" + data_dir + "/hrms.db" : database_url;
    }
};

}  // namespace hrms::app
