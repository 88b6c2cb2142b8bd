#include "hrms/realtime/routes.hpp"

#include "hrms/http/handlers/common.hpp"

namespace hrms::realtime {

namespace json = boost::json;
using http::Ctx;

void add_ws_routes(http::Router& r, Hub& hub) {
    // Reached only when the request is not a WebSocket upgrade (upgrades never get here).
    r.add("GET", "/api/v1/ws", [](Ctx& ctx) {
        auto res = http::error_response(
            {ErrorCode::upgrade_required, "this endpoint speaks WebSocket: send an Upgrade: websocket request", {}},
            ctx.request_id);
        res.header("Upgrade", "websocket");
        res.header("Connection", "Upgrade");
        return res;
    }, http::Access::anyone, http::Exec::io);

    r.add("GET", "/api/v1/admin/ws/sessions", [&hub](Ctx& ctx) {
        HTTP_TRY_VOID(ctx, app::require(ctx.who(), core::perm::ws_admin));
        json::array items;
        for (auto const& s : hub.sessions()) {
            json::array roles;
            for (auto const& role : s.info.roles) roles.emplace_back(role);
            json::array channels;
            for (auto const& c : s.info.channels) channels.emplace_back(c);
            items.push_back(json::object{
                {"session_id", s.info.id},
                {"user_id", s.info.user_id},
                {"roles", std::move(roles)},
                {"channels", std::move(channels)},
                {"remote_addr", s.info.remote_addr},
                {"user_agent", s.info.user_agent},
                {"connected_at", s.info.connected_at},
                {"last_seen_at", to_rfc3339(Instant{s.last_seen_ms})},
                {"messages_sent", s.sent},
                {"messages_dropped", s.dropped},
                {"queue_depth", s.queue_depth},
            });
        }
        return http::ok_json(json::object{{"items", std::move(items)}});
    });

    r.add("GET", "/api/v1/admin/ws/stats", [&hub](Ctx& ctx) {
        HTTP_TRY_VOID(ctx, app::require(ctx.who(), core::perm::ws_admin));
        auto const s = hub.stats();
        json::object by_role;
        for (auto const& [role, n] : s.by_role) by_role[role] = n;
        return http::ok_json(json::object{
            {"open", s.open},
            {"by_role", std::move(by_role)},
            {"connects", s.connects},
            {"disconnects", s.disconnects},
            {"messages_sent", s.messages_sent},
            {"messages_dropped", s.messages_dropped},
            {"cleanup_runs", s.cleanup_runs},
            {"cleanup_closed", s.cleaned},
        });
    });
}

}  // namespace hrms::realtime
