#pragma once
// Reports and the dashboard. A report (daily operations, weekly summary, process efficiency, SLA
// compliance, reviewer performance) is built from aggregate reads (ports/reports) into the one
// core::Report model, which a ReportRenderer (reports/) turns into JSON, CSV, HTML, PDF or XLSX.
// Schedules (kept in the database) run on the job runner exactly once across processes; each
// run's files go under HRMS_DATA_DIR/reports and, attached, to the schedule's recipients.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "hrms/app/actor.hpp"
#include "hrms/app/email.hpp"
#include "hrms/app/paging.hpp"
#include "hrms/app/ports.hpp"
#include "hrms/core/onboarding.hpp"
#include "hrms/core/report.hpp"
#include "hrms/core/time_zone.hpp"

namespace hrms::app {

// HRMS_REPORT_* settings.
struct ReportPolicy {
    std::string time_zone = "UTC";  // day and week boundaries (IANA name)
    // Weekly goals; none: not shown.
    std::optional<double> goal_completions_per_week;
    std::optional<double> goal_median_days_to_complete;
    int max_range_days = 366;       // the longest from..to a report covers
    double retention_days = 90;     // runs and their files are deleted after this
    double run_lease_s = 600;       // a run whose process died is redone after this
    std::string dir;                // where run files go (HRMS_DATA_DIR/reports)
    int table_limit = 500;          // rows a breach table shows at most (the total is given)
    double dashboard_max_age_s = 1; // the dashboard is recomputed at most this often
};

// Renders the model (reports/ implements it).
class ReportRenderer {
public:
    virtual ~ReportRenderer() = default;
    virtual Result<std::string> render(core::Report const& r, core::ReportFormat f) const = 0;
};

// A report request as the API or the command line gives it: all text, checked here.
struct ReportRequest {
    core::ReportKind kind = core::ReportKind::daily;
    std::string date;       // daily, weekly: a day in the period (default today)
    std::string from, to;   // the others: inclusive local dates (default: the 30 days to today)
    std::string time_zone;  // default HRMS_REPORT_TIMEZONE
};

struct Dashboard {
    Instant as_of;
    std::string time_zone;
    std::vector<ProfileRepo::StageCount> counts;  // profiles by (stage, status)
    std::int64_t total = 0;
    std::int64_t in_progress = 0;  // not completed
    std::int64_t completed = 0;
    std::int64_t overdue = 0;
    std::int64_t urgent = 0;
    // Since local midnight.
    std::int64_t submissions_today = 0;
    std::int64_t approvals_today = 0;
    std::int64_t rejections_today = 0;
    std::int64_t completions_today = 0;
    std::int64_t documents_uploaded_today = 0;
    std::optional<double> median_days_to_complete_this_week;
    std::int64_t completions_this_week = 0;
    std::int64_t open_sessions = 0;  // WebSocket sessions on this process
    std::int64_t email_queue = 0;
    std::int64_t bulk_jobs_running = 0;
};

struct ReportSchedule {
    std::optional<std::int64_t> id;
    std::string name;
    core::ReportKind kind = core::ReportKind::daily;
    std::string cadence = "daily";  // daily | weekly
    int weekday = 0;                // weekly: 0 = Monday
    std::string at_time = "07:00";
    std::string time_zone;          // default HRMS_REPORT_TIMEZONE
    std::vector<core::ReportFormat> formats{core::ReportFormat::pdf};
    std::vector<std::string> recipients;
    bool enabled = true;
    std::optional<Instant> next_run_at;  // answers only
};

struct ReportRunPage {
    std::vector<ReportRunRecord> items;
    std::optional<std::int64_t> next_before;
};

// A run file as the download endpoint sends it.
struct ReportFileRef {
    std::string path;
    std::string filename;
    std::string content_type;
    std::int64_t size = 0;
};

class Reports {
public:
    Reports(Store& store, Clock const& clock, core::SlaPolicy sla, ReportPolicy policy, ReportRenderer const& renderer,
            Mailer const* mailer);
    ~Reports();
    Reports(Reports const&) = delete;
    Reports& operator=(Reports const&) = delete;

    // The model for `req` (reports.read). validation_failed naming the field for an unknown
    // time zone, a malformed date, from after to, or a range longer than max_range_days.
    Result<core::Report> build(Actor const& actor, ReportRequest const& req) const;
    // build() without an actor (the command line and schedules).
    Result<core::Report> build_system(ReportRequest const& req) const;
    // The model rendered.
    Result<std::string> render(core::Report const& r, core::ReportFormat f) const { return renderer_.render(r, f); }

    // The live dashboard (profiles.read): the last one computed while it is younger than
    // dashboard_max_age_s; a little older (by up to max(1 s, that age)), the same while a
    // background thread recomputes it; older still, or none yet, computed for the caller.
    Result<Dashboard> dashboard(Actor const& actor);
    // The same without the permission check.
    Dashboard snapshot();
    Dashboard dashboard_now();
    // Computed afresh and cached (the WebSocket loop, after a change).
    Dashboard refresh();
    // Stops the dashboard's background refresh (before what it reads goes away); snapshots keep
    // answering with the last one.
    void stop_refresher();
    // What counts this process's WebSocket sessions (wired by cli/).
    void set_session_counter(std::function<std::int64_t()> counter) { sessions_ = std::move(counter); }

    Result<std::vector<ReportSchedule>> schedules(Actor const& actor) const;
    // Replaces every schedule (reports.manage). validation_failed naming "schedules[i].<field>".
    Result<std::vector<ReportSchedule>> put_schedules(Actor const& actor, std::vector<ReportSchedule> list);
    Result<ReportRunPage> runs(Actor const& actor, std::optional<std::int64_t> before, int limit) const;
    Result<ReportRunRecord> run(Actor const& actor, std::int64_t id) const;
    Result<ReportFileRef> run_file(Actor const& actor, std::int64_t id, std::string const& format) const;

    // The reports.schedule job: runs every due schedule once across processes, redoes runs whose
    // process died, and deletes runs past retention. Returns the runs finished.
    std::int64_t run_due(std::function<bool()> const& stopping);
    // One report generated now into files (the command line): the run's record.
    Result<ReportRunRecord> run_now(ReportRequest const& req, std::vector<core::ReportFormat> const& formats,
                                    std::vector<std::string> const& recipients,
                                    std::function<void(int, int)> const& progress = {});

    ReportPolicy const& policy() const { return policy_; }

private:
    struct Period {
        core::ReportPeriod current, previous;
    };
    Result<Period> period_of(ReportRequest const& req) const;
    core::Report assemble(core::ReportKind kind, Period const& p, std::function<void(int, int)> const& progress) const;
    Result<ReportRunRecord> execute(ReportRunRecord run, std::vector<core::ReportFormat> const& formats,
                                    std::function<void(int, int)> const& progress);
    Result<ReportSchedule> check_schedule(ReportSchedule s, std::string const& field) const;
    Instant next_run(ReportScheduleRecord const& s, Instant after) const;

    Store& store_;
    Clock const& clock_;
    core::SlaPolicy sla_;
    ReportPolicy policy_;
    core::TimeZone zone_;
    ReportRenderer const& renderer_;
    Mailer const* mailer_;
    std::function<std::int64_t()> sessions_;
    std::string owner_;

    void refresher();

    std::mutex dashboard_mu_;
    std::condition_variable refresh_cv_;
    std::optional<Dashboard> dashboard_;
    double dashboard_at_ = -1e9;  // monotonic seconds
    bool refresh_wanted_ = false;
    bool stopping_ = false;
    std::thread refresher_;  // started by the first stale read
};

}  // namespace hrms::app
