// POST /api/v1/auth/login, /logout, /password; GET /api/v1/auth/me
#include "hrms/http/handlers/common.hpp"

namespace hrms::http {

namespace json = boost::json;

namespace {
std::string cookie(std::string const& name, std::string const& value, long long max_age,
                   bool http_only, bool secure) {
    std::string c = name + "=" + value + "; Path=/; SameSite=Strict; Max-Age=" + std::to_string(max_age);
    if (http_only) c += "; HttpOnly";
    if (secure) c += "; Secure";
    return c;
}
}  // namespace

void add_auth_routes(Router& r) {
    r.add("POST", "/api/v1/auth/login", [](Ctx& ctx) {
        auto body = HTTP_TRY(ctx, decode(ctx));
        app::LoginInput in;
        in.email = HTTP_TRY(ctx, body.required_string("email"));
        in.password = HTTP_TRY(ctx, body.required_string("password"));
        in.ip = ctx.req.client_ip;
        in.user_agent = std::string(ctx.req.header("user-agent"));
        in.request_id = ctx.request_id;
        auto result = HTTP_TRY(ctx, ctx.services.auth.login(in));
        json::object user;
        user["id"] = result.user.id;
        user["email"] = result.user.email;
        user["name"] = result.user.name;
        json::array roles;
        for (auto const& role : result.user.roles) roles.emplace_back(role);
        user["roles"] = std::move(roles);
        json::object o;
        o["token"] = result.token;
        o["csrf_token"] = result.csrf;
        o["expires_at"] = json_value(result.expires_at);
        o["user"] = std::move(user);
        auto res = ok_json(o);
        auto const age = static_cast<long long>(ctx.services.auth.policy().session_max_age_s);
        bool const secure = ctx.config.cookie_secure;
        res.header("Set-Cookie", cookie("hrms_session", result.token, age, true, secure));
        res.header("Set-Cookie", cookie("hrms_csrf", result.csrf, age, false, secure));
        return res;
    }, Access::anyone);

    // ?everywhere=true ends every session of the account, not only this one.
    r.add("POST", "/api/v1/auth/logout", [](Ctx& ctx) {
        auto const everywhere = ctx.req.query_param("everywhere").value_or("");
        if (!everywhere.empty() && everywhere != "true" && everywhere != "false")
            return error_of(ctx, invalid_field("everywhere", "everywhere must be true or false").error());
        if (everywhere == "true") {
            HTTP_TRY(ctx, ctx.services.auth.logout_everywhere(ctx.who()));
        } else {
            HTTP_TRY_VOID(ctx, ctx.services.auth.logout(ctx.who()));
        }
        auto res = no_content();
        bool const secure = ctx.config.cookie_secure;
        res.header("Set-Cookie", cookie("hrms_session", "", 0, true, secure));
        res.header("Set-Cookie", cookie("hrms_csrf", "", 0, false, secure));
        return res;
    });

    r.add("GET", "/api/v1/auth/me", [](Ctx& ctx) {
        auto const& a = ctx.who();
        json::object o;
        o["id"] = a.id;
        o["email"] = a.email;
        o["name"] = a.name;
        json::array roles, perms;
        for (auto const& role : a.roles) roles.emplace_back(role);
        for (auto const& p : a.permissions) perms.emplace_back(p);
        o["roles"] = std::move(roles);
        o["permissions"] = std::move(perms);
        return ok_json(o);
    });

    r.add("POST", "/api/v1/auth/password", [](Ctx& ctx) {
        auto body = HTTP_TRY(ctx, decode(ctx));
        auto token = HTTP_TRY(ctx, body.required_string("token"));
        auto password = HTTP_TRY(ctx, body.required_string("new_password"));
        HTTP_TRY_VOID(ctx, ctx.services.auth.accept_invite(token, password));
        return no_content();
    }, Access::anyone);

    // The same 202 whether or not the email has an account: the answer tells nothing.
    r.add("POST", "/api/v1/auth/password-reset", [](Ctx& ctx) {
        auto body = HTTP_TRY(ctx, decode(ctx));
        auto email = HTTP_TRY(ctx, body.required_string("email"));
        HTTP_TRY_VOID(ctx, ctx.services.auth.request_password_reset(email, ctx.req.client_ip));
        return ok_json(boost::json::object{{"status", "accepted"}}, 202);
    }, Access::anyone);
}

}  // namespace hrms::http
