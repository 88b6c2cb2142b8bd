#pragma once
// /api/v1/ws: WebSocket sessions (authentication, hello, replay, live delivery, heartbeat,
// backpressure, rate limits) and the background tasks around them (cleanup of silent sessions,
// admin dashboards). The implementation (Beast) stays in ws_service.cpp.
#include <cstddef>
#include <memory>

#include "hrms/app/services.hpp"
#include "hrms/realtime/hub.hpp"

namespace hrms::http {
class UpgradeHandler;
}

namespace hrms::realtime {

// The WebSocket settings (HRMS_WS_*, documented in docs/operations.md).
struct WsConfig {
    double ws_idle_timeout_s = 300;           // closed after this long without any frame
    double ws_cleanup_interval_s = 60;        // how often silent sessions are swept
    double ws_auth_timeout_s = 10;            // an unauthenticated socket must send auth by then
    std::size_t ws_max_message_bytes = 4096;  // larger client frames: closed with 1009
    std::size_t ws_queue_messages = 1024;     // a session's outgoing queue; beyond: closed 1013
    std::size_t ws_queue_bytes = 1024 * 1024;
    double ws_rate_per_s = 20;                // client messages per second (bursts of twice that)
    double ws_dashboard_interval_s = 1;       // at most one dashboard per admin session this often
};

// The handler http::serve hands WebSocket upgrades for /api/v1/ws to.
std::shared_ptr<http::UpgradeHandler> make_ws_service(app::Services& services, Hub& hub, WsConfig const& config);

}  // namespace hrms::realtime
