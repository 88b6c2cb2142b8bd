#include "hrms/http/types.hpp"

#include <charconv>

#include "hrms/core/text.hpp"

namespace hrms::http {

std::string_view Request::header(std::string_view name) const {
    for (auto const& [k, v] : headers) {
        if (k == name) return v;
    }
    return {};
}

std::optional<std::string> Request::query_param(std::string_view name) const {
    for (auto const& [k, v] : query) {
        if (k == name) return v;
    }
    return std::nullopt;
}

std::optional<std::string> Request::cookie(std::string_view name) const {
    std::string_view all = header("cookie");
    while (!all.empty()) {
        auto const semi = all.find(';');
        auto part = all.substr(0, semi);
        all = semi == std::string_view::npos ? std::string_view{} : all.substr(semi + 1);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        auto const eq = part.find('=');
        if (eq == std::string_view::npos) continue;
        if (part.substr(0, eq) == name) {
            auto value = part.substr(eq + 1);
            while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
            return std::string(value);
        }
    }
    return std::nullopt;
}

Result<std::int64_t> Ctx::param_id(std::string_view name) const {
    auto const& text = param(name);
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || p != text.data() + text.size() || v <= 0)
        return fail(ErrorCode::not_found, "no such resource");
    return v;
}

std::string const& Ctx::param(std::string_view name) const {
    static std::string const kEmpty;
    for (auto const& [k, v] : params) {
        if (k == name) return v;
    }
    return kEmpty;
}

std::optional<Error> check_text_inputs(Request const& req) {
    for (auto const& [k, v] : req.query) {
        if (!core::is_valid_utf8(k) || !core::is_valid_utf8(v))
            return invalid_field(k, "query parameter " + k + " is not valid UTF-8").error();
        if (core::has_control_chars(k) || core::has_control_chars(v))
            return invalid_field(k, "query parameter " + k + " must not contain control characters").error();
    }
    for (auto const& [k, v] : req.form) {
        if (!core::is_valid_utf8(k) || !core::is_valid_utf8(v))
            return invalid_field(k, "form field " + k + " is not valid UTF-8").error();
    }
    return std::nullopt;
}

int status_for(ErrorCode code) {
    switch (code) {
        case ErrorCode::bad_request: return 400;
        case ErrorCode::unauthenticated: return 401;
        case ErrorCode::forbidden: return 403;
        case ErrorCode::not_found: return 404;
        case ErrorCode::method_not_allowed: return 405;
        case ErrorCode::conflict: return 409;
        case ErrorCode::payload_too_large: return 413;
        case ErrorCode::unsupported_media_type: return 415;
        case ErrorCode::validation_failed: return 422;
        case ErrorCode::cycle: return 422;
        case ErrorCode::rate_limited: return 429;
        case ErrorCode::self_review: return 403;
        case ErrorCode::upgrade_required: return 426;
        case ErrorCode::internal: return 500;
    }
    return 500;
}

Response error_response(Error const& error, std::string const& request_id) {
    std::string body = "{\"error\":{\"code\":";
    body += json_quote(to_string(error.code));
    body += ",\"message\":" + json_quote(error.message);
    body += ",\"details\":" + (error.details_json.empty() ? std::string("null") : error.details_json);
    body += ",\"request_id\":" + json_quote(request_id) + "}}";
    auto r = json_response(status_for(error.code), std::move(body));
    r.error = error.code;
    return r;
}

Response json_response(int status, std::string body) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

std::optional<std::string> bearer_token(std::string_view authorization) {
    constexpr std::string_view kBearer = "Bearer ";
    if (authorization.size() <= kBearer.size() || !authorization.starts_with(kBearer)) return std::nullopt;
    return std::string(authorization.substr(kBearer.size()));
}

}  // namespace hrms::http
