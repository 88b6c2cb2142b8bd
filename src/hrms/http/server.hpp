#pragma once
// The HTTP server. Beast and Asio stay behind this header (a compile firewall).
#include "hrms/app/services.hpp"
#include "hrms/http/config.hpp"
#include "hrms/http/metrics.hpp"
#include "hrms/http/router.hpp"

namespace hrms::http {

// Listens on config.listen, serves until SIGTERM or SIGINT, then stops accepting, lets
// in-flight requests finish (up to shutdown_grace_s), and returns 0. Throws if it cannot bind.
// `upgrade` (may be null) takes over WebSocket upgrade requests for the paths it wants.
class UpgradeHandler;
int serve(app::Services& services, HttpConfig const& config, Router const& router, Metrics& metrics,
          UpgradeHandler* upgrade = nullptr);

}  // namespace hrms::http
