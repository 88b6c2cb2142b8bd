// app::ProfileRepo: profiles, their SLA clocks and stage history, and the dashboard counts.
#include <algorithm>
#include <cctype>

#include "hrms/app/details_json.hpp"
#include "hrms/store/soci_repos.hpp"
#include "hrms/store/sql_text.hpp"

namespace hrms::store {

using soci::into;
using soci::use;

namespace {

constexpr char const* kProfileColumns =
    "p.id, p.user_id, p.stage, p.status, p.employment_status, p.progress, p.details, "
    "p.assignee_id, p.submitted_at, p.sla_due_at, p.created_at, p.updated_at, u.email, u.name";

struct ProfileRow {
    long long id = 0, user_id = 0, assignee = 0;
    std::string details, email, name;
    core::Stage stage{};
    core::StageStatus status{};
    core::EmploymentStatus employment{};
    Instant submitted, due, created, updated;
    int progress = 0;
    soci::indicator assignee_ind = soci::i_null, submitted_ind = soci::i_null, due_ind = soci::i_null;

    template <class Stmt>
    void bind(Stmt& st) {
        st, into(id), into(user_id), into(stage), into(status), into(employment), into(progress),
            into(details), into(assignee, assignee_ind), into(submitted, submitted_ind),
            into(due, due_ind), into(created), into(updated), into(email), into(name);
    }
    void reset() { assignee_ind = submitted_ind = due_ind = soci::i_null; }

    app::ProfileRecord record() const {
        app::ProfileRecord p;
        p.id = id;
        p.user_id = user_id;
        p.state = {stage, status, employment};
        p.progress = progress;
        if (auto d = app::details_from_json(details)) p.details = std::move(*d);
        if (assignee_ind == soci::i_ok) p.assignee_id = assignee;
        if (submitted_ind == soci::i_ok) p.submitted_at = submitted;
        if (due_ind == soci::i_ok) p.sla_due_at = due;
        p.created_at = created;
        p.updated_at = updated;
        p.email = email;
        p.name = name;
        return p;
    }
};

std::optional<std::string> opt(std::string const& v, soci::indicator ind) {
    return ind == soci::i_ok ? std::optional(v) : std::nullopt;
}

}  // namespace

app::ProfileId SociProfiles::insert(app::UserId user, Instant now) {
    return guard([&] {
        long long id = 0, uid = user;
        // The queue's free text is the account's: the copy is kept in step by SociUsers::set_name.
        *sql_ << "INSERT INTO profiles (user_id, search, created_at, updated_at) "
                 "VALUES (:u, (SELECT search FROM users WHERE id = :u2), :c, :m) RETURNING id",
            use(uid), use(uid), use(now), use(now), into(id);
        return static_cast<app::ProfileId>(id);
    });
}

std::optional<app::ProfileRecord> SociProfiles::profile_where(char const* where, long long key) {
    return guard([&]() -> std::optional<app::ProfileRecord> {
        std::string sql = std::string("SELECT ") + kProfileColumns +
                          " FROM profiles p JOIN users u ON u.id = p.user_id WHERE " + where;
        if (write_ && dialect_ == Dialect::postgresql) sql += " FOR UPDATE OF p";
        return read_cached<ProfileRow>(*sql_, sql_->writes, dialect_ == Dialect::sqlite, sql,
                                       [](ProfileRow& row) { return row.record(); }, key);
    });
}

std::optional<app::ProfileRecord> SociProfiles::by_id(app::ProfileId id) {
    return profile_where("p.id = :k", id);
}

std::optional<app::ProfileRecord> SociProfiles::by_user(app::UserId user) {
    return profile_where("p.user_id = :k", user);
}

void SociProfiles::update(app::ProfileRecord const& p) {
    guard([&] {
        long long id = p.id, assignee = p.assignee_id.value_or(0);
        soci::indicator a_ind = p.assignee_id ? soci::i_ok : soci::i_null;
        Instant submitted = p.submitted_at.value_or(Instant{}), due = p.sla_due_at.value_or(Instant{});
        soci::indicator s_ind = p.submitted_at ? soci::i_ok : soci::i_null;
        soci::indicator d_ind = p.sla_due_at ? soci::i_ok : soci::i_null;
        std::string details = app::details_to_json(p.details);
        int progress = p.progress;
        write("UPDATE profiles SET stage = :st, status = :ss, employment_status = :es, "
              "progress = :pr, details = :de, assignee_id = :as, submitted_at = :sa, "
              "sla_due_at = :du, updated_at = :up WHERE id = :id",
              false, p.state.stage, p.state.status, p.state.employment, progress, details,
              Nullable<long long>{assignee, a_ind}, Nullable<Instant>{submitted, s_ind}, Nullable<Instant>{due, d_ind},
              p.updated_at, id);
    });
}

std::vector<app::ProfileRecord> SociProfiles::list(app::QueueQuery const& q) {
    return guard([&] {
        // Fragments are constants chosen by which filters are present; values are all bound.
        // With free text on SQLite the trigram index drives: it yields the matching rows in id
        // order, so a page stops after its rows whatever the other filters are (the stage index
        // walk would read every profile of the stage when the text is rare). LIKE keeps the exact
        // rule, and alone covers texts too short for trigrams. On PostgreSQL the planner uses the
        // pg_trgm index for the LIKE itself.
        std::string const phrase =
            q.text && dialect_ == Dialect::sqlite ? trigram_phrase(*q.text) : std::string();
        std::string sql = std::string("SELECT ") + kProfileColumns;
        if (phrase.empty()) {
            sql += " FROM profiles p JOIN users u ON u.id = p.user_id WHERE p.id > :after";
        } else {
            sql += " FROM profiles_search s JOIN profiles p ON p.id = s.rowid JOIN users u ON u.id = p.user_id"
                   " WHERE s.rowid > :after AND profiles_search MATCH :phrase";
        }
        if (q.stage) sql += " AND p.stage = :stage";
        if (q.status) sql += " AND p.status = :status";
        if (q.assignee) sql += " AND p.assignee_id = :assignee";
        if (q.overdue) {
            sql += *q.overdue ? " AND p.sla_due_at IS NOT NULL AND p.sla_due_at < :now"
                              : " AND (p.sla_due_at IS NULL OR p.sla_due_at >= :now)";
        }
        if (q.text) sql += " AND p.search LIKE :pattern ESCAPE '\\'";
        if (q.urgent_unsent)
            sql += " AND EXISTS (SELECT 1 FROM sla_clocks c WHERE c.profile_id = p.id AND c.stage = p.stage"
                   " AND c.urgent_sent = 0)";
        if (q.urgent)
            sql += std::string(*q.urgent ? " AND EXISTS" : " AND NOT EXISTS") +
                   " (SELECT 1 FROM sla_clocks c WHERE c.profile_id = p.id AND c.stage = p.stage AND c.urgent_sent = 1)";
        sql += phrase.empty() ? " ORDER BY p.id LIMIT :lim" : " ORDER BY s.rowid LIMIT :lim";
        long long after = q.after_id.value_or(0), assignee = q.assignee.value_or(0);
        std::string stage = q.stage ? core::to_string(*q.stage) : "";
        std::string status = q.status ? core::to_string(*q.status) : "";
        std::string pattern = q.text ? like_pattern(*q.text) : "";
        int limit = q.limit;
        ProfileRow row;
        auto prep = (sql_->prepare << sql);
        row.bind(prep);
        prep, use(after);
        if (!phrase.empty()) prep, use(phrase);
        if (q.stage) prep, use(stage);
        if (q.status) prep, use(status);
        if (q.assignee) prep, use(assignee);
        if (q.overdue) prep, use(q.now);
        if (q.text) prep, use(pattern);
        prep, use(limit);
        soci::statement st(prep);
        std::vector<app::ProfileRecord> out;
        st.execute();
        while (st.fetch()) {
            out.push_back(row.record());
            row.reset();
        }
        return out;
    });
}

namespace {
// An SLA clock's columns.
struct ClockRow {
    long long elapsed = 0;
    int urgent = 0;
    std::string running, stopped, reminded;
    soci::indicator r_ind = soci::i_null, s_ind = soci::i_null, m_ind = soci::i_null;
    template <class Prep>
    void bind(Prep& p) {
        p, into(elapsed), into(running, r_ind), into(stopped, s_ind), into(urgent), into(reminded, m_ind);
    }
    core::SlaClock clock(core::Stage stage) const {
        core::SlaClock c;
        c.stage = stage;
        c.elapsed_ms = elapsed;
        if (r_ind == soci::i_ok) c.running_since = parse_rfc3339(running);
        if (s_ind == soci::i_ok) c.stopped_at = parse_rfc3339(stopped);
        c.urgent_sent = urgent != 0;
        if (m_ind == soci::i_ok && !reminded.empty()) c.reminded_at = parse_rfc3339(reminded);
        return c;
    }
};
}  // namespace

std::optional<core::SlaClock> SociProfiles::sla_clock(app::ProfileId id, core::Stage stage) {
    return guard([&]() -> std::optional<core::SlaClock> {
        long long key = id;
        std::string st_name = core::to_string(stage);
        return read_cached<ClockRow>(*sql_, sql_->writes, dialect_ == Dialect::sqlite,
                                     "SELECT elapsed_ms, running_since, stopped_at, urgent_sent, reminded_at "
                                     "FROM sla_clocks WHERE profile_id = :p AND stage = :s",
                                     [&](ClockRow& row) { return row.clock(stage); }, key, st_name);
    });
}

void SociProfiles::save_sla_clock(app::ProfileId id, core::SlaClock const& c) {
    guard([&] {
        long long key = id, elapsed = c.elapsed_ms;
        std::string stage = core::to_string(c.stage);
        std::string running = c.running_since ? to_rfc3339(*c.running_since) : "";
        std::string stopped = c.stopped_at ? to_rfc3339(*c.stopped_at) : "";
        soci::indicator r_ind = c.running_since ? soci::i_ok : soci::i_null;
        soci::indicator s_ind = c.stopped_at ? soci::i_ok : soci::i_null;
        int urgent = c.urgent_sent ? 1 : 0;
        std::string reminded = c.reminded_at ? to_rfc3339(*c.reminded_at) : "";
        soci::indicator m_ind = c.reminded_at ? soci::i_ok : soci::i_null;
        write("INSERT INTO sla_clocks (profile_id, stage, elapsed_ms, running_since, stopped_at, urgent_sent, "
              "reminded_at) VALUES (:p, :s, :e, :r, :x, :u, :m) ON CONFLICT (profile_id, stage) DO UPDATE SET "
              "elapsed_ms = excluded.elapsed_ms, running_since = excluded.running_since, "
              "stopped_at = excluded.stopped_at, urgent_sent = excluded.urgent_sent, "
              "reminded_at = excluded.reminded_at",
              false, key, stage, elapsed, Nullable<std::string>{running, r_ind}, Nullable<std::string>{stopped, s_ind},
              urgent, Nullable<std::string>{reminded, m_ind});
    });
}

namespace {
// When a profile was created, when its latest transition happened (none: empty), and the running
// totals of the latest row that left a state of the stage being left (none: zeros).
struct LastTransitionRow {
    Instant created, last;
    long long stage_ms = 0, employee_ms = 0, reviewer_ms = 0;
    int rejections = 0;
    soci::indicator last_ind = soci::i_null, s_ind = soci::i_null, e_ind = soci::i_null, r_ind = soci::i_null,
                    j_ind = soci::i_null;
    template <class Prep>
    void bind(Prep& p) {
        p, into(created), into(last, last_ind), into(stage_ms, s_ind), into(employee_ms, e_ind),
            into(reviewer_ms, r_ind), into(rejections, j_ind);
    }
};

struct LastTransition {
    Instant created, last;
    long long stage_ms = 0, employee_ms = 0, reviewer_ms = 0;
    int rejections = 0;
};

// Whose turn a state was: reports split waiting time by it.
char const* waiting_on(core::StageStatus status, core::Stage stage, core::EmploymentStatus employment) {
    if (stage == core::Stage::completed || employment != core::EmploymentStatus::onboarding) return "nobody";
    return status == core::StageStatus::submitted ? "reviewer" : "employee";
}
}  // namespace

void SociProfiles::insert_history(app::HistoryRecord const& h) {
    // Every transition moves a row of the reviewers' queues: they hear of it once this commits.
    live_.changes.push_back({h.profile_id, h.to_stage, h.to_status, h.decision.value_or(""), h.actor_id.value_or(0),
                             h.actor_id && context_.actor == h.actor_id ? context_.actor_name : std::string(), 0,
                             "stage"});
    guard([&] {
        long long age = 0, waited = 0;
        long long const key = h.profile_id;
        std::string const stage = core::to_string(h.from_stage);
        LastTransition prev;
        if (auto const t = read_cached<LastTransitionRow>(
                *sql_, sql_->writes, dialect_ == Dialect::sqlite,
                "SELECT p.created_at, (SELECT h.at FROM stage_history h WHERE h.profile_id = p.id "
                "ORDER BY h.id DESC LIMIT 1), l.stage_ms, l.stage_employee_ms, l.stage_reviewer_ms, "
                "l.stage_rejections FROM profiles p LEFT JOIN stage_history l ON l.id = "
                "(SELECT MAX(h.id) FROM stage_history h WHERE h.profile_id = p.id AND h.from_stage = :s) "
                "WHERE p.id = :p",
                [](LastTransitionRow& r) {
                    auto or0 = [](auto v, soci::indicator ind) { return ind == soci::i_ok ? v : decltype(v){}; };
                    return LastTransition{r.created, r.last_ind == soci::i_ok ? r.last : r.created,
                                          or0(r.stage_ms, r.s_ind), or0(r.employee_ms, r.e_ind),
                                          or0(r.reviewer_ms, r.r_ind), or0(r.rejections, r.j_ind)};
                },
                stage, key)) {
            prev = *t;
            age = std::max<long long>(0, h.at.ms - t->created.ms);
            waited = std::max<long long>(0, h.at.ms - t->last.ms);
        }
        std::string const turn = waiting_on(h.from_status, h.from_stage, h.from_employment);
        long long const stage_ms = prev.stage_ms + waited;
        long long const stage_employee = prev.employee_ms + (turn == std::string("employee") ? waited : 0);
        long long const stage_reviewer = prev.reviewer_ms + (turn == std::string("reviewer") ? waited : 0);
        int const stage_rejections = prev.rejections + (h.decision && *h.decision == "reject" ? 1 : 0);
        long long clock = h.clock_ms.value_or(0), budget = h.budget_ms.value_or(0);
        soci::indicator c_ind = h.clock_ms ? soci::i_ok : soci::i_null;
        soci::indicator b_ind = h.budget_ms ? soci::i_ok : soci::i_null;
        long long pid = h.profile_id, actor = h.actor_id.value_or(0);
        soci::indicator a_ind = h.actor_id ? soci::i_ok : soci::i_null;
        std::string decision = h.decision.value_or(""), reason = h.reason.value_or("");
        soci::indicator d_ind = h.decision ? soci::i_ok : soci::i_null;
        soci::indicator r_ind = h.reason ? soci::i_ok : soci::i_null;
        soci::indicator rid_ind = context_.request_id.empty() ? soci::i_null : soci::i_ok;
        write("INSERT INTO stage_history (profile_id, actor_id, at, from_stage, from_status, "
              "to_stage, to_status, decision, reason, request_id, waited_ms, waiting_on, age_ms, clock_ms, "
              "budget_ms, stage_ms, stage_employee_ms, stage_reviewer_ms, stage_rejections) "
              "VALUES (:p, :a, :at, :fs, :fst, :ts, :tst, :d, :r, :rid, :w, :wo, :age, :c, :b, :sm, :se, :sr, :sj)",
              false, pid, Nullable<long long>{actor, a_ind}, h.at, h.from_stage, h.from_status, h.to_stage,
              h.to_status, Nullable<std::string>{decision, d_ind}, Nullable<std::string>{reason, r_ind},
              Nullable<std::string>{context_.request_id, rid_ind}, waited, turn, age,
              Nullable<long long>{clock, c_ind}, Nullable<long long>{budget, b_ind}, stage_ms, stage_employee,
              stage_reviewer, stage_rejections);
    });
}

std::vector<app::HistoryRecord> SociProfiles::history(app::ProfileId id) {
    return guard([&] {
        app::HistoryRecord h;
        long long key = id, hid = 0, actor = 0;
        std::string decision, reason;
        soci::indicator a_ind = soci::i_null, d_ind = soci::i_null, r_ind = soci::i_null;
        soci::statement st =
            (sql_->prepare << "SELECT id, actor_id, at, from_stage, from_status, to_stage, to_status, "
                              "decision, reason FROM stage_history WHERE profile_id = :p ORDER BY id",
             into(hid), into(actor, a_ind), into(h.at), into(h.from_stage), into(h.from_status),
             into(h.to_stage), into(h.to_status), into(decision, d_ind), into(reason, r_ind), use(key));
        std::vector<app::HistoryRecord> out;
        st.execute();
        while (st.fetch()) {
            app::HistoryRecord row = h;
            row.id = hid;
            row.profile_id = id;
            row.actor_id = a_ind == soci::i_ok ? std::optional<app::UserId>(actor) : std::nullopt;
            row.decision = opt(decision, d_ind);
            row.reason = opt(reason, r_ind);
            out.push_back(std::move(row));
            a_ind = d_ind = r_ind = soci::i_null;
        }
        return out;
    });
}

std::vector<app::ProfileRepo::StageCount> SociProfiles::counts() {
    return guard([&] {
        std::vector<StageCount> out;
        core::Stage stage{};
        core::StageStatus status{};
        long long count = 0;
        soci::statement st = (sql_->prepare << "SELECT stage, status, COUNT(*) FROM profiles "
                                               "GROUP BY stage, status ORDER BY stage, status",
                              into(stage), into(status), into(count));
        st.execute();
        while (st.fetch()) out.push_back({stage, status, static_cast<std::int64_t>(count)});
        return out;
    });
}

}  // namespace hrms::store
