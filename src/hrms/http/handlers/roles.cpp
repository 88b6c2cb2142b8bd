// /api/v1/roles: custom roles with permissions and inheritance
#include "hrms/http/handlers/common.hpp"

namespace hrms::http {

namespace json = boost::json;

namespace {
Result<app::RoleInput> role_input(JsonBody const& body, std::string name) {
    app::RoleInput in;
    in.name = std::move(name);
    in.description = TRY(body.optional_string("description"));
    in.permissions = TRY(body.optional_strings("permissions"));
    in.inherits = TRY(body.optional_strings("inherits"));
    return in;
}
}  // namespace

void add_role_routes(Router& r) {
    r.add("GET", "/api/v1/roles", [](Ctx& ctx) {
        auto roles = HTTP_TRY(ctx, ctx.services.roles.list(ctx.who()));
        json::array items;
        for (auto const& role : roles) items.emplace_back(role_json(role));
        return page_json(std::move(items), std::nullopt);
    });

    r.add("POST", "/api/v1/roles", [](Ctx& ctx) {
        auto body = HTTP_TRY(ctx, decode(ctx));
        auto name = HTTP_TRY(ctx, body.required_string("name"));
        auto in = HTTP_TRY(ctx, role_input(body, name));
        auto res = ok_json(role_json(HTTP_TRY(ctx, ctx.services.roles.create(ctx.who(), in))), 201);
        res.header("Location", "/api/v1/roles/" + name);
        return res;
    });

    r.add("GET", "/api/v1/roles/{name}", [](Ctx& ctx) {
        return ok_json(role_json(HTTP_TRY(ctx, ctx.services.roles.get(ctx.who(), ctx.param("name")))));
    });

    r.add("PUT", "/api/v1/roles/{name}", [](Ctx& ctx) {
        auto body = HTTP_TRY(ctx, decode(ctx));
        auto in = HTTP_TRY(ctx, role_input(body, ctx.param("name")));
        return ok_json(role_json(HTTP_TRY(ctx, ctx.services.roles.update(ctx.who(), in))));
    });

    r.add("DELETE", "/api/v1/roles/{name}", [](Ctx& ctx) {
        HTTP_TRY_VOID(ctx, ctx.services.roles.remove(ctx.who(), ctx.param("name")));
        return no_content();
    });
}

}  // namespace hrms::http
