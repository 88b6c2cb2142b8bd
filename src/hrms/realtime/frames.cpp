#include "hrms/realtime/frames.hpp"

#include "hrms/core/onboarding.hpp"
#include "hrms/core/text.hpp"
#include "hrms/http/dashboard_json.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cmath>

namespace hrms::realtime {

namespace {
FramePtr make(std::string text, std::int64_t id = 0, double committed_at = 0) {
    return std::make_shared<Frame const>(Frame{std::move(text), id, committed_at});
}

}  // namespace

FramePtr notification_frame(app::NotificationRecord const& n, double committed_at) {
    std::string text;
    text.reserve(96 + n.kind.size() + n.title.size() + n.body.size() + n.data_json.size());
    text += "{\"type\":\"notification\",\"id\":";
    text += std::to_string(n.id);
    text += ",\"kind\":" + json_quote(n.kind);
    text += ",\"title\":" + json_quote(n.title);
    text += ",\"body\":" + json_quote(n.body);
    text += ",\"data\":";
    text += n.data_json.empty() ? "{}" : n.data_json;
    text += ",\"created_at\":" + json_quote(to_rfc3339(n.created_at)) + "}";
    return make(std::move(text), n.id, committed_at);
}

FramePtr hello_frame(std::string const& session_id, app::UserId user, std::vector<std::string> const& roles,
                     double heartbeat_s, std::int64_t last_id) {
    return make("{\"type\":\"hello\",\"session_id\":" + json_quote(session_id) +
                ",\"user_id\":" + std::to_string(user) + ",\"roles\":" + json_quote_list(roles) +
                ",\"heartbeat_s\":" + std::to_string(static_cast<long long>(std::ceil(heartbeat_s))) +
                ",\"last_id\":" + std::to_string(last_id) + "}");
}

FramePtr replay_done_frame(std::int64_t last_id) {
    return make("{\"type\":\"replay_done\",\"last_id\":" + std::to_string(last_id) + "}");
}

FramePtr bulk_progress_frame(app::BulkProgress const& p) {
    return make("{\"type\":\"bulk_progress\",\"job_id\":" + std::to_string(p.job_id) +
                ",\"done\":" + std::to_string(p.done) + ",\"total\":" + std::to_string(p.total) +
                ",\"succeeded\":" + std::to_string(p.succeeded) + ",\"failed\":" + std::to_string(p.failed) + "}");
}

FramePtr profiles_changed_frame(std::vector<app::ProfileChange> const& changes, std::int64_t unlisted) {
    std::string text = "{\"type\":\"profiles_changed\",\"changes\":[";
    auto const listed = std::min(changes.size(), kMaxListedChanges);
    for (std::size_t i = 0; i < listed; ++i) {
        auto const& c = changes[i];
        if (i) text += ',';
        text += "{\"profile_id\":" + std::to_string(c.profile_id);
        text += ",\"event\":" + json_quote(c.event);
        text += ",\"stage\":" + (c.stage ? json_quote(core::to_string(*c.stage)) : std::string("null"));
        text += ",\"status\":" + (c.status ? json_quote(core::to_string(*c.status)) : std::string("null"));
        text += ",\"document_id\":" + (c.document ? std::to_string(c.document) : std::string("null"));
        text += ",\"decision\":" + (c.decision.empty() ? std::string("null") : json_quote(c.decision));
        text += ",\"actor_id\":" + (c.actor ? std::to_string(c.actor) : std::string("null"));
        text += ",\"actor_name\":" + (c.actor_name.empty() ? std::string("null") : json_quote(c.actor_name)) + "}";
    }
    text += "],\"more\":" + std::to_string(static_cast<std::int64_t>(changes.size() - listed) + unlisted) + "}";
    return make(std::move(text));
}

FramePtr pong_frame() {
    static FramePtr const kPong = make("{\"type\":\"pong\"}");
    return kPong;
}

FramePtr error_frame(std::string_view code, std::string_view message) {
    return make("{\"type\":\"error\",\"code\":" + json_quote(code) + ",\"message\":" + json_quote(message) + "}");
}

FramePtr dashboard_frame(app::Dashboard const& d) {
    namespace json = boost::json;
    return std::make_shared<Frame const>(
        Frame{json::serialize(json::object{{"type", "dashboard"}, {"metrics", http::dashboard_json(d)}}), 0, 0, true});
}

std::expected<ClientMessage, ProtocolError> parse_client_message(std::string_view text) {
    auto bad = [](std::string message) {
        return std::unexpected(ProtocolError{"bad_request", std::move(message)});
    };
    boost::system::error_code ec;
    auto value = boost::json::parse(text, ec);
    if (ec) return bad("message is not JSON: " + ec.message());
    auto const* obj = value.if_object();
    if (!obj) return bad("message must be a JSON object");
    auto const* type = obj->if_contains("type");
    if (!type || !type->is_string()) return bad("type must be a string");
    std::string_view const t = type->get_string();
    ClientMessage m{};
    if (t == "ping") {
        m.type = ClientMessage::Type::ping;
    } else if (t == "auth") {
        m.type = ClientMessage::Type::auth;
        auto const* token = obj->if_contains("token");
        if (!token || !token->is_string() || token->get_string().empty())
            return bad("auth needs a non-empty string token");
        m.token = std::string(token->get_string());
    } else if (t == "resume") {
        m.type = ClientMessage::Type::resume;
        auto const* after = obj->if_contains("after");
        if (!after || !(after->is_int64() || after->is_uint64()) ||
            (after->is_int64() && after->get_int64() < 0) ||
            (after->is_uint64() && after->get_uint64() > static_cast<std::uint64_t>(INT64_MAX)))
            return bad("resume needs after: a notification id (an integer >= 0)");
        m.after = after->is_int64() ? after->get_int64() : static_cast<std::int64_t>(after->get_uint64());
    } else {
        auto const shown = core::clip_utf8(t, 64);  // whole characters only
        return std::unexpected(ProtocolError{"unknown_type", "unknown message type '" + shown + "'"});
    }
    return m;
}

}  // namespace hrms::realtime
