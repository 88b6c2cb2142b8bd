// Fuzzes routing and query-parameter parsing: http::Router built with every route the handlers
// register (read from their sources at configure time: generated/fuzz_routes.inc), matched
// against a fuzzed method and target the way the server and Pipeline::handle do; then the path
// parameters and query parameters through Ctx::param_id and int_param with the handlers' ranges,
// and the 404/405/422 envelopes built from them.
//
// Input: "METHOD target" (one space; the target is the rest, e.g. "GET /api/v1/users?limit=5").
#include <boost/url/parse.hpp>

#include <cstdint>
#include <new>
#include <string>
#include <vector>

#include "fuzz_json.hpp"
#include "fuzz_support.hpp"
#include "hrms/app/notifications.hpp"
#include "hrms/app/users.hpp"
#include "hrms/core/onboarding.hpp"
#include "hrms/core/text.hpp"
#include "hrms/http/handlers/common.hpp"
#include "hrms/http/router.hpp"

using hrms::ErrorCode;
using hrms::Result;
using namespace hrms::http;

namespace {

struct RouteSpec {
    char const* method;
    char const* pattern;
    bool upload;
};
constexpr RouteSpec kRoutes[] = {
#include "fuzz_routes.inc"
};

Router const& router() {
    static Router const r = [] {
        Router out;
        auto const dummy = [](Ctx&) { return Response{}; };
        for (auto const& spec : kRoutes) {
            if (spec.upload) {
                out.add_upload(spec.method, spec.pattern, dummy);
            } else {
                out.add(spec.method, spec.pattern, dummy, Access::anyone, Exec::pool);
            }
        }
        return out;
    }();
    return r;
}

// Handlers never touch the services here; Ctx only needs something to refer to.
hrms::app::Services& no_services() {
    alignas(hrms::app::Services) static unsigned char storage[sizeof(hrms::app::Services)];
    return *std::launder(reinterpret_cast<hrms::app::Services*>(storage));
}

// The non-empty segments of a path, as the router sees them.
std::vector<std::string_view> segments(std::string_view path) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < path.size()) {
        auto const j = path.find('/', i);
        auto const end = j == std::string_view::npos ? path.size() : j;
        if (end > i) out.push_back(path.substr(i, end - i));
        i = end + 1;
    }
    return out;
}

bool is_param(std::string_view seg) { return seg.size() > 2 && seg.front() == '{' && seg.back() == '}'; }

// Whether `pattern` matches `path` segment by segment (method aside), and how specifically:
// the positions of literal segments.
bool pattern_matches(std::string_view pattern, std::vector<std::string_view> const& segs,
                     std::vector<bool>* literal = nullptr) {
    auto const pat = segments(pattern);
    if (pat.size() != segs.size()) return false;
    for (std::size_t i = 0; i < pat.size(); ++i) {
        bool const lit = !is_param(pat[i]);
        if (lit && pat[i] != segs[i]) return false;
        if (literal) literal->push_back(lit);
    }
    return true;
}

bool same_method(std::string_view route_method, std::string_view method) {
    return route_method == method || (method == "HEAD" && route_method == "GET");
}

void check_match(std::string_view method, std::string_view path, Router::Match const& m) {
    std::string const what = std::string(method) + " " + std::string(path);
    auto const segs = segments(path);
    bool const trailing_slash = path.size() > 1 && path.back() == '/';
    if (!m.route) {
        // 405 lists methods that do match, each once.
        std::string_view allow = m.allow;
        std::vector<std::string_view> seen;
        while (!allow.empty()) {
            auto const comma = allow.find(", ");
            auto const one = allow.substr(0, comma);
            allow = comma == std::string_view::npos ? std::string_view{} : allow.substr(comma + 2);
            FUZZ_CHECK(!one.empty(), what);
            for (auto s : seen) FUZZ_CHECK(s != one, what + " allow: " + m.allow);
            seen.push_back(one);
            auto const again = router().match(one, path);
            FUZZ_CHECK(again.route && again.route->method == one, what + " allow: " + m.allow);
        }
        // And a 404 is right: no route of this method has this shape.
        if (m.allow.empty() && !trailing_slash) {
            for (auto const& r : router().routes())
                FUZZ_CHECK(!(same_method(r.method, method) && pattern_matches(r.pattern, segs)), what + " vs " + r.pattern);
        }
        return;
    }
    auto const& route = *m.route;
    FUZZ_CHECK(same_method(route.method, method), what + " -> " + route.method);
    FUZZ_CHECK(!trailing_slash, what);
    std::vector<bool> literal;
    FUZZ_CHECK(pattern_matches(route.pattern, segs, &literal), what + " -> " + route.pattern);
    // One parameter per {name} segment, in order, non-empty and without a slash.
    auto const pat = segments(route.pattern);
    std::size_t p = 0;
    for (std::size_t i = 0; i < pat.size(); ++i) {
        if (!is_param(pat[i])) continue;
        FUZZ_CHECK(p < m.params.size(), what);
        auto const& [name, value] = m.params[p++];
        FUZZ_CHECK(name == pat[i].substr(1, pat[i].size() - 2), what);
        FUZZ_CHECK(value == segs[i] && !value.empty() && value.find('/') == std::string::npos, what);
    }
    FUZZ_CHECK(p == m.params.size(), what);
    // No other route of this method would match more specifically (a literal segment where the
    // chosen one has a parameter): registration order must not shadow "/profiles/me" with
    // "/profiles/{id}".
    for (auto const& other : router().routes()) {
        if (&other == &route || !same_method(other.method, method)) continue;
        std::vector<bool> other_literal;
        if (!pattern_matches(other.pattern, segs, &other_literal)) continue;
        for (std::size_t i = 0; i < literal.size(); ++i) {
            if (literal[i] == other_literal[i]) continue;
            FUZZ_CHECK(literal[i], what + ": " + route.pattern + " shadows " + other.pattern);
            break;
        }
    }
}

// The 404 and 405 envelopes Pipeline::handle builds.
void check_unmatched_envelope(Request const& req, Router::Match const& m) {
    Response res;
    if (!m.allow.empty()) {
        res = error_response({ErrorCode::method_not_allowed,
                              "method " + req.method + " is not allowed here; use " + m.allow,
                              "{\"allow\":" + hrms::json_quote(m.allow) + "}"},
                             "req-1");
    } else {
        res = error_response({ErrorCode::not_found, "no route for " + req.path, {}}, "req-1");
    }
    hrms::fuzz::check_error_envelope(res.body);
}

// int_param as a handler calls it: the value is in range, or it is the fallback when absent,
// or a 422 naming the parameter.
void check_int_param(Ctx const& ctx, char const* name, std::int64_t fallback, std::int64_t min, std::int64_t max) {
    auto const r = int_param(ctx, name, fallback, min, max);
    auto const given = ctx.req.query_param(name);
    if (r) {
        FUZZ_CHECK(given ? (*r >= min && *r <= max) : *r == fallback, given.value_or(""));
        if (given) FUZZ_CHECK(std::to_string(*r) == *given || given->front() == '0' || given->front() == '-', *given);
        return;
    }
    FUZZ_CHECK(given && r.error().code == ErrorCode::validation_failed, given.value_or(""));
    hrms::fuzz::check_details_json(r.error().details_json);
    hrms::fuzz::check_error_envelope(error_of(ctx, r.error()).body);
}

// The profiles queue's enum filters, as its handler's enum_param reads them.
template <class Parse>
void check_enum_param(Ctx const& ctx, char const* name, Parse parse) {
    auto const text = ctx.req.query_param(name);
    if (!text || text->empty()) return;
    if (parse(*text)) return;
    auto const e = hrms::invalid_field(name, "unknown " + std::string(name) + " '" + *text + "'").error();
    hrms::fuzz::check_error_envelope(error_of(ctx, e).body);
}

// What the handlers of `pattern` read from the path and the query.
void check_parameters(std::string_view pattern, Ctx const& ctx) {
    for (auto const& [name, value] : ctx.params) {
        if (name != "id") continue;
        auto const id = ctx.param_id("id");
        if (id) {
            FUZZ_CHECK(*id > 0, value);
        } else {
            FUZZ_CHECK(id.error().code == ErrorCode::not_found, value);
            hrms::fuzz::check_error_envelope(error_of(ctx, id.error()).body);
        }
    }
    if (pattern == "/api/v1/profiles") {
        check_int_param(ctx, "limit", 50, 1, hrms::app::kMaxPageSize);
        check_int_param(ctx, "cursor", 0, 0, INT64_MAX);
        check_enum_param(ctx, "stage", hrms::core::parse_stage);
        check_enum_param(ctx, "status", hrms::core::parse_stage_status);
        check_int_param(ctx, "assignee", 0, 1, INT64_MAX);
    } else if (pattern == "/api/v1/users") {
        check_int_param(ctx, "limit", 50, 1, hrms::app::kMaxPageSize);
        check_int_param(ctx, "cursor", 0, 0, INT64_MAX);
    } else if (pattern == "/api/v1/notifications") {
        check_int_param(ctx, "after", 0, 0, INT64_MAX);
        check_int_param(ctx, "limit", 50, 1, hrms::app::kMaxFeedPage);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string_view const input(reinterpret_cast<char const*>(data), size);
    auto const space = input.find(' ');
    if (space == std::string_view::npos) return 0;
    Request req;
    req.method = std::string(input.substr(0, space));
    req.target = std::string(input.substr(space + 1));

    // The raw path first: the router takes any text.
    auto const raw_path = std::string_view(req.target).substr(0, req.target.find('?'));
    check_match(req.method, raw_path, router().match(req.method, raw_path));

    // Then as the server hands it over: decoded path and query from the origin form.
    auto parsed = boost::urls::parse_origin_form(req.target);
    if (!parsed) return 0;
    req.path = parsed->path();
    for (auto const& p : parsed->params()) req.query.emplace_back(p.key, p.value);
    // The pipeline's check of every query value, before any handler reads one: an accepted query
    // is valid UTF-8 without control characters, a refused one names a parameter it has.
    if (auto refused = check_text_inputs(req)) {
        FUZZ_CHECK(refused->code == hrms::ErrorCode::validation_failed, refused->message);
        hrms::fuzz::check_error_envelope(error_response(*refused, "req-1").body);
        return 0;
    }
    for (auto const& [k, v] : req.query) {
        FUZZ_CHECK(hrms::core::is_valid_utf8(k) && hrms::core::is_valid_utf8(v), v);
        FUZZ_CHECK(!hrms::core::has_control_chars(k) && !hrms::core::has_control_chars(v), v);
    }
    auto match = router().match(req.method, req.path);
    check_match(req.method, req.path, match);
    if (!match.route) {
        FUZZ_TRACE("routes: %s %s: %s", req.method.c_str(), req.path.c_str(),
                   match.allow.empty() ? "404" : ("405, allow " + match.allow).c_str());
        check_unmatched_envelope(req, match);
        return 0;
    }
    FUZZ_TRACE("routes: %s %s -> %s %s, %zu parameters, %zu query parameters", req.method.c_str(),
               req.path.c_str(), match.route->method.c_str(), match.route->pattern.c_str(), match.params.size(),
               req.query.size());
    static hrms::http::HttpConfig const config;
    Ctx ctx{req, no_services(), config, "req-1", std::move(match.params), std::nullopt, false};
    check_parameters(match.route->pattern, ctx);
    return 0;
}
