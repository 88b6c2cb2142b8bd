#pragma once
// Every route of the API, registered in one place.
#include <functional>
#include <string>

#include "hrms/http/metrics.hpp"
#include "hrms/http/router.hpp"

namespace hrms::http {

// The router with all routes; `metrics` learns the route templates for its labels.
// `more` adds routes served elsewhere (realtime/) before the metrics learn the route names.
Router build_router(std::string openapi_yaml, Metrics& metrics, std::function<void(Router&)> const& more = {});

}  // namespace hrms::http
