// SociTx: profiles, SLA clocks, stage history, documents and notifications.
#include <algorithm>
#include <cctype>

#include "hrms/app/details_json.hpp"
#include "hrms/store/soci_tx.hpp"
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
    std::string stage, status, employment, details, submitted, due, created, updated, email, name;
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
        p.state.stage = core::parse_stage(stage).value_or(core::Stage::details);
        p.state.status = core::parse_stage_status(status).value_or(core::StageStatus::draft);
        p.state.employment = core::parse_employment_status(employment).value_or(core::EmploymentStatus::onboarding);
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

constexpr char const* kDocumentColumns =
    "id, profile_id, type, filename, size, sha256, mime, status, is_current, uploaded_by, "
    "uploaded_at, reviewed_by, reviewed_at, review_reason";

struct DocumentRow {
    long long id = 0, profile_id = 0, size = 0, uploaded_by = 0, reviewed_by = 0;
    std::string type, filename, sha256, mime, status, uploaded_at, reviewed_at, reason;
    int is_current = 0;
    soci::indicator up_ind = soci::i_null, rev_ind = soci::i_null, rev_at_ind = soci::i_null,
                    reason_ind = soci::i_null;

    template <class Stmt>
    void bind(Stmt& st) {
        st, into(id), into(profile_id), into(type), into(filename), into(size), into(sha256),
            into(mime), into(status), into(is_current), into(uploaded_by, up_ind), into(uploaded_at),
            into(reviewed_by, rev_ind), into(reviewed_at, rev_at_ind), into(reason, reason_ind);
    }
    void reset() { up_ind = rev_ind = rev_at_ind = reason_ind = soci::i_null; }

    app::DocumentRecord record() const {
        app::DocumentRecord d;
        d.id = id;
        d.profile_id = profile_id;
        d.type = type;
        d.filename = filename;
        d.size = size;
        d.sha256 = sha256;
        d.mime = mime;
        d.status = status;
        d.is_current = is_current != 0;
        if (up_ind == soci::i_ok) d.uploaded_by = uploaded_by;
        d.uploaded_at = uploaded_at;
        if (rev_ind == soci::i_ok) d.reviewed_by = reviewed_by;
        if (rev_at_ind == soci::i_ok) d.reviewed_at = reviewed_at;
        if (reason_ind == soci::i_ok) d.review_reason = reason;
        return d;
    }
};

// ":c0, :c1, ..." for an IN list of n bound values.
std::string placeholders(std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += (i ? ", :c" : ":c") + std::to_string(i);
    return out;
}

std::optional<std::string> opt(std::string const& v, soci::indicator ind) {
    return ind == soci::i_ok ? std::optional(v) : std::nullopt;
}

}  // namespace

app::ProfileId SociTx::insert_profile(app::UserId user, std::string const& search, std::string const& now) {
    return guard([&] {
        long long id = 0, uid = user;
        *sql_ << "INSERT INTO profiles (user_id, search, created_at, updated_at) "
                 "VALUES (:u, :s, :c, :m) RETURNING id",
            use(uid), use(search), use(now), use(now), into(id);
        return static_cast<app::ProfileId>(id);
    });
}

std::optional<app::ProfileRecord> SociTx::profile_where(char const* where, long long key) {
    return guard([&]() -> std::optional<app::ProfileRecord> {
        ProfileRow row;
        std::string sql = std::string("SELECT ") + kProfileColumns +
                          " FROM profiles p JOIN users u ON u.id = p.user_id WHERE " + where;
        if (write_ && dialect_ == Dialect::postgresql) sql += " FOR UPDATE OF p";
        auto prep = (sql_->prepare << sql);
        row.bind(prep);
        prep, use(key);
        soci::statement st(prep);
        if (!st.execute(true)) return std::nullopt;
        return row.record();
    });
}

std::optional<app::ProfileRecord> SociTx::profile_by_id(app::ProfileId id) {
    return profile_where("p.id = :k", id);
}

std::optional<app::ProfileRecord> SociTx::profile_by_user(app::UserId user) {
    return profile_where("p.user_id = :k", user);
}

void SociTx::update_profile(app::ProfileRecord const& p) {
    guard([&] {
        long long id = p.id, assignee = p.assignee_id.value_or(0);
        soci::indicator a_ind = p.assignee_id ? soci::i_ok : soci::i_null;
        std::string submitted = p.submitted_at.value_or(""), due = p.sla_due_at.value_or("");
        soci::indicator s_ind = p.submitted_at ? soci::i_ok : soci::i_null;
        soci::indicator d_ind = p.sla_due_at ? soci::i_ok : soci::i_null;
        std::string stage = core::to_string(p.state.stage), status = core::to_string(p.state.status),
                    employment = core::to_string(p.state.employment), details = app::details_to_json(p.details);
        int progress = p.progress;
        *sql_ << "UPDATE profiles SET stage = :st, status = :ss, employment_status = :es, "
                 "progress = :pr, details = :de, assignee_id = :as, submitted_at = :sa, "
                 "sla_due_at = :du, updated_at = :up WHERE id = :id",
            use(stage), use(status), use(employment), use(progress), use(details), use(assignee, a_ind),
            use(submitted, s_ind), use(due, d_ind), use(p.updated_at), use(id);
    });
}

std::vector<app::ProfileRecord> SociTx::list_profiles(app::QueueQuery const& q) {
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

std::optional<core::SlaClock> SociTx::sla_clock(app::ProfileId id, core::Stage stage) {
    return guard([&]() -> std::optional<core::SlaClock> {
        long long key = id, elapsed = 0;
        int urgent = 0;
        std::string st_name = core::to_string(stage), running, stopped;
        soci::indicator r_ind = soci::i_null, s_ind = soci::i_null;
        soci::statement st = (sql_->prepare << "SELECT elapsed_ms, running_since, stopped_at, urgent_sent FROM sla_clocks "
                                               "WHERE profile_id = :p AND stage = :s",
                              into(elapsed), into(running, r_ind), into(stopped, s_ind), into(urgent), use(key),
                              use(st_name));
        if (!st.execute(true)) return std::nullopt;
        core::SlaClock c;
        c.stage = stage;
        c.elapsed_ms = elapsed;
        if (r_ind == soci::i_ok) c.running_since = parse_rfc3339(running);
        if (s_ind == soci::i_ok) c.stopped_at = parse_rfc3339(stopped);
        c.urgent_sent = urgent != 0;
        return c;
    });
}

void SociTx::save_sla_clock(app::ProfileId id, core::SlaClock const& c) {
    guard([&] {
        long long key = id, elapsed = c.elapsed_ms;
        std::string stage = core::to_string(c.stage);
        std::string running = c.running_since ? to_rfc3339(*c.running_since) : "";
        std::string stopped = c.stopped_at ? to_rfc3339(*c.stopped_at) : "";
        soci::indicator r_ind = c.running_since ? soci::i_ok : soci::i_null;
        soci::indicator s_ind = c.stopped_at ? soci::i_ok : soci::i_null;
        int urgent = c.urgent_sent ? 1 : 0;
        *sql_ << "INSERT INTO sla_clocks (profile_id, stage, elapsed_ms, running_since, stopped_at, urgent_sent) "
                 "VALUES (:p, :s, :e, :r, :x, :u) ON CONFLICT (profile_id, stage) DO UPDATE SET "
                 "elapsed_ms = excluded.elapsed_ms, running_since = excluded.running_since, "
                 "stopped_at = excluded.stopped_at, urgent_sent = excluded.urgent_sent",
            use(key), use(stage), use(elapsed), use(running, r_ind), use(stopped, s_ind), use(urgent);
    });
}

void SociTx::insert_history(app::HistoryRecord const& h) {
    guard([&] {
        long long pid = h.profile_id, actor = h.actor_id.value_or(0);
        soci::indicator a_ind = h.actor_id ? soci::i_ok : soci::i_null;
        std::string decision = h.decision.value_or(""), reason = h.reason.value_or("");
        soci::indicator d_ind = h.decision ? soci::i_ok : soci::i_null;
        soci::indicator r_ind = h.reason ? soci::i_ok : soci::i_null;
        soci::indicator rid_ind = context_.request_id.empty() ? soci::i_null : soci::i_ok;
        *sql_ << "INSERT INTO stage_history (profile_id, actor_id, at, from_stage, from_status, "
                 "to_stage, to_status, decision, reason, request_id) "
                 "VALUES (:p, :a, :at, :fs, :fst, :ts, :tst, :d, :r, :rid)",
            use(pid), use(actor, a_ind), use(h.at), use(h.from_stage), use(h.from_status),
            use(h.to_stage), use(h.to_status), use(decision, d_ind), use(reason, r_ind),
            use(context_.request_id, rid_ind);
    });
}

std::vector<app::HistoryRecord> SociTx::history(app::ProfileId id) {
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

std::vector<app::DocumentTypeRecord> SociTx::document_types() {
    return guard([&] {
        std::string code, name, mimes;
        int required = 0;
        long long max_bytes = 0;
        soci::statement st = (sql_->prepare << "SELECT code, name, required, max_bytes, allowed_mime "
                                               "FROM document_types ORDER BY position",
                              into(code), into(name), into(required), into(max_bytes), into(mimes));
        std::vector<app::DocumentTypeRecord> out;
        st.execute();
        while (st.fetch()) {
            app::DocumentTypeRecord t{code, name, required != 0, max_bytes, {}};
            std::size_t start = 0;
            while (start <= mimes.size()) {
                auto const comma = mimes.find(',', start);
                auto part = mimes.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
                if (!part.empty()) t.allowed_mime.push_back(part);
                if (comma == std::string::npos) break;
                start = comma + 1;
            }
            out.push_back(std::move(t));
        }
        return out;
    });
}

std::vector<app::DocumentRecord> SociTx::documents_where(std::string const& where, long long key) {
    return guard([&] {
        DocumentRow row;
        auto prep = (sql_->prepare << std::string("SELECT ") + kDocumentColumns + " FROM documents WHERE " + where);
        row.bind(prep);
        prep, use(key);
        soci::statement st(prep);
        std::vector<app::DocumentRecord> out;
        st.execute();
        while (st.fetch()) {
            out.push_back(row.record());
            row.reset();
        }
        return out;
    });
}

std::vector<app::DocumentRecord> SociTx::documents_of(app::ProfileId id, bool all_versions) {
    // In the order the document types are listed, then oldest version first.
    return documents_where(all_versions ? "profile_id = :p ORDER BY (SELECT t.position FROM document_types t "
                                          "WHERE t.code = documents.type), id"
                                        : "profile_id = :p AND is_current = 1 ORDER BY (SELECT t.position "
                                          "FROM document_types t WHERE t.code = documents.type), id",
                           id);
}

std::optional<app::DocumentRecord> SociTx::document_by_id(app::DocumentId id) {
    auto rows = documents_where("id = :id", id);
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
}

app::DocumentId SociTx::insert_document(app::DocumentRecord const& d) {
    return guard([&] {
        long long pid = d.profile_id, size = d.size, up = d.uploaded_by.value_or(0), id = 0;
        soci::indicator up_ind = d.uploaded_by ? soci::i_ok : soci::i_null;
        *sql_ << "UPDATE documents SET is_current = 0 WHERE profile_id = :p AND type = :t AND is_current = 1",
            use(pid), use(d.type);
        *sql_ << "INSERT INTO documents (profile_id, type, filename, size, sha256, mime, status, "
                 "is_current, uploaded_by, uploaded_at) VALUES (:p, :t, :f, :sz, :sha, :m, :st, 1, :u, :at) "
                 "RETURNING id",
            use(pid), use(d.type), use(d.filename), use(size), use(d.sha256), use(d.mime), use(d.status),
            use(up, up_ind), use(d.uploaded_at), into(id);
        return static_cast<app::DocumentId>(id);
    });
}

void SociTx::review_document(app::DocumentId id, std::string const& status, app::UserId reviewer,
                             std::string const& at, std::string const& reason) {
    guard([&] {
        long long key = id, rev = reviewer;
        soci::indicator r_ind = reason.empty() ? soci::i_null : soci::i_ok;
        *sql_ << "UPDATE documents SET status = :s, reviewed_by = :r, reviewed_at = :a, review_reason = :x "
                 "WHERE id = :id",
            use(status), use(rev), use(at), use(reason, r_ind), use(key);
    });
}

std::int64_t SociTx::insert_notification(app::NotificationRecord const& n) {
    return guard([&] {
        if (dialect_ == Dialect::postgresql && live_.notifications.empty()) {
            // Notification writers take turns until COMMIT, so ids grow in commit order and a
            // live session that skips ids it has sent never skips one committed late.
            *sql_ << "SELECT pg_advisory_xact_lock(7262104)";
        }
        long long id = 0, actor = context_.actor.value_or(0);
        soci::indicator actor_ind = context_.actor ? soci::i_ok : soci::i_null,
                        rid_ind = context_.request_id.empty() ? soci::i_null : soci::i_ok;
        *sql_ << "INSERT INTO notifications (channel, kind, title, body, data, created_at, actor_id, request_id) "
                 "VALUES (:c, :k, :t, :b, :d, :at, :a, :rid) RETURNING id",
            use(n.channel), use(n.kind), use(n.title), use(n.body), use(n.data_json), use(n.created_at),
            use(actor, actor_ind), use(context_.request_id, rid_ind), into(id);
        live_.notifications.push_back(n);
        live_.notifications.back().id = id;
        return static_cast<std::int64_t>(id);
    });
}

std::vector<app::NotificationRecord> SociTx::notifications(std::vector<std::string> const& channels,
                                                           std::int64_t after, int limit, app::UserId reader) {
    return guard([&] {
        std::vector<app::NotificationRecord> out;
        if (channels.empty()) return out;
        long long r1 = reader, r2 = reader, from = after;
        app::NotificationRecord n;
        long long id = 0;
        int read = 0;
        auto prep = (sql_->prepare << "SELECT n.id, n.channel, n.kind, n.title, n.body, n.data, n.created_at, "
                                      "CASE WHEN n.id <= (SELECT notifications_read_through FROM users WHERE id = :r1) "
                                      "OR EXISTS (SELECT 1 FROM notification_reads x WHERE x.user_id = :r2 "
                                      "AND x.notification_id = n.id) THEN 1 ELSE 0 END "
                                      "FROM notifications n WHERE n.channel IN (" +
                                          placeholders(channels.size()) +
                                          ") AND n.id > :after ORDER BY n.id LIMIT :lim");
        prep, into(id), into(n.channel), into(n.kind), into(n.title), into(n.body), into(n.data_json),
            into(n.created_at), into(read), use(r1), use(r2);
        for (auto const& c : channels) prep, use(c);
        prep, use(from), use(limit);
        soci::statement st(prep);
        st.execute();
        while (st.fetch()) {
            auto row = n;
            row.id = id;
            row.read = read != 0;
            out.push_back(std::move(row));
        }
        return out;
    });
}

std::optional<app::NotificationRecord> SociTx::notification(std::int64_t id) {
    return guard([&]() -> std::optional<app::NotificationRecord> {
        app::NotificationRecord n;
        long long key = id;
        soci::statement st = (sql_->prepare << "SELECT channel, kind, title, body, data, created_at "
                                               "FROM notifications WHERE id = :id",
                              into(n.channel), into(n.kind), into(n.title), into(n.body), into(n.data_json),
                              into(n.created_at), use(key));
        if (!st.execute(true)) return std::nullopt;
        n.id = id;
        return n;
    });
}

void SociTx::mark_read(app::UserId reader, std::int64_t id) {
    guard([&] {
        long long u = reader, n = id;
        *sql_ << "INSERT INTO notification_reads (user_id, notification_id) VALUES (:u, :n) "
                 "ON CONFLICT DO NOTHING",
            use(u), use(n);
    });
}

std::int64_t SociTx::mark_all_read(app::UserId reader, std::vector<std::string> const& channels) {
    return guard([&] {
        long long top = 0, u = reader;
        soci::indicator ind = soci::i_null;
        if (!channels.empty()) {
            auto prep = (sql_->prepare << "SELECT MAX(id) FROM notifications WHERE channel IN (" +
                                              placeholders(channels.size()) + ")");
            prep, into(top, ind);
            for (auto const& c : channels) prep, use(c);
            soci::statement st(prep);
            st.execute(true);
        }
        if (ind != soci::i_ok) top = 0;
        *sql_ << "UPDATE users SET notifications_read_through = :t WHERE id = :u AND "
                 "notifications_read_through < :t2",
            use(top), use(u), use(top);
        *sql_ << "DELETE FROM notification_reads WHERE user_id = :u AND notification_id <= :t", use(u),
            use(top);
        return static_cast<std::int64_t>(top);
    });
}

std::int64_t SociTx::unread_count(app::UserId reader, std::vector<std::string> const& channels) {
    return guard([&] {
        if (channels.empty()) return std::int64_t{0};
        long long n = 0, r1 = reader, r2 = reader;
        auto prep = (sql_->prepare << "SELECT COUNT(*) FROM notifications n WHERE n.channel IN (" +
                                          placeholders(channels.size()) +
                                          ") AND n.id > (SELECT notifications_read_through FROM users WHERE id = :r1) "
                                          "AND NOT EXISTS (SELECT 1 FROM notification_reads x WHERE x.user_id = :r2 "
                                          "AND x.notification_id = n.id)");
        prep, into(n);
        for (auto const& c : channels) prep, use(c);
        prep, use(r1), use(r2);
        soci::statement st(prep);
        st.execute(true);
        return static_cast<std::int64_t>(n);
    });
}

std::vector<app::NotificationRecord> SociTx::notifications_between(std::int64_t first, std::int64_t last,
                                                                   int limit, bool newest_first) {
    return guard([&] {
        std::vector<app::NotificationRecord> out;
        long long a = first, b = last, id = 0;
        app::NotificationRecord n;
        soci::statement st = (sql_->prepare << std::string("SELECT id, channel, kind, title, body, data, created_at "
                                                           "FROM notifications WHERE id >= :a AND id <= :b ORDER BY id ") +
                                                   (newest_first ? "DESC" : "ASC") + " LIMIT :lim",
                              into(id), into(n.channel), into(n.kind), into(n.title), into(n.body), into(n.data_json),
                              into(n.created_at), use(a), use(b), use(limit));
        st.execute();
        while (st.fetch()) {
            n.id = id;
            out.push_back(n);
        }
        return out;
    });
}

std::int64_t SociTx::last_notification_id(std::vector<std::string> const& channels) {
    return guard([&] {
        if (channels.empty()) return std::int64_t{0};
        long long id = 0;
        soci::indicator ind = soci::i_null;
        auto prep = (sql_->prepare << "SELECT MAX(id) FROM notifications WHERE channel IN (" +
                                          placeholders(channels.size()) + ")",
                     into(id, ind));
        for (auto const& c : channels) prep, use(c);
        soci::statement st(prep);
        st.execute(true);
        return ind == soci::i_ok ? static_cast<std::int64_t>(id) : std::int64_t{0};
    });
}

std::vector<app::Tx::StageCount> SociTx::profile_counts() {
    return guard([&] {
        std::vector<StageCount> out;
        std::string stage, status;
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
