#include "hrms/http/routes.hpp"

#include "hrms/http/handlers/common.hpp"

namespace hrms::http {

Router build_router(std::string openapi_yaml, Metrics& metrics, core::CidrList metrics_allow,
                    std::function<void(Router&)> const& more) {
    Router r;
    add_system_routes(r, std::move(openapi_yaml), metrics, std::move(metrics_allow));
    add_auth_routes(r);
    add_user_routes(r);
    add_role_routes(r);
    add_profile_routes(r);
    add_document_routes(r);
    add_notification_routes(r);
    add_job_routes(r);
    add_audit_routes(r);
    add_email_routes(r);
    add_bulk_routes(r);
    add_report_routes(r);
    if (more) more(r);
    std::vector<std::string> names;
    for (auto const& route : r.routes()) names.push_back(route.pattern);
    metrics.set_routes(std::move(names));
    return r;
}

}  // namespace hrms::http
