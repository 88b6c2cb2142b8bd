// /api/v1/users: create, list, read, update, manager, roles
#include "hrms/http/handlers/common.hpp"

namespace hrms::http {

namespace json = boost::json;

void add_user_routes(Router& r) {
    r.add("POST", "/api/v1/users", [](Ctx& ctx) {
        auto body = HTTP_TRY(ctx, decode(ctx));
        app::CreateUserInput in;
        in.email = HTTP_TRY(ctx, body.required_string("email"));
        in.name = HTTP_TRY(ctx, body.required_string("name"));
        in.roles = HTTP_TRY(ctx, body.optional_strings("roles"));
        in.password = HTTP_TRY(ctx, body.optional_string("password"));
        auto created = HTTP_TRY(ctx, ctx.services.users.create(ctx.who(), in));
        auto o = user_json(created.user);
        if (created.invite_expires_at) o["invite_expires_at"] = json_value(*created.invite_expires_at);
        auto res = ok_json(o, 201);
        res.header("Location", "/api/v1/users/" + std::to_string(created.user.id));
        return res;
    });

    r.add("GET", "/api/v1/users", [](Ctx& ctx) {
        app::UserQuery q;
        auto const page_in = HTTP_TRY(ctx, page_params(ctx, app::kMaxPageSize));
        q.limit = page_in.limit;
        q.after_id = page_in.cursor;
        if (auto role = ctx.req.query_param("role"); role && !role->empty()) q.role = *role;
        if (auto text = ctx.req.query_param("q"); text && !text->empty()) {
            if (text->size() > 200) return error_of(ctx, invalid_field("q", "q is too long").error());
            q.text = *text;
        }
        auto page = HTTP_TRY(ctx, ctx.services.users.list(ctx.who(), q));
        json::array items;
        for (auto const& u : page.items) items.emplace_back(user_json(u));
        return page_json(std::move(items), page.next_after);
    });

    r.add("GET", "/api/v1/users/{id}", [](Ctx& ctx) {
        auto id = HTTP_TRY(ctx, ctx.param_id("id"));
        return ok_json(user_json(HTTP_TRY(ctx, ctx.services.users.get(ctx.who(), id))));
    });

    r.add("PATCH", "/api/v1/users/{id}", [](Ctx& ctx) {
        auto id = HTTP_TRY(ctx, ctx.param_id("id"));
        auto body = HTTP_TRY(ctx, decode(ctx));
        app::UpdateUserInput in;
        in.name = HTTP_TRY(ctx, body.optional_string("name"));
        in.status = HTTP_TRY(ctx, body.optional_string("status"));
        return ok_json(user_json(HTTP_TRY(ctx, ctx.services.users.update(ctx.who(), id, in))));
    });

    r.add("PUT", "/api/v1/users/{id}/manager", [](Ctx& ctx) {
        auto id = HTTP_TRY(ctx, ctx.param_id("id"));
        auto body = HTTP_TRY(ctx, decode(ctx));
        if (!body.has("manager_id"))
            return error_of(ctx, invalid_field("manager_id", "manager_id is required (null clears it)").error());
        auto manager = HTTP_TRY(ctx, body.optional_id("manager_id"));
        return ok_json(user_json(HTTP_TRY(ctx, ctx.services.users.set_manager(ctx.who(), id, manager))));
    });

    // Signs the user out everywhere: every session ends and their sockets close.
    r.add("DELETE", "/api/v1/users/{id}/sessions", [](Ctx& ctx) {
        auto id = HTTP_TRY(ctx, ctx.param_id("id"));
        HTTP_TRY(ctx, ctx.services.users.end_sessions(ctx.who(), id));
        return no_content();
    });

    r.add("PUT", "/api/v1/users/{id}/roles", [](Ctx& ctx) {
        auto id = HTTP_TRY(ctx, ctx.param_id("id"));
        auto body = HTTP_TRY(ctx, decode(ctx));
        auto roles = HTTP_TRY(ctx, body.optional_strings("roles"));
        if (!roles) return error_of(ctx, invalid_field("roles", "roles is required").error());
        return ok_json(user_json(HTTP_TRY(ctx, ctx.services.users.set_roles(ctx.who(), id, *roles))));
    });
}

}  // namespace hrms::http
