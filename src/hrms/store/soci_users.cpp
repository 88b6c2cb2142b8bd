// app::UserRepo and app::SessionRepo: accounts, login throttling, sign-in sessions, invites.
#include "hrms/store/soci_repos.hpp"
#include "hrms/store/sql_text.hpp"

#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <sstream>

#include "hrms/core/accounts.hpp"

namespace hrms::store {

using soci::into;
using soci::use;

namespace {

// Every user column plus the user's roles as one comma-separated string.
constexpr char const* kUserColumnsSqlite =
    "u.id, u.email, u.name, u.status, u.password_hash, u.manager_id, u.failed_logins, "
    "u.locked_until, u.created_at, u.updated_at, "
    "(SELECT group_concat(r.role, ',') FROM user_roles r WHERE r.user_id = u.id)";
constexpr char const* kUserColumnsPg =
    "u.id, u.email, u.name, u.status, u.password_hash, u.manager_id, u.failed_logins, "
    "u.locked_until, u.created_at, u.updated_at, "
    "(SELECT string_agg(r.role, ',') FROM user_roles r WHERE r.user_id = u.id)";

std::string user_columns(Dialect d) {
    return d == Dialect::sqlite ? kUserColumnsSqlite : kUserColumnsPg;
}

std::vector<std::string> split_roles(std::string const& csv) {
    std::vector<std::string> out;
    std::stringstream in(csv);
    for (std::string role; std::getline(in, role, ',');) {
        if (!role.empty()) out.push_back(role);
    }
    std::sort(out.begin(), out.end());
    return out;
}

// The into() targets for one user row, reused across fetches.
struct UserRow {
    long long id = 0;
    std::string email, name, password_hash, roles;
    core::UserStatus status{};
    Instant locked_until, created_at, updated_at;
    long long manager_id = 0;
    int failed_logins = 0;
    soci::indicator pw_ind = soci::i_null, mgr_ind = soci::i_null, locked_ind = soci::i_null,
                    roles_ind = soci::i_null;

    template <class Stmt>
    void bind(Stmt& st) {
        st, into(id), into(email), into(name), into(status), into(password_hash, pw_ind),
            into(manager_id, mgr_ind), into(failed_logins), into(locked_until, locked_ind),
            into(created_at), into(updated_at), into(roles, roles_ind);
    }

    app::UserRecord record() const {
        app::UserRecord u;
        u.id = id;
        u.email = email;
        u.name = name;
        u.status = status;
        if (pw_ind == soci::i_ok) u.password_hash = password_hash;
        if (mgr_ind == soci::i_ok) u.manager_id = manager_id;
        u.failed_logins = failed_logins;
        if (locked_ind == soci::i_ok) u.locked_until = locked_until;
        u.created_at = created_at;
        u.updated_at = updated_at;
        if (roles_ind == soci::i_ok) u.roles = split_roles(roles);
        return u;
    }
};

}  // namespace

// Statements prepared once per connection for the paths every request takes.
struct CachedQueries {
    // session_by_hash: session, user, roles and roles version in one round trip.
    UserRow row;
    std::string hash, csrf;
    Instant created, expires, seen;
    long long version = 0;
    std::optional<soci::statement> session_lookup;

    CachedQueries(Conn& sql, Dialect dialect) {
        auto prep = (sql.prepare << "SELECT " + user_columns(dialect) +
                                        ", s.csrf, s.created_at, s.expires_at, s.last_seen_at, "
                                        "(SELECT value FROM meta WHERE key = 'roles_version') "
                                        "FROM sessions s JOIN users u ON u.id = s.user_id "
                                        "WHERE s.token_hash = :h");
        row.bind(prep);
        prep, into(csrf), into(created), into(expires), into(seen), into(version), use(hash);
        session_lookup.emplace(prep);
    }
};

void CachedQueriesDeleter::operator()(CachedQueries* q) const { delete q; }

std::optional<app::UserRecord> SociUsers::by_id(app::UserId id) {
    return guard([&]() -> std::optional<app::UserRecord> {
        long long key = id;
        return read_cached<UserRow>(*sql_, sql_->writes, dialect_ == Dialect::sqlite,
                                    "SELECT " + user_columns(dialect_) + " FROM users u WHERE u.id = :id",
                                    [](UserRow& row) { return row.record(); }, key);
    });
}

std::optional<app::UserRecord> SociUsers::by_email(std::string const& email) {
    return guard([&]() -> std::optional<app::UserRecord> {
        UserRow row;
        auto prep = (sql_->prepare << "SELECT " + user_columns(dialect_) +
                                          " FROM users u WHERE u.email = :email");
        row.bind(prep);
        prep, use(email);
        soci::statement st(prep);
        if (!st.execute(true)) return std::nullopt;
        return row.record();
    });
}

app::UserId SociUsers::insert(app::NewUser const& u) {
    return guard([&] {
        long long id = 0;
        soci::indicator pw_ind = u.password_hash ? soci::i_ok : soci::i_null;
        std::string pw = u.password_hash.value_or("");
        std::string search = core::search_text(u.name, u.email);
        *sql_ << "INSERT INTO users (email, name, search, status, password_hash, created_at, updated_at) "
                 "VALUES (:email, :name, :search, :status, :pw, :now, :now2) RETURNING id",
            use(u.email), use(u.name), use(search), use(u.status), use(pw, pw_ind), use(u.now),
            use(u.now), into(id);
        for (auto const& role : u.roles) {
            *sql_ << "INSERT INTO user_roles (user_id, role) VALUES (:id, :role)", use(id),
                use(role);
        }
        return static_cast<app::UserId>(id);
    });
}

std::vector<app::UserRecord> SociUsers::list(app::UserQuery const& q) {
    return guard([&] {
        // Fragments are constants chosen by which filters are present; values are all bound.
        std::string sql = "SELECT " + user_columns(dialect_) + " FROM users u WHERE u.id > :after";
        if (q.role)
            sql += " AND EXISTS (SELECT 1 FROM user_roles f WHERE f.user_id = u.id AND f.role = :role)";
        if (q.text) sql += " AND u.search LIKE :pattern ESCAPE '\\'";
        sql += " ORDER BY u.id LIMIT :lim";
        long long after = q.after_id.value_or(0);
        std::string role = q.role.value_or("");
        std::string pattern = q.text ? like_pattern(*q.text) : "";
        int limit = q.limit;
        UserRow row;
        auto prep = (sql_->prepare << sql);
        row.bind(prep);
        prep, use(after);
        if (q.role) prep, use(role);
        if (q.text) prep, use(pattern);
        prep, use(limit);
        soci::statement st(prep);
        std::vector<app::UserRecord> out;
        st.execute();
        while (st.fetch()) {
            out.push_back(row.record());
            row.pw_ind = row.mgr_ind = row.locked_ind = row.roles_ind = soci::i_null;
        }
        return out;
    });
}

void SociUsers::set_roles(app::UserId id, std::vector<std::string> const& roles,
                            Instant now) {
    guard([&] {
        long long key = id;
        *sql_ << "DELETE FROM user_roles WHERE user_id = :id", use(key);
        for (auto const& role : roles) {
            *sql_ << "INSERT INTO user_roles (user_id, role) VALUES (:id, :role)", use(key),
                use(role);
        }
        *sql_ << "UPDATE users SET updated_at = :now WHERE id = :id", use(now), use(key);
        live_.changed_users.push_back(id);
    });
}

void SociUsers::set_status(app::UserId id, core::UserStatus status, Instant now) {
    guard([&] {
        long long key = id;
        *sql_ << "UPDATE users SET status = :s, updated_at = :now WHERE id = :id", use(status),
            use(now), use(key);
        if (status != core::UserStatus::active) live_.blocked_users.push_back(id);
    });
}

void SociUsers::set_name(app::UserId id, std::string const& name, Instant now) {
    guard([&] {
        long long key = id;
        std::string email;
        *sql_ << "SELECT email FROM users WHERE id = :id", use(key), into(email);
        // Both free-text columns follow the name.
        std::string search = core::search_text(name, email);
        *sql_ << "UPDATE users SET name = :n, search = :s, updated_at = :now WHERE id = :id", use(name),
            use(search), use(now), use(key);
        *sql_ << "UPDATE profiles SET search = :s WHERE user_id = :id", use(search), use(key);
    });
}

void SociUsers::set_manager(app::UserId id, std::optional<app::UserId> manager,
                         Instant now) {
    guard([&] {
        long long key = id;
        long long mgr = manager.value_or(0);
        soci::indicator ind = manager ? soci::i_ok : soci::i_null;
        *sql_ << "UPDATE users SET manager_id = :m, updated_at = :now WHERE id = :id",
            use(mgr, ind), use(now), use(key);
    });
}

core::ManagerLinks SociUsers::manager_chain(app::UserId start, int limit) {
    return guard([&] {
        core::ManagerLinks links;
        long long current = start, next = 0;
        soci::indicator ind = soci::i_null;
        soci::statement st = (sql_->prepare << "SELECT manager_id FROM users WHERE id = :id",
                              into(next, ind), use(current));
        for (int i = 0; i < limit; ++i) {
            ind = soci::i_null;
            if (!st.execute(true) || ind != soci::i_ok) break;
            if (links.contains(current)) break;  // an existing loop: stop walking
            links[current] = next;
            current = next;
        }
        return links;
    });
}

std::optional<app::UserRepo::LoginFailures> SociUsers::login_failures(std::string const& email_key, std::string const& ip,
                                                              Instant since) {
    return guard([&]() -> std::optional<LoginFailures> {
        LoginFailures f;
        soci::indicator ind = soci::i_null;
        *sql_ << "SELECT failures, last_at FROM login_failures WHERE email_key = :k AND ip = :ip AND last_at >= :s",
            into(f.failures, ind), into(f.last_at), use(email_key), use(ip), use(since);
        if (!sql_->got_data() || ind != soci::i_ok) return std::nullopt;
        return f;
    });
}

int SociUsers::login_failure_addresses(std::string const& email_key, Instant since) {
    return guard([&] {
        int n = 0;
        *sql_ << "SELECT COUNT(*) FROM login_failures WHERE email_key = :k AND last_at >= :s", into(n),
            use(email_key), use(since);
        return n;
    });
}

void SociUsers::record_login_failure(std::string const& email_key, std::string const& ip, Instant now,
                                     Instant since) {
    guard([&] {
        *sql_ << "DELETE FROM login_failures WHERE last_at < :s", use(since);
        *sql_ << "INSERT INTO login_failures (email_key, ip, failures, last_at) VALUES (:k, :ip, 1, :n) "
                 "ON CONFLICT (email_key, ip) DO UPDATE SET failures = login_failures.failures + 1, "
                 "last_at = excluded.last_at",
            use(email_key), use(ip), use(now);
    });
}

void SociUsers::clear_login_failures(std::string const& email_key, std::string const& ip) {
    guard([&] {
        *sql_ << "DELETE FROM login_failures WHERE email_key = :k AND ip = :ip", use(email_key), use(ip);
    });
}

void SociUsers::set_password(app::UserId id, std::string const& hash, Instant now) {
    guard([&] {
        long long key = id;
        *sql_ << "UPDATE users SET password_hash = :h, failed_logins = 0, locked_until = NULL, "
                 "updated_at = :now WHERE id = :id",
            use(hash), use(now), use(key);
    });
}

bool SociUsers::admin_exists() { return count_active_admins() > 0; }

std::int64_t SociUsers::count_active_admins() {
    return guard([&] {
        long long n = 0;
        *sql_ << "SELECT COUNT(*) FROM users u JOIN user_roles r ON r.user_id = u.id "
                 "WHERE r.role = 'admin' AND u.status = 'active'",
            into(n);
        return static_cast<std::int64_t>(n);
    });
}

std::int64_t SociUsers::count_with_role(std::string const& role) {
    return guard([&] {
        long long n = 0;
        *sql_ << "SELECT COUNT(*) FROM user_roles WHERE role = :r", use(role), into(n);
        return static_cast<std::int64_t>(n);
    });
}

void SociSessions::insert(app::SessionRecord const& s) {
    guard([&] {
        long long uid = s.user_id;
        *sql_ << "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at, "
                 "last_seen_at, ip, user_agent) VALUES (:h, :u, :c, :ca, :ea, :ls, :ip, :ua)",
            use(s.token_hash), use(uid), use(s.csrf), use(s.created_at), use(s.expires_at),
            use(s.last_seen_at), use(s.ip), use(s.user_agent);
    });
}

std::optional<app::SessionView> SociSessions::by_hash(std::string const& token_hash) {
    return guard([&]() -> std::optional<app::SessionView> {
        if (!sql_->cached) sql_->cached.reset(new CachedQueries(*sql_, dialect_));
        auto& q = *sql_->cached;
        q.hash = token_hash;
        q.row.pw_ind = q.row.mgr_ind = q.row.locked_ind = q.row.roles_ind = soci::i_null;
        if (!q.session_lookup->execute(true)) return std::nullopt;
        app::SessionView v;
        v.user = q.row.record();
        v.session.token_hash = token_hash;
        v.session.user_id = v.user.id;
        v.session.csrf = q.csrf;
        v.session.created_at = q.created;
        v.session.expires_at = q.expires;
        v.session.last_seen_at = q.seen;
        v.roles_version = q.version;
        if (dialect_ == Dialect::sqlite) {
            // A SQLite statement that is not reset keeps its read transaction open, and the
            // connection would see this snapshot forever. Reset it now that the row is copied.
            auto* be = static_cast<soci::sqlite3_statement_backend*>(q.session_lookup->get_backend());
            sqlite_api::sqlite3_reset(be->stmt_);
        }
        return v;
    });
}

void SociSessions::touch(std::string const& token_hash, Instant expires_at, Instant last_seen_at) {
    guard([&] {
        *sql_ << "UPDATE sessions SET expires_at = :e, last_seen_at = :s WHERE token_hash = :h",
            use(expires_at), use(last_seen_at), use(token_hash);
    });
}

void SociSessions::remove(std::string const& token_hash) {
    guard([&] {
        *sql_ << "DELETE FROM sessions WHERE token_hash = :h", use(token_hash);
        live_.ended_sessions.push_back(token_hash);
    });
}

std::int64_t SociSessions::revoke_all(app::UserId id) {
    return guard([&] {
        long long key = id;
        soci::statement st = (sql_->prepare << "DELETE FROM sessions WHERE user_id = :id", use(key));
        st.execute(true);
        live_.blocked_users.push_back(id);
        return static_cast<std::int64_t>(st.get_affected_rows());
    });
}

std::int64_t SociSessions::end_all(app::UserId id) {
    return guard([&] {
        long long key = id;
        std::int64_t n = 0;
        // One statement, so a session created meanwhile is either ended and announced or kept.
        soci::rowset<soci::row> rows =
            (sql_->prepare << "DELETE FROM sessions WHERE user_id = :id RETURNING token_hash", use(key));
        for (auto const& row : rows) {
            live_.ended_sessions.push_back(row.get<std::string>(0));
            ++n;
        }
        return n;
    });
}

std::int64_t SociSessions::remove_expired(Instant now) {
    return guard([&] {
        soci::statement st =
            (sql_->prepare << "DELETE FROM sessions WHERE expires_at <= :now", use(now));
        st.execute(true);
        return static_cast<std::int64_t>(st.get_affected_rows());
    });
}

void SociSessions::insert_invite(app::InviteRecord const& inv, Instant now) {
    guard([&] {
        long long uid = inv.user_id;
        *sql_ << "INSERT INTO invites (token_hash, user_id, expires_at, created_at) "
                 "VALUES (:h, :u, :e, :c)",
            use(inv.token_hash), use(uid), use(inv.expires_at), use(now);
    });
}

std::optional<app::InviteRecord> SociSessions::invite_by_hash(std::string const& token_hash) {
    return guard([&]() -> std::optional<app::InviteRecord> {
        app::InviteRecord inv;
        long long uid = 0;
        Instant used;
        soci::indicator used_ind = soci::i_null;
        soci::statement st =
            (sql_->prepare << "SELECT user_id, expires_at, used_at FROM invites WHERE token_hash = :h",
             into(uid), into(inv.expires_at), into(used, used_ind), use(token_hash));
        if (!st.execute(true)) return std::nullopt;
        inv.token_hash = token_hash;
        inv.user_id = uid;
        if (used_ind == soci::i_ok) inv.used_at = used;
        return inv;
    });
}

void SociSessions::mark_invite_used(std::string const& token_hash, Instant now) {
    guard([&] {
        *sql_ << "UPDATE invites SET used_at = :now WHERE token_hash = :h", use(now),
            use(token_hash);
    });
}

}  // namespace hrms::store
