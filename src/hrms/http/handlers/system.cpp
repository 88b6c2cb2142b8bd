// GET /healthz, /readyz, /metrics, /api/openapi.yaml
#include "hrms/http/handlers/common.hpp"

#include "hrms/http/metrics.hpp"

namespace hrms::http {

namespace json = boost::json;

void add_system_routes(Router& r, std::string openapi_yaml, Metrics& metrics, core::CidrList metrics_allow) {
    r.add("GET", "/healthz", [](Ctx&) { return json_response(200, "{\"status\":\"ok\"}"); },
          Access::anyone, Exec::io);

    r.add("GET", "/readyz", [](Ctx& ctx) {
        auto& store = ctx.services.store;
        json::object o;
        o["database"] = store.backend();
        if (!store.ping()) {
            o["status"] = "not_ready";
            o["reason"] = "database unreachable";
            return ok_json(o, 503);
        }
        int const have = store.schema_version(), want = store.latest_schema_version();
        o["schema_version"] = have;
        if (have != want) {
            o["status"] = "not_ready";
            o["reason"] = "schema is at " + std::to_string(have) + ", this binary needs " +
                          std::to_string(want) + ": run hrms migrate";
            return ok_json(o, 503);
        }
        o["status"] = "ready";
        return ok_json(o);
    }, Access::anyone);

    // Scrapers at an address in HRMS_METRICS_ALLOW need no token; anyone else needs metrics.read.
    r.add("GET", "/metrics", [&metrics, allow = std::move(metrics_allow)](Ctx& ctx) {
        if (!core::contains(allow, ctx.req.client_ip)) {
            auto const token = bearer_token(ctx.req.header("authorization"));
            if (!token) return error_of(ctx, {ErrorCode::unauthenticated, "metrics need an admin token", {}});
            auto actor = ctx.services.auth.authenticate(*token);
            if (!actor) return error_of(ctx, actor.error());
            if (!actor->can(core::perm::metrics_read))
                return error_of(ctx, {ErrorCode::forbidden, "metrics need metrics.read", {}});
        }
        Response res;
        res.content_type = "text/plain; version=0.0.4; charset=utf-8";
        res.body = metrics.render(ctx.services.store.pool_stats());
        return res;
    }, Access::anyone);

    r.add("GET", "/api/openapi.yaml", [doc = std::move(openapi_yaml)](Ctx&) {
        Response res;
        res.content_type = "application/yaml";
        res.body = doc;
        return res;
    }, Access::anyone, Exec::io);
}

}  // namespace hrms::http
