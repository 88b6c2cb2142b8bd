#pragma once
// The reports port: aggregate reads over the workflow's history, SLA clocks and documents (one
// query per figure, never one per row), the dashboard's counts, and report schedules and runs.
// Periods are [from, to).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hrms/app/ports/profiles.hpp"
#include "hrms/core/onboarding.hpp"

namespace hrms::app {

// Transitions in a period by where they went and what made them (a reviewer's decision, or none:
// the employee's submission, an employment change); of the decisions, `timed` carry an SLA clock
// (those made before clocks were recorded do not) and `breached` of those ran past the budget.
struct TransitionCount {
    core::Stage from_stage{};
    std::string decision;  // approve, reject, employment.<status>, or "" for a submission
    core::Stage to_stage{};
    core::StageStatus to_status{};
    std::int64_t count = 0;
    std::int64_t timed = 0;
    std::int64_t breached = 0;
};

// One duration of something that happened at a stage (a decision's wait, a stay).
struct StageDuration {
    core::Stage stage{};
    std::int64_t ms = 0;
};

// A stage a profile left (approved) in the period: the time it spent there in all, on whose
// turn, and how often it was sent back first.
struct StageStay {
    core::Stage stage{};
    std::int64_t total_ms = 0;
    std::int64_t employee_ms = 0;
    std::int64_t reviewer_ms = 0;
    std::int64_t rejections = 0;
};

struct DocumentCounts {
    std::int64_t uploaded = 0;
    std::int64_t approved = 0;
    std::int64_t rejected = 0;
};

struct ReviewerRow {
    UserId id = 0;
    std::string name;
    std::string email;
    std::int64_t decisions = 0;
    std::int64_t approvals = 0;
    std::int64_t rejections = 0;
    std::int64_t timed = 0;
    std::int64_t within = 0;  // timed decisions within the budget
};

struct ReviewerDuration {
    UserId id = 0;
    std::int64_t ms = 0;
};

// A review that ran past its SLA: decided (at = the decision, late_ms = clock - budget) or
// still open (decision empty, at = the deadline, late_ms = now - deadline).
struct BreachRow {
    ProfileId profile_id = 0;
    std::string employee;
    std::string reviewer;  // empty: open, or decided by an account since removed
    core::Stage stage{};
    std::string decision;  // approve, reject, or "" while open
    Instant at;
    std::int64_t clock_ms = 0;
    std::int64_t budget_ms = 0;
    std::int64_t late_ms = 0;
};

struct ReasonCount {
    core::Stage stage{};
    std::string reason;
    std::int64_t count = 0;
};

struct ReportScheduleRecord {
    std::int64_t id = 0;
    std::string name;
    std::string kind;     // core::to_string(ReportKind)
    std::string cadence;  // daily | weekly
    int weekday = 0;      // weekly: 0 = Monday
    std::string at_time;  // HH:MM local
    std::string time_zone;
    std::vector<std::string> formats;
    std::vector<std::string> recipients;
    bool enabled = true;
    Instant next_run_at;
    std::optional<UserId> created_by;
    Instant created_at;
    Instant updated_at;
};

struct ReportFile {
    std::string format;
    std::string file;  // name under HRMS_DATA_DIR/reports
    std::int64_t size = 0;
    std::string sha256;
};

struct ReportRunRecord {
    std::int64_t id = 0;
    std::optional<std::int64_t> schedule_id;
    std::string source;  // schedule | cli
    std::string kind;
    std::string period_from, period_to, time_zone;
    std::string status;  // running | succeeded | failed
    std::vector<ReportFile> files;
    std::vector<std::string> recipients;
    std::string error;
    std::string lease_owner;
    std::optional<Instant> lease_until;
    Instant started_at;
    std::optional<Instant> finished_at;
};

class ReportRepo {
public:
    virtual ~ReportRepo() = default;

    virtual std::vector<TransitionCount> transitions(Instant from, Instant to) = 0;
    // How long each decision's review waited for it (since the review became the reviewers'
    // turn, or since it resumed after a hold).
    virtual std::vector<StageDuration> review_waits(Instant from, Instant to) = 0;
    // Time from joining to completion of every profile completed in the period.
    virtual std::vector<std::int64_t> completion_ages(Instant from, Instant to) = 0;
    virtual DocumentCounts documents(Instant from, Instant to) = 0;
    virtual std::vector<StageStay> stays(Instant from, Instant to) = 0;
    virtual std::vector<ReasonCount> rejection_reasons(Instant from, Instant to, int per_stage) = 0;
    virtual std::vector<ReviewerRow> reviewers(Instant from, Instant to) = 0;
    virtual std::vector<ReviewerDuration> reviewer_waits(Instant from, Instant to) = 0;
    // Decided breaches in the period, latest first, at most `limit`; and how many there are.
    virtual std::vector<BreachRow> breaches(Instant from, Instant to, int limit) = 0;
    virtual std::int64_t count_breaches(Instant from, Instant to) = 0;
    // Reviews open past their deadline at `now`, most overdue first, at most `limit`.
    virtual std::vector<BreachRow> open_breaches(Instant now, int limit) = 0;
    // Reviews waiting past their deadline at `now`, and those marked urgent.
    virtual std::int64_t overdue(Instant now) = 0;
    virtual std::int64_t urgent() = 0;

    // The dashboard's other counts.
    virtual std::int64_t email_queue() = 0;  // messages not yet sent (queued, sending, deferred)
    virtual std::int64_t bulk_running() = 0;

    // Schedules (all of them: an administrator keeps a handful) and runs.
    virtual std::vector<ReportScheduleRecord> schedules() = 0;
    // Replaces every schedule with `list` (ids ignored; new ids given).
    virtual void replace_schedules(std::vector<ReportScheduleRecord> const& list) = 0;
    // Enabled schedules due at `now`.
    virtual std::vector<ReportScheduleRecord> due_schedules(Instant now) = 0;
    // Moves a schedule's next run from `seen` to `next`; false when another process did first.
    virtual bool advance_schedule(std::int64_t id, Instant seen, Instant next) = 0;
    virtual std::int64_t insert_run(ReportRunRecord const& run) = 0;
    // Finishes a run this owner holds: false when it is no longer theirs.
    virtual bool finish_run(ReportRunRecord const& run, std::string const& owner) = 0;
    virtual std::optional<ReportRunRecord> run(std::int64_t id) = 0;
    // Newest first, below `before` when given.
    virtual std::vector<ReportRunRecord> runs(std::optional<std::int64_t> before, int limit) = 0;
    // Runs still `running` whose lease lapsed before `now`: their process died.
    virtual std::vector<ReportRunRecord> stale_runs(Instant now, int limit) = 0;
    virtual bool claim_run(std::int64_t id, std::string const& owner, Instant now, Instant until) = 0;
    // Runs that started before `before` (to delete with their files).
    virtual std::vector<ReportRunRecord> runs_before(Instant before, int limit) = 0;
    virtual void delete_run(std::int64_t id) = 0;
};

}  // namespace hrms::app
