#include "hrms/app/report_builders.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "hrms/core/text.hpp"

namespace hrms::app {

using core::Metric;
using core::ReportKind;
using core::Stage;
using core::Unit;

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


namespace {
constexpr Stage kReviewStages[] = {Stage::details, Stage::documents, Stage::final};
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

std::string stage_heading(Stage s) {
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

// A number, or an empty cell when there is none.
core::Cell cell(std::optional<double> v) { return v ? core::Cell(*v) : core::Cell(std::monostate{}); }

std::int64_t at_stage(std::map<Stage, std::int64_t> const& m, Stage s) {
    auto const it = m.find(s);
    return it == m.end() ? 0 : it->second;
}

core::Section section(std::string key, std::string title) {
    core::Section s;
    s.key = std::move(key);
    s.title = std::move(title);
    return s;
}

core::Table table(std::string key, std::string title) {
    core::Table t;
    t.key = std::move(key);
    t.title = std::move(title);
    return t;
}

core::Chart chart(std::string key, std::string title, Unit unit = Unit::count) {
    core::Chart c;
    c.key = std::move(key);
    c.title = std::move(title);
    c.unit = unit;
    return c;
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
    for (auto const& t : repo.transitions(from, to)) {
        if (t.decision.empty()) {
            if (t.to_status == core::StageStatus::submitted) {
                a.submitted[t.from_stage] += t.count;
                a.submissions += t.count;
            }
            continue;
        }
        if (t.decision == "approve") {
            a.approved[t.from_stage] += t.count;
            a.approvals += t.count;
            if (t.from_stage == Stage::final) a.completions += t.count;
        } else if (t.decision == "reject") {
            a.rejected[t.from_stage] += t.count;
            a.rejections += t.count;
        } else {
            continue;  // employment changes are not reviews
        }
        a.timed[t.from_stage] += t.timed;
        a.breached[t.from_stage] += t.breached;
        a.timed_total += t.timed;
        a.breaches += t.breached;
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
    auto s = section("activity", "Activity");
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
    auto t = table("by_stage", "Decisions by stage");
    t.columns = {{"stage", "Stage", core::ColumnType::text},
                 {"submitted", "Submitted", core::ColumnType::integer},
                 {"approved", "Approved", core::ColumnType::integer},
                 {"rejected", "Rejected", core::ColumnType::integer},
                 {"median_review_hours", "Median review", core::ColumnType::hours},
                 {"sla_breaches", "SLA breaches", core::ColumnType::integer}};
    auto c = chart("decisions_by_stage", "Decisions by stage");
    for (auto stage : kReviewStages) {
        auto const w = a.waits.find(stage);
        t.rows.push_back({core::to_string(stage), at_stage(a.submitted, stage), at_stage(a.approved, stage), at_stage(a.rejected, stage),
                          cell(w == a.waits.end() ? std::nullopt : median(w->second, kHourMs)),
                          at_stage(a.breached, stage)});
        c.bars.emplace_back(stage_heading(stage), static_cast<double>(at_stage(a.approved, stage) + at_stage(a.rejected, stage)));
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

core::Report build_report(ReportRepo& repo, ReportKind kind, ReportPeriods const& p, core::SlaPolicy const& sla_,
                          ReportPolicy const& policy_, Instant now, std::function<void(int, int)> const& progress) {
    core::Report r;
    r.kind = kind;
    r.period = p.current;
    r.previous = p.previous;
    r.generated_at = now;
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
        auto now_section = section("backlog", "Right now");
        auto const overdue = repo.overdue(now);
        auto const urgent = repo.urgent();
        now_section.metrics = {
            metric("overdue_now", "Reviews past their SLA", Unit::count, as_double(overdue), std::nullopt, false),
            metric("urgent_now", "Reviews marked urgent", Unit::count, as_double(urgent), std::nullopt, false)};
        r.sections.push_back(std::move(now_section));
        if (weekly) {
            auto trend = section("trend", "Trend over the previous four weeks");
            auto t = table("weeks", "Weeks");
            t.columns = {{"week", "Week of", core::ColumnType::text},
                         {"completions", "Completed", core::ColumnType::integer},
                         {"median_days_to_complete", "Median days to complete", core::ColumnType::number},
                         {"decisions", "Decisions", core::ColumnType::integer},
                         {"sla_compliance", "Within SLA", core::ColumnType::percent}};
            auto c = chart("completions_by_week", "Onboardings completed per week");
            auto const zone = core::TimeZone::find(p.current.time_zone).value_or(core::TimeZone::utc());
            auto const monday = *core::parse_local_date(p.current.from_date);
            for (int w = -4; w <= 0; ++w) {
                auto const start = core::add_days(monday, 7 * w);
                Activity const x = w == 0 ? a : w == -1 ? b
                                                        : activity(repo, zone.start_of(start),
                                                                   zone.start_of(core::add_days(start, 7)));
                auto const days = median(x.completion_ages, kDayMs);
                t.rows.push_back({core::to_string(start), x.completions,
                                  cell(days), x.decisions(),
                                  cell(x.compliance())});
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
                        " late (" + oldest.front().employee + ", " + stage_heading(oldest.front().stage) + ")";
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
        auto overall = section("overall", "Overall");
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

        auto stages = section("stages", "Time in each stage");
        auto t = table("stages", "Stages approved in the period");
        t.columns = {{"stage", "Stage", core::ColumnType::text},
                     {"approved", "Approved", core::ColumnType::integer},
                     {"median_hours", "Median in stage", core::ColumnType::hours},
                     {"p90_hours", "90th percentile", core::ColumnType::hours},
                     {"median_employee_hours", "Median on employee", core::ColumnType::hours},
                     {"median_reviewer_hours", "Median on reviewer", core::ColumnType::hours},
                     {"rework_rate", "Rework", core::ColumnType::percent}};
        auto c = chart("median_hours_by_stage", "Median hours in each stage", Unit::hours);
        std::optional<Stage> bottleneck;
        double worst = -1;
        for (auto stage : kReviewStages) {
            auto const it = fig.find(stage);
            StageFigures const empty;
            auto const& f = it == fig.end() ? empty : it->second;
            auto const med = median(f.total, kHourMs);
            auto const rework = share(f.reworked, f.approvals);
            t.rows.push_back({core::to_string(stage), f.approvals, cell(med), cell(p90(f.total, kHourMs)),
                              cell(median(f.employee, kHourMs)), cell(median(f.reviewer, kHourMs)),
                              cell(rework)});
            c.bars.emplace_back(stage_heading(stage), med.value_or(0));
            if (med && *med > worst) {
                worst = *med;
                bottleneck = stage;
            }
            // Rules, each quoting the numbers that set it off.
            double const budget = sla_.budget_hours(stage);
            if (auto const rev = median(f.reviewer, kHourMs); rev && *rev > budget)
                r.recommendations.push_back(stage_heading(stage) + " reviews wait a median " +
                                            core::format_value(rev, Unit::hours) + " on reviewers against a " +
                                            core::format_value(budget, Unit::hours) +
                                            " SLA: add reviewers to this stage or assign its queue.");
            if (rework && *rework > 20) {
                std::string line = fixed1(*rework) + "% of " + stage_heading(stage) + " approvals (" +
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
                                            " to complete " + stage_heading(stage) +
                                            ": send reminders sooner or simplify what it asks for.");
        }
        if (bottleneck) {
            auto const& f = fig[*bottleneck];
            r.insights.push_back(stage_heading(*bottleneck) + " is the bottleneck: a median " +
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
            auto rs = section("rejections", "Most common rejection reasons");
            auto rt = table("rejection_reasons", "Rejection reasons");
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
        auto overall = section("overall", "Overall");
        overall.metrics = {
            metric("sla_compliance", "Decided within SLA", Unit::percent, a.compliance(), b.compliance(), true),
            metric("decisions_timed", "Decisions measured", Unit::count, as_double(a.timed_total),
                   as_double(b.timed_total)),
            metric("sla_breaches", "Decided after the SLA", Unit::count, as_double(a.breaches), as_double(b.breaches),
                   false),
            metric("open_breaches", "Open reviews past the SLA now", Unit::count, as_double(overdue), std::nullopt,
                   false)};
        r.sections.push_back(std::move(overall));
        auto stages = section("stages", "By stage");
        auto t = table("stages", "Compliance by stage");
        t.columns = {{"stage", "Stage", core::ColumnType::text},
                     {"budget_hours", "SLA", core::ColumnType::hours},
                     {"decided", "Decided", core::ColumnType::integer},
                     {"within", "Within SLA", core::ColumnType::integer},
                     {"breaches", "Breaches", core::ColumnType::integer},
                     {"compliance", "Compliance", core::ColumnType::percent},
                     {"previous_compliance", "Previous", core::ColumnType::percent}};
        auto c = chart("compliance_by_stage", "Share decided within SLA", Unit::percent);
        std::optional<Stage> worst_stage;
        double worst = 101;
        for (auto stage : kReviewStages) {
            auto const timed = at_stage(a.timed, stage), breached = at_stage(a.breached, stage);
            auto const comp = share(timed - breached, timed);
            auto const prev = share(at_stage(b.timed, stage) - at_stage(b.breached, stage), at_stage(b.timed, stage));
            t.rows.push_back({core::to_string(stage), sla_.budget_hours(stage), timed, timed - breached, breached,
                              cell(comp),
                              cell(prev)});
            c.bars.emplace_back(stage_heading(stage), comp.value_or(0));
            if (comp && *comp < worst) {
                worst = *comp;
                worst_stage = stage;
            }
        }
        stages.tables.push_back(std::move(t));
        stages.charts.push_back(std::move(c));
        r.sections.push_back(std::move(stages));

        auto bs = section("breaches", "Breaches");
        auto bt = table("breaches", "Decided after the SLA");
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
        auto ot = table("open_breaches", "Open reviews past the SLA");
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
            r.insights.push_back(stage_heading(*worst_stage) + " has the lowest compliance: " +
                                 core::format_value(worst, Unit::percent) + " of its decisions came within the " +
                                 core::format_value(sla_.budget_hours(*worst_stage), Unit::hours) + " SLA.");
        if (!breaches.empty()) {
            auto const latest = *std::max_element(breaches.begin(), breaches.end(),
                                                  [](auto const& x, auto const& y) { return x.late_ms < y.late_ms; });
            r.insights.push_back("The latest decision of the period came " +
                                 core::format_value(latest.late_ms / kHourMs, Unit::hours) + " after its SLA (" +
                                 latest.employee + ", " + stage_heading(latest.stage) + ").");
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
        auto overall = section("overall", "Overall");
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
        auto rs = section("reviewers", "Reviewers");
        auto t = table("reviewers", "Reviewers");
        t.columns = {{"reviewer", "Reviewer", core::ColumnType::text},
                     {"email", "Email", core::ColumnType::text},
                     {"decisions", "Decisions", core::ColumnType::integer},
                     {"approvals", "Approved", core::ColumnType::integer},
                     {"rejections", "Rejected", core::ColumnType::integer},
                     {"approval_rate", "Approval rate", core::ColumnType::percent},
                     {"median_decision_hours", "Median decision time", core::ColumnType::hours},
                     {"sla_compliance", "Within SLA", core::ColumnType::percent}};
        auto c = chart("decisions_by_reviewer", "Decisions by reviewer");
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
                              cell(rate), cell(med),
                              cell(comp)});
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


}  // namespace hrms::app
