// /api/v1/audit: search the audit trail, read one entry, verify the chain (permission audit.read).
#include "hrms/app/audit.hpp"
#include "hrms/core/text.hpp"
#include "hrms/http/handlers/common.hpp"

namespace hrms::http {

namespace json = boost::json;

namespace {


// Stored JSON (before, after, details) as a value; text that is not JSON stays text.
json::value stored_json(std::string const& s) {
    if (s.empty()) return nullptr;
    boost::system::error_code ec;
    auto v = json::parse(s, ec);
    return ec ? json::value(s) : v;
}

// How long the entry's event took: an HTTP request to its response, a WebSocket session from
// connect to disconnect, a job run; nothing for the rest.
std::optional<double> latency_ms(app::AuditEntry const& e) {
    if (e.method.empty() && e.latency_us == 0) return std::nullopt;
    return static_cast<double>(e.latency_us) / 1000.0;
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
        {"latency_ms", or_null(latency_ms(e))},
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

Result<app::AuditQuery> audit_query(Ctx const& ctx) {
    app::AuditQuery q;
    auto const page = TRY(page_params(ctx, app::kMaxPageSize));
    q.limit = page.limit;
    q.before_seq = page.cursor;
    if (ctx.req.query_param("actor_id")) q.actor_id = TRY(int_param(ctx, "actor_id", 0, 1, INT64_MAX));
    q.category = TRY(enum_param<core::AuditCategory>(ctx, "category", core::parse_audit_category));
    q.level = TRY(enum_param<core::AuditLevel>(ctx, "level", core::parse_audit_level));
    q.outcome = TRY(enum_param<core::AuditOutcome>(ctx, "outcome", core::parse_audit_outcome));
    q.action = TRY(text_filter(ctx, "action", 100));
    q.target_type = TRY(text_filter(ctx, "target_type", 50));
    q.target_id = TRY(text_filter(ctx, "target_id", 100));
    q.request_id = TRY(text_filter(ctx, "request_id", 128));
    q.from = TRY(time_filter(ctx, "from"));
    q.to = TRY(time_filter(ctx, "to"));
    if (auto f = ctx.req.query_param("format"); f && *f != "json" && *f != "csv")
        return invalid_field("format", "format must be json or csv");
    return q;
}

constexpr char kCsvHeader[] =
    "seq,time,category,level,action,outcome,actor_id,session_id,request_id,ip,user_agent,method,route,path,"
    "status,latency_ms,bytes_in,bytes_out,slow,target_type,target_id,reason,before,after,details,hash\r\n";

void csv_row(std::string& out, app::AuditEntry const& e) {
    auto num = [&](std::int64_t v) { out += std::to_string(v); };
    num(e.seq);
    out += ',';
    out += to_rfc3339(e.time);
    for (std::string_view v : {std::string_view(core::to_string(e.category)), std::string_view(core::to_string(e.level)),
                               std::string_view(e.action), std::string_view(core::to_string(e.outcome))}) {
        out += ',';
        core::csv_field(out, v);
    }
    out += ',';
    if (e.actor_id) num(*e.actor_id);
    for (auto const* v : {&e.session_id, &e.request_id, &e.ip, &e.user_agent, &e.method, &e.route, &e.path}) {
        out += ',';
        core::csv_field(out, *v);
    }
    out += ',';
    if (!e.method.empty()) num(e.status);
    out += ',';
    if (auto const ms = latency_ms(e)) {
        char text[32];
        std::snprintf(text, sizeof text, "%.3f", *ms);
        out += text;
    }
    out += ',';
    num(e.bytes_in);
    out += ',';
    num(e.bytes_out);
    out += e.slow ? ",true" : ",false";
    for (auto const* v : {&e.target_type, &e.target_id, &e.reason, &e.before, &e.after, &e.details, &e.hash}) {
        out += ',';
        core::csv_field(out, *v);
    }
    out += "\r\n";
}

// GET /api/v1/audit?format=csv: every matching entry, newest first, a page of the store at a
// time (each page its own short read), so neither memory nor a connection is held for the
// length of the download.
Response csv_export(Ctx& ctx, app::AuditQuery q) {
    constexpr int kPage = 1000;
    q.limit = kPage;
    struct State {
        app::Services& services;
        app::Actor actor;
        app::AuditQuery query;
        bool started = false;
    };
    auto state = std::make_shared<State>(State{ctx.services, ctx.who(), q});
    Response r;
    r.content_type = "text/csv; charset=utf-8";
    r.header("Content-Disposition", "attachment; filename=\"audit.csv\"");
    r.stream = [state](std::string& chunk) -> bool {
        if (!state->started) {
            state->started = true;
            chunk += kCsvHeader;
        }
        auto page = state->services.audit.search(state->actor, state->query);
        if (!page) throw std::runtime_error("audit export: " + page.error().message);
        for (auto const& e : page->items) csv_row(chunk, e);
        if (!page->next_before) return false;
        state->query.before_seq = page->next_before;
        return true;
    };
    return r;
}

}  // namespace

void add_audit_routes(Router& r) {
    r.add("GET", "/api/v1/audit", [](Ctx& ctx) {
        auto q = HTTP_TRY(ctx, audit_query(ctx));
        if (ctx.req.query_param("format") == std::optional<std::string>("csv")) {
            // Refused here, with a status, rather than once the stream has begun.
            HTTP_TRY_VOID(ctx, ctx.services.audit.check(ctx.who(), q));
            return csv_export(ctx, q);
        }
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
