#pragma once
// Internal to store/: how typed values travel through SOCI. Times are stored as fixed-width
// RFC 3339 UTC text (it sorts like the instant on both databases) and statuses and outcomes as
// their names,
// so `use()` and `into()` take an Instant or an enum directly and no query formats or parses.
#include <soci/soci.h>

#include <string>

#include "hrms/app/jobs.hpp"
#include "hrms/app/ports/email.hpp"
#include "hrms/core/accounts.hpp"
#include "hrms/core/audit.hpp"
#include "hrms/core/onboarding.hpp"
#include "hrms/core/time.hpp"

namespace hrms::store {

// Text that a column holds which no value of the type matches: the row was not written by us.
[[noreturn]] void bad_column_text(char const* type, std::string const& text);

// The conversion for an enum with to_string and a parse function.
template <class E, std::optional<E> (*Parse)(std::string_view), char const* Name>
struct EnumText {
    typedef std::string base_type;
    static void from_base(std::string const& text, soci::indicator ind, E& out) {
        if (ind == soci::i_null) return;
        auto const e = Parse(text);
        if (!e) bad_column_text(Name, text);
        out = *e;
    }
    static void to_base(E const& e, std::string& text, soci::indicator& ind) {
        text = to_string(e);  // found by argument-dependent lookup
        ind = soci::i_ok;
    }
};

inline constexpr char kUserStatus[] = "user status";
inline constexpr char kDocumentStatus[] = "document status";
inline constexpr char kStage[] = "stage";
inline constexpr char kStageStatus[] = "stage status";
inline constexpr char kEmploymentStatus[] = "employment status";
inline constexpr char kJobOutcome[] = "job outcome";
inline constexpr char kAuditCategory[] = "audit category";
inline constexpr char kAuditLevel[] = "audit level";
inline constexpr char kAuditOutcome[] = "audit outcome";
inline constexpr char kEmailStatus[] = "email status";

}  // namespace hrms::store

namespace soci {

template <>
struct type_conversion<hrms::Instant> {
    typedef std::string base_type;
    static void from_base(std::string const& text, indicator ind, hrms::Instant& out) {
        if (ind == i_null) return;
        auto const t = hrms::parse_rfc3339(text);
        if (!t) hrms::store::bad_column_text("time", text);
        out = *t;
    }
    static void to_base(hrms::Instant const& t, std::string& text, indicator& ind) {
        text = hrms::to_rfc3339(t);
        ind = i_ok;
    }
};

template <>
struct type_conversion<hrms::core::UserStatus>
    : hrms::store::EnumText<hrms::core::UserStatus, hrms::core::parse_user_status, hrms::store::kUserStatus> {};
template <>
struct type_conversion<hrms::core::DocumentStatus>
    : hrms::store::EnumText<hrms::core::DocumentStatus, hrms::core::parse_document_status,
                            hrms::store::kDocumentStatus> {};
template <>
struct type_conversion<hrms::core::Stage>
    : hrms::store::EnumText<hrms::core::Stage, hrms::core::parse_stage, hrms::store::kStage> {};
template <>
struct type_conversion<hrms::core::StageStatus>
    : hrms::store::EnumText<hrms::core::StageStatus, hrms::core::parse_stage_status, hrms::store::kStageStatus> {};
template <>
struct type_conversion<hrms::core::EmploymentStatus>
    : hrms::store::EnumText<hrms::core::EmploymentStatus, hrms::core::parse_employment_status,
                            hrms::store::kEmploymentStatus> {};

template <>
struct type_conversion<hrms::core::AuditCategory>
    : hrms::store::EnumText<hrms::core::AuditCategory, hrms::core::parse_audit_category, hrms::store::kAuditCategory> {};
template <>
struct type_conversion<hrms::core::AuditLevel>
    : hrms::store::EnumText<hrms::core::AuditLevel, hrms::core::parse_audit_level, hrms::store::kAuditLevel> {};
template <>
struct type_conversion<hrms::core::AuditOutcome>
    : hrms::store::EnumText<hrms::core::AuditOutcome, hrms::core::parse_audit_outcome, hrms::store::kAuditOutcome> {};

template <>
struct type_conversion<hrms::app::JobOutcome>
    : hrms::store::EnumText<hrms::app::JobOutcome, hrms::app::parse_job_outcome, hrms::store::kJobOutcome> {};
template <>
struct type_conversion<hrms::app::EmailStatus>
    : hrms::store::EnumText<hrms::app::EmailStatus, hrms::app::parse_email_status, hrms::store::kEmailStatus> {};

}  // namespace soci
