// /api/v1/audit: search the audit trail, read one entry, verify the chain (permission audit.read).
#include "hrms/app/audit.hpp"
#include "hrms/http/handlers/common.hpp"

namespace hrms::http {

namespace json = boost::json;

namespace {

json::value text_or_null(std::string const& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

// Stored JSON (before, after, details) as a value; text that is not JSON stays text.
json::value stored_json(std::string const& s) {
    if (s.empty()) return nullptr;
    boost::system::error_code ec;
    auto v = json::parse(s, ec);
    return ec ? json::value(s) : v;
}

json::object entry_json(app::AuditEntry const& e) {
    bool const request = !e.method.empty();
    return json::object{
        {"seq", e.seq},
        {"time", json_value(e.time)},
        {"category", core::to_string(e.category)},
        {"level", core::to_string(e.level)},
        {"action", e.action},
        {"outcome", core::to_string(e.outcome)},
        {"actor_id", or_null(e.actor_id)},
        {"session_id", text_or_null(e.session_id)},
        {"request_id", text_or_null(e.request_id)},
        {"ip", text_or_null(e.ip)},
        {"user_agent", text_or_null(e.user_agent)},
        {"method", text_or_null(e.method)},
        {"route", text_or_null(e.route)},
        {"path", text_or_null(e.path)},
        {"status", request ? json::value(e.status) : json::value(nullptr)},
        {"latency_ms", request ? json::value(static_cast<double>(e.latency_us) / 1000.0) : json::value(nullptr)},
        {"bytes_in", e.bytes_in},
        {"bytes_out", e.bytes_out},
        {"slow", e.slow},
        {"target_type", text_or_null(e.target_type)},
        {"target_id", text_or_null(e.target_id)},
        {"reason", text_or_null(e.reason)},
        {"before", stored_json(e.before)},
        {"after", stored_json(e.after)},
        {"details", stored_json(e.details)},
        {"hash", e.hash},
    };
}

// A text filter: absent, or 1..max bytes.
Result<std::optional<std::string>> text_filter(Ctx const& ctx, char const* name, std::size_t max) {
    auto v = ctx.req.query_param(name);
    if (!v) return std::optional<std::string>{};
    if (v->empty() || v->size() > max)
        return invalid_field(name, std::string(name) + " must be 1 to " + std::to_string(max) + " characters");
    return std::optional<std::string>(std::move(*v));
}

template <class E>
Result<std::optional<E>> enum_filter(Ctx const& ctx, char const* name, std::optional<E> (*parse)(std::string_view),
                                     char const* allowed) {
    auto v = ctx.req.query_param(name);
    if (!v) return std::optional<E>{};
    auto e = parse(*v);
    if (!e) return invalid_field(name, std::string(name) + " must be one of " + allowed);
    return std::optional<E>(*e);
}

Result<std::optional<Instant>> time_filter(Ctx const& ctx, char const* name) {
    auto v = ctx.req.query_param(name);
    if (!v) return std::optional<Instant>{};
    auto t = parse_rfc3339(*v);
    if (!t) return invalid_field(name, std::string(name) + " must be an RFC 3339 time");
    return std::optional<Instant>(*t);
}

Result<app::AuditQuery> audit_query(Ctx const& ctx) {
    app::AuditQuery q;
    auto const page = TRY(page_params(ctx, app::kMaxPageSize));
    q.limit = page.limit;
    q.before_seq = page.cursor;
    if (ctx.req.query_param("actor_id")) q.actor_id = TRY(int_param(ctx, "actor_id", 0, 1, INT64_MAX));
    q.category = TRY(enum_filter<core::AuditCategory>(ctx, "category", core::parse_audit_category,
                                                      "access, decision, admin, security, system, job"));
    q.level = TRY(enum_filter<core::AuditLevel>(ctx, "level", core::parse_audit_level, "info, warning, critical"));
    q.outcome = TRY(enum_filter<core::AuditOutcome>(ctx, "outcome", core::parse_audit_outcome,
                                                    "success, failure, denied, error"));
    q.action = TRY(text_filter(ctx, "action", 100));
    q.target_type = TRY(text_filter(ctx, "target_type", 50));
    q.target_id = TRY(text_filter(ctx, "target_id", 100));
    q.request_id = TRY(text_filter(ctx, "request_id", 128));
    q.from = TRY(time_filter(ctx, "from"));
    q.to = TRY(time_filter(ctx, "to"));
    if (auto f = ctx.req.query_param("format"); f && *f != "json")
        return invalid_field("format", "format must be json");
    return q;
}

}  // namespace

void add_audit_routes(Router& r) {
    r.add("GET", "/api/v1/audit", [](Ctx& ctx) {
        auto q = HTTP_TRY(ctx, audit_query(ctx));
        auto page = HTTP_TRY(ctx, ctx.services.audit.search(ctx.who(), q));
        json::array items;
        for (auto const& e : page.items) items.emplace_back(entry_json(e));
        return page_json(std::move(items), page.next_before);
    });

    r.add("GET", "/api/v1/audit/verify", [](Ctx& ctx) {
        auto check = HTTP_TRY(ctx, ctx.services.audit.verify(ctx.who()));
        return ok_json(json::object{{"ok", check.ok},
                                    {"checked", check.checked},
                                    {"checkpoints", check.checkpoints},
                                    {"first_bad_seq", or_null(check.first_bad_seq)},
                                    {"problem", text_or_null(check.problem)}});
    });

    r.add("GET", "/api/v1/audit/{id}", [](Ctx& ctx) {
        auto const seq = HTTP_TRY(ctx, ctx.param_id("id"));
        auto e = HTTP_TRY(ctx, ctx.services.audit.get(ctx.who(), seq));
        return ok_json(entry_json(e));
    });
}

}  // namespace hrms::http
