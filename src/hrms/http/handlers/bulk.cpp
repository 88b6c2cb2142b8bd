// /api/v1/bulk: admin actions over many items (app/bulk.hpp), their jobs and per-item results.
#include "hrms/app/bulk.hpp"

#include <algorithm>

#include "hrms/app/crypto.hpp"
#include "hrms/http/handlers/common.hpp"

namespace hrms::http {

namespace json = boost::json;

namespace {

json::object item_json(app::BulkItemRecord const& it) {
    json::object o{{"seq", it.seq},
                   {"id", it.target.empty() ? json::value(nullptr) : json::value(it.target)},
                   {"status", it.status},
                   {"ok", it.status == "ok"}};
    if (!it.error_code.empty()) o["error"] = json::object{{"code", it.error_code}, {"message", it.error_message}};
    return o;
}

json::object job_json(app::BulkJobRecord const& j) {
    return json::object{
        {"job_id", j.id},
        {"kind", j.kind},
        {"status", j.status},
        {"actor_id", j.actor_id},
        {"request_id", text_or_null(j.request_id)},
        {"total", j.total},
        {"done", j.done},
        {"succeeded", j.succeeded},
        {"failed", j.failed},
        {"cancel_requested", j.cancel_requested},
        {"created_at", json_value(j.created_at)},
        {"updated_at", json_value(j.updated_at)},
        {"finished_at", or_null(j.finished_at)},
    };
}

// A job and a page of its results: to a request that made it, 200 when it ran in the request
// and 202 when it went to the background runner (even if that finished it already: the status
// says so) or, replayed, while it runs (`accepted`); a replay of an Idempotency-Key says so in a
// header. A GET answers 200 whatever the job's state.
Response answer_json(app::BulkAnswer const& a, bool accepted = true) {
    auto o = job_json(a.job);
    json::array results;
    for (auto const& it : a.results) results.emplace_back(item_json(it));
    o["results"] = std::move(results);
    o["next_cursor"] = a.next_after ? json::value(std::to_string(*a.next_after)) : json::value(nullptr);
    auto r = ok_json(o, accepted && (a.background || a.job.status == "running") ? 202 : 200);
    if (a.replayed) r.header("Idempotent-Replayed", "true");
    return r;
}

// The Idempotency-Key header and a hash of what it protects (method, path and body).
app::BulkOptions options_of(Ctx const& ctx) {
    return {std::string(ctx.req.header("idempotency-key")),
            app::sha256_hex(ctx.req.method + " " + ctx.req.path + "\n" + ctx.req.body)};
}
// An Idempotency-Key header that is present but empty is a mistake, not "no key".
Result<void> check_key_present(Ctx const& ctx) {
    for (auto const& [k, v] : ctx.req.headers)
        if (k == "idempotency-key" && v.empty())
            return invalid_field("Idempotency-Key", "Idempotency-Key must not be empty");
    return {};
}

// An optional list of ids: empty when absent.
Result<std::vector<std::int64_t>> ids_or_none(JsonBody const& body, char const* key) {
    return TRY(body.optional_ids(key, app::kMaxBulkItems)).value_or(std::vector<std::int64_t>{});
}

// A required list of ids.
Result<std::vector<std::int64_t>> ids(JsonBody const& body, char const* key) {
    auto v = TRY(body.optional_ids(key, app::kMaxBulkItems));
    if (!v) return invalid_field(key, std::string(key) + " is required");
    return std::move(*v);
}

template <class E, class F>
Result<E> required_enum(JsonBody const& body, char const* key, F parse) {
    auto const text = TRY(body.required_string(key));
    auto v = parse(text);
    if (!v) return invalid_field(key, "unknown " + std::string(key) + " '" + text + "'");
    return *v;
}

}  // namespace

void add_bulk_routes(Router& r) {
    r.add("POST", "/api/v1/bulk/profiles/decision", [](Ctx& ctx) {
        auto body = HTTP_TRY(ctx, decode(ctx));
        HTTP_TRY_VOID(ctx, check_key_present(ctx));
        app::ProfileDecisionRequest q;
        q.profile_ids = HTTP_TRY(ctx, ids(body, "profile_ids"));
        q.decision = HTTP_TRY(ctx, required_enum<core::Decision>(body, "decision", core::parse_decision));
        if (auto stage = HTTP_TRY(ctx, body.optional_string("stage"))) {
            auto s = core::parse_stage(*stage);
            if (!s || *s == core::Stage::completed)
                return error_of(ctx, invalid_field("stage", "stage must be details, documents or final").error());
            q.stage = *s;
        }
        q.reason = HTTP_TRY(ctx, body.optional_string("reason")).value_or("");
        return answer_json(HTTP_TRY(ctx, ctx.services.bulk.decide_profiles(ctx.who(), q, options_of(ctx))));
    });

    r.add("POST", "/api/v1/bulk/profiles/status", [](Ctx& ctx) {
        auto body = HTTP_TRY(ctx, decode(ctx));
        HTTP_TRY_VOID(ctx, check_key_present(ctx));
        app::ProfileStatusRequest q;
        q.profile_ids = HTTP_TRY(ctx, ids(body, "profile_ids"));
        q.status = HTTP_TRY(ctx, required_enum<core::EmploymentStatus>(body, "employment_status",
                                                                        core::parse_employment_status));
        q.reason = HTTP_TRY(ctx, body.optional_string("reason")).value_or("");
        return answer_json(HTTP_TRY(ctx, ctx.services.bulk.set_profile_status(ctx.who(), q, options_of(ctx))));
    });

    r.add("POST", "/api/v1/bulk/roles", [](Ctx& ctx) {
        auto body = HTTP_TRY(ctx, decode(ctx));
        HTTP_TRY_VOID(ctx, check_key_present(ctx));
        app::RolesRequest q;
        q.user_ids = HTTP_TRY(ctx, ids(body, "user_ids"));
        q.add = HTTP_TRY(ctx, body.optional_strings("add")).value_or(std::vector<std::string>{});
        q.remove = HTTP_TRY(ctx, body.optional_strings("remove")).value_or(std::vector<std::string>{});
        return answer_json(HTTP_TRY(ctx, ctx.services.bulk.change_roles(ctx.who(), q, options_of(ctx))));
    });

    r.add("POST", "/api/v1/bulk/managers", [](Ctx& ctx) {
        auto body = HTTP_TRY(ctx, decode(ctx));
        HTTP_TRY_VOID(ctx, check_key_present(ctx));
        auto list = HTTP_TRY(ctx, body.optional_objects("assignments", app::kMaxBulkItems));
        if (!list) return error_of(ctx, invalid_field("assignments", "assignments is required").error());
        std::vector<app::ManagerAssignment> q;
        for (auto const& a : *list) {
            auto user = HTTP_TRY(ctx, a.optional_id("user_id"));
            if (!user) return error_of(ctx, invalid_field("user_id", "each assignment needs a user_id").error());
            q.push_back({*user, HTTP_TRY(ctx, a.optional_id("manager_id"))});
        }
        return answer_json(HTTP_TRY(ctx, ctx.services.bulk.assign_managers(ctx.who(), q, options_of(ctx))));
    });

    r.add("POST", "/api/v1/bulk/documents/decision", [](Ctx& ctx) {
        auto body = HTTP_TRY(ctx, decode(ctx));
        HTTP_TRY_VOID(ctx, check_key_present(ctx));
        auto list = HTTP_TRY(ctx, body.optional_objects("items", app::kMaxBulkItems));
        if (!list) return error_of(ctx, invalid_field("items", "items is required").error());
        std::vector<app::DocumentDecision> q;
        for (auto const& d : *list) {
            auto id = HTTP_TRY(ctx, d.optional_id("document_id"));
            if (!id) return error_of(ctx, invalid_field("document_id", "each item needs a document_id").error());
            auto decision = HTTP_TRY(ctx, required_enum<core::Decision>(d, "decision", core::parse_decision));
            q.push_back({*id, decision, HTTP_TRY(ctx, d.optional_string("reason")).value_or("")});
        }
        return answer_json(HTTP_TRY(ctx, ctx.services.bulk.decide_documents(ctx.who(), q, options_of(ctx))));
    });

    r.add("POST", "/api/v1/bulk/notifications", [](Ctx& ctx) {
        auto body = HTTP_TRY(ctx, decode(ctx));
        HTTP_TRY_VOID(ctx, check_key_present(ctx));
        app::AnnouncementRequest q;
        q.user_ids = HTTP_TRY(ctx, ids_or_none(body, "user_ids"));
        q.roles = HTTP_TRY(ctx, body.optional_strings("roles")).value_or(std::vector<std::string>{});
        q.title = HTTP_TRY(ctx, body.required_string("title"));
        q.body = HTTP_TRY(ctx, body.required_string("body"));
        if (auto channels = HTTP_TRY(ctx, body.optional_strings("channels"))) {
            q.in_app = q.email = false;
            for (auto const& c : *channels) {
                if (c == "in_app") q.in_app = true;
                else if (c == "email") q.email = true;
                else
                    return error_of(ctx,
                                    invalid_field("channels", "unknown channel '" + c + "': in_app or email").error());
            }
        }
        return answer_json(HTTP_TRY(ctx, ctx.services.bulk.announce(ctx.who(), q, options_of(ctx))));
    });

    auto sweep_json = [](char const* what, app::SweepResult const& r) {
        json::array ids;
        for (auto id : r.profile_ids) ids.emplace_back(id);
        return ok_json(json::object{{what, static_cast<std::int64_t>(r.profile_ids.size())},
                                    {"profile_ids", std::move(ids)},
                                    {"oldest_hours", r.oldest_hours}});
    };

    r.add("POST", "/api/v1/bulk/reminders", [sweep_json](Ctx& ctx) {
        auto body = HTTP_TRY(ctx, decode(ctx));
        app::ReminderQuery q;
        if (auto stage = HTTP_TRY(ctx, body.optional_string("stage"))) {
            auto s = core::parse_stage(*stage);
            if (!s || *s == core::Stage::completed)
                return error_of(ctx, invalid_field("stage", "stage must be details, documents or final").error());
            q.stage = *s;
        }
        q.older_than_hours = HTTP_TRY(ctx, body.optional_number("older_than_hours"));
        return sweep_json("reminded", HTTP_TRY(ctx, ctx.services.bulk.remind(ctx.who(), q)));
    });

    r.add("POST", "/api/v1/bulk/escalations", [sweep_json](Ctx& ctx) {
        auto body = HTTP_TRY(ctx, decode(ctx));
        auto threshold = HTTP_TRY(ctx, body.optional_number("threshold_hours"));
        return sweep_json("escalated", HTTP_TRY(ctx, ctx.services.bulk.escalate(ctx.who(), threshold)));
    });

    r.add("POST", "/api/v1/bulk/documents/archive", [](Ctx& ctx) {
        auto body = HTTP_TRY(ctx, decode(ctx));
        app::ArchiveRequest q;
        q.document_ids = HTTP_TRY(ctx, ids_or_none(body, "document_ids"));
        q.profile_ids = HTTP_TRY(ctx, ids_or_none(body, "profile_ids"));
        if (auto status = HTTP_TRY(ctx, body.optional_string("status"))) {
            auto s = core::parse_document_status(*status);
            if (!s) return error_of(ctx, invalid_field("status", "unknown status '" + *status + "'").error());
            q.status = *s;
        }
        auto archive = std::shared_ptr<app::DocumentArchive>(HTTP_TRY(ctx, ctx.services.bulk.archive(ctx.who(), q)));
        Response r;
        r.content_type = "application/zip";
        auto const stamp = to_rfc3339(ctx.services.clock.now()).substr(0, 19);
        std::string name = "documents-" + stamp + ".zip";
        std::replace(name.begin(), name.end(), ':', '-');
        r.header("Content-Disposition", "attachment; filename=\"" + name + "\"");
        r.header("X-Archive-Documents", std::to_string(archive->documents()));
        r.stream = [archive](std::string& chunk) { return archive->next(chunk); };
        return r;
    });

    r.add("GET", "/api/v1/bulk/jobs", [](Ctx& ctx) {
        auto const page_in = HTTP_TRY(ctx, page_params(ctx, app::kMaxPageSize));
        app::BulkJobQuery q;
        q.limit = page_in.limit;
        q.before_id = page_in.cursor;
        if (auto status = ctx.req.query_param("status"); status && !status->empty()) {
            if (*status != "running" && *status != "completed" && *status != "cancelled")
                return error_of(ctx, invalid_field("status", "unknown status '" + *status + "'").error());
            q.status = *status;
        }
        q.actor = HTTP_TRY(ctx, int_param(ctx, "actor_id", 0, 0, INT64_MAX));
        if (q.actor == 0) q.actor.reset();
        auto page = HTTP_TRY(ctx, ctx.services.bulk.jobs(ctx.who(), q));
        json::array items;
        for (auto const& j : page.items) items.emplace_back(job_json(j));
        return page_json(std::move(items), page.next_before);
    });

    r.add("GET", "/api/v1/bulk/jobs/{id}", [](Ctx& ctx) {
        auto const id = HTTP_TRY(ctx, ctx.param_id("id"));
        auto const limit = HTTP_TRY(ctx, int_param(ctx, "limit", 100, 1, 1000));
        auto const after = HTTP_TRY(ctx, int_param(ctx, "cursor", -1, -1, INT64_MAX));
        return answer_json(HTTP_TRY(ctx, ctx.services.bulk.job(ctx.who(), id, after, static_cast<int>(limit))), false);
    });

    r.add("POST", "/api/v1/bulk/jobs/{id}/cancel", [](Ctx& ctx) {
        auto const id = HTTP_TRY(ctx, ctx.param_id("id"));
        return ok_json(job_json(HTTP_TRY(ctx, ctx.services.bulk.cancel(ctx.who(), id))), 202);
    });
}

}  // namespace hrms::http
