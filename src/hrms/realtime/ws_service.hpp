#pragma once
// /api/v1/ws: WebSocket sessions (authentication, hello, replay, live delivery, heartbeat,
// backpressure, rate limits) and the background tasks around them (cleanup of silent sessions,
// admin dashboards). The implementation (Beast) stays in ws_service.cpp.
#include <memory>

#include "hrms/app/services.hpp"
#include "hrms/realtime/hub.hpp"

namespace hrms::http {
class UpgradeHandler;
}

namespace hrms::realtime {

// The handler http::serve hands WebSocket upgrades for /api/v1/ws to.
std::shared_ptr<http::UpgradeHandler> make_ws_service(app::Services& services, Hub& hub);

}  // namespace hrms::realtime
