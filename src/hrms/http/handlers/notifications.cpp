// /api/v1/notifications: the persisted feed
#include "hrms/http/handlers/common.hpp"

namespace hrms::http {

namespace json = boost::json;

void add_notification_routes(Router& r) {
    r.add("GET", "/api/v1/notifications", [](Ctx& ctx) {
        auto const after = HTTP_TRY(ctx, int_param(ctx, "after", 0, 0, INT64_MAX));
        auto const limit = HTTP_TRY(ctx, int_param(ctx, "limit", 50, 1, app::kMaxFeedPage));
        auto rows = HTTP_TRY(ctx, ctx.services.notifications.feed(ctx.who(), after, static_cast<int>(limit)));
        auto const unread = HTTP_TRY(ctx, ctx.services.notifications.unread_count(ctx.who()));
        json::array items;
        for (auto const& n : rows) items.emplace_back(notification_json(n));
        json::object o;
        o["next_after"] = rows.empty() ? after : rows.back().id;
        o["items"] = std::move(items);
        o["unread"] = unread;
        return ok_json(o);
    });

    r.add("GET", "/api/v1/notifications/unread-count", [](Ctx& ctx) {
        auto const unread = HTTP_TRY(ctx, ctx.services.notifications.unread_count(ctx.who()));
        return ok_json(json::object{{"unread", unread}});
    });

    r.add("POST", "/api/v1/notifications/{id}/read", [](Ctx& ctx) {
        auto id = HTTP_TRY(ctx, ctx.param_id("id"));
        HTTP_TRY_VOID(ctx, ctx.services.notifications.read(ctx.who(), id));
        return no_content();
    });

    r.add("POST", "/api/v1/notifications/read-all", [](Ctx& ctx) {
        HTTP_TRY_VOID(ctx, ctx.services.notifications.read_all(ctx.who()));
        return no_content();
    });
}

}  // namespace hrms::http
