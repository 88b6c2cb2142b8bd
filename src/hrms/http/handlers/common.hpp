#pragma once
// Shared by the handlers: decoding, encoding and the early-return macro.
#include <boost/json.hpp>

#include "hrms/core/net.hpp"
#include "hrms/http/json_io.hpp"
#include "hrms/http/router.hpp"
#include "hrms/http/types.hpp"

namespace hrms::http {

// The JSON object body; 415 unless Content-Type is application/json, 400 if malformed.
Result<JsonBody> decode(Ctx const& ctx);

// 200 (or `status`) with a serialized JSON value.
Response ok_json(boost::json::value const& v, int status = 200);

// 204 with no body.
Response no_content();

// The error envelope, with Retry-After for rate_limited errors that say how long to wait.
Response error_of(Ctx const& ctx, Error const& e);

// A page: {"items":[...],"next_cursor":null|"<id>"} (cursors are ids, sent as strings).
Response page_json(boost::json::array items, std::optional<std::int64_t> next_cursor);

// Registration of each resource's routes (handlers/<resource>.cpp).
void add_system_routes(Router& r, std::string openapi_yaml, class Metrics& metrics, core::CidrList metrics_allow);
void add_auth_routes(Router& r);
void add_user_routes(Router& r);
void add_role_routes(Router& r);
void add_profile_routes(Router& r);
void add_document_routes(Router& r);
void add_notification_routes(Router& r);
void add_job_routes(Router& r);
void add_audit_routes(Router& r);
void add_email_routes(Router& r);
void add_bulk_routes(Router& r);
void add_report_routes(Router& r);

// A positive integer query parameter, or `fallback` when absent; validation_failed naming it.
Result<std::int64_t> int_param(Ctx const& ctx, char const* name, std::int64_t fallback, std::int64_t min,
                               std::int64_t max);

// An enum query parameter parsed by `parse`: nullopt when absent or empty, validation_failed
// naming it when no value of E has that name.
template <class E, class F>
Result<std::optional<E>> enum_param(Ctx const& ctx, char const* name, F parse) {
    auto const text = ctx.req.query_param(name);
    if (!text || text->empty()) return std::optional<E>{};
    auto v = parse(*text);
    if (!v) return invalid_field(name, "unknown " + std::string(name) + " '" + *text + "'");
    return std::optional<E>(*v);
}

// An RFC 3339 time query parameter: nullopt when absent, validation_failed naming it when malformed.
Result<std::optional<Instant>> time_filter(Ctx const& ctx, char const* name);

// A keyset list's ?limit= (1..max_limit, default 50) and ?cursor= (an id; absent or 0: from the start).
struct PageParams {
    int limit = 50;
    std::optional<std::int64_t> cursor;
};
Result<PageParams> page_params(Ctx const& ctx, int max_limit);

}  // namespace hrms::http

// Evaluates a Result; on error returns its envelope from the handler, else yields the value.
#define HTTP_TRY(ctx, expr)                                                   \
    ({                                                                        \
        auto&& http_try_ = (expr);                                            \
        if (!http_try_) return ::hrms::http::error_of((ctx), http_try_.error()); \
        std::move(http_try_).value();                                         \
    })
#define HTTP_TRY_VOID(ctx, expr)                                              \
    do {                                                                      \
        auto&& http_try_ = (expr);                                            \
        if (!http_try_) return ::hrms::http::error_of((ctx), http_try_.error()); \
    } while (0)
