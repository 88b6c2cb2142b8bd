// app::ReportRepo: aggregate reads for reports and the dashboard, and report schedules and runs.
// Every figure is one query (GROUP BY, or one column of durations a percentile needs); the
// durations were recorded with each transition (migration 18), so no query subtracts times.
#include <boost/json.hpp>
#include <limits>

#include "hrms/core/text.hpp"
#include "hrms/store/soci_repos.hpp"
#include "hrms/store/soci_types.hpp"

namespace hrms::store {

using soci::into;
using soci::use;
namespace json = boost::json;

namespace {
constexpr char kDecided[] = "decision IN ('approve', 'reject')";

std::string join(std::vector<std::string> const& items) {
    std::string out;
    for (auto const& i : items) {
        if (!out.empty()) out += ',';
        out += i;
    }
    return out;
}

// The comma-separated formats column (core::split_trimmed; nothing for an empty column).
std::vector<std::string> split(std::string const& text) {
    std::vector<std::string> out;
    if (text.empty()) return out;
    for (auto piece : core::split_trimmed(text, ',')) out.emplace_back(piece);
    return out;
}

std::vector<std::string> strings_from_json(std::string const& text) {
    std::vector<std::string> out;
    boost::system::error_code ec;
    auto const v = json::parse(text, ec);
    if (ec || !v.is_array()) return out;
    for (auto const& e : v.as_array())
        if (e.is_string()) out.emplace_back(e.as_string());
    return out;
}

std::string files_json(std::vector<app::ReportFile> const& files) {
    json::array a;
    for (auto const& f : files)
        a.push_back(json::object{{"format", f.format}, {"file", f.file}, {"size", f.size}, {"sha256", f.sha256}});
    return json::serialize(a);
}

std::vector<app::ReportFile> files_from_json(std::string const& text) {
    std::vector<app::ReportFile> out;
    boost::system::error_code ec;
    auto const v = json::parse(text, ec);
    if (ec || !v.is_array()) return out;
    for (auto const& e : v.as_array()) {
        if (!e.is_object()) continue;
        auto const& o = e.as_object();
        app::ReportFile f;
        if (auto const* x = o.if_contains("format"); x && x->is_string()) f.format = x->as_string();
        if (auto const* x = o.if_contains("file"); x && x->is_string()) f.file = x->as_string();
        if (auto const* x = o.if_contains("size"); x && x->is_int64()) f.size = x->as_int64();
        if (auto const* x = o.if_contains("sha256"); x && x->is_string()) f.sha256 = x->as_string();
        out.push_back(std::move(f));
    }
    return out;
}

constexpr char kScheduleColumns[] =
    "id, name, kind, cadence, weekday, at_time, time_zone, formats, recipients, enabled, next_run_at, created_by, "
    "created_at, updated_at";

struct ScheduleRow {
    app::ReportScheduleRecord s;
    long long id = 0, created_by = 0;
    int enabled = 0;
    std::string formats, recipients;
    soci::indicator by_ind = soci::i_null;
    template <class Prep>
    void bind(Prep& p) {
        p, into(id), into(s.name), into(s.kind), into(s.cadence), into(s.weekday), into(s.at_time), into(s.time_zone),
            into(formats), into(recipients), into(enabled), into(s.next_run_at), into(created_by, by_ind),
            into(s.created_at), into(s.updated_at);
    }
    app::ReportScheduleRecord take() const {
        auto out = s;
        out.id = id;
        out.enabled = enabled != 0;
        out.formats = split(formats);
        out.recipients = strings_from_json(recipients);
        out.created_by = by_ind == soci::i_ok ? std::optional<app::UserId>(created_by) : std::nullopt;
        return out;
    }
};

constexpr char kRunColumns[] =
    "id, schedule_id, source, kind, period_from, period_to, time_zone, status, files, recipients, error, "
    "lease_owner, lease_until, started_at, finished_at";

struct RunRow {
    app::ReportRunRecord r;
    long long id = 0, schedule = 0;
    soci::indicator schedule_ind = soci::i_null;
    std::string files, recipients, lease_until, finished;
    template <class Prep>
    void bind(Prep& p) {
        p, into(id), into(schedule, schedule_ind), into(r.source), into(r.kind), into(r.period_from),
            into(r.period_to), into(r.time_zone), into(r.status), into(files), into(recipients), into(r.error),
            into(r.lease_owner), into(lease_until), into(r.started_at), into(finished);
    }
    app::ReportRunRecord take() const {
        auto out = r;
        out.id = id;
        out.schedule_id = schedule_ind == soci::i_ok ? std::optional<std::int64_t>(schedule) : std::nullopt;
        out.files = files_from_json(files);
        out.recipients = strings_from_json(recipients);
        if (!lease_until.empty()) out.lease_until = parse_rfc3339(lease_until);
        if (!finished.empty()) out.finished_at = parse_rfc3339(finished);
        return out;
    }
};

template <class Row, class... Uses>
auto fetch_rows(soci::session& sql, std::string const& text, Uses&&... uses) {
    Row row;
    std::vector<decltype(row.take())> out;
    auto prep = (sql.prepare << text);
    row.bind(prep);
    if constexpr (sizeof...(Uses) > 0) (prep, ..., use(uses));
    soci::statement st(prep);
    st.execute();
    while (st.fetch()) {
        out.push_back(row.take());
        row = Row{};
    }
    return out;
}
}  // namespace

std::vector<app::TransitionCount> SociReports::transitions(Instant from, Instant to) {
    return guard([&] {
        std::vector<app::TransitionCount> out;
        app::TransitionCount t;
        long long count = 0, timed = 0, breached = 0;
        soci::statement st =
            (sql_->prepare << "SELECT from_stage, COALESCE(decision, ''), to_stage, to_status, COUNT(*), "
                              "CAST(COALESCE(SUM(CASE WHEN clock_ms IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT), "
                              "CAST(COALESCE(SUM(CASE WHEN clock_ms > budget_ms THEN 1 ELSE 0 END), 0) AS BIGINT) "
                              "FROM stage_history WHERE at >= :f AND at < :t "
                              "GROUP BY from_stage, decision, to_stage, to_status",
             use(from), use(to), into(t.from_stage), into(t.decision), into(t.to_stage), into(t.to_status), into(count),
             into(timed), into(breached));
        st.execute();
        while (st.fetch()) {
            t.count = count;
            t.timed = timed;
            t.breached = breached;
            out.push_back(t);
        }
        return out;
    });
}

std::vector<app::StageDuration> SociReports::review_waits(Instant from, Instant to) {
    return guard([&] {
        std::vector<app::StageDuration> out;
        core::Stage stage{};
        long long ms = 0;
        soci::statement st = (sql_->prepare << std::string("SELECT from_stage, waited_ms FROM stage_history WHERE "
                                                           "at >= :f AND at < :t AND waited_ms IS NOT NULL AND ") +
                                                   kDecided,
                              use(from), use(to), into(stage), into(ms));
        st.execute();
        while (st.fetch()) out.push_back({stage, ms});
        return out;
    });
}

std::vector<std::int64_t> SociReports::completion_ages(Instant from, Instant to) {
    return guard([&] {
        std::vector<std::int64_t> out;
        long long ms = 0;
        soci::statement st = (sql_->prepare << "SELECT age_ms FROM stage_history WHERE at >= :f AND at < :t AND "
                                               "decision = 'approve' AND to_stage = 'completed' AND age_ms IS NOT NULL",
                              use(from), use(to), into(ms));
        st.execute();
        while (st.fetch()) out.push_back(ms);
        return out;
    });
}

app::DocumentCounts SociReports::documents(Instant from, Instant to) {
    return guard([&] {
        app::DocumentCounts c;
        long long uploaded = 0, approved = 0, rejected = 0;
        *sql_ << "SELECT COUNT(*) FROM documents WHERE uploaded_at >= :f AND uploaded_at < :t", use(from), use(to),
            into(uploaded);
        *sql_ << "SELECT CAST(COALESCE(SUM(CASE WHEN status = 'approved' THEN 1 ELSE 0 END), 0) AS BIGINT), "
                 "CAST(COALESCE(SUM(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END), 0) AS BIGINT) "
                 "FROM documents WHERE reviewed_at >= :f AND reviewed_at < :t",
            use(from), use(to), into(approved), into(rejected);
        c.uploaded = uploaded;
        c.approved = approved;
        c.rejected = rejected;
        return c;
    });
}

std::vector<app::StageStay> SociReports::stays(Instant from, Instant to) {
    return guard([&] {
        std::vector<app::StageStay> out;
        core::Stage stage{};
        long long total = 0, employee = 0, reviewer = 0, rejections = 0;
        // An approval's running totals are the stage's whole stay (migration 18 keeps them).
        soci::statement st =
            (sql_->prepare << "SELECT from_stage, COALESCE(stage_ms, 0), COALESCE(stage_employee_ms, 0), "
                              "COALESCE(stage_reviewer_ms, 0), COALESCE(stage_rejections, 0) FROM stage_history "
                              "WHERE at >= :f AND at < :t AND decision = 'approve'",
             use(from), use(to), into(stage), into(total), into(employee), into(reviewer), into(rejections));
        st.execute();
        while (st.fetch()) out.push_back({stage, total, employee, reviewer, rejections});
        return out;
    });
}

std::vector<app::ReasonCount> SociReports::rejection_reasons(Instant from, Instant to, int per_stage) {
    return guard([&] {
        std::vector<app::ReasonCount> out;
        core::Stage stage{};
        std::string reason;
        long long count = 0, limit = per_stage * 3;
        soci::statement st =
            (sql_->prepare << "SELECT from_stage, reason, COUNT(*) FROM stage_history WHERE at >= :f AND at < :t "
                              "AND decision = 'reject' AND reason IS NOT NULL GROUP BY from_stage, reason "
                              "ORDER BY COUNT(*) DESC, reason LIMIT :n",
             use(from), use(to), use(limit), into(stage), into(reason), into(count));
        st.execute();
        while (st.fetch()) out.push_back({stage, reason, count});
        return out;
    });
}

std::vector<app::ReviewerRow> SociReports::reviewers(Instant from, Instant to) {
    return guard([&] {
        std::vector<app::ReviewerRow> out;
        app::ReviewerRow r;
        long long id = 0, decisions = 0, approvals = 0, rejections = 0, timed = 0, within = 0;
        // Grouped first (from the report index alone), then each reviewer's name joined once.
        soci::statement st =
            (sql_->prepare << std::string("SELECT g.actor_id, COALESCE(u.name, ''), COALESCE(u.email, ''), g.n, g.a, "
                                          "g.r, g.t, g.w FROM (SELECT actor_id, COUNT(*) AS n, "
                                          "CAST(COALESCE(SUM(CASE WHEN decision = 'approve' THEN 1 ELSE 0 END), 0) "
                                          "AS BIGINT) AS a, "
                                          "CAST(COALESCE(SUM(CASE WHEN decision = 'reject' THEN 1 ELSE 0 END), 0) "
                                          "AS BIGINT) AS r, "
                                          "CAST(COALESCE(SUM(CASE WHEN clock_ms IS NOT NULL THEN 1 ELSE 0 END), 0) "
                                          "AS BIGINT) AS t, "
                                          "CAST(COALESCE(SUM(CASE WHEN clock_ms <= budget_ms THEN 1 ELSE 0 END), 0) "
                                          "AS BIGINT) AS w "
                                          "FROM stage_history WHERE at >= :f AND at < :t AND actor_id IS NOT NULL "
                                          "AND ") +
                                 kDecided +
                                 " GROUP BY actor_id) g LEFT JOIN users u ON u.id = g.actor_id "
                                 "ORDER BY g.n DESC, g.actor_id",
             use(from), use(to), into(id), into(r.name), into(r.email), into(decisions), into(approvals),
             into(rejections), into(timed), into(within));
        st.execute();
        while (st.fetch()) {
            r.id = id;
            r.decisions = decisions;
            r.approvals = approvals;
            r.rejections = rejections;
            r.timed = timed;
            r.within = within;
            out.push_back(r);
        }
        return out;
    });
}

std::vector<app::ReviewerDuration> SociReports::reviewer_waits(Instant from, Instant to) {
    return guard([&] {
        std::vector<app::ReviewerDuration> out;
        long long id = 0, ms = 0;
        soci::statement st = (sql_->prepare << std::string("SELECT actor_id, waited_ms FROM stage_history WHERE "
                                                           "at >= :f AND at < :t AND actor_id IS NOT NULL AND "
                                                           "waited_ms IS NOT NULL AND ") +
                                                   kDecided,
                              use(from), use(to), into(id), into(ms));
        st.execute();
        while (st.fetch()) out.push_back({id, ms});
        return out;
    });
}

std::vector<app::BreachRow> SociReports::breaches(Instant from, Instant to, int limit) {
    return guard([&] {
        std::vector<app::BreachRow> out;
        app::BreachRow b;
        long long profile = 0, clock = 0, budget = 0, n = limit;
        // The latest `limit` first (from the report index), then only their names joined.
        soci::statement st =
            (sql_->prepare << std::string("SELECT b.profile_id, COALESCE(eu.name, ''), COALESCE(ru.name, ''), "
                                          "b.from_stage, b.decision, b.at, b.clock_ms, b.budget_ms FROM "
                                          "(SELECT profile_id, actor_id, from_stage, decision, at, clock_ms, budget_ms "
                                          "FROM stage_history WHERE at >= :f AND at < :t AND clock_ms > budget_ms "
                                          "AND ") +
                                 kDecided +
                                 " ORDER BY at DESC LIMIT :n) b JOIN profiles p ON p.id = b.profile_id "
                                 "LEFT JOIN users eu ON eu.id = p.user_id LEFT JOIN users ru ON ru.id = b.actor_id "
                                 "ORDER BY b.at DESC",
             use(from), use(to), use(n), into(profile), into(b.employee), into(b.reviewer), into(b.stage),
             into(b.decision), into(b.at), into(clock), into(budget));
        st.execute();
        while (st.fetch()) {
            b.profile_id = profile;
            b.clock_ms = clock;
            b.budget_ms = budget;
            b.late_ms = clock - budget;
            out.push_back(b);
        }
        return out;
    });
}

std::int64_t SociReports::count_breaches(Instant from, Instant to) {
    return guard([&] {
        long long n = 0;
        *sql_ << std::string("SELECT COUNT(*) FROM stage_history WHERE at >= :f AND at < :t AND "
                             "clock_ms > budget_ms AND ") +
                     kDecided,
            use(from), use(to), into(n);
        return static_cast<std::int64_t>(n);
    });
}

std::vector<app::BreachRow> SociReports::open_breaches(Instant now, int limit) {
    return guard([&] {
        std::vector<app::BreachRow> out;
        app::BreachRow b;
        long long profile = 0, n = limit;
        soci::statement st =
            (sql_->prepare << "SELECT p.id, COALESCE(u.name, ''), COALESCE(a.name, ''), p.stage, p.sla_due_at "
                              "FROM profiles p LEFT JOIN users u ON u.id = p.user_id "
                              "LEFT JOIN users a ON a.id = p.assignee_id "
                              "WHERE p.sla_due_at IS NOT NULL AND p.sla_due_at < :now "
                              "ORDER BY p.sla_due_at, p.id LIMIT :n",
             use(now), use(n), into(profile), into(b.employee), into(b.reviewer), into(b.stage), into(b.at));
        st.execute();
        while (st.fetch()) {
            b.profile_id = profile;
            b.decision.clear();
            b.late_ms = now.ms - b.at.ms;
            out.push_back(b);
        }
        return out;
    });
}

std::int64_t SociReports::overdue(Instant now) {
    return guard([&] {
        long long n = 0;
        *sql_ << "SELECT COUNT(*) FROM profiles WHERE sla_due_at IS NOT NULL AND sla_due_at < :now", use(now),
            into(n);
        return static_cast<std::int64_t>(n);
    });
}

std::int64_t SociReports::urgent() {
    return guard([&] {
        long long n = 0;
        *sql_ << "SELECT COUNT(*) FROM sla_clocks c JOIN profiles p ON p.id = c.profile_id AND p.stage = c.stage "
                 "WHERE c.urgent_sent = 1 AND p.status = 'submitted'",
            into(n);
        return static_cast<std::int64_t>(n);
    });
}

std::int64_t SociReports::email_queue() {
    return guard([&] {
        long long n = 0;
        *sql_ << "SELECT COUNT(*) FROM email_messages WHERE status IN ('queued', 'sending', 'deferred')", into(n);
        return static_cast<std::int64_t>(n);
    });
}

std::int64_t SociReports::bulk_running() {
    return guard([&] {
        long long n = 0;
        *sql_ << "SELECT COUNT(*) FROM bulk_jobs WHERE status = 'running'", into(n);
        return static_cast<std::int64_t>(n);
    });
}

std::vector<app::ReportScheduleRecord> SociReports::schedules() {
    return guard([&] {
        return fetch_rows<ScheduleRow>(*sql_, std::string("SELECT ") + kScheduleColumns +
                                                  " FROM report_schedules ORDER BY id");
    });
}

void SociReports::replace_schedules(std::vector<app::ReportScheduleRecord> const& list) {
    guard([&] {
        *sql_ << "DELETE FROM report_schedules";
        for (auto const& s : list) {
            std::string const formats = join(s.formats), recipients = json_quote_list(s.recipients);
            int const enabled = s.enabled ? 1 : 0;
            long long by = s.created_by.value_or(0);
            soci::indicator by_ind = s.created_by ? soci::i_ok : soci::i_null;
            *sql_ << "INSERT INTO report_schedules (name, kind, cadence, weekday, at_time, time_zone, formats, "
                     "recipients, enabled, next_run_at, created_by, created_at, updated_at) VALUES "
                     "(:n, :k, :c, :w, :a, :z, :f, :r, :e, :x, :b, :ca, :ua)",
                use(s.name), use(s.kind), use(s.cadence), use(s.weekday), use(s.at_time), use(s.time_zone),
                use(formats), use(recipients), use(enabled), use(s.next_run_at), use(by, by_ind), use(s.created_at),
                use(s.updated_at);
        }
    });
}

std::vector<app::ReportScheduleRecord> SociReports::due_schedules(Instant now) {
    return guard([&] {
        return fetch_rows<ScheduleRow>(*sql_,
                                       std::string("SELECT ") + kScheduleColumns +
                                           " FROM report_schedules WHERE enabled = 1 AND next_run_at <= :now "
                                           "ORDER BY next_run_at, id",
                                       now);
    });
}

bool SociReports::advance_schedule(std::int64_t id, Instant seen, Instant next) {
    return guard([&] {
        long long key = id;
        soci::statement st = (sql_->prepare << "UPDATE report_schedules SET next_run_at = :n WHERE id = :id AND "
                                               "next_run_at = :s",
                              use(next), use(key), use(seen));
        st.execute(true);
        return st.get_affected_rows() == 1;
    });
}

std::int64_t SociReports::insert_run(app::ReportRunRecord const& r) {
    return guard([&] {
        long long schedule = r.schedule_id.value_or(0), id = 0;
        soci::indicator s_ind = r.schedule_id ? soci::i_ok : soci::i_null;
        std::string const files = files_json(r.files), recipients = json_quote_list(r.recipients);
        std::string const lease = r.lease_until ? to_rfc3339(*r.lease_until) : "";
        *sql_ << "INSERT INTO report_runs (schedule_id, source, kind, period_from, period_to, time_zone, status, "
                 "files, recipients, error, lease_owner, lease_until, started_at) VALUES "
                 "(:s, :src, :k, :f, :t, :z, :st, :fi, :r, :e, :o, :l, :a) RETURNING id",
            use(schedule, s_ind), use(r.source), use(r.kind), use(r.period_from), use(r.period_to), use(r.time_zone),
            use(r.status), use(files), use(recipients), use(r.error), use(r.lease_owner), use(lease),
            use(r.started_at), into(id);
        return static_cast<std::int64_t>(id);
    });
}

bool SociReports::finish_run(app::ReportRunRecord const& r, std::string const& owner) {
    return guard([&] {
        long long key = r.id;
        std::string const files = files_json(r.files), recipients = json_quote_list(r.recipients);
        std::string const finished = r.finished_at ? to_rfc3339(*r.finished_at) : "";
        soci::statement st =
            (sql_->prepare << "UPDATE report_runs SET status = :st, files = :fi, recipients = :r, error = :e, "
                              "finished_at = :fa, lease_owner = '', lease_until = '' "
                              "WHERE id = :id AND status = 'running' AND lease_owner = :o",
             use(r.status), use(files), use(recipients), use(r.error), use(finished), use(key), use(owner));
        st.execute(true);
        return st.get_affected_rows() == 1;
    });
}

std::optional<app::ReportRunRecord> SociReports::run(std::int64_t id) {
    return guard([&]() -> std::optional<app::ReportRunRecord> {
        long long key = id;
        auto rows = fetch_rows<RunRow>(*sql_, std::string("SELECT ") + kRunColumns + " FROM report_runs WHERE id = :id",
                                       key);
        if (rows.empty()) return std::nullopt;
        return std::move(rows.front());
    });
}

std::vector<app::ReportRunRecord> SociReports::runs(std::optional<std::int64_t> before, int limit) {
    return guard([&] {
        long long b = before.value_or(std::numeric_limits<long long>::max()), n = limit;
        return fetch_rows<RunRow>(*sql_,
                                  std::string("SELECT ") + kRunColumns +
                                      " FROM report_runs WHERE id < :b ORDER BY id DESC LIMIT :n",
                                  b, n);
    });
}

std::vector<app::ReportRunRecord> SociReports::stale_runs(Instant now, int limit) {
    return guard([&] {
        long long n = limit;
        std::string const t = to_rfc3339(now);
        return fetch_rows<RunRow>(*sql_,
                                  std::string("SELECT ") + kRunColumns +
                                      " FROM report_runs WHERE status = 'running' AND lease_until < :now "
                                      "ORDER BY id LIMIT :n",
                                  t, n);
    });
}

bool SociReports::claim_run(std::int64_t id, std::string const& owner, Instant now, Instant until) {
    return guard([&] {
        long long key = id;
        std::string const t = to_rfc3339(now), u = to_rfc3339(until);
        soci::statement st = (sql_->prepare << "UPDATE report_runs SET lease_owner = :o, lease_until = :u "
                                               "WHERE id = :id AND status = 'running' AND lease_until < :now",
                              use(owner), use(u), use(key), use(t));
        st.execute(true);
        return st.get_affected_rows() == 1;
    });
}

std::vector<app::ReportRunRecord> SociReports::runs_before(Instant before, int limit) {
    return guard([&] {
        long long n = limit;
        return fetch_rows<RunRow>(*sql_,
                                  std::string("SELECT ") + kRunColumns +
                                      " FROM report_runs WHERE started_at < :b AND status <> 'running' "
                                      "ORDER BY id LIMIT :n",
                                  before, n);
    });
}

void SociReports::delete_run(std::int64_t id) {
    guard([&] {
        long long key = id;
        *sql_ << "DELETE FROM report_runs WHERE id = :id", use(key);
    });
}

}  // namespace hrms::store
