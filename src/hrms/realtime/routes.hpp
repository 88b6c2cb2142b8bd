#pragma once
// The HTTP side of /api/v1/ws: a plain GET (no upgrade) answers 426, and the admin views of
// live sessions and their statistics.
#include "hrms/http/router.hpp"
#include "hrms/realtime/hub.hpp"

namespace hrms::realtime {

void add_ws_routes(http::Router& r, Hub& hub);

}  // namespace hrms::realtime
