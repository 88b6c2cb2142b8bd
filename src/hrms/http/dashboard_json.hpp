#pragma once
// The dashboard as JSON: GET /api/v1/dashboard answers it and the admins' `dashboard`
// WebSocket message carries it, so both show the same model.
#include <boost/json.hpp>

#include "hrms/app/reports.hpp"

namespace hrms::http {

boost::json::object dashboard_json(app::Dashboard const& d);

}  // namespace hrms::http
