#pragma once
// The HTTP server's settings (HRMS_LISTEN, the limits and timeouts, proxies, cookies); each is
// documented in docs/operations.md and loaded by cli/config.cpp.
#include <algorithm>
#include <cstddef>
#include <string>
#include <thread>

#ifndef HRMS_WEB_DIR_DEFAULT
#define HRMS_WEB_DIR_DEFAULT "web/dist"
#endif

namespace hrms::http {

struct HttpConfig {
    std::string listen = "127.0.0.1:8080";
    int io_threads = 0;      // 0: one per core
    int worker_threads = 0;  // blocking pool; 0: max(4, 2 * cores)

    std::size_t max_header_bytes = 16 * 1024;
    std::size_t max_body_bytes = 1024 * 1024;         // JSON bodies
    std::size_t max_upload_bytes = 10 * 1024 * 1024;  // HRMS_MAX_UPLOAD_BYTES
    double http_read_timeout_s = 15;                  // whole request must arrive within this
    double http_idle_timeout_s = 60;                  // keep-alive wait for the next request
    double shutdown_grace_s = 25;                     // in-flight work may take this long after SIGTERM
    double slow_request_ms = 500;
    bool cookie_secure = false;
    // Behind a reverse proxy: forwarding headers count only from these (CIDR list).
    std::string trusted_proxies;
    // The web interface's build (index.html and assets/), served at `/`: HRMS_WEB_DIR. The
    // default is web/dist of the source tree this binary was built from.
    std::string web_dir = HRMS_WEB_DIR_DEFAULT;

    // The thread counts, with their defaults applied (the one place they are).
    int effective_io_threads() const { return io_threads > 0 ? io_threads : std::max(1, cores()); }
    int effective_worker_threads() const { return worker_threads > 0 ? worker_threads : std::max(4, 2 * cores()); }
    static int cores() { return static_cast<int>(std::thread::hardware_concurrency()); }
};

}  // namespace hrms::http
