// Fuzzes JSON request decoding and validation as each handler does it, without the services:
// decode() (Content-Type and the tolerant JsonBody reader of http/json_io), the fields each
// handler reads, and the checks its use case makes before touching the database: core/accounts
// (emails, names, passwords, role names), core/onboarding (decisions, employment status,
// details), core/role_graph (inheritance cycles) and app/details_json.
//
// Input: [kind][options][JSON body]. kind (mod kKinds) picks the request (see the switch);
// options: bits 0-5 pick the profile state a decision or status change meets (and the date
// details are validated on), bits 6-7 the Content-Type (3: not JSON, a 415).
#include <boost/json/parse.hpp>

#include <new>
#include <set>
#include <string>

#include "fuzz_json.hpp"
#include "fuzz_support.hpp"
#include "hrms/app/details_json.hpp"
#include "hrms/core/accounts.hpp"
#include "hrms/core/onboarding.hpp"
#include "hrms/core/role_graph.hpp"
#include "hrms/core/text.hpp"
#include "hrms/http/handlers/common.hpp"

using hrms::Error;
using hrms::ErrorCode;
using hrms::Result;
namespace core = hrms::core;
using namespace hrms::http;
using hrms::fuzz::check_error_envelope;

namespace {

hrms::app::Services& no_services() {
    alignas(hrms::app::Services) static unsigned char storage[sizeof(hrms::app::Services)];
    return *std::launder(reinterpret_cast<hrms::app::Services*>(storage));
}

// Roles that exist, with their inheritance, for the checks that look roles up.
core::RoleEdges const& existing_roles() {
    static core::RoleEdges const edges{{"employee", {}},
                                       {"reviewer", {}},
                                       {"admin", {}},
                                       {"team_lead", {"employee"}},
                                       {"dept_head", {"team_lead"}},
                                       {"auditor", {"reviewer"}}};
    return edges;
}

// Every error a request can produce reaches the client as the envelope: it must be JSON.
void check_error(Error const& e, std::string_view body) {
    FUZZ_TRACE("json_requests: %s: %s %s", hrms::to_string(e.code), e.message.c_str(), e.details_json.c_str());
    FUZZ_CHECK(!e.message.empty(), body);
    FUZZ_CHECK(e.code == ErrorCode::bad_request || e.code == ErrorCode::validation_failed ||
                   e.code == ErrorCode::unsupported_media_type || e.code == ErrorCode::conflict ||
                   e.code == ErrorCode::cycle,
               e.message);
    if (e.code == ErrorCode::validation_failed) FUZZ_CHECK(!e.details_json.empty(), e.message);
    hrms::fuzz::check_details_json(e.details_json);
    check_error_envelope(error_response(e, "req-1").body);
}

// Runs one check: on failure the error is checked and the request ends, as HTTP_TRY does.
#define EXPECT_OK(expr)                                 \
    ({                                                  \
        auto&& r_ = (expr);                             \
        if (!r_) {                                      \
            check_error(r_.error(), body);              \
            return;                                     \
        }                                               \
        std::move(r_).value();                          \
    })
#define EXPECT_OK_VOID(expr)                            \
    do {                                                \
        auto&& r_ = (expr);                             \
        if (!r_) {                                      \
            check_error(r_.error(), body);              \
            return;                                     \
        }                                               \
    } while (0)
#define REFUSE(field, message) \
    do {                       \
        check_error(hrms::invalid_field(field, message).error(), body); \
        return;                \
    } while (0)

void check_email(std::string const& email, std::string_view body) {
    auto const e = EXPECT_OK(core::normalize_email(email));
    FUZZ_CHECK(!e.empty() && e.size() <= core::kMaxEmailLength, e);
    FUZZ_CHECK(std::count(e.begin(), e.end(), '@') == 1, e);
    for (unsigned char c : e) FUZZ_CHECK(!(c >= 'A' && c <= 'Z') && c > 0x20 && c != 0x7f, e);
    FUZZ_CHECK(core::normalize_email(e).value_or("") == e, e);  // idempotent
}

void check_name(std::string const& name, std::string_view body) {
    auto const n = EXPECT_OK(core::normalize_name(name));
    FUZZ_CHECK(!n.empty() && n.size() <= core::kMaxNameLength, n);
    for (unsigned char c : n) FUZZ_CHECK(c >= 0x20 && c != 0x7f, n);
    FUZZ_CHECK(core::normalize_name(n).value_or("") == n, n);
}

void check_password(std::string const& password, std::string const& email, std::string_view body,
                    char const* field = "password") {
    EXPECT_OK_VOID(core::check_password_policy(password, email, field));
    FUZZ_CHECK(password.size() <= core::kMaxPasswordLength, password);
    FUZZ_CHECK(core::utf8_length(password) >= core::kMinPasswordLength, password);
}

void check_role_name(std::string const& name, std::string_view body) {
    EXPECT_OK_VOID(core::check_role_name(name));
    FUZZ_CHECK(name.size() >= 2 && name.size() <= 64 && name[0] >= 'a' && name[0] <= 'z', name);
    for (char c : name) FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_', name);
}

// Users::check_roles: each role must exist.
void check_role_list(std::vector<std::string> const& roles, std::string_view body) {
    if (roles.empty()) REFUSE("roles", "at least one role is required");
    for (std::size_t i = 0; i < roles.size(); ++i) {
        if (!existing_roles().contains(roles[i]))
            REFUSE("roles[" + std::to_string(i) + "]", "unknown role " + roles[i]);
    }
}

// Roles::save before the database: name, description, permissions, inheritance and cycles.
void check_role_input(JsonBody const& b, std::string const& name, std::string_view body) {
    auto const description = EXPECT_OK(b.optional_string("description"));
    auto const permissions = EXPECT_OK(b.optional_strings("permissions"));
    auto const inherits = EXPECT_OK(b.optional_strings("inherits"));
    check_role_name(name, body);
    if (!core::check_role_name(name)) return;
    if (description && description->size() > 1000) REFUSE("description", "description is too long");
    if (permissions) {
        for (std::size_t i = 0; i < permissions->size(); ++i) {
            if (!core::known_permissions().contains((*permissions)[i]))
                REFUSE("permissions[" + std::to_string(i) + "]", "unknown permission " + (*permissions)[i]);
        }
    }
    auto edges = existing_roles();
    if (inherits) {
        for (std::size_t i = 0; i < inherits->size(); ++i) {
            auto const& parent = (*inherits)[i];
            if (parent != name && !edges.contains(parent))
                REFUSE("inherits[" + std::to_string(i) + "]", "unknown role " + parent);
        }
        edges[name] = *inherits;
    }
    auto const loop = core::find_role_cycle(edges, name);
    if (loop.empty()) return;
    FUZZ_CHECK(loop.size() >= 2 && loop.front() == loop.back() && loop.front() == name, core::format_cycle(loop));
    std::string path = "[";
    for (std::size_t i = 0; i < loop.size(); ++i) path += (i ? "," : "") + hrms::json_quote(loop[i]);
    check_error({ErrorCode::cycle, "role inheritance would form a cycle: " + core::format_cycle(loop),
                 "{\"field\":\"inherits\",\"path\":" + path + "]}"},
                body);
}

core::ProfileState state_of(std::uint8_t options) {
    core::ProfileState s;
    s.stage = static_cast<core::Stage>(options % 4);
    s.status = static_cast<core::StageStatus>((options / 4) % 3);
    s.employment = static_cast<core::EmploymentStatus>((options / 12) % 4);
    return s;
}

void check_decision(JsonBody const& b, core::ProfileState const& state, std::string_view body) {
    auto const stage_text = EXPECT_OK(b.required_string("stage"));
    auto const decision_text = EXPECT_OK(b.required_string("decision"));
    auto const reason = EXPECT_OK(b.optional_string("reason"));
    auto const back = EXPECT_OK(b.optional_string("send_back_to"));
    auto const stage = core::parse_stage(stage_text);
    if (!stage) REFUSE("stage", "unknown stage '" + stage_text + "'");
    FUZZ_CHECK(core::to_string(*stage) == stage_text, stage_text);
    auto const decision = core::parse_decision(decision_text);
    if (!decision) REFUSE("decision", "decision must be approve or reject");
    core::DecisionInput in{*stage, *decision, reason.value_or(""), std::nullopt};
    if (back) {
        in.send_back_to = core::parse_stage(*back);
        if (!in.send_back_to) REFUSE("send_back_to", "unknown stage '" + *back + "'");
    }
    auto const t = EXPECT_OK(core::decide(state, in));
    FUZZ_CHECK(t.from == state && t.decision == in.decision, body);
    FUZZ_CHECK(state.status == core::StageStatus::submitted && state.stage == in.stage, body);
    FUZZ_CHECK(state.stage != core::Stage::completed && t.to.employment == state.employment, body);
    if (in.decision == core::Decision::approve) {
        FUZZ_CHECK(t.to.stage > state.stage, body);  // approval always moves on
    } else {
        FUZZ_CHECK(t.to.status == core::StageStatus::rejected && t.to.stage <= state.stage, body);
        FUZZ_CHECK(!core::check_reason(in.reason, true).value_or("").empty(), in.reason);
    }
}

void check_employment(JsonBody const& b, core::ProfileState const& state, std::string_view body) {
    auto const text = EXPECT_OK(b.required_string("employment_status"));
    auto const reason = EXPECT_OK(b.optional_string("reason"));
    auto const status = core::parse_employment_status(text);
    if (!status)
        REFUSE("employment_status", "employment_status must be onboarding, on_hold, withdrawn or active");
    auto const why = EXPECT_OK(core::check_reason(reason.value_or(""), false));
    FUZZ_CHECK(core::utf8_length(why) <= core::kMaxReasonLength, why);
    auto const next = EXPECT_OK(core::change_employment(state, *status));
    FUZZ_CHECK(next.stage == state.stage && next.status == state.status && next.employment == *status, body);
}

// PUT /api/v1/profiles/me/details, then Profiles::save_details's normalising and validation.
void check_details(std::string const& json, std::uint8_t options, std::string_view body) {
    auto const d = EXPECT_OK(hrms::app::details_from_json(json));
    // What is stored reads back the same.
    auto const text = hrms::app::details_to_json(d);
    auto const again = hrms::app::details_from_json(text);
    FUZZ_CHECK(again && hrms::app::details_to_json(*again) == text, text);
    auto const n = core::normalize_details(d);
    auto const n_text = hrms::app::details_to_json(n);
    FUZZ_CHECK(hrms::app::details_to_json(core::normalize_details(n)) == n_text, n_text);
    FUZZ_CHECK(core::count_required_filled(n) == core::count_required_filled(d), n_text);
    // Today somewhere between 1970 and 2099, in steps of about six months.
    hrms::Instant const today{static_cast<std::int64_t>(options) * 16'000'000'000LL};
    auto const draft = core::validate_details(n, core::Completeness::draft, today);
    auto const complete = core::validate_details(n, core::Completeness::complete, today);
    if (!draft) check_error(draft.error(), body);
    if (!complete) check_error(complete.error(), body);
    if (complete) FUZZ_CHECK(draft && core::count_required_filled(n) == core::kRequiredDetailCount, n_text);
    // Validation judges the normalised form: the raw details get the same verdict.
    auto const raw = core::validate_details(d, core::Completeness::draft, today);
    FUZZ_CHECK(raw.has_value() == draft.has_value(), n_text);
    if (!raw) FUZZ_CHECK(raw.error().details_json == draft.error().details_json, n_text);
    FUZZ_CHECK(core::progress({core::Stage::details, core::count_required_filled(n), 0, 0}) <= 30, n_text);
}

constexpr int kKinds = 13;

void run(int kind, std::uint8_t options, Ctx const& ctx) {
    std::string_view const body = ctx.req.body;
    auto const b = EXPECT_OK(decode(ctx));
    // Whatever the decoder accepted is well-formed UTF-8: every string handed on is.
    FUZZ_CHECK(hrms::fuzz::utf8_ok(body), body);
    auto const state = state_of(options & 63);
    switch (kind) {
        case 0: {  // POST /api/v1/auth/login
            auto const email = EXPECT_OK(b.required_string("email"));
            auto const password = EXPECT_OK(b.required_string("password"));
            check_email(email, body);
            if (password.empty()) REFUSE("password", "password is required");
            break;
        }
        case 1: {  // POST /api/v1/auth/password (accepting an invite)
            auto const token = EXPECT_OK(b.required_string("token"));
            auto const password = EXPECT_OK(b.required_string("new_password"));
            if (token.empty()) REFUSE("token", "token is required");
            check_password(password, "new.hire@example.com", body, "new_password");
            break;
        }
        case 2: {  // POST /api/v1/users
            auto const email = EXPECT_OK(b.required_string("email"));
            auto const name = EXPECT_OK(b.required_string("name"));
            auto const roles = EXPECT_OK(b.optional_strings("roles"));
            auto const password = EXPECT_OK(b.optional_string("password"));
            check_email(email, body);
            check_name(name, body);
            auto const normalized = core::normalize_email(email);
            if (password && normalized) check_password(*password, *normalized, body);
            check_role_list(roles.value_or(std::vector<std::string>{"employee"}), body);
            break;
        }
        case 3: {  // PATCH /api/v1/users/{id}
            auto const name = EXPECT_OK(b.optional_string("name"));
            auto const status = EXPECT_OK(b.optional_string("status"));
            if (name) check_name(*name, body);
            if (status && *status != "active" && *status != "suspended")
                REFUSE("status", "status must be active or suspended");
            break;
        }
        case 4:    // PUT /api/v1/users/{id}/manager
        case 5: {  // POST /api/v1/profiles/{id}/assign
            char const* key = kind == 4 ? "manager_id" : "reviewer_id";
            if (!b.has(key)) REFUSE(key, std::string(key) + " is required (null clears it)");
            auto const id = EXPECT_OK(b.optional_id(key));
            FUZZ_CHECK(!id || *id > 0, body);
            FUZZ_CHECK(id.has_value() != b.is_null(key), body);
            break;
        }
        case 6: {  // PUT /api/v1/users/{id}/roles
            auto const roles = EXPECT_OK(b.optional_strings("roles"));
            if (!roles) REFUSE("roles", "roles is required");
            check_role_list(*roles, body);
            break;
        }
        case 7: {  // POST /api/v1/roles
            auto const name = EXPECT_OK(b.required_string("name"));
            check_role_input(b, name, body);
            break;
        }
        case 8:  // PUT /api/v1/roles/{name}: the name comes from the path
            check_role_input(b, options & 1 ? "team_lead" : "auditor", body);
            break;
        case 9:  // POST /api/v1/profiles/{id}/decision
            check_decision(b, state, body);
            break;
        case 10:  // POST /api/v1/profiles/{id}/status
            check_employment(b, state, body);
            break;
        case 11:  // PUT /api/v1/profiles/me/details
            check_details(ctx.req.body, options, body);
            break;
        case 12: {  // POST /api/v1/documents/{id}/decision
            auto const decision_text = EXPECT_OK(b.required_string("decision"));
            auto const reason = EXPECT_OK(b.optional_string("reason"));
            auto const decision = core::parse_decision(decision_text);
            if (!decision) REFUSE("decision", "decision must be approve or reject");
            auto const why = EXPECT_OK(core::check_reason(reason.value_or(""), *decision == core::Decision::reject));
            FUZZ_CHECK(why == core::trim(why), why);
            break;
        }
        default:
            break;
    }
    FUZZ_TRACE("json_requests: kind %d decoded", kind);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    if (size < 2) return 0;
    int const kind = data[0] % kKinds;
    std::uint8_t const options = data[1];
    static constexpr char const* kContentTypes[] = {"application/json", "application/json; charset=utf-8",
                                                    "Application/JSON ;charset=UTF-8", "text/plain"};
    Request req;
    req.method = "POST";
    req.headers.emplace_back("content-type", kContentTypes[options >> 6]);
    req.body.assign(reinterpret_cast<char const*>(data) + 2, size - 2);
    static hrms::http::HttpConfig const config;
    Ctx ctx{req, no_services(), config, "req-1", {}, std::nullopt, false};
    run(kind, options, ctx);
    return 0;
}
