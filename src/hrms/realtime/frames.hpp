#pragma once
// The WebSocket protocol's messages: what the server sends (built once, shared by every
// recipient) and what a client may send (parsed with a clear error for anything else).
// Beast-free.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hrms/app/ports.hpp"
#include "hrms/app/reports.hpp"
#include "hrms/core/error.hpp"

namespace hrms::realtime {

// One outgoing text frame. Notifications carry their id (0 for everything else) and when
// their Tx committed (monotonic seconds; 0 when not a live delivery), for the latency metric.
struct Frame {
    std::string text;
    std::int64_t id = 0;
    double committed_at = 0;
    // A snapshot a newer one replaces (dashboards): it waits until the session's queue is
    // empty, and only the latest waits, so notifications never queue behind it.
    bool latest_only = false;
};
using FramePtr = std::shared_ptr<Frame const>;

FramePtr notification_frame(app::NotificationRecord const& n, double committed_at);
FramePtr hello_frame(std::string const& session_id, app::UserId user, std::vector<std::string> const& roles,
                     double heartbeat_s, std::int64_t last_id);
FramePtr replay_done_frame(std::int64_t last_id);
// {"type":"bulk_progress","job_id","done","total","succeeded","failed"}
FramePtr bulk_progress_frame(app::BulkProgress const& p);
// {"type":"profiles_changed","changes":[{profile_id,stage,status,decision,actor_id,actor_name}],"more"}:
// at most kMaxListedChanges changes listed, `more` counts the rest (a bulk batch: reload instead).
inline constexpr std::size_t kMaxListedChanges = 100;
FramePtr profiles_changed_frame(std::vector<app::ProfileChange> const& changes, std::int64_t unlisted = 0);
FramePtr pong_frame();
FramePtr error_frame(std::string_view code, std::string_view message);
// {"type":"dashboard","metrics":<metrics_json>}
// {"type":"dashboard","metrics":<GET /api/v1/dashboard's answer>} (http/dashboard_json).
FramePtr dashboard_frame(app::Dashboard const& d);

struct ClientMessage {
    enum class Type { auth, ping, resume };
    Type type;
    std::string token;      // auth
    std::int64_t after = 0; // resume
};

// Parses one text frame. Errors: bad_request ("not JSON", "not a JSON object", "type must be a
// string", a missing or wrong field) and unknown_type naming the type.
struct ProtocolError {
    std::string code;  // bad_request | unknown_type
    std::string message;
};
std::expected<ClientMessage, ProtocolError> parse_client_message(std::string_view text);

}  // namespace hrms::realtime
