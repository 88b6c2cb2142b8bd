#pragma once
// The onboarding rules as pure functions: stage machine, who may act, progress, details
// validation and SLA clocks. No I/O, no clock: callers pass `now`.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hrms/core/error.hpp"
#include "hrms/core/time.hpp"

namespace hrms::core {

// details -> documents -> final -> completed.
enum class Stage { details, documents, final, completed };
// draft: the employee's turn; submitted: a reviewer's turn; rejected: back with the employee.
enum class StageStatus { draft, submitted, rejected };
enum class Decision { approve, reject };
enum class EmploymentStatus { onboarding, on_hold, withdrawn, active };
enum class DocumentStatus { pending, approved, rejected };

char const* to_string(Stage s);
char const* to_string(StageStatus s);
char const* to_string(Decision d);
char const* to_string(EmploymentStatus s);
char const* to_string(DocumentStatus s);
std::optional<Stage> parse_stage(std::string_view text);
std::optional<StageStatus> parse_stage_status(std::string_view text);
std::optional<Decision> parse_decision(std::string_view text);
std::optional<EmploymentStatus> parse_employment_status(std::string_view text);
std::optional<DocumentStatus> parse_document_status(std::string_view text);

struct ProfileState {
    Stage stage = Stage::details;
    StageStatus status = StageStatus::draft;
    EmploymentStatus employment = EmploymentStatus::onboarding;
    auto operator<=>(ProfileState const&) const = default;
};

// What an employee does to their own profile. replace_rejected_document uploads a new version
// of a document a reviewer rejected.
enum class EmployeeAction { edit_details, upload_document, replace_rejected_document, submit };

// Ok when the employee may do `action` now: edit_details only in stage details, upload_document
// only in stage documents, submit only in details or documents; always only while the status
// is draft or rejected and employment is onboarding. replace_rejected_document is the one
// action also allowed while the documents stage awaits review (the review goes on; the stage
// cannot be approved until the replacement is). Otherwise conflict with a message that
// says why ("profile is awaiting review", "details can only be changed in the details stage",
// "profile is on hold", "profile is completed").
Result<void> check_employee_action(ProfileState const& s, EmployeeAction action);

// The state after the employee submits the current stage (status becomes submitted);
// errors as check_employee_action(s, submit).
Result<ProfileState> submit(ProfileState const& s);

// The state after an administrator sets the employment status to `to`. Stage and status are
// kept; setting the current status changes nothing. on_hold and withdrawn pause onboarding at
// any stage before completion and onboarding resumes it; active comes only from completing
// onboarding (conflict "... by completing onboarding"); a completed profile may be withdrawn
// (the employee left) and reactivated, nothing else (conflict "profile is completed").
Result<ProfileState> change_employment(ProfileState const& s, EmploymentStatus to);

// True while the current stage's SLA clock runs: the stage awaits review (submitted), the
// profile is onboarding, and onboarding is not completed.
bool sla_runs(ProfileState const& s);

struct DecisionInput {
    Stage stage;                        // the stage the reviewer believes is current
    Decision decision;
    std::string reason;                 // required (non-blank, <= kMaxReasonLength) to reject
    std::optional<Stage> send_back_to;  // only for a rejection at final: details or documents
};
inline constexpr std::size_t kMaxReasonLength = 2000;

// A reviewer's or administrator's reason, trimmed: validation_failed naming "reason" when it is
// blank but `required` ("reason is required to reject"), or longer than kMaxReasonLength
// characters (code points).
Result<std::string> check_reason(std::string_view reason, bool required);

struct Transition {
    ProfileState from;
    ProfileState to;
    Decision decision;
};

// A reviewer's decision. conflict when the profile is completed, when input.stage is not the
// current stage ("stage details is no longer current; the profile is at documents"), when the
// stage is not awaiting review (status != submitted), or when employment is not onboarding.
// validation_failed naming "reason" for a missing/too long rejection reason, and naming
// "send_back_to" when it is given for anything but a rejection at final, or names a stage
// other than details or documents.
// approve: details -> documents/draft; documents -> final/submitted (final review is the
// reviewers' turn at once); final -> completed/submitted.
// reject: details or documents -> same stage/rejected; final -> send_back_to (default
// documents)/rejected.
Result<Transition> decide(ProfileState const& s, DecisionInput const& input);

// Required detail fields, in this order (dotted paths name nested fields).
inline constexpr std::string_view kRequiredDetailFields[] = {
    "first_name",        "last_name",    "date_of_birth",
    "phone",             "address.line1", "address.city",
    "address.country",   "emergency_contact.name", "emergency_contact.phone"};
inline constexpr int kRequiredDetailCount = 9;

struct Address {
    std::optional<std::string> line1, line2, city, region, postal_code, country;
};
struct EmergencyContact {
    std::optional<std::string> name, phone, relationship;
};
struct Details {
    std::optional<std::string> first_name, last_name, preferred_name, date_of_birth, phone;
    Address address;
    EmergencyContact emergency_contact;
};

enum class Completeness { draft, complete };

// Checks every given field's format: names 1..100 characters without control characters;
// date_of_birth a real calendar date YYYY-MM-DD giving an age of 16..100 years at `today`;
// phones E.164-like (spaces, dashes, dots and parentheses ignored; optional leading +; then
// 7..15 digits, the first not 0); country an ISO 3166-1 alpha-2 code (upper case after
// normalising; e.g. "GB", "DE", "US"); other strings <= 200 characters. With
// Completeness::complete every required field must also be present and non-blank.
// On failure: validation_failed, message for the first bad field, details
// {"field": "<first bad field>", "fields": {"<field>": "<message>", ...}} listing all of them.
Result<void> validate_details(Details const& d, Completeness mode, Instant today);

// Details with surrounding whitespace trimmed, blank strings turned into nullopt, country
// upper-cased.
Details normalize_details(Details d);

// How many of kRequiredDetailFields are present and non-blank.
int count_required_filled(Details const& d);

// True for an ISO 3166-1 alpha-2 code (upper case).
bool is_iso_country(std::string_view code);

// A profile's current document of one type, as the required-documents rules see it.
struct CurrentDocument {
    std::string type;
    DocumentStatus status = DocumentStatus::pending;
};

// What a required document type must have: `uploaded` (a current document that is not
// rejected: needed to submit the stage) or `approved` (needed to approve it, and counted by
// progress).
enum class DocumentNeed { uploaded, approved };

// The required types, in the order given, whose current document does not meet `need` (a type
// with no document never does).
std::vector<std::string> required_documents_lacking(std::vector<std::string> const& required_types,
                                                    std::vector<CurrentDocument> const& current, DocumentNeed need);

struct ProgressInput {
    Stage stage = Stage::details;
    int required_fields_filled = 0;    // of kRequiredDetailCount
    int required_docs_approved = 0;
    int required_docs_total = 0;
};

// Progress 0..100, a pure function of where the profile is:
// details: 30 * filled / 9 (0 for a new profile); documents: 40 + 30 * approved / total
// (40 + 30 when there are no required documents); final: 85; completed: 100.
// Every stage advance therefore raises it, and only completion reaches 100.
int progress(ProgressInput const& in);

// SLA: review stages (details, documents, final) each have a budget in hours.
struct SlaPolicy {
    double hours_details = 48;
    double hours_documents = 72;
    double hours_final = 24;
    double reminder_after = 1.0;  // fraction of the budget
    double escalate_after = 2.0;
    double budget_hours(Stage s) const;
};

// The clock of one review stage. It runs while the stage awaits review (submitted) and the
// profile is onboarding; it pauses while the profile is back with the employee (rejected) or
// on hold; it stops at approval. Time accumulates across pauses.
struct SlaClock {
    Stage stage = Stage::details;
    std::int64_t elapsed_ms = 0;          // accumulated while running, before running_since
    std::optional<Instant> running_since; // set while running
    std::optional<Instant> stopped_at;    // set once approved
    bool urgent_sent = false;             // admin.urgent_review went out for this review
    std::optional<Instant> reminded_at;   // the last reminder about this review
};

// A clock that starts running at `at` (a new review: nothing sent about it yet).
SlaClock sla_start(Stage stage, Instant at);
// Pausing a running clock adds the time since running_since; pausing a paused or stopped
// clock changes nothing.
SlaClock sla_pause(SlaClock c, Instant at);
// Resuming a paused (not stopped) clock starts it running at `at`; otherwise unchanged.
SlaClock sla_resume(SlaClock c, Instant at);
// Stopping accumulates and marks it stopped; a stopped clock is unchanged.
SlaClock sla_stop(SlaClock c, Instant at);

enum class SlaState { running, paused, stopped };
struct SlaStatus {
    SlaState state;
    std::int64_t elapsed_ms;             // as of `now`
    std::int64_t budget_ms;
    double fraction;                     // elapsed / budget
    std::optional<Instant> deadline;     // only while running: when elapsed reaches the budget
    bool overdue;                        // elapsed > budget (a stopped clock keeps its verdict)
    bool reminder_due;                   // fraction >= reminder_after and not stopped
    bool escalation_due;                 // fraction >= escalate_after and not stopped
};
SlaStatus sla_status(SlaClock const& c, SlaPolicy const& p, Instant now);

// True when the review has run past policy.escalate_after of its budget and nobody has been
// alerted yet: the admins get one admin.urgent_review per review (pauses and resumptions keep
// the flag; a review that starts afresh clears it).
bool sla_urgent_due(SlaClock const& c, SlaPolicy const& p, Instant now);

// True when a running review deserves a reminder: it has waited `older_than_hours` (default:
// policy.reminder_after of its budget) and no reminder went out in the last `quiet_s` seconds.
// A paused clock (the profile is back with the employee, or on hold) is waiting on nobody.
bool sla_reminder_due(SlaClock const& c, SlaPolicy const& p, Instant now, double quiet_s,
                      std::optional<double> older_than_hours = std::nullopt);

}  // namespace hrms::core
