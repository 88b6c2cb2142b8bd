#include "hrms/http/handlers/common.hpp"

#include <charconv>

#include "hrms/core/text.hpp"

namespace hrms::http {

namespace json = boost::json;

Result<JsonBody> decode(Ctx const& ctx) {
    auto const ct = ctx.req.header("content-type");
    auto lower = core::ascii_lower(ct.substr(0, ct.find(';')));
    while (!lower.empty() && lower.back() == ' ') lower.pop_back();
    if (lower != "application/json")
        return fail(ErrorCode::unsupported_media_type, "Content-Type must be application/json");
    if (ctx.req.body.empty()) return fail(ErrorCode::bad_request, "request body is empty");
    return JsonBody::parse(ctx.req.body);
}

Result<std::int64_t> int_param(Ctx const& ctx, char const* name, std::int64_t fallback, std::int64_t min,
                               std::int64_t max) {
    auto const text = ctx.req.query_param(name);
    if (!text) return fallback;
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec != std::errc{} || p != text->data() + text->size() || v < min || v > max)
        return invalid_field(name, std::string(name) + " must be an integer between " + std::to_string(min) +
                                       " and " + std::to_string(max));
    return v;
}

Response ok_json(json::value const& v, int status) { return json_response(status, to_json(v)); }

Response no_content() {
    Response r;
    r.status = 204;
    return r;
}

Response error_of(Ctx const& ctx, Error const& e) {
    auto r = error_response(e, ctx.request_id);
    if (e.code == ErrorCode::rate_limited && !e.details_json.empty()) {
        boost::system::error_code ec;
        auto v = json::parse(e.details_json, ec);
        if (!ec && v.is_object()) {
            if (auto const* s = v.as_object().if_contains("retry_after_s"); s && s->is_int64())
                r.header("Retry-After", std::to_string(s->as_int64()));
        }
    }
    return r;
}

Response page_json(json::array items, std::optional<std::int64_t> next_cursor) {
    json::object o;
    o["items"] = std::move(items);
    o["next_cursor"] = next_cursor ? json::value(std::to_string(*next_cursor)) : json::value(nullptr);
    return ok_json(o);
}

Result<PageParams> page_params(Ctx const& ctx, int max_limit) {
    PageParams p;
    p.limit = static_cast<int>(TRY(int_param(ctx, "limit", 50, 1, max_limit)));
    if (auto const cursor = TRY(int_param(ctx, "cursor", 0, 0, INT64_MAX)); cursor > 0) p.cursor = cursor;
    return p;
}

Result<std::optional<Instant>> time_filter(Ctx const& ctx, char const* name) {
    auto v = ctx.req.query_param(name);
    if (!v) return std::optional<Instant>{};
    auto t = parse_rfc3339(*v);
    if (!t) return invalid_field(name, std::string(name) + " must be an RFC 3339 time");
    return std::optional<Instant>(*t);
}

}  // namespace hrms::http
