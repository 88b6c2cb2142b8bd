#pragma once
// Who a unit of work acts for (ports.hpp's Tx; the job runner carries it from a request that
// triggered a run into the run's rows).
#include <cstdint>
#include <optional>
#include <string>

namespace hrms::app {

// Who a write transaction acts for, given when it begins: every row it writes that records an
// event carries them (notifications, stage history, audit entries; outbox messages next), so
// that one request's traces can be put together.
struct TxContext {
    std::optional<std::int64_t> actor;  // a UserId; none: the system (a background job, the command line)
    std::string request_id;             // the HTTP request's X-Request-Id; empty outside a request
    std::int64_t bulk_job = 0;          // the bulk job an item runs in (0: none); its audit entries name it
    std::string actor_name;             // the actor's display name (live frames say who acted)
};

}  // namespace hrms::app
