#include "hrms/core/onboarding.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>

#include "hrms/core/enum_text.hpp"
#include "hrms/core/text.hpp"

namespace hrms::core {

// ---------------------------------------------------------------------------------------------
// Names on the wire

char const* to_string(Stage s) {
    switch (s) {
        case Stage::details:
            return "details";
        case Stage::documents:
            return "documents";
        case Stage::final:
            return "final";
        case Stage::completed:
            return "completed";
    }
    return "details";
}

char const* to_string(StageStatus s) {
    switch (s) {
        case StageStatus::draft:
            return "draft";
        case StageStatus::submitted:
            return "submitted";
        case StageStatus::rejected:
            return "rejected";
    }
    return "draft";
}

char const* to_string(Decision d) {
    switch (d) {
        case Decision::approve:
            return "approve";
        case Decision::reject:
            return "reject";
    }
    return "approve";
}

char const* to_string(DocumentStatus s) {
    switch (s) {
        case DocumentStatus::pending:
            return "pending";
        case DocumentStatus::approved:
            return "approved";
        case DocumentStatus::rejected:
            return "rejected";
    }
    return "pending";
}

char const* to_string(EmploymentStatus s) {
    switch (s) {
        case EmploymentStatus::onboarding:
            return "onboarding";
        case EmploymentStatus::on_hold:
            return "on_hold";
        case EmploymentStatus::withdrawn:
            return "withdrawn";
        case EmploymentStatus::active:
            return "active";
    }
    return "onboarding";
}

std::optional<Stage> parse_stage(std::string_view text) {
    return parse_enum(text, Stage::completed);
}
std::optional<StageStatus> parse_stage_status(std::string_view text) {
    return parse_enum(text, StageStatus::rejected);
}
std::optional<Decision> parse_decision(std::string_view text) {
    return parse_enum(text, Decision::reject);
}
std::optional<EmploymentStatus> parse_employment_status(std::string_view text) {
    return parse_enum(text, EmploymentStatus::active);
}
std::optional<DocumentStatus> parse_document_status(std::string_view text) {
    return parse_enum(text, DocumentStatus::rejected);
}

// ---------------------------------------------------------------------------------------------
// Text helpers

namespace {
bool is_blank(std::optional<std::string> const& s) { return !s || trim(*s).empty(); }

// C0 controls, DEL, and C1 controls (U+0080..U+009F, encoded as C2 80..C2 9F).
bool has_control_characters(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto const c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7f) return true;
        if (c == 0xC2 && i + 1 < s.size()) {
            auto const next = static_cast<unsigned char>(s[i + 1]);
            if (next >= 0x80 && next <= 0x9F) return true;
        }
    }
    return false;
}
}  // namespace

// ---------------------------------------------------------------------------------------------
// Stage machine

namespace {
// Why nobody may move the profile along any more (completed, on hold, ...), if so.
std::optional<std::string> frozen_reason(ProfileState const& s) {
    if (s.stage == Stage::completed) return "profile is completed";
    switch (s.employment) {
        case EmploymentStatus::onboarding:
            return std::nullopt;
        case EmploymentStatus::on_hold:
            return "profile is on hold";
        case EmploymentStatus::withdrawn:
            return "profile is withdrawn";
        case EmploymentStatus::active:
            return "employee is already active; onboarding is over";
    }
    return "profile is not onboarding";
}
}  // namespace

Result<void> check_employee_action(ProfileState const& s, EmployeeAction action) {
    if (auto why = frozen_reason(s)) return fail(ErrorCode::conflict, std::move(*why));
    if (s.status == StageStatus::submitted && action != EmployeeAction::replace_rejected_document)
        return fail(ErrorCode::conflict, "profile is awaiting review");
    switch (action) {
        case EmployeeAction::edit_details:
            if (s.stage != Stage::details)
                return fail(ErrorCode::conflict,
                            "details can only be changed in the details stage");
            break;
        case EmployeeAction::upload_document:
        case EmployeeAction::replace_rejected_document:
            if (s.stage != Stage::documents)
                return fail(ErrorCode::conflict,
                            "documents can only be uploaded in the documents stage");
            break;
        case EmployeeAction::submit:
            if (s.stage != Stage::details && s.stage != Stage::documents)
                return fail(ErrorCode::conflict,
                            "only the details and documents stages are submitted by the employee");
            break;
    }
    return {};
}

Result<ProfileState> submit(ProfileState const& s) {
    TRY_VOID(check_employee_action(s, EmployeeAction::submit));
    ProfileState next = s;
    next.status = StageStatus::submitted;
    return next;
}

Result<std::string> check_reason(std::string_view reason, bool required) {
    auto const r = trim(reason);
    if (required && r.empty()) return invalid_field("reason", "reason is required to reject");
    if (utf8_length(r) > kMaxReasonLength)
        return invalid_field("reason", fmt::format("reason must be at most {} characters", kMaxReasonLength));
    return std::string(r);
}

Result<ProfileState> change_employment(ProfileState const& s, EmploymentStatus to) {
    ProfileState next = s;
    next.employment = to;
    if (to == s.employment) return next;
    if (s.stage == Stage::completed) {
        if (to == EmploymentStatus::withdrawn || to == EmploymentStatus::active) return next;
        return fail(ErrorCode::conflict, std::string("profile is completed; it can only be withdrawn or "
                                                     "reactivated, not set to ") + to_string(to));
    }
    if (to == EmploymentStatus::active)
        return fail(ErrorCode::conflict, "an employee becomes active by completing onboarding");
    return next;
}

bool sla_runs(ProfileState const& s) {
    return s.stage != Stage::completed && s.status == StageStatus::submitted &&
           s.employment == EmploymentStatus::onboarding;
}

namespace {
// Checks that depend only on the request: a malformed decision is reported as such whatever
// state the profile is in, so the client learns what to fix rather than racing a conflict.
Result<void> check_decision_input(DecisionInput const& in) {
    if (in.stage == Stage::completed)
        return invalid_field("stage", "stage must be details, documents or final");
    // The limit applies to approvals too: whatever is given is stored in the stage history.
    TRY_VOID(check_reason(in.reason, in.decision == Decision::reject));
    if (in.send_back_to) {
        if (in.decision != Decision::reject || in.stage != Stage::final)
            return invalid_field("send_back_to",
                                 "send_back_to is only allowed when rejecting at the final stage");
        if (*in.send_back_to != Stage::details && *in.send_back_to != Stage::documents)
            return invalid_field("send_back_to", "send_back_to must be details or documents");
    }
    return {};
}
}  // namespace

Result<Transition> decide(ProfileState const& s, DecisionInput const& input) {
    TRY_VOID(check_decision_input(input));
    if (auto why = frozen_reason(s)) return fail(ErrorCode::conflict, std::move(*why));
    if (input.stage != s.stage)
        return fail(ErrorCode::conflict,
                    fmt::format("stage {} is no longer current; the profile is at {}",
                                to_string(input.stage), to_string(s.stage)),
                    fmt::format("{{\"current_stage\":\"{}\"}}", to_string(s.stage)));
    if (s.status != StageStatus::submitted)
        return fail(ErrorCode::conflict,
                    fmt::format("stage {} is not awaiting review; {}", to_string(s.stage),
                                s.status == StageStatus::draft ? "the employee has not submitted it"
                                                               : "it is back with the employee"));

    ProfileState to = s;
    if (input.decision == Decision::approve) {
        switch (s.stage) {
            case Stage::details:
                to.stage = Stage::documents;
                to.status = StageStatus::draft;
                break;
            case Stage::documents:
                // Final review needs nothing from the employee: it is the reviewers' turn at once.
                to.stage = Stage::final;
                to.status = StageStatus::submitted;
                break;
            case Stage::final:
                to.stage = Stage::completed;
                to.status = StageStatus::submitted;
                break;
            case Stage::completed:
                break;  // refused above
        }
    } else {
        if (s.stage == Stage::final) to.stage = input.send_back_to.value_or(Stage::documents);
        to.status = StageStatus::rejected;
    }
    return Transition{s, to, input.decision};
}

// ---------------------------------------------------------------------------------------------
// Details

namespace {
constexpr std::size_t kMaxNameChars = 100;
constexpr std::size_t kMaxTextChars = 200;
constexpr int kMinAgeYears = 16;
constexpr int kMaxAgeYears = 100;
constexpr std::size_t kMinPhoneDigits = 7;
constexpr std::size_t kMaxPhoneDigits = 15;
constexpr std::int64_t kMsPerDay = 86'400'000;

enum class FieldKind { name, date, phone, country, text };
struct FieldSpec {
    std::string_view path;
    FieldKind kind;
};

// Every field of Details in declaration order, which is also the order errors are reported in;
// field_slots() must list the members in the same order.
constexpr FieldSpec kFields[] = {
    {"first_name", FieldKind::name},
    {"last_name", FieldKind::name},
    {"preferred_name", FieldKind::name},
    {"date_of_birth", FieldKind::date},
    {"phone", FieldKind::phone},
    {"address.line1", FieldKind::text},
    {"address.line2", FieldKind::text},
    {"address.city", FieldKind::text},
    {"address.region", FieldKind::text},
    {"address.postal_code", FieldKind::text},
    {"address.country", FieldKind::country},
    {"emergency_contact.name", FieldKind::name},
    {"emergency_contact.phone", FieldKind::phone},
    {"emergency_contact.relationship", FieldKind::text},
};
constexpr std::size_t kFieldCount = std::size(kFields);
static_assert(std::size(kRequiredDetailFields) == kRequiredDetailCount);

template <class D>
auto field_slots(D& d) {
    auto slots = std::array{&d.first_name,
                            &d.last_name,
                            &d.preferred_name,
                            &d.date_of_birth,
                            &d.phone,
                            &d.address.line1,
                            &d.address.line2,
                            &d.address.city,
                            &d.address.region,
                            &d.address.postal_code,
                            &d.address.country,
                            &d.emergency_contact.name,
                            &d.emergency_contact.phone,
                            &d.emergency_contact.relationship};
    static_assert(slots.size() == kFieldCount);
    return slots;
}

bool is_required(std::string_view path) {
    return std::find(std::begin(kRequiredDetailFields), std::end(kRequiredDetailFields), path) !=
           std::end(kRequiredDetailFields);
}

std::optional<std::string> check_name(std::string_view field, std::string_view v) {
    auto const n = utf8_length(v);
    if (n < 1 || n > kMaxNameChars)
        return fmt::format("{} must be 1-{} characters", field, kMaxNameChars);
    if (has_control_characters(v))
        return fmt::format("{} must not contain control characters", field);
    return std::nullopt;
}

std::optional<std::string> check_date_of_birth(std::string_view field, std::string_view v,
                                               Instant today) {
    int y = 0, m = 0, d = 0;
    if (v.size() != 10 || v[4] != '-' || v[7] != '-' || !read_fixed_digits(v, 0, 4, y) ||
        !read_fixed_digits(v, 5, 2, m) || !read_fixed_digits(v, 8, 2, d))
        return fmt::format("{} must be a date in the form YYYY-MM-DD", field);
    if (!is_valid_date(y, m, d)) return fmt::format("{} is not a real calendar date", field);
    // Floor division: `today` is a UTC instant, its calendar day the one containing it.
    std::int64_t const today_days =
        today.ms >= 0 ? today.ms / kMsPerDay : (today.ms - (kMsPerDay - 1)) / kMsPerDay;
    // The Nth birthday; days_from_civil rolls 29 February into 1 March in a common year, so a
    // leapling comes of age on 1 March then.
    auto const birthday = [&](int years) {
        return days_from_civil(y + years, static_cast<unsigned>(m), static_cast<unsigned>(d));
    };
    if (today_days < birthday(kMinAgeYears))
        return fmt::format("{} gives an age under {}", field, kMinAgeYears);
    if (today_days >= birthday(kMaxAgeYears + 1))
        return fmt::format("{} gives an age over {}", field, kMaxAgeYears);
    return std::nullopt;
}

std::optional<std::string> check_phone(std::string_view field, std::string_view v) {
    std::string digits;
    bool plus = false;
    for (char c : v) {
        if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') continue;
        if (c == '+' && !plus && digits.empty()) {
            plus = true;
            continue;
        }
        if (c < '0' || c > '9')
            return fmt::format(
                "{} may contain only digits, a leading +, spaces, dashes, dots "
                "and parentheses",
                field);
        digits.push_back(c);
    }
    if (digits.size() < kMinPhoneDigits || digits.size() > kMaxPhoneDigits)
        return fmt::format("{} must have {}-{} digits", field, kMinPhoneDigits, kMaxPhoneDigits);
    if (digits.front() == '0')
        return fmt::format("{} must start with a country or area code, not 0", field);
    return std::nullopt;
}

std::optional<std::string> check_text(std::string_view field, std::string_view v) {
    if (utf8_length(v) > kMaxTextChars)
        return fmt::format("{} must be at most {} characters", field, kMaxTextChars);
    return std::nullopt;
}

std::optional<std::string> check_field(FieldSpec const& spec, std::string_view v, Instant today) {
    switch (spec.kind) {
        case FieldKind::name:
            return check_name(spec.path, v);
        case FieldKind::date:
            return check_date_of_birth(spec.path, v, today);
        case FieldKind::phone:
            return check_phone(spec.path, v);
        case FieldKind::country:
            if (!is_iso_country(v))
                return fmt::format("{} must be an ISO 3166-1 alpha-2 code such as GB", spec.path);
            return std::nullopt;
        case FieldKind::text:
            return check_text(spec.path, v);
    }
    return std::nullopt;
}
}  // namespace

Details normalize_details(Details d) {
    for (auto* slot : field_slots(d)) {
        if (!*slot) continue;
        auto const t = trim(**slot);
        if (t.empty()) {
            slot->reset();
        } else {
            **slot = std::string(t);
        }
    }
    if (auto& c = d.address.country) {
        std::transform(c->begin(), c->end(), c->begin(),
                       [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    }
    return d;
}

Result<void> validate_details(Details const& d, Completeness mode, Instant today) {
    // Judge what will be stored: " gb " is the valid country GB, a blank field is absent.
    Details const n = normalize_details(d);
    auto const slots = field_slots(n);
    std::string first_message, fields_json;
    std::string_view first_field;
    for (std::size_t i = 0; i < kFieldCount; ++i) {
        auto const& spec = kFields[i];
        auto const& value = *slots[i];
        std::optional<std::string> problem;
        if (!value) {
            if (mode == Completeness::complete && is_required(spec.path))
                problem = fmt::format("{} is required", spec.path);
        } else {
            problem = check_field(spec, *value, today);
        }
        if (!problem) continue;
        if (first_field.empty()) {
            first_field = spec.path;
            first_message = *problem;
        } else {
            fields_json += ',';
        }
        fields_json += json_quote(spec.path) + ':' + json_quote(*problem);
    }
    if (first_field.empty()) return {};
    return fail(ErrorCode::validation_failed, std::move(first_message),
                "{\"field\":" + json_quote(first_field) + ",\"fields\":{" + fields_json + "}}");
}

int count_required_filled(Details const& d) {
    auto const slots = field_slots(d);
    int filled = 0;
    for (std::size_t i = 0; i < kFieldCount; ++i) {
        if (is_required(kFields[i].path) && !is_blank(*slots[i])) ++filled;
    }
    return filled;
}

namespace {
// ISO 3166-1 alpha-2, every officially assigned code (249), sorted for binary search. Checked
// against Debian's iso-codes and tzdata's iso3166.tab. User-assigned (XK) and reserved codes
// (UK, EU, ...) are not countries here.
constexpr std::string_view kIsoCountries[] = {
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
};
static_assert(std::size(kIsoCountries) == 249);
}  // namespace

bool is_iso_country(std::string_view code) {
    return std::binary_search(std::begin(kIsoCountries), std::end(kIsoCountries), code);
}

// ---------------------------------------------------------------------------------------------
// Progress

int progress(ProgressInput const& in) {
    switch (in.stage) {
        case Stage::details: {
            int const filled = std::clamp(in.required_fields_filled, 0, kRequiredDetailCount);
            return 30 * filled / kRequiredDetailCount;
        }
        case Stage::documents: {
            if (in.required_docs_total <= 0) return 70;
            int const approved = std::clamp(in.required_docs_approved, 0, in.required_docs_total);
            return 40 + 30 * approved / in.required_docs_total;
        }
        case Stage::final:
            return 85;
        case Stage::completed:
            return 100;
    }
    return 0;
}

// ---------------------------------------------------------------------------------------------
// SLA clocks

double SlaPolicy::budget_hours(Stage s) const {
    switch (s) {
        case Stage::details:
            return hours_details;
        case Stage::documents:
            return hours_documents;
        case Stage::final:
            return hours_final;
        case Stage::completed:
            return 0;  // nothing left to review
    }
    return 0;
}

namespace {
// Time since `since`, never negative: an `at` before the clock started (skew between
// processes) must not take time off the clock.
std::int64_t ms_since(Instant since, Instant at) {
    return std::max<std::int64_t>(0, at.ms - since.ms);
}
}  // namespace

SlaClock sla_start(Stage stage, Instant at) {
    return SlaClock{
        .stage = stage, .elapsed_ms = 0, .running_since = at, .stopped_at = {}, .urgent_sent = false, .reminded_at = {}};
}

SlaClock sla_pause(SlaClock c, Instant at) {
    if (c.stopped_at || !c.running_since) return c;
    c.elapsed_ms += ms_since(*c.running_since, at);
    c.running_since.reset();
    return c;
}

SlaClock sla_resume(SlaClock c, Instant at) {
    if (c.stopped_at || c.running_since) return c;
    c.running_since = at;
    return c;
}

SlaClock sla_stop(SlaClock c, Instant at) {
    if (c.stopped_at) return c;
    c = sla_pause(c, at);
    c.stopped_at = at;
    return c;
}

SlaStatus sla_status(SlaClock const& c, SlaPolicy const& p, Instant now) {
    SlaStatus st{};
    st.state = c.stopped_at      ? SlaState::stopped
               : c.running_since ? SlaState::running
                                 : SlaState::paused;
    st.elapsed_ms = c.elapsed_ms;
    if (st.state == SlaState::running) st.elapsed_ms += ms_since(*c.running_since, now);
    st.budget_ms = std::llround(p.budget_hours(c.stage) * 3'600'000.0);
    // A stage without a budget (completed, or a misconfigured 0) has no SLA to breach.
    if (st.budget_ms <= 0) {
        st.budget_ms = 0;
        st.fraction = 0;
        st.overdue = st.reminder_due = st.escalation_due = false;
        return st;
    }
    st.fraction = static_cast<double>(st.elapsed_ms) / static_cast<double>(st.budget_ms);
    if (st.state == SlaState::running)
        st.deadline = Instant{c.running_since->ms + (st.budget_ms - c.elapsed_ms)};
    st.overdue = st.elapsed_ms > st.budget_ms;
    bool const open = st.state != SlaState::stopped;
    st.reminder_due = open && st.fraction >= p.reminder_after;
    st.escalation_due = open && st.fraction >= p.escalate_after;
    return st;
}

bool sla_urgent_due(SlaClock const& c, SlaPolicy const& p, Instant now) {
    return !c.urgent_sent && sla_status(c, p, now).escalation_due;
}

bool sla_reminder_due(SlaClock const& c, SlaPolicy const& p, Instant now, double quiet_s,
                      std::optional<double> older_than_hours) {
    if (c.stopped_at || !c.running_since) return false;
    if (c.reminded_at && c.reminded_at->plus_seconds(quiet_s) > now) return false;
    auto const st = sla_status(c, p, now);
    if (older_than_hours) return static_cast<double>(st.elapsed_ms) >= *older_than_hours * 3.6e6;
    return st.reminder_due;
}

std::vector<std::string> required_documents_lacking(std::vector<std::string> const& required_types,
                                                    std::vector<CurrentDocument> const& current, DocumentNeed need) {
    std::vector<std::string> out;
    for (auto const& type : required_types) {
        bool const met = std::any_of(current.begin(), current.end(), [&](CurrentDocument const& d) {
            return d.type == type && (need == DocumentNeed::approved ? d.status == DocumentStatus::approved : d.status != DocumentStatus::rejected);
        });
        if (!met) out.push_back(type);
    }
    return out;
}

}  // namespace hrms::core
