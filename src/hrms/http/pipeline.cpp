#include "hrms/http/pipeline.hpp"

#include <chrono>
#include <random>

#include <filesystem>

#include "hrms/app/audit.hpp"
#include "hrms/app/crypto.hpp"
#include "hrms/app/log.hpp"
#include "hrms/core/text.hpp"

namespace hrms::http {

namespace {
bool safe_request_id(std::string_view id) {
    if (id.empty() || id.size() > 128) return false;
    for (unsigned char c : id) {
        if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':')) return false;
    }
    return true;
}

bool unsafe_method(std::string_view m) { return m != "GET" && m != "HEAD" && m != "OPTIONS"; }

// The session token: the bearer header wins over the cookie.
std::optional<std::string> token_of(Request const& req, bool& from_cookie, bool& malformed) {
    auto const authz = req.header("authorization");
    if (!authz.empty()) {
        auto token = bearer_token(authz);
        malformed = !token;
        return token;
    }
    if (auto c = req.cookie("hrms_session")) {
        from_cookie = true;
        return c;
    }
    return std::nullopt;
}
}  // namespace

std::string request_id_for(Request const& req) {
    auto const given = req.header("x-request-id");
    if (safe_request_id(given)) return std::string(given);
    // 12 hex digits of the time in milliseconds, then 8 random ones: ids made here sort by
    // time, so the audit trail's request-id index grows at its end instead of at random pages.
    thread_local std::mt19937_64 rng{std::random_device{}()};
    static constexpr char kHex[] = "0123456789abcdef";
    auto const ms = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                   std::chrono::system_clock::now().time_since_epoch())
                                                   .count());
    auto const r = rng();
    std::string id(20, '0');
    for (int i = 0; i < 12; ++i) id[i] = kHex[(ms >> (4 * (11 - i))) & 0xF];
    for (int i = 12; i < 20; ++i) id[i] = kHex[(r >> (4 * (i - 12))) & 0xF];
    return id;
}

Pipeline::Pipeline(app::Services& services, HttpConfig const& config, Router const& router, Metrics& metrics)
    : services_(services), config_(config), router_(router), metrics_(metrics),
      // Checked when the settings were read; a bad list here trusts nobody.
      trusted_proxies_(core::parse_cidr_list(config.trusted_proxies, "HRMS_TRUSTED_PROXIES")
                           .value_or(core::CidrList{})),
      web_(config.web_dir) {}

void Pipeline::resolve_client(Request& req) const {
    if (trusted_proxies_.empty()) return;
    req.client_ip = core::client_address(req.client_ip, req.header("forwarded"), req.header("x-forwarded-for"),
                                         trusted_proxies_);
}

namespace {
// The security event a refused request stands for, if any.
std::optional<app::SecurityEvent> security_event(Request const& req, std::string_view route, Response const& res,
                                                 std::optional<app::SecurityEvent> refusal, bool upload) {
    if (refusal) return refusal;
    if (!res.error) return std::nullopt;
    switch (*res.error) {
        case ErrorCode::unauthenticated: {
            // A login's wrong password is reported by the login itself (with the email aimed at);
            // a request without credentials is only an anonymous visitor.
            bool const credentials = !req.header("authorization").empty() || req.cookie("hrms_session");
            if (credentials && route != "/api/v1/auth/login") return app::SecurityEvent::invalid_token;
            return std::nullopt;
        }
        case ErrorCode::forbidden: return app::SecurityEvent::permission_denied;
        case ErrorCode::rate_limited: return app::SecurityEvent::rate_limited;
        case ErrorCode::self_review: return app::SecurityEvent::self_review;
        case ErrorCode::payload_too_large:
        case ErrorCode::unsupported_media_type:
            if (upload) return app::SecurityEvent::upload_refused;
            return std::nullopt;
        default: return std::nullopt;
    }
}
}  // namespace

void Pipeline::record_access(Request const& req, std::string const& request_id, app::Actor const* actor,
                             std::string_view route, Response const& res, double elapsed_s,
                             std::optional<app::SecurityEvent> refusal, bool upload) {
    bool const slow = elapsed_s * 1000 >= config_.slow_request_ms;
    if (slow) metrics_.slow();
    auto const event = security_event(req, route, res, refusal, upload);
    auto& log = services_.access_log;
    if (!log.enabled() && !event) return;
    core::AuditEntry e;
    e.time = services_.clock.now();
    e.category = core::AuditCategory::access;
    e.action = "http.request";
    e.outcome = core::outcome_for_status(res.status);
    e.level = res.status >= 500 ? core::AuditLevel::warning : core::AuditLevel::info;
    if (actor) {
        e.actor_id = actor->id;
        e.session_id = app::session_public_id(actor->token_hash);
    }
    e.request_id = request_id;
    e.ip = req.client_ip;
    e.user_agent = core::clip_utf8(req.header("user-agent"), 512);
    e.method = core::clip_utf8(req.method, 16);
    e.route = std::string(route);
    e.path = core::clip_utf8(req.path, 2048);
    e.status = res.status;
    e.latency_us = static_cast<std::int64_t>(elapsed_s * 1e6);
    e.bytes_in = static_cast<std::int64_t>(req.body.size()) + (req.upload ? req.upload->size : 0);
    std::error_code ec;
    e.bytes_out = res.file_path.empty() ? static_cast<std::int64_t>(res.body.size())
                                        : static_cast<std::int64_t>(std::filesystem::file_size(res.file_path, ec));
    if (ec) e.bytes_out = 0;
    e.slow = slow;
    if (event) services_.security.report({*event, actor ? std::to_string(actor->id) : std::string(), e});
    if (log.enabled()) log.record(std::move(e));
}

void Pipeline::decorate(Response& r, std::string const& request_id, bool api) const {
    r.header("X-Request-Id", request_id);
    r.header("X-Content-Type-Options", "nosniff");
    r.header("X-Frame-Options", "DENY");
    r.header("Referrer-Policy", "no-referrer");
    if (api) {
        r.header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
        r.header("Cache-Control", "no-store");
    }
}

std::optional<Error> Pipeline::authorize(Route const& route, Ctx& ctx) {
    if (route.access != Access::user) return std::nullopt;
    auto const& req = ctx.req;
    bool from_cookie = false, malformed = false;
    auto token = token_of(req, from_cookie, malformed);
    if (!token)
        return Error{ErrorCode::unauthenticated,
                     malformed ? "Authorization must be 'Bearer <token>'" : "authentication required", {}};
    auto actor = services_.auth.authenticate(*token);
    if (!actor) return actor.error();
    ctx.actor = std::move(*actor);
    ctx.actor->request_id = ctx.request_id;  // carried into the rows its transactions write
    ctx.cookie_auth = from_cookie;
    // Double submit, bound to the session: the header must equal both the hrms_csrf cookie and
    // the token minted with this session.
    if (from_cookie && unsafe_method(req.method)) {
        auto const header = req.header("x-csrf-token");
        auto const cookie = req.cookie("hrms_csrf").value_or("");
        if (header.empty() || header != cookie || !app::constant_time_equal(header, ctx.actor->csrf)) {
            ctx.refusal = app::SecurityEvent::csrf_failed;
            return Error{ErrorCode::forbidden, "missing or wrong X-CSRF-Token for a cookie session", {}};
        }
    }
    return std::nullopt;
}

Pipeline::Traits Pipeline::traits(Request const& req) const {
    auto const m = router_.match(req.method, req.path);
    if (!m.route) return {};
    return {m.route->body == Body::upload, m.route->exec == Exec::io};
}

std::optional<Response> Pipeline::precheck(Request const& req, double started_s) {
    auto match = router_.match(req.method, req.path);
    if (!match.route) return std::nullopt;
    Ctx ctx{req, services_, config_, request_id_for(req), {}, std::nullopt, false};
    log::RequestScope scope(ctx.request_id);  // every line the request causes carries its id
    auto denied = authorize(*match.route, ctx);
    if (!denied) return std::nullopt;
    metrics_.started();
    auto res = error_response(*denied, ctx.request_id);
    decorate(res, ctx.request_id, true);
    double const elapsed = monotonic_seconds() - started_s;
    metrics_.finished(match.route->index, req.method, res.status, elapsed);
    record_access(req, ctx.request_id, ctx.actor ? &*ctx.actor : nullptr, match.route->pattern, res, elapsed,
                  ctx.refusal, match.route->body == Body::upload);
    return res;
}

Result<std::optional<app::Actor>> Pipeline::identify(Request const& req) {
    bool from_cookie = false, malformed = false;
    auto token = token_of(req, from_cookie, malformed);
    if (malformed) return fail(ErrorCode::unauthenticated, "Authorization must be 'Bearer <token>'");
    if (!token) return std::optional<app::Actor>{};
    if (from_cookie) {
        // Browsers send cookies with cross-site WebSocket requests; only the page's own origin
        // may use them. (Bearer tokens are never sent by the browser on its own.)
        auto const origin = req.header("origin");
        auto const host = req.header("host");
        auto const scheme = origin.find("://");
        if (!origin.empty() && (scheme == std::string_view::npos || origin.substr(scheme + 3) != host))
            return fail(ErrorCode::forbidden, "cookie sessions are only accepted from this server's own origin");
    }
    auto actor = services_.auth.authenticate(*token);
    if (!actor) return std::unexpected(actor.error());
    return std::optional<app::Actor>(std::move(*actor));
}

void Pipeline::discard_upload(app::StagedUpload const& upload) { services_.blobs.remove_temp(upload.temp_path); }


Response Pipeline::reject(Request const& req, Error const& error) {
    auto const id = request_id_for(req);
    log::RequestScope scope(id);
    auto r = error_response(error, id);
    decorate(r, id, true);
    r.close = true;
    auto const m = router_.match(req.method, req.path);
    record_access(req, id, nullptr, m.route ? std::string_view(m.route->pattern) : std::string_view(), r, 0,
                  std::nullopt, m.route && m.route->body == Body::upload);
    log::warn("http.rejected", {log::str("request_id", id), log::str("ip", req.client_ip),
                                log::num("status", static_cast<long long>(r.status)),
                                log::str("reason", error.message)});
    return r;
}

Response Pipeline::handle(Request& req, double started_s) {
    metrics_.started();
    Ctx ctx{req, services_, config_, request_id_for(req), {}, std::nullopt, false};
    log::RequestScope scope(ctx.request_id);  // every line the request causes carries its id
    std::size_t route_index = router_.routes().size();
    std::string route_name = "unmatched";
    Response res;
    try {
        auto match = router_.match(req.method, req.path);
        if (!match.route) {
            if (!match.allow.empty()) {
                res = error_response({ErrorCode::method_not_allowed,
                                      "method " + req.method + " is not allowed here; use " + match.allow,
                                      "{\"allow\":" + json_quote(match.allow) + "}"},
                                     ctx.request_id);
                res.header("Allow", match.allow);
            } else if (auto page = web_.serve(req)) {
                res = std::move(*page);
                route_name = "web";
            } else {
                res = error_response({ErrorCode::not_found, "no route for " + req.path, {}},
                                     ctx.request_id);
            }
        } else {
            auto const& route = *match.route;
            route_index = route.index;
            route_name = route.pattern;
            ctx.params = std::move(match.params);
            auto denied = authorize(route, ctx);
            if (!denied) {
                denied = check_text_inputs(req);
                if (denied) ctx.refusal = app::SecurityEvent::invalid_utf8;
            }
            res = denied ? error_response(*denied, ctx.request_id) : route.handler(ctx);
        }
    } catch (std::exception const& e) {
        log::error("http.exception", {log::str("request_id", ctx.request_id),
                                      log::str("route", route_name), log::str("what", log::what(e))});
        res = error_response({ErrorCode::internal, "internal error; quote request id " + ctx.request_id, {}},
                             ctx.request_id);
    }
    if (res.content_type.starts_with("application/json") && !core::is_valid_utf8(res.body)) {
        // The last line of defence: every input is checked or repaired on the way in, so this
        // means a path was missed. Repair (JSON stays JSON: bad bytes are only inside strings).
        log::error("http.invalid_utf8_repaired", {log::str("request_id", ctx.request_id),
                                                  log::str("route", route_name)});
        res.body = core::repair_utf8(res.body);
    }
    decorate(res, ctx.request_id, req.path.starts_with("/api/"));
    double const elapsed = monotonic_seconds() - started_s;
    metrics_.finished(route_index, req.method, res.status, elapsed);
    bool const upload = route_index < router_.routes().size() && router_.routes()[route_index].body == Body::upload;
    record_access(req, ctx.request_id, ctx.actor ? &*ctx.actor : nullptr,
                  route_index < router_.routes().size() ? std::string_view(route_name) : std::string_view(), res,
                  elapsed, ctx.refusal, upload);
    double const ms = elapsed * 1000;
    auto const level = res.status >= 500                                   ? log::Level::error
                       : ms >= config_.slow_request_ms            ? log::Level::warn
                                                                           : log::Level::debug;
    if (log::enabled(level)) {
        log::write(level, ms >= config_.slow_request_ms ? "http.slow_request" : "http.request",
                   {log::str("request_id", ctx.request_id), log::str("method", req.method),
                    log::str("route", route_name), log::num("status", static_cast<long long>(res.status)),
                    log::num("ms", ms), log::str("ip", req.client_ip),
                    log::num("user_id", static_cast<long long>(ctx.actor ? ctx.actor->id : 0))});
    }
    return res;
}

}  // namespace hrms::http
