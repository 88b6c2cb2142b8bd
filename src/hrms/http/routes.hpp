#pragma once
// Every route of the API, registered in one place.
#include <functional>
#include <string>

#include "hrms/core/net.hpp"
#include "hrms/http/metrics.hpp"
#include "hrms/http/router.hpp"

namespace hrms::http {

// The router with all routes; `metrics` learns the route templates for its labels, and clients
// at `metrics_allow` may read /metrics without a token. `more` adds routes served elsewhere
// (realtime/) before the metrics learn the route names.
Router build_router(std::string openapi_yaml, Metrics& metrics, core::CidrList metrics_allow,
                    std::function<void(Router&)> const& more = {});

}  // namespace hrms::http
