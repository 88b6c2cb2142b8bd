#pragma once
// Every route of the API, registered in one place.
#include <string>

#include "hrms/http/metrics.hpp"
#include "hrms/http/router.hpp"

namespace hrms::http {

// The router with all routes; `metrics` learns the route templates for its labels.
Router build_router(std::string openapi_yaml, Metrics& metrics);

}  // namespace hrms::http
