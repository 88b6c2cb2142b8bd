// /api/v1/profiles: the employee's own profile, the review queue, decisions, assignment and
// employment status
#include "hrms/app/details_json.hpp"
#include "hrms/http/handlers/common.hpp"

namespace hrms::http {

namespace json = boost::json;

namespace {
json::object view_json(app::ProfileView const& v) {
    auto o = profile_summary_json(v.profile);
    o["details"] = json::parse(app::details_to_json(v.profile.details));
    json::array docs, history;
    for (auto const& d : v.documents) docs.emplace_back(document_json(d));
    for (auto const& h : v.history) {
        json::object e;
        e["at"] = json_value(h.at);
        e["actor_id"] = or_null(h.actor_id);
        e["from"] = json::object{{"stage", core::to_string(h.from_stage)}, {"status", core::to_string(h.from_status)}};
        e["to"] = json::object{{"stage", core::to_string(h.to_stage)}, {"status", core::to_string(h.to_status)}};
        e["decision"] = or_null(h.decision);
        e["reason"] = or_null(h.reason);
        history.emplace_back(std::move(e));
    }
    o["documents"] = std::move(docs);
    o["history"] = std::move(history);
    if (v.sla) {
        json::object s;
        s["stage"] = core::to_string(v.profile.state.stage);
        s["state"] = v.sla->state == core::SlaState::running  ? "running"
                     : v.sla->state == core::SlaState::paused ? "paused"
                                                              : "stopped";
        s["elapsed_hours"] = static_cast<double>(v.sla->elapsed_ms) / 3'600'000.0;
        s["budget_hours"] = static_cast<double>(v.sla->budget_ms) / 3'600'000.0;
        s["deadline"] = or_null(v.sla->deadline.transform(to_rfc3339));
        s["overdue"] = v.sla->overdue;
        s["urgent"] = v.urgent;
        o["sla"] = std::move(s);
    } else {
        o["sla"] = nullptr;
    }
    return o;
}

// The employee's own profile, and the review queue.
void add_own_and_queue_routes(Router& r) {
    r.add("GET", "/api/v1/profiles/me", [](Ctx& ctx) {
        return ok_json(view_json(HTTP_TRY(ctx, ctx.services.profiles.mine(ctx.who()))));
    });

    r.add("PUT", "/api/v1/profiles/me/details", [](Ctx& ctx) {
        HTTP_TRY(ctx, decode(ctx));  // content type and JSON shape
        auto details = HTTP_TRY(ctx, app::details_from_json(ctx.req.body));
        return ok_json(view_json(HTTP_TRY(ctx, ctx.services.profiles.save_details(ctx.who(), details))));
    });

    r.add("POST", "/api/v1/profiles/me/submit", [](Ctx& ctx) {
        return ok_json(view_json(HTTP_TRY(ctx, ctx.services.profiles.submit(ctx.who()))));
    });

    r.add("GET", "/api/v1/profiles", [](Ctx& ctx) {
        app::QueueQuery q;
        auto const page_in = HTTP_TRY(ctx, page_params(ctx, app::kMaxPageSize));
        q.limit = page_in.limit;
        q.after_id = page_in.cursor;
        q.stage = HTTP_TRY(ctx, enum_param<core::Stage>(ctx, "stage", core::parse_stage));
        q.status = HTTP_TRY(ctx, enum_param<core::StageStatus>(ctx, "status", core::parse_stage_status));
        if (auto u = ctx.req.query_param("urgent"); u && !u->empty()) {
            if (*u != "true" && *u != "false")
                return error_of(ctx, invalid_field("urgent", "urgent must be true or false").error());
            q.urgent = *u == "true";
        }
        if (auto o = ctx.req.query_param("overdue"); o && !o->empty()) {
            if (*o != "true" && *o != "false")
                return error_of(ctx, invalid_field("overdue", "overdue must be true or false").error());
            q.overdue = *o == "true";
        }
        auto const assignee = HTTP_TRY(ctx, int_param(ctx, "assignee", 0, 1, INT64_MAX));
        if (assignee > 0) q.assignee = assignee;
        if (auto t = ctx.req.query_param("q"); t && !t->empty()) {
            if (t->size() > 200) return error_of(ctx, invalid_field("q", "q is too long").error());
            q.text = *t;
        }
        auto page = HTTP_TRY(ctx, ctx.services.profiles.queue(ctx.who(), q));
        json::array items;
        for (auto const& p : page.items) items.emplace_back(profile_summary_json(p));
        return page_json(std::move(items), page.next_after);
    });

}

// One profile: its view and what reviewers and administrators do to it.
void add_one_profile_routes(Router& r) {
    r.add("GET", "/api/v1/profiles/{id}", [](Ctx& ctx) {
        auto id = HTTP_TRY(ctx, ctx.param_id("id"));
        return ok_json(view_json(HTTP_TRY(ctx, ctx.services.profiles.get(ctx.who(), id))));
    });

    r.add("POST", "/api/v1/profiles/{id}/decision", [](Ctx& ctx) {
        auto id = HTTP_TRY(ctx, ctx.param_id("id"));
        auto body = HTTP_TRY(ctx, decode(ctx));
        auto stage_text = HTTP_TRY(ctx, body.required_string("stage"));
        auto decision_text = HTTP_TRY(ctx, body.required_string("decision"));
        auto reason = HTTP_TRY(ctx, body.optional_string("reason"));
        auto back = HTTP_TRY(ctx, body.optional_string("send_back_to"));
        auto stage = core::parse_stage(stage_text);
        if (!stage) return error_of(ctx, invalid_field("stage", "unknown stage '" + stage_text + "'").error());
        auto decision = core::parse_decision(decision_text);
        if (!decision)
            return error_of(ctx, invalid_field("decision", "decision must be approve or reject").error());
        core::DecisionInput in{*stage, *decision, reason.value_or(""), std::nullopt};
        if (back) {
            in.send_back_to = core::parse_stage(*back);
            if (!in.send_back_to)
                return error_of(ctx, invalid_field("send_back_to", "unknown stage '" + *back + "'").error());
        }
        return ok_json(view_json(HTTP_TRY(ctx, ctx.services.profiles.decide(ctx.who(), id, in))));
    });

    r.add("POST", "/api/v1/profiles/{id}/assign", [](Ctx& ctx) {
        auto id = HTTP_TRY(ctx, ctx.param_id("id"));
        auto body = HTTP_TRY(ctx, decode(ctx));
        if (!body.has("reviewer_id"))
            return error_of(ctx, invalid_field("reviewer_id", "reviewer_id is required (null unassigns)").error());
        auto reviewer = HTTP_TRY(ctx, body.optional_id("reviewer_id"));
        return ok_json(view_json(HTTP_TRY(ctx, ctx.services.profiles.assign(ctx.who(), id, reviewer))));
    });

    r.add("POST", "/api/v1/profiles/{id}/status", [](Ctx& ctx) {
        auto id = HTTP_TRY(ctx, ctx.param_id("id"));
        auto body = HTTP_TRY(ctx, decode(ctx));
        auto text = HTTP_TRY(ctx, body.required_string("employment_status"));
        auto reason = HTTP_TRY(ctx, body.optional_string("reason"));
        auto status = core::parse_employment_status(text);
        if (!status)
            return error_of(ctx, invalid_field("employment_status",
                                               "employment_status must be onboarding, on_hold, withdrawn or active")
                                     .error());
        return ok_json(view_json(
            HTTP_TRY(ctx, ctx.services.profiles.set_employment(ctx.who(), id, *status, reason.value_or("")))));
    });
}

}  // namespace

void add_profile_routes(Router& r) {
    add_own_and_queue_routes(r);
    add_one_profile_routes(r);
}

}  // namespace hrms::http
