// /api/v1/admin/jobs: the background jobs of this process, their runs, and a run on demand.
#include "hrms/http/handlers/common.hpp"

namespace hrms::http {

namespace json = boost::json;

namespace {

json::object run_json(app::JobRunRecord const& r) {
    return json::object{
        {"id", r.id},
        {"job", r.job},
        {"instance", r.instance},
        {"started_at", json_value(r.started_at)},
        {"finished_at", or_null(r.finished_at)},
        {"outcome", std::string(app::to_string(r.outcome))},
        {"error", or_null(r.error)},
        {"items", r.items},
    };
}

json::object job_json(app::JobView const& v) {
    auto const& s = v.state;
    return json::object{
        {"name", s.name},
        {"description", s.description},
        {"interval_s", s.interval_s},
        {"single_instance", s.single_instance},
        {"running", s.running},
        {"next_run_at", or_null(s.next_run_at)},
        {"runs", s.runs},
        {"failures", s.failures},
        {"skipped", s.skipped},
        {"lease_holder", or_null(v.lease_holder)},
        {"last_run", or_null(v.last_run.transform(run_json))},
    };
}

}  // namespace

void add_job_routes(Router& r) {
    r.add("GET", "/api/v1/admin/jobs", [](Ctx& ctx) {
        auto jobs = HTTP_TRY(ctx, ctx.services.jobs.list(ctx.who()));
        json::array items;
        for (auto const& j : jobs) items.emplace_back(job_json(j));
        return ok_json(json::object{{"instance", ctx.services.jobs.instance()}, {"items", std::move(items)}});
    });

    r.add("GET", "/api/v1/admin/jobs/runs", [](Ctx& ctx) {
        app::JobRunQuery q;
        auto const page_in = HTTP_TRY(ctx, page_params(ctx, app::kMaxPageSize));
        q.limit = page_in.limit;
        q.before_id = page_in.cursor;
        if (auto job = ctx.req.query_param("job"); job && !job->empty()) q.job = std::string(*job);
        auto page = HTTP_TRY(ctx, ctx.services.jobs.runs(ctx.who(), q));
        json::array items;
        for (auto const& run : page.items) items.emplace_back(run_json(run));
        return page_json(std::move(items), page.next_before);
    });

    r.add("POST", "/api/v1/admin/jobs/{name}/run", [](Ctx& ctx) {
        HTTP_TRY_VOID(ctx, ctx.services.jobs.trigger(ctx.who(), ctx.param("name")));
        return ok_json(json::object{{"job", ctx.param("name")}, {"triggered", true}}, 202);
    });
}

}  // namespace hrms::http
