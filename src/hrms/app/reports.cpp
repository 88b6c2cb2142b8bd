#include "hrms/app/reports.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "hrms/app/audit.hpp"
#include "hrms/app/crypto.hpp"
#include "hrms/app/log.hpp"
#include "hrms/core/accounts.hpp"
#include "hrms/core/text.hpp"

namespace hrms::app {

namespace fs = std::filesystem;
using core::Metric;
using core::ReportKind;
using core::Stage;
using core::Unit;

namespace {
constexpr double kHourMs = 3'600'000.0;
constexpr double kDayMs = 86'400'000.0;
constexpr Stage kReviewStages[] = {Stage::details, Stage::documents, Stage::final};
constexpr std::size_t kMaxSchedules = 50;
constexpr std::size_t kMaxRecipients = 50;

Error invalid(std::string const& field, std::string const& message) {
    return Error{ErrorCode::validation_failed, message, "{\"field\":" + json_quote(field) + "}"};
}

// The median of `v` (the mean of the middle two when there is an even number), in `scale`.
std::optional<double> median(std::vector<std::int64_t> v, double scale) {
    if (v.empty()) return std::nullopt;
    auto const n = v.size();
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n / 2), v.end());
    double m = static_cast<double>(v[n / 2]);
    if (n % 2 == 0) {
        auto const lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n / 2));
        m = (m + static_cast<double>(lower)) / 2;
    }
    return m / scale;
}

// The 90th percentile by nearest rank: the smallest value at least 90% of them do not exceed.
std::optional<double> p90(std::vector<std::int64_t> v, double scale) {
    if (v.empty()) return std::nullopt;
    auto const rank = (9 * v.size() + 9) / 10;  // ceil(0.9 n), 1-based
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(rank - 1), v.end());
    return static_cast<double>(v[rank - 1]) / scale;
}

std::optional<double> share(std::int64_t part, std::int64_t whole) {
    if (whole <= 0) return std::nullopt;
    return 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

std::optional<double> as_double(std::int64_t v) { return static_cast<double>(v); }

Metric metric(std::string key, std::string label, Unit unit, std::optional<double> value,
              std::optional<double> previous, std::optional<bool> higher_is_better = std::nullopt) {
    Metric m;
    m.key = std::move(key);
    m.label = std::move(label);
    m.unit = unit;
    m.value = value;
    m.previous = previous;
    m.higher_is_better = higher_is_better;
    return m;
}

std::string stage_title(Stage s) {
    switch (s) {
    case Stage::details: return "Details";
    case Stage::documents: return "Documents";
    case Stage::final: return "Final review";
    case Stage::completed: return "Completed";
    }
    return "";
}

std::string fixed1(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

std::string count_text(std::int64_t n, char const* one, char const* many) {
    return core::format_value(static_cast<double>(n), Unit::count) + " " + (n == 1 ? one : many);
}

core::Cell hours_cell(std::optional<double> h) {
    return h ? core::Cell(*h) : core::Cell(std::monostate{});
}

// What happened in one period: the figures the daily and weekly reports and the dashboard share.
struct Activity {
    std::map<Stage, std::int64_t> submitted, approved, rejected, timed, breached;
    std::map<Stage, std::vector<std::int64_t>> waits;
    std::vector<std::int64_t> all_waits, completion_ages;
    DocumentCounts documents;
    std::int64_t submissions = 0, approvals = 0, rejections = 0, completions = 0, timed_total = 0, breaches = 0;

    std::int64_t decisions() const { return approvals + rejections; }
    std::optional<double> compliance() const { return share(timed_total - breaches, timed_total); }
};

Activity activity(ReportRepo& repo, Instant from, Instant to) {
    Activity a;
    for (auto const& s : repo.submissions(from, to)) {
        a.submitted[s.stage] += s.count;
        a.submissions += s.count;
    }
    for (auto const& d : repo.decisions(from, to)) {
        if (d.decision == core::Decision::approve) {
            a.approved[d.stage] += d.count;
            a.approvals += d.count;
            if (d.stage == Stage::final) a.completions += d.count;
        } else {
            a.rejected[d.stage] += d.count;
            a.rejections += d.count;
        }
        a.timed[d.stage] += d.timed;
        a.breached[d.stage] += d.breached;
        a.timed_total += d.timed;
        a.breaches += d.breached;
    }
    for (auto const& w : repo.review_waits(from, to)) {
        a.waits[w.stage].push_back(w.ms);
        a.all_waits.push_back(w.ms);
    }
    a.completion_ages = repo.completion_ages(from, to);
    a.documents = repo.documents(from, to);
    return a;
}

// The activity section: this period's figures beside the previous period's.
core::Section activity_section(Activity const& a, Activity const& b, ReportPolicy const& policy, bool weekly) {
    core::Section s;
    s.key = "activity";
    s.title = "Activity";
    s.metrics = {
        metric("submissions", "Submissions", Unit::count, as_double(a.submissions), as_double(b.submissions)),
        metric("decisions", "Decisions", Unit::count, as_double(a.decisions()), as_double(b.decisions()), true),
        metric("approvals", "Approvals", Unit::count, as_double(a.approvals), as_double(b.approvals)),
        metric("rejections", "Rejections", Unit::count, as_double(a.rejections), as_double(b.rejections), false),
        metric("completions", "Onboardings completed", Unit::count, as_double(a.completions), as_double(b.completions),
               true),
        metric("documents_uploaded", "Documents uploaded", Unit::count, as_double(a.documents.uploaded),
               as_double(b.documents.uploaded)),
        metric("documents_reviewed", "Documents reviewed", Unit::count,
               as_double(a.documents.approved + a.documents.rejected),
               as_double(b.documents.approved + b.documents.rejected), true),
        metric("documents_rejected", "Documents rejected", Unit::count, as_double(a.documents.rejected),
               as_double(b.documents.rejected), false),
        metric("median_review_hours", "Median review time", Unit::hours, median(a.all_waits, kHourMs),
               median(b.all_waits, kHourMs), false),
        metric("sla_breaches", "SLA breaches", Unit::count, as_double(a.breaches), as_double(b.breaches), false),
        metric("sla_compliance", "Decided within SLA", Unit::percent, a.compliance(), b.compliance(), true),
        metric("median_days_to_complete", "Median time to complete", Unit::days, median(a.completion_ages, kDayMs),
               median(b.completion_ages, kDayMs), false),
    };
    if (weekly) {
        for (auto& m : s.metrics) {
            if (m.key == "completions") m.goal = policy.goal_completions_per_week;
            if (m.key == "median_days_to_complete") m.goal = policy.goal_median_days_to_complete;
        }
    }
    core::Table t;
    t.key = "by_stage";
    t.title = "Decisions by stage";
    t.columns = {{"stage", "Stage", core::ColumnType::text},
                 {"submitted", "Submitted", core::ColumnType::integer},
                 {"approved", "Approved", core::ColumnType::integer},
                 {"rejected", "Rejected", core::ColumnType::integer},
                 {"median_review_hours", "Median review", core::ColumnType::hours},
                 {"sla_breaches", "SLA breaches", core::ColumnType::integer}};
    core::Chart c;
    c.key = "decisions_by_stage";
    c.title = "Decisions by stage";
    for (auto stage : kReviewStages) {
        auto get = [&](std::map<Stage, std::int64_t> const& m) {
            auto it = m.find(stage);
            return it == m.end() ? std::int64_t{0} : it->second;
        };
        auto const w = a.waits.find(stage);
        t.rows.push_back({core::to_string(stage), get(a.submitted), get(a.approved), get(a.rejected),
                          hours_cell(w == a.waits.end() ? std::nullopt : median(w->second, kHourMs)),
                          get(a.breached)});
        c.bars.emplace_back(stage_title(stage), static_cast<double>(get(a.approved) + get(a.rejected)));
    }
    s.tables.push_back(std::move(t));
    s.charts.push_back(std::move(c));
    return s;
}

// "rose 25.0% (from 8 to 10)" style comparisons for insights.
std::optional<std::string> change_insight(std::string const& what, std::optional<double> now,
                                          std::optional<double> before, Unit unit, std::string const& against) {
    if (!now || !before || *before == 0 || *now == *before) return std::nullopt;
    double const pct = 100.0 * (*now - *before) / *before;
    if (std::fabs(pct) < 20) return std::nullopt;
    return what + (pct > 0 ? " rose " : " fell ") + fixed1(std::fabs(pct)) + "% against " + against + " (" +
           core::format_value(before, unit) + " to " + core::format_value(now, unit) + ").";
}

struct StageFigures {
    std::int64_t approvals = 0, reworked = 0;
    std::vector<std::int64_t> total, employee, reviewer;
    std::int64_t employee_sum = 0, reviewer_sum = 0;
};
}  // namespace

Reports::Reports(Store& store, Clock const& clock, core::SlaPolicy sla, ReportPolicy policy,
                 ReportRenderer const& renderer, Mailer const* mailer)
    : store_(store), clock_(clock), sla_(sla), policy_(std::move(policy)),
      zone_(core::TimeZone::find(policy_.time_zone).value_or(core::TimeZone::utc())), renderer_(renderer),
      mailer_(mailer), owner_("reports-" + random_token(9)) {}

Result<Reports::Period> Reports::period_of(ReportRequest const& req) const {
    auto zone = zone_;
    if (!req.time_zone.empty()) {
        auto z = core::TimeZone::find(req.time_zone);
        if (!z) return std::unexpected(invalid("tz", "unknown time zone \"" + core::clip_utf8(req.time_zone, 64) +
                                                         "\" (an IANA name such as Europe/Berlin)"));
        zone = *z;
    }
    auto const today = zone.date_of(clock_.now());
    auto parse = [](std::string const& text, char const* field) -> Result<core::LocalDate> {
        auto d = core::parse_local_date(text);
        if (!d || d->year < 1970 || d->year > 9999)
            return std::unexpected(invalid(field, std::string(field) + " must be a date, YYYY-MM-DD"));
        return *d;
    };
    core::LocalDate from, to;
    bool const single = req.kind == ReportKind::daily || req.kind == ReportKind::weekly;
    if (single) {
        if (!req.from.empty() || !req.to.empty())
            return std::unexpected(invalid(req.from.empty() ? "to" : "from",
                                           std::string(core::to_string(req.kind)) +
                                               " reports cover one period: give date, not from and to"));
        auto const d = req.date.empty() ? today : TRY(parse(req.date, "date"));
        if (req.kind == ReportKind::daily) {
            from = to = d;
        } else {
            from = core::add_days(d, -core::weekday(d));
            to = core::add_days(from, 6);
        }
    } else {
        if (!req.date.empty() && req.from.empty() && req.to.empty()) {
            from = to = TRY(parse(req.date, "date"));
        } else {
            if (!req.date.empty())
                return std::unexpected(invalid("date", "give either date or from and to, not both"));
            to = req.to.empty() ? today : TRY(parse(req.to, "to"));
            from = req.from.empty() ? core::add_days(to, -29) : TRY(parse(req.from, "from"));
        }
        if (from > to) return std::unexpected(invalid("from", "from must not be after to"));
        if (core::days_between(from, to) + 1 > policy_.max_range_days)
            return std::unexpected(
                invalid("to", "a report covers at most " + std::to_string(policy_.max_range_days) + " days"));
    }
    int const days = core::days_between(from, to) + 1;
    auto make = [&](core::LocalDate f, core::LocalDate t) {
        core::ReportPeriod p;
        p.from_date = core::to_string(f);
        p.to_date = core::to_string(t);
        p.from = zone.start_of(f);
        p.to = zone.start_of(core::add_days(t, 1));
        p.time_zone = zone.name();
        return p;
    };
    return Period{make(from, to), make(core::add_days(from, -days), core::add_days(from, -1))};
}

Result<core::Report> Reports::build(Actor const& actor, ReportRequest const& req) const {
    TRY_VOID(require(actor, core::perm::reports_read));
    return build_system(req);
}

Result<core::Report> Reports::build_system(ReportRequest const& req) const {
    auto const p = TRY(period_of(req));
    return assemble(req.kind, p, {});
}

core::Report Reports::assemble(ReportKind kind, Period const& p, std::function<void(int, int)> const& progress) const {
    core::Report r;
    r.kind = kind;
    r.period = p.current;
    r.previous = p.previous;
    r.generated_at = clock_.now();
    auto const now = r.generated_at;
    auto tx = store_.begin(TxMode::read);
    auto& repo = tx->reports();
    auto const from = p.current.from, to = p.current.to;
    int step = 0;
    int const steps = 3;
    auto tick = [&] {
        if (progress) progress(++step, steps);
    };
    auto const period_name = kind == ReportKind::daily ? std::string("the previous day")
                             : kind == ReportKind::weekly ? std::string("the previous week")
                                                          : std::string("the previous period");

    switch (kind) {
    case ReportKind::daily:
    case ReportKind::weekly: {
        bool const weekly = kind == ReportKind::weekly;
        r.title = weekly ? "Weekly summary" : "Daily operations";
        auto const a = activity(repo, from, to);
        tick();
        auto const b = activity(repo, p.previous.from, p.previous.to);
        tick();
        r.sections.push_back(activity_section(a, b, policy_, weekly));
        core::Section now_section;
        now_section.key = "backlog";
        now_section.title = "Right now";
        auto const overdue = repo.overdue(now);
        auto const urgent = repo.urgent();
        now_section.metrics = {
            metric("overdue_now", "Reviews past their SLA", Unit::count, as_double(overdue), std::nullopt, false),
            metric("urgent_now", "Reviews marked urgent", Unit::count, as_double(urgent), std::nullopt, false)};
        r.sections.push_back(std::move(now_section));
        if (weekly) {
            core::Section trend;
            trend.key = "trend";
            trend.title = "Trend over the previous four weeks";
            core::Table t;
            t.key = "weeks";
            t.title = "Weeks";
            t.columns = {{"week", "Week of", core::ColumnType::text},
                         {"completions", "Completed", core::ColumnType::integer},
                         {"median_days_to_complete", "Median days to complete", core::ColumnType::number},
                         {"decisions", "Decisions", core::ColumnType::integer},
                         {"sla_compliance", "Within SLA", core::ColumnType::percent}};
            core::Chart c;
            c.key = "completions_by_week";
            c.title = "Onboardings completed per week";
            auto const zone = core::TimeZone::find(p.current.time_zone).value_or(zone_);
            auto const monday = *core::parse_local_date(p.current.from_date);
            for (int w = -4; w <= 0; ++w) {
                auto const start = core::add_days(monday, 7 * w);
                Activity const x = w == 0 ? a : w == -1 ? b
                                                        : activity(repo, zone.start_of(start),
                                                                   zone.start_of(core::add_days(start, 7)));
                auto const days = median(x.completion_ages, kDayMs);
                t.rows.push_back({core::to_string(start), x.completions,
                                  days ? core::Cell(*days) : core::Cell(std::monostate{}), x.decisions(),
                                  x.compliance() ? core::Cell(*x.compliance()) : core::Cell(std::monostate{})});
                c.bars.emplace_back(core::to_string(start), static_cast<double>(x.completions));
            }
            trend.tables.push_back(std::move(t));
            trend.charts.push_back(std::move(c));
            r.sections.push_back(std::move(trend));
            if (policy_.goal_completions_per_week) {
                double const goal = *policy_.goal_completions_per_week;
                r.insights.push_back(std::string(static_cast<double>(a.completions) >= goal ? "Met" : "Missed") +
                                     " the goal of " + core::format_value(goal, Unit::count) +
                                     " completions a week: " + core::format_value(as_double(a.completions), Unit::count) +
                                     ".");
            }
            if (policy_.goal_median_days_to_complete) {
                double const goal = *policy_.goal_median_days_to_complete;
                if (auto const d = median(a.completion_ages, kDayMs))
                    r.insights.push_back(std::string(*d <= goal ? "Met" : "Missed") + " the goal of a median " +
                                         core::format_value(goal, Unit::days) + " to complete: " +
                                         core::format_value(d, Unit::days) + ".");
            }
        }
        if (overdue > 0) {
            auto const oldest = repo.open_breaches(now, 1);
            std::string line = count_text(overdue, "review is", "reviews are") + " past the SLA right now";
            if (!oldest.empty())
                line += "; the oldest is " + core::format_value(oldest.front().late_ms / kHourMs, Unit::hours) +
                        " late (" + oldest.front().employee + ", " + stage_title(oldest.front().stage) + ")";
            r.insights.push_back(line + ".");
        }
        for (auto const& line :
             {change_insight("Decisions", as_double(a.decisions()), as_double(b.decisions()), Unit::count, period_name),
              change_insight("Submissions", as_double(a.submissions), as_double(b.submissions), Unit::count,
                             period_name),
              change_insight("The median review time", median(a.all_waits, kHourMs), median(b.all_waits, kHourMs),
                             Unit::hours, period_name)})
            if (line) r.insights.push_back(*line);
        if (a.breaches > 0)
            r.recommendations.push_back(count_text(a.breaches, "decision", "decisions") + " of " +
                                        core::format_value(as_double(a.timed_total), Unit::count) +
                                        " came after the SLA (" + core::format_value(a.compliance(), Unit::percent) +
                                        " within): see the SLA compliance report for who and where.");
        tick();
        break;
    }
    case ReportKind::efficiency: {
        r.title = "Process efficiency";
        std::map<Stage, StageFigures> fig;
        for (auto const& s : repo.stays(from, to)) {
            auto& f = fig[s.stage];
            ++f.approvals;
            if (s.rejections > 0) ++f.reworked;
            f.total.push_back(s.total_ms);
            f.employee.push_back(s.employee_ms);
            f.reviewer.push_back(s.reviewer_ms);
            f.employee_sum += s.employee_ms;
            f.reviewer_sum += s.reviewer_ms;
        }
        tick();
        std::int64_t prev_approvals = 0, prev_reworked = 0;
        for (auto const& s : repo.stays(p.previous.from, p.previous.to)) {
            ++prev_approvals;
            if (s.rejections > 0) ++prev_reworked;
        }
        auto const ages = repo.completion_ages(from, to);
        auto const prev_ages = repo.completion_ages(p.previous.from, p.previous.to);
        auto const reasons = repo.rejection_reasons(from, to, 3);
        tick();
        std::int64_t approvals = 0, reworked = 0, employee = 0, reviewer = 0;
        for (auto const& [stage, f] : fig) {
            approvals += f.approvals;
            reworked += f.reworked;
            employee += f.employee_sum;
            reviewer += f.reviewer_sum;
        }
        core::Section overall;
        overall.key = "overall";
        overall.title = "Overall";
        overall.metrics = {
            metric("median_days_to_complete", "Median time to complete", Unit::days, median(ages, kDayMs),
                   median(prev_ages, kDayMs), false),
            metric("p90_days_to_complete", "90th percentile time to complete", Unit::days, p90(ages, kDayMs),
                   p90(prev_ages, kDayMs), false),
            metric("completions", "Onboardings completed", Unit::count, as_double(static_cast<std::int64_t>(ages.size())),
                   as_double(static_cast<std::int64_t>(prev_ages.size())), true),
            metric("rework_rate", "Stages approved after a rejection", Unit::percent, share(reworked, approvals),
                   share(prev_reworked, prev_approvals), false),
            metric("employee_wait_share", "Waiting time on employees", Unit::percent, share(employee, employee + reviewer),
                   std::nullopt),
            metric("reviewer_wait_share", "Waiting time on reviewers", Unit::percent, share(reviewer, employee + reviewer),
                   std::nullopt)};
        r.sections.push_back(std::move(overall));

        core::Section stages;
        stages.key = "stages";
        stages.title = "Time in each stage";
        core::Table t;
        t.key = "stages";
        t.title = "Stages approved in the period";
        t.columns = {{"stage", "Stage", core::ColumnType::text},
                     {"approved", "Approved", core::ColumnType::integer},
                     {"median_hours", "Median in stage", core::ColumnType::hours},
                     {"p90_hours", "90th percentile", core::ColumnType::hours},
                     {"median_employee_hours", "Median on employee", core::ColumnType::hours},
                     {"median_reviewer_hours", "Median on reviewer", core::ColumnType::hours},
                     {"rework_rate", "Rework", core::ColumnType::percent}};
        core::Chart c;
        c.key = "median_hours_by_stage";
        c.title = "Median hours in each stage";
        c.unit = Unit::hours;
        std::optional<Stage> bottleneck;
        double worst = -1;
        for (auto stage : kReviewStages) {
            auto const it = fig.find(stage);
            StageFigures const empty;
            auto const& f = it == fig.end() ? empty : it->second;
            auto const med = median(f.total, kHourMs);
            auto const rework = share(f.reworked, f.approvals);
            t.rows.push_back({core::to_string(stage), f.approvals, hours_cell(med), hours_cell(p90(f.total, kHourMs)),
                              hours_cell(median(f.employee, kHourMs)), hours_cell(median(f.reviewer, kHourMs)),
                              rework ? core::Cell(*rework) : core::Cell(std::monostate{})});
            c.bars.emplace_back(stage_title(stage), med.value_or(0));
            if (med && *med > worst) {
                worst = *med;
                bottleneck = stage;
            }
            // Rules, each quoting the numbers that set it off.
            double const budget = sla_.budget_hours(stage);
            if (auto const rev = median(f.reviewer, kHourMs); rev && *rev > budget)
                r.recommendations.push_back(stage_title(stage) + " reviews wait a median " +
                                            core::format_value(rev, Unit::hours) + " on reviewers against a " +
                                            core::format_value(budget, Unit::hours) +
                                            " SLA: add reviewers to this stage or assign its queue.");
            if (rework && *rework > 20) {
                std::string line = fixed1(*rework) + "% of " + stage_title(stage) + " approvals (" +
                                   std::to_string(f.reworked) + " of " + std::to_string(f.approvals) +
                                   ") came after a rejection";
                for (auto const& reason : reasons) {
                    if (reason.stage != stage) continue;
                    line += "; the most common reason was \"" + core::clip_utf8(reason.reason, 120) + "\" (" +
                            count_text(reason.count, "time", "times") + ")";
                    break;
                }
                r.recommendations.push_back(line + ": make what this stage needs clearer to employees before they submit.");
            }
            if (auto const emp = median(f.employee, kHourMs); emp && f.approvals >= 5 && *emp > 48)
                r.recommendations.push_back("Employees take a median " + core::format_value(emp, Unit::hours) +
                                            " to complete " + stage_title(stage) +
                                            ": send reminders sooner or simplify what it asks for.");
        }
        if (bottleneck) {
            auto const& f = fig[*bottleneck];
            r.insights.push_back(stage_title(*bottleneck) + " is the bottleneck: a median " +
                                 core::format_value(median(f.total, kHourMs), Unit::hours) + " in the stage (90th percentile " +
                                 core::format_value(p90(f.total, kHourMs), Unit::hours) + ") over " +
                                 count_text(f.approvals, "approval", "approvals") + ".");
        }
        if (employee + reviewer > 0)
            r.insights.push_back("Of the time profiles spent waiting, " +
                                 core::format_value(share(employee, employee + reviewer), Unit::percent) +
                                 " was on employees and " +
                                 core::format_value(share(reviewer, employee + reviewer), Unit::percent) +
                                 " on reviewers.");
        stages.tables.push_back(std::move(t));
        stages.charts.push_back(std::move(c));
        r.sections.push_back(std::move(stages));
        if (!reasons.empty()) {
            core::Section rs;
            rs.key = "rejections";
            rs.title = "Most common rejection reasons";
            core::Table rt;
            rt.key = "rejection_reasons";
            rt.title = "Rejection reasons";
            rt.columns = {{"stage", "Stage", core::ColumnType::text},
                          {"reason", "Reason", core::ColumnType::text},
                          {"count", "Times", core::ColumnType::integer}};
            for (auto const& reason : reasons) rt.rows.push_back({core::to_string(reason.stage), reason.reason, reason.count});
            rs.tables.push_back(std::move(rt));
            r.sections.push_back(std::move(rs));
        }
        tick();
        break;
    }
    case ReportKind::sla: {
        r.title = "SLA compliance";
        auto const a = activity(repo, from, to);
        auto const b = activity(repo, p.previous.from, p.previous.to);
        tick();
        auto const total_breaches = repo.count_breaches(from, to);
        auto const breaches = repo.breaches(from, to, policy_.table_limit);
        auto const open = repo.open_breaches(now, policy_.table_limit);
        auto const overdue = repo.overdue(now);
        tick();
        core::Section overall;
        overall.key = "overall";
        overall.title = "Overall";
        overall.metrics = {
            metric("sla_compliance", "Decided within SLA", Unit::percent, a.compliance(), b.compliance(), true),
            metric("decisions_timed", "Decisions measured", Unit::count, as_double(a.timed_total),
                   as_double(b.timed_total)),
            metric("sla_breaches", "Decided after the SLA", Unit::count, as_double(a.breaches), as_double(b.breaches),
                   false),
            metric("open_breaches", "Open reviews past the SLA now", Unit::count, as_double(overdue), std::nullopt,
                   false)};
        r.sections.push_back(std::move(overall));
        core::Section stages;
        stages.key = "stages";
        stages.title = "By stage";
        core::Table t;
        t.key = "stages";
        t.title = "Compliance by stage";
        t.columns = {{"stage", "Stage", core::ColumnType::text},
                     {"budget_hours", "SLA", core::ColumnType::hours},
                     {"decided", "Decided", core::ColumnType::integer},
                     {"within", "Within SLA", core::ColumnType::integer},
                     {"breaches", "Breaches", core::ColumnType::integer},
                     {"compliance", "Compliance", core::ColumnType::percent},
                     {"previous_compliance", "Previous", core::ColumnType::percent}};
        core::Chart c;
        c.key = "compliance_by_stage";
        c.title = "Share decided within SLA";
        c.unit = Unit::percent;
        std::optional<Stage> worst_stage;
        double worst = 101;
        for (auto stage : kReviewStages) {
            auto get = [&](std::map<Stage, std::int64_t> const& m) {
                auto it = m.find(stage);
                return it == m.end() ? std::int64_t{0} : it->second;
            };
            auto const timed = get(a.timed), breached = get(a.breached);
            auto const comp = share(timed - breached, timed);
            auto const prev = share(get(b.timed) - get(b.breached), get(b.timed));
            t.rows.push_back({core::to_string(stage), sla_.budget_hours(stage), timed, timed - breached, breached,
                              comp ? core::Cell(*comp) : core::Cell(std::monostate{}),
                              prev ? core::Cell(*prev) : core::Cell(std::monostate{})});
            c.bars.emplace_back(stage_title(stage), comp.value_or(0));
            if (comp && *comp < worst) {
                worst = *comp;
                worst_stage = stage;
            }
        }
        stages.tables.push_back(std::move(t));
        stages.charts.push_back(std::move(c));
        r.sections.push_back(std::move(stages));

        core::Section bs;
        bs.key = "breaches";
        bs.title = "Breaches";
        core::Table bt;
        bt.key = "breaches";
        bt.title = "Decided after the SLA";
        bt.columns = {{"employee", "Employee", core::ColumnType::text},
                      {"stage", "Stage", core::ColumnType::text},
                      {"decision", "Decision", core::ColumnType::text},
                      {"reviewer", "Reviewer", core::ColumnType::text},
                      {"decided_at", "Decided", core::ColumnType::datetime},
                      {"review_hours", "Review time", core::ColumnType::hours},
                      {"late_hours", "Late by", core::ColumnType::hours}};
        for (auto const& x : breaches)
            bt.rows.push_back({x.employee, core::to_string(x.stage), x.decision, x.reviewer, x.at, x.clock_ms / kHourMs,
                               x.late_ms / kHourMs});
        bt.total_rows = total_breaches;
        core::Table ot;
        ot.key = "open_breaches";
        ot.title = "Open reviews past the SLA";
        ot.columns = {{"employee", "Employee", core::ColumnType::text},
                      {"stage", "Stage", core::ColumnType::text},
                      {"assignee", "Assigned to", core::ColumnType::text},
                      {"due_at", "Was due", core::ColumnType::datetime},
                      {"late_hours", "Late by", core::ColumnType::hours}};
        for (auto const& x : open)
            ot.rows.push_back({x.employee, core::to_string(x.stage), x.reviewer, x.at, x.late_ms / kHourMs});
        ot.total_rows = overdue;
        bs.tables.push_back(std::move(bt));
        bs.tables.push_back(std::move(ot));
        r.sections.push_back(std::move(bs));
        if (worst_stage && worst < 100)
            r.insights.push_back(stage_title(*worst_stage) + " has the lowest compliance: " +
                                 core::format_value(worst, Unit::percent) + " of its decisions came within the " +
                                 core::format_value(sla_.budget_hours(*worst_stage), Unit::hours) + " SLA.");
        if (!breaches.empty()) {
            auto const latest = *std::max_element(breaches.begin(), breaches.end(),
                                                  [](auto const& x, auto const& y) { return x.late_ms < y.late_ms; });
            r.insights.push_back("The latest decision of the period came " +
                                 core::format_value(latest.late_ms / kHourMs, Unit::hours) + " after its SLA (" +
                                 latest.employee + ", " + stage_title(latest.stage) + ").");
        }
        if (a.compliance() && *a.compliance() < 90)
            r.recommendations.push_back("Only " + core::format_value(a.compliance(), Unit::percent) +
                                        " of decisions came within the SLA (" +
                                        count_text(a.breaches, "breach", "breaches") +
                                        "): assign reviews as they arrive and act on reminders.");
        if (overdue > 0)
            r.recommendations.push_back(count_text(overdue, "review is", "reviews are") +
                                        " past the SLA right now: the bulk reminders and escalations reach their "
                                        "reviewers at once.");
        tick();
        break;
    }
    case ReportKind::reviewers: {
        r.title = "Reviewer performance";
        auto const rows = repo.reviewers(from, to);
        std::map<UserId, std::vector<std::int64_t>> waits;
        std::vector<std::int64_t> all;
        for (auto const& w : repo.reviewer_waits(from, to)) {
            waits[w.id].push_back(w.ms);
            all.push_back(w.ms);
        }
        tick();
        auto const prev_rows = repo.reviewers(p.previous.from, p.previous.to);
        std::vector<std::int64_t> prev_all;
        for (auto const& w : repo.reviewer_waits(p.previous.from, p.previous.to)) prev_all.push_back(w.ms);
        tick();
        std::int64_t decisions = 0, approvals = 0, prev_decisions = 0, prev_approvals = 0, timed = 0, within = 0,
                     prev_timed = 0, prev_within = 0;
        for (auto const& x : rows) {
            decisions += x.decisions;
            approvals += x.approvals;
            timed += x.timed;
            within += x.within;
        }
        for (auto const& x : prev_rows) {
            prev_decisions += x.decisions;
            prev_approvals += x.approvals;
            prev_timed += x.timed;
            prev_within += x.within;
        }
        core::Section overall;
        overall.key = "overall";
        overall.title = "Overall";
        overall.metrics = {
            metric("reviewers", "Reviewers who decided", Unit::count, as_double(static_cast<std::int64_t>(rows.size())),
                   as_double(static_cast<std::int64_t>(prev_rows.size()))),
            metric("decisions", "Decisions", Unit::count, as_double(decisions), as_double(prev_decisions), true),
            metric("median_decision_hours", "Median decision time", Unit::hours, median(all, kHourMs),
                   median(prev_all, kHourMs), false),
            metric("approval_rate", "Approval rate", Unit::percent, share(approvals, decisions),
                   share(prev_approvals, prev_decisions)),
            metric("sla_compliance", "Decided within SLA", Unit::percent, share(within, timed),
                   share(prev_within, prev_timed), true)};
        r.sections.push_back(std::move(overall));
        core::Section rs;
        rs.key = "reviewers";
        rs.title = "Reviewers";
        core::Table t;
        t.key = "reviewers";
        t.title = "Reviewers";
        t.columns = {{"reviewer", "Reviewer", core::ColumnType::text},
                     {"email", "Email", core::ColumnType::text},
                     {"decisions", "Decisions", core::ColumnType::integer},
                     {"approvals", "Approved", core::ColumnType::integer},
                     {"rejections", "Rejected", core::ColumnType::integer},
                     {"approval_rate", "Approval rate", core::ColumnType::percent},
                     {"median_decision_hours", "Median decision time", core::ColumnType::hours},
                     {"sla_compliance", "Within SLA", core::ColumnType::percent}};
        core::Chart c;
        c.key = "decisions_by_reviewer";
        c.title = "Decisions by reviewer";
        struct Speed {
            std::string name;
            double hours;
            std::int64_t decisions;
        };
        std::vector<Speed> speeds;
        for (auto const& x : rows) {
            auto const med = median(waits[x.id], kHourMs);
            auto const rate = share(x.approvals, x.decisions);
            auto const comp = share(x.within, x.timed);
            std::string const name = x.name.empty() ? "user " + std::to_string(x.id) : x.name;
            t.rows.push_back({name, x.email, x.decisions, x.approvals, x.rejections,
                              rate ? core::Cell(*rate) : core::Cell(std::monostate{}), hours_cell(med),
                              comp ? core::Cell(*comp) : core::Cell(std::monostate{})});
            if (c.bars.size() < 15) c.bars.emplace_back(name, static_cast<double>(x.decisions));
            if (med && x.decisions >= 5) speeds.push_back({name, *med, x.decisions});
        }
        rs.tables.push_back(std::move(t));
        rs.charts.push_back(std::move(c));
        r.sections.push_back(std::move(rs));
        if (speeds.size() >= 2) {
            auto const [fast, slow] = std::minmax_element(speeds.begin(), speeds.end(),
                                                          [](auto const& x, auto const& y) { return x.hours < y.hours; });
            r.insights.push_back(fast->name + " decides fastest (a median " + core::format_value(fast->hours, Unit::hours) +
                                 " over " + count_text(fast->decisions, "decision", "decisions") + "), " + slow->name +
                                 " slowest (" + core::format_value(slow->hours, Unit::hours) + " over " +
                                 count_text(slow->decisions, "decision", "decisions") + ").");
            if (slow->hours > 2 * fast->hours && slow->hours > 24)
                r.recommendations.push_back(slow->name + "'s median decision time (" +
                                            core::format_value(slow->hours, Unit::hours) + ") is more than twice " +
                                            fast->name + "'s (" + core::format_value(fast->hours, Unit::hours) +
                                            "): balance the queue between them.");
        }
        if (!rows.empty() && decisions > 0) {
            auto const& top = rows.front();
            auto const top_share = share(top.decisions, decisions);
            if (rows.size() > 1 && top_share && *top_share > 50)
                r.recommendations.push_back((top.name.empty() ? "One reviewer" : top.name) + " made " +
                                            core::format_value(top_share, Unit::percent) + " of all decisions (" +
                                            std::to_string(top.decisions) + " of " + std::to_string(decisions) +
                                            "): spread reviews to avoid a single point of delay.");
        }
        tick();
        break;
    }
    }
    if (r.insights.empty()) r.insights.push_back("Nothing stands out in this period.");
    return r;
}

// ---- dashboard

Result<Dashboard> Reports::dashboard(Actor const& actor) {
    TRY_VOID(require(actor, core::perm::profiles_read));
    return snapshot();
}

Dashboard Reports::snapshot() {
    double const t = monotonic_seconds();
    {
        std::lock_guard lock(dashboard_mu_);
        if (dashboard_ && t - dashboard_at_ < policy_.dashboard_max_age_s) return *dashboard_;
        // Stale: one caller recomputes while the others answer with what there is.
        if (dashboard_ && dashboard_busy_.exchange(true)) return *dashboard_;
        dashboard_busy_ = true;
    }
    Dashboard d;
    try {
        d = dashboard_now();
    } catch (...) {
        dashboard_busy_ = false;
        throw;
    }
    std::lock_guard lock(dashboard_mu_);
    dashboard_ = d;
    dashboard_at_ = t;
    dashboard_busy_ = false;
    return d;
}

Dashboard Reports::refresh() {
    double const t = monotonic_seconds();
    auto d = dashboard_now();
    std::lock_guard lock(dashboard_mu_);
    dashboard_ = d;
    dashboard_at_ = t;
    return d;
}

Dashboard Reports::dashboard_now() {
    Dashboard d;
    d.as_of = clock_.now();
    d.time_zone = zone_.name();
    auto const today = zone_.date_of(d.as_of);
    auto const midnight = zone_.start_of(today);
    auto const monday = zone_.start_of(core::add_days(today, -core::weekday(today)));
    auto const end = Instant{d.as_of.ms + 1};
    auto tx = store_.begin(TxMode::read);
    auto& repo = tx->reports();
    d.counts = tx->profiles().counts();
    for (auto const& c : d.counts) {
        d.total += c.count;
        (c.stage == Stage::completed ? d.completed : d.in_progress) += c.count;
    }
    d.overdue = repo.overdue(d.as_of);
    d.urgent = repo.urgent();
    for (auto const& s : repo.submissions(midnight, end)) d.submissions_today += s.count;
    for (auto const& x : repo.decisions(midnight, end)) {
        (x.decision == core::Decision::approve ? d.approvals_today : d.rejections_today) += x.count;
        if (x.decision == core::Decision::approve && x.stage == Stage::final) d.completions_today += x.count;
    }
    d.documents_uploaded_today = repo.documents(midnight, end).uploaded;
    auto const ages = repo.completion_ages(monday, end);
    d.completions_this_week = static_cast<std::int64_t>(ages.size());
    d.median_days_to_complete_this_week = median(ages, kDayMs);
    d.email_queue = repo.email_queue();
    d.bulk_jobs_running = repo.bulk_running();
    d.open_sessions = sessions_ ? sessions_() : 0;
    return d;
}

// ---- schedules

namespace {
ReportSchedule schedule_view(ReportScheduleRecord const& r) {
    ReportSchedule s;
    s.id = r.id;
    s.name = r.name;
    s.kind = core::parse_report_kind(r.kind).value_or(ReportKind::daily);
    s.cadence = r.cadence;
    s.weekday = r.weekday;
    s.at_time = r.at_time;
    s.time_zone = r.time_zone;
    s.formats.clear();
    for (auto const& f : r.formats)
        if (auto x = core::parse_report_format(f)) s.formats.push_back(*x);
    s.recipients = r.recipients;
    s.enabled = r.enabled;
    s.next_run_at = r.next_run_at;
    return s;
}

// "07:30" -> minutes after midnight.
std::optional<int> minutes_of(std::string const& hhmm) {
    int h = 0, m = 0;
    if (hhmm.size() != 5 || hhmm[2] != ':' || !read_fixed_digits(hhmm, 0, 2, h) || !read_fixed_digits(hhmm, 3, 2, m) ||
        h > 23 || m > 59)
        return std::nullopt;
    return h * 60 + m;
}
}  // namespace

Result<std::vector<ReportSchedule>> Reports::schedules(Actor const& actor) const {
    TRY_VOID(require(actor, core::perm::reports_read));
    auto tx = store_.begin(TxMode::read);
    std::vector<ReportSchedule> out;
    for (auto const& r : tx->reports().schedules()) out.push_back(schedule_view(r));
    return out;
}

Result<ReportSchedule> Reports::check_schedule(ReportSchedule s, std::string const& field) const {
    s.name = std::string(core::trim(s.name));
    if (s.name.empty() || core::utf8_length(s.name) > 100 || core::has_control_chars(s.name))
        return std::unexpected(invalid(field + ".name", "name must be 1 to 100 characters without control characters"));
    if (s.cadence != "daily" && s.cadence != "weekly")
        return std::unexpected(invalid(field + ".cadence", "cadence must be daily or weekly"));
    if (s.weekday < 0 || s.weekday > 6)
        return std::unexpected(invalid(field + ".weekday", "weekday must be 0 (Monday) to 6 (Sunday)"));
    if (!minutes_of(s.at_time))
        return std::unexpected(invalid(field + ".at", "at must be a time of day, HH:MM (00:00 to 23:59)"));
    if (s.time_zone.empty()) s.time_zone = zone_.name();
    if (!core::TimeZone::find(s.time_zone))
        return std::unexpected(invalid(field + ".time_zone", "unknown time zone (an IANA name such as Europe/Berlin)"));
    if (s.formats.empty()) return std::unexpected(invalid(field + ".formats", "give at least one format"));
    std::sort(s.formats.begin(), s.formats.end());
    s.formats.erase(std::unique(s.formats.begin(), s.formats.end()), s.formats.end());
    if (s.recipients.empty() || s.recipients.size() > kMaxRecipients)
        return std::unexpected(
            invalid(field + ".recipients", "give 1 to " + std::to_string(kMaxRecipients) + " recipients"));
    std::vector<std::string> emails;
    for (std::size_t i = 0; i < s.recipients.size(); ++i) {
        auto const e = core::normalize_email(s.recipients[i], field + ".recipients[" + std::to_string(i) + "]");
        if (!e) return std::unexpected(e.error());
        if (!core::valid_mail_address(*e))
            return std::unexpected(invalid(field + ".recipients[" + std::to_string(i) + "]", "not an address mail can go to"));
        if (std::find(emails.begin(), emails.end(), *e) == emails.end()) emails.push_back(*e);
    }
    s.recipients = std::move(emails);
    return s;
}

Instant Reports::next_run(ReportScheduleRecord const& s, Instant after) const {
    auto const zone = core::TimeZone::find(s.time_zone).value_or(zone_);
    int const minutes = minutes_of(s.at_time).value_or(0);
    auto at = [&](core::LocalDate d) { return Instant{zone.start_of(d).ms + minutes * 60'000LL}; };
    auto d = zone.date_of(after);
    if (s.cadence == "weekly") d = core::add_days(d, ((s.weekday - core::weekday(d)) % 7 + 7) % 7);
    int const step = s.cadence == "weekly" ? 7 : 1;
    while (at(d) <= after) d = core::add_days(d, step);
    return at(d);
}

Result<std::vector<ReportSchedule>> Reports::put_schedules(Actor const& actor, std::vector<ReportSchedule> list) {
    TRY_VOID(require(actor, core::perm::reports_manage));
    if (list.size() > kMaxSchedules)
        return std::unexpected(invalid("schedules", "at most " + std::to_string(kMaxSchedules) + " schedules"));
    auto const now = clock_.now();
    std::vector<ReportScheduleRecord> records;
    for (std::size_t i = 0; i < list.size(); ++i) {
        auto const s = TRY(check_schedule(std::move(list[i]), "schedules[" + std::to_string(i) + "]"));
        ReportScheduleRecord r;
        r.name = s.name;
        r.kind = core::to_string(s.kind);
        r.cadence = s.cadence;
        r.weekday = s.weekday;
        r.at_time = s.at_time;
        r.time_zone = s.time_zone;
        for (auto f : s.formats) r.formats.emplace_back(core::to_string(f));
        r.recipients = s.recipients;
        r.enabled = s.enabled;
        r.created_by = actor.id;
        r.created_at = r.updated_at = now;
        r.next_run_at = next_run(r, now);
        records.push_back(std::move(r));
    }
    auto tx = store_.begin(TxMode::write, context_of(actor));
    auto const before = tx->reports().schedules();
    tx->reports().replace_schedules(records);
    AuditEntry entry = domain_entry(now, core::AuditCategory::admin, "reports.schedules", "report_schedules", "");
    entry.before = json_members({{"schedules", std::to_string(before.size())}});
    entry.after = json_members({{"schedules", std::to_string(records.size())}});
    tx->audit().record(std::move(entry));
    std::vector<ReportSchedule> out;
    for (auto const& r : tx->reports().schedules()) out.push_back(schedule_view(r));
    tx->commit();
    return out;
}

Result<ReportRunPage> Reports::runs(Actor const& actor, std::optional<std::int64_t> before, int limit) const {
    TRY_VOID(require(actor, core::perm::reports_read));
    auto tx = store_.begin(TxMode::read);
    ReportRunPage page;
    page.items = tx->reports().runs(before, limit + 1);
    if (static_cast<int>(page.items.size()) > limit) {
        page.items.resize(static_cast<std::size_t>(limit));
        page.next_before = page.items.back().id;
    }
    return page;
}

Result<ReportRunRecord> Reports::run(Actor const& actor, std::int64_t id) const {
    TRY_VOID(require(actor, core::perm::reports_read));
    auto tx = store_.begin(TxMode::read);
    auto r = tx->reports().run(id);
    if (!r) return fail(ErrorCode::not_found, "no such report run");
    return *r;
}

Result<ReportFileRef> Reports::run_file(Actor const& actor, std::int64_t id, std::string const& format) const {
    auto const r = TRY(run(actor, id));
    for (auto const& f : r.files) {
        if (f.format != format || f.file.empty()) continue;
        auto const fmt = core::parse_report_format(f.format);
        ReportFileRef ref;
        ref.path = (fs::path(policy_.dir) / f.file).string();
        ref.filename = f.file;
        ref.content_type = fmt ? core::content_type(*fmt) : "application/octet-stream";
        ref.size = f.size;
        std::error_code ec;
        if (!fs::exists(ref.path, ec)) return fail(ErrorCode::not_found, "the report file is gone (past retention?)");
        return ref;
    }
    return fail(ErrorCode::not_found, "this run has no " + format + " file");
}

// ---- runs

namespace {
// The period a scheduled run covers: the day or ISO week before the one it runs on.
ReportRequest scheduled_request(ReportScheduleRecord const& s, Instant due, core::TimeZone const& zone) {
    ReportRequest req;
    req.kind = core::parse_report_kind(s.kind).value_or(ReportKind::daily);
    req.time_zone = zone.name();
    auto const day = zone.date_of(due);
    core::LocalDate from, to;
    if (s.cadence == "weekly") {
        auto const monday = core::add_days(day, -core::weekday(day));
        from = core::add_days(monday, -7);
        to = core::add_days(monday, -1);
    } else {
        from = to = core::add_days(day, -1);
    }
    if (req.kind == ReportKind::daily || req.kind == ReportKind::weekly) {
        req.date = core::to_string(req.kind == ReportKind::daily ? to : from);
    } else {
        req.from = core::to_string(from);
        req.to = core::to_string(to);
    }
    return req;
}

ReportRequest run_request(ReportRunRecord const& run) {
    ReportRequest req;
    req.kind = core::parse_report_kind(run.kind).value_or(ReportKind::daily);
    req.time_zone = run.time_zone;
    if (req.kind == ReportKind::daily || req.kind == ReportKind::weekly)
        req.date = run.period_from;
    else {
        req.from = run.period_from;
        req.to = run.period_to;
    }
    return req;
}

bool write_file(fs::path const& path, std::string const& bytes) {
    auto const tmp = path.string() + ".part";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) return false;
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out) return false;
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    return !ec;
}

std::string format_names(std::vector<ReportFile> const& files) {
    std::string out;
    for (auto const& f : files) {
        if (!out.empty()) out += ", ";
        std::string up = f.format;
        for (auto& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        out += up;
    }
    return out;
}
}  // namespace

Result<ReportRunRecord> Reports::execute(ReportRunRecord run, std::vector<core::ReportFormat> const& formats,
                                         std::function<void(int, int)> const& progress) {
    auto const req = run_request(run);
    int const steps = 3 + static_cast<int>(formats.size());
    auto const built = [&]() -> Result<core::Report> {
        auto const p = TRY(period_of(req));
        return assemble(req.kind, p, [&](int done, int) {
            if (progress) progress(done, steps);
        });
    }();
    std::vector<ReportFile> files;
    std::string error;
    if (!built) {
        error = built.error().message;
    } else {
        std::error_code ec;
        fs::create_directories(policy_.dir, ec);
        int step = 3;
        for (auto f : formats) {
            auto bytes = renderer_.render(*built, f);
            if (progress) progress(++step, steps);
            if (!bytes) {
                error = std::string(core::to_string(f)) + ": " + bytes.error().message;
                break;
            }
            ReportFile file;
            file.format = core::to_string(f);
            file.file = "run-" + std::to_string(run.id) + "-" + run.kind + "-" + run.period_from +
                        (run.period_to != run.period_from ? "_" + run.period_to : std::string()) + "." +
                        core::file_extension(f);
            file.size = static_cast<std::int64_t>(bytes->size());
            file.sha256 = sha256_hex(*bytes);
            if (!write_file(fs::path(policy_.dir) / file.file, *bytes)) {
                error = "could not write " + (fs::path(policy_.dir) / file.file).string();
                break;
            }
            files.push_back(std::move(file));
        }
    }
    run.files = files;
    run.error = error;
    run.status = error.empty() ? "succeeded" : "failed";
    run.finished_at = clock_.now();
    auto tx = store_.begin(TxMode::write);
    if (!tx->reports().finish_run(run, owner_)) return fail(ErrorCode::conflict, "another process took this run over");
    if (error.empty() && mailer_) {
        std::vector<EmailAttachment> attachments;
        for (auto const& f : files) {
            auto const fmt = core::parse_report_format(f.format);
            attachments.push_back({f.file, fmt ? core::content_type(*fmt) : "application/octet-stream",
                                   (fs::path(policy_.dir) / f.file).string()});
        }
        std::string const period = run.period_from + (run.period_to != run.period_from ? " \xE2\x80\x93 " + run.period_to : "") +
                                   " (" + run.time_zone + ")";
        for (auto const& to : run.recipients) {
            EmailVars vars{{"report_title", built->title},
                           {"period", period},
                           {"formats", format_names(files)},
                           {"runs_url", mailer_->identity().public_url + "/api/v1/reports/runs/" + std::to_string(run.id) + "/file"}};
            auto const queued = mailer_->queue(*tx, "report", Recipient{to, "", std::nullopt}, vars, false, attachments);
            if (!queued)
                log::warn("reports.mail_refused", {log::num("run", static_cast<long long>(run.id)), log::str("code", to_string(queued.error().code))});
        }
    }
    tx->commit();
    if (!error.empty())
        log::warn("reports.run_failed", {log::num("run", static_cast<long long>(run.id)), log::str("kind", run.kind), log::str("error", error)});
    return run;
}

std::int64_t Reports::run_due(std::function<bool()> const& stopping) {
    std::int64_t done = 0;
    auto const now = clock_.now();
    std::vector<ReportScheduleRecord> due;
    {
        auto tx = store_.begin(TxMode::read);
        due = tx->reports().due_schedules(now);
    }
    for (auto const& s : due) {
        if (stopping && stopping()) return done;
        auto const zone = core::TimeZone::find(s.time_zone).value_or(zone_);
        auto const req = scheduled_request(s, s.next_run_at, zone);
        auto const period = period_of(req);
        ReportRunRecord run;
        run.schedule_id = s.id;
        run.source = "schedule";
        run.kind = s.kind;
        run.time_zone = zone.name();
        run.status = "running";
        run.recipients = s.recipients;
        run.lease_owner = owner_;
        run.lease_until = now.plus_seconds(policy_.run_lease_s);
        run.started_at = now;
        for (auto const& f : s.formats) run.files.push_back({f, "", 0, ""});
        if (period) {
            run.period_from = period->current.from_date;
            run.period_to = period->current.to_date;
        }
        {
            // Exactly once: the process that moves next_run_at on from what it read runs it.
            auto tx = store_.begin(TxMode::write);
            if (!tx->reports().advance_schedule(s.id, s.next_run_at, next_run(s, now))) continue;
            run.id = tx->reports().insert_run(run);
            tx->commit();
        }
        std::vector<core::ReportFormat> formats;
        for (auto const& f : s.formats)
            if (auto x = core::parse_report_format(f)) formats.push_back(*x);
        if (execute(run, formats, {})) ++done;
    }
    // Runs whose process died: taken over once their lease lapses.
    std::vector<ReportRunRecord> stale;
    {
        auto tx = store_.begin(TxMode::read);
        stale = tx->reports().stale_runs(now, 10);
    }
    for (auto run : stale) {
        if (stopping && stopping()) return done;
        {
            auto tx = store_.begin(TxMode::write);
            if (!tx->reports().claim_run(run.id, owner_, now, now.plus_seconds(policy_.run_lease_s))) continue;
            tx->commit();
        }
        std::vector<core::ReportFormat> formats;
        for (auto const& f : run.files)
            if (auto x = core::parse_report_format(f.format)) formats.push_back(*x);
        if (execute(run, formats, {})) ++done;
    }
    // Retention: old runs go with their files.
    if (policy_.retention_days > 0) {
        auto tx = store_.begin(TxMode::write);
        for (auto const& run : tx->reports().runs_before(now.plus_seconds(-policy_.retention_days * 86400), 200)) {
            for (auto const& f : run.files) {
                if (f.file.empty()) continue;
                std::error_code ec;
                fs::remove(fs::path(policy_.dir) / f.file, ec);
            }
            tx->reports().delete_run(run.id);
        }
        tx->commit();
    }
    return done;
}

Result<ReportRunRecord> Reports::run_now(ReportRequest const& req, std::vector<core::ReportFormat> const& formats,
                                         std::vector<std::string> const& recipients,
                                         std::function<void(int, int)> const& progress) {
    auto const period = TRY(period_of(req));
    if (formats.empty()) return std::unexpected(invalid("format", "give at least one format"));
    std::vector<std::string> emails;
    for (std::size_t i = 0; i < recipients.size(); ++i) {
        auto const e = TRY(core::normalize_email(recipients[i], "email"));
        emails.push_back(e);
    }
    auto const now = clock_.now();
    ReportRunRecord run;
    run.source = "cli";
    run.kind = core::to_string(req.kind);
    run.period_from = period.current.from_date;
    run.period_to = period.current.to_date;
    run.time_zone = period.current.time_zone;
    run.status = "running";
    run.recipients = emails;
    run.lease_owner = owner_;
    run.lease_until = now.plus_seconds(policy_.run_lease_s);
    run.started_at = now;
    for (auto f : formats) run.files.push_back({core::to_string(f), "", 0, ""});
    {
        auto tx = store_.begin(TxMode::write);
        run.id = tx->reports().insert_run(run);
        tx->commit();
    }
    auto out = TRY(execute(run, formats, progress));
    if (out.status != "succeeded") return fail(ErrorCode::internal, out.error);
    return out;
}

}  // namespace hrms::app
