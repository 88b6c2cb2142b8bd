#include "hrms/store/migrate.hpp"

#include <cctype>
#include <stdexcept>

#include "hrms/app/ports.hpp"
#include "hrms/core/accounts.hpp"
#include "hrms/core/time.hpp"
#include "hrms/store/locks.hpp"
#include "hrms/store/open.hpp"
#include "hrms/store/soci_store.hpp"

namespace hrms::store {

namespace {
void replace_all(std::string& s, std::string const& from, std::string const& to) {
    for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
        s.replace(pos, from.size(), to);
}

constexpr char const* kCreateSchemaTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
    "name TEXT NOT NULL, applied_at TEXT NOT NULL)";

// Keeps the text of `{{<backend>}} ... {{end}}` blocks for `backend` and drops the others.
std::string select_backend_blocks(std::string const& sql, std::string const& backend) {
    std::string out;
    std::size_t pos = 0;
    while (pos < sql.size()) {
        auto open = sql.find("{{", pos);
        auto close = open == std::string::npos ? open : sql.find("}}", open);
        if (close == std::string::npos) break;
        std::string const tag = sql.substr(open + 2, close - open - 2);
        if (tag != "sqlite" && tag != "postgresql") {  // some other placeholder: keep it
            out.append(sql, pos, close + 2 - pos);
            pos = close + 2;
            continue;
        }
        auto end = sql.find("{{end}}", close);
        if (end == std::string::npos) throw std::runtime_error("migration: {{" + tag + "}} without {{end}}");
        out.append(sql, pos, open - pos);
        if (tag == backend) out.append(sql, close + 2, end - close - 2);
        pos = end + 7;
    }
    if (pos < sql.size()) out.append(sql, pos, std::string::npos);
    return out;
}

bool starts_with_words(std::string const& s, char const* words) {
    auto i = s.find_first_not_of(" \t\r\n");
    if (i == std::string::npos) return false;
    for (char const* w = words; *w; ++w, ++i) {
        if (i >= s.size()) return false;
        if (*w == ' ') {
            if (!std::isspace(static_cast<unsigned char>(s[i]))) return false;
            while (i + 1 < s.size() && std::isspace(static_cast<unsigned char>(s[i + 1]))) ++i;
        } else if (std::toupper(static_cast<unsigned char>(s[i])) != *w) {
            return false;
        }
    }
    return true;
}

bool ends_with_end(std::string const& s) {
    auto i = s.find_last_not_of(" \t\r\n");
    if (i == std::string::npos || i < 2) return false;
    for (int k = 0; k < 3; ++k)
        if (std::toupper(static_cast<unsigned char>(s[i - 2 + k])) != "END"[k]) return false;
    return i == 2 || !std::isalnum(static_cast<unsigned char>(s[i - 3]));
}

// What a migration's SQL cannot do, run right after it in its transaction, so the migration is
// recorded only with it done.
struct CodeStep {
    int version;
    void (*run)(soci::session&);
};
constexpr CodeStep kCodeSteps[] = {
    {9, [](soci::session& sql) { refold_search_text(sql); }},
};
}  // namespace

std::int64_t refold_search_text(soci::session& sql) {
    struct Change {
        long long user;
        std::string search;
        bool user_stale, profile_stale;
    };
    // Every account is read, only the stale rows written: on ordinary data a handful, so a
    // large database migrates in about the time one read of its users takes. The changes are
    // collected before writing so no cursor is open on a table being updated.
    std::vector<Change> changes;
    {
        long long id = 0;
        std::string name, email, user_search, profile_search;
        soci::indicator profile_ind = soci::i_null;
        soci::statement st = (sql.prepare << "SELECT u.id, u.name, u.email, u.search, p.search FROM users u "
                                             "LEFT JOIN profiles p ON p.user_id = u.id",
                              soci::into(id), soci::into(name), soci::into(email), soci::into(user_search),
                              soci::into(profile_search, profile_ind));
        st.execute();
        while (st.fetch()) {
            auto search = core::search_text(name, email);
            bool const user_stale = search != user_search;
            bool const profile_stale = profile_ind == soci::i_ok && search != profile_search;
            if (user_stale || profile_stale) changes.push_back({id, std::move(search), user_stale, profile_stale});
            profile_ind = soci::i_null;
        }
    }
    long long id = 0;
    std::string search;
    soci::statement set_user = (sql.prepare << "UPDATE users SET search = :s WHERE id = :id",
                                soci::use(search), soci::use(id));
    // On SQLite the profiles_search triggers move the FTS5 row along.
    soci::statement set_profile = (sql.prepare << "UPDATE profiles SET search = :s WHERE user_id = :id",
                                   soci::use(search), soci::use(id));
    for (auto const& c : changes) {
        id = c.user;
        search = c.search;
        if (c.user_stale) set_user.execute(true);
        if (c.profile_stale) set_profile.execute(true);
    }
    return static_cast<std::int64_t>(changes.size());
}

std::string render_migration(std::string const& sql, std::string const& backend,
                             std::string const& now) {
    std::string out = select_backend_blocks(sql, backend);
    bool const pg = backend == "postgresql";
    replace_all(out, "{{id}}", pg ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT");
    replace_all(out, "{{bigint}}", pg ? "BIGINT" : "INTEGER");
    replace_all(out, "{{now}}", now);
    // SQLite keeps the audit chain in a file of its own, attached as "audit" while migrating.
    replace_all(out, "{{audit}}", pg ? "" : "audit.");
    return out;
}

std::vector<std::string> split_sql(std::string const& script) {
    std::vector<std::string> out;
    std::string current;
    bool in_quote = false;
    for (std::size_t i = 0; i < script.size(); ++i) {
        char const c = script[i];
        if (!in_quote && c == '-' && i + 1 < script.size() && script[i + 1] == '-') {
            while (i < script.size() && script[i] != '\n') ++i;
            current.push_back('\n');
            continue;
        }
        if (c == '\'') in_quote = !in_quote;
        // A trigger body holds statements of its own: the trigger ends at "END;".
        if (c == ';' && !in_quote && starts_with_words(current, "CREATE TRIGGER") && !ends_with_end(current)) {
            current.push_back(c);
            continue;
        }
        if (c == ';' && !in_quote) {
            if (current.find_first_not_of(" \t\r\n") != std::string::npos) out.push_back(current);
            current.clear();
            continue;
        }
        current.push_back(c);
    }
    if (current.find_first_not_of(" \t\r\n") != std::string::npos) out.push_back(current);
    return out;
}

int migrate(app::Store& store, std::function<void(int, std::string const&)> const& progress) {
    auto* soci_store = dynamic_cast<SociStore*>(&store);
    if (!soci_store) throw std::logic_error("migrate: not a SOCI store");
    int applied = 0;
    soci_store->with_writer([&](soci::session& sql) {
        bool const sqlite = soci_store->dialect() == Dialect::sqlite;
        if (sqlite) attach_audit(sql, soci_store->audit_path());
        // The writer must not keep the audit file attached (see SociStore): detach on the way out.
        struct Detach {
            soci::session& sql;
            bool on;
            ~Detach() {
                if (!on) return;
                try {
                    sql << "DETACH DATABASE audit";
                } catch (...) {
                }
            }
        } detach{sql, sqlite};
        sql << kCreateSchemaTable;
        for (auto const& m : embedded_migrations()) {
            bool const pg = soci_store->dialect() == Dialect::postgresql;
            sql << (pg ? "BEGIN" : "BEGIN IMMEDIATE");
            try {
                if (pg) {
                    // Two processes starting at once on one database: one migrates, the
                    // other waits here and then finds nothing left to do.
                    long long k = key(PgLock::migrations);
                    sql << "SELECT pg_advisory_xact_lock(:k)", soci::use(k);
                }
                int count = 0;
                sql << "SELECT COUNT(*) FROM schema_migrations WHERE version = :v",
                    soci::use(m.version), soci::into(count);
                if (count > 0) {
                    sql << "COMMIT";
                    continue;
                }
                if (progress) progress(m.version, m.name);
                auto const now = to_rfc3339(app::SystemClock().now());
                for (auto const& stmt : split_sql(render_migration(m.sql, store.backend(), now)))
                    sql << stmt;
                for (auto const& step : kCodeSteps)
                    if (step.version == m.version) step.run(sql);
                std::string name = m.name;
                sql << "INSERT INTO schema_migrations (version, name, applied_at) "
                       "VALUES (:v, :n, :a)",
                    soci::use(m.version), soci::use(name), soci::use(now);
                sql << "COMMIT";
                ++applied;
            } catch (...) {
                try {
                    sql << "ROLLBACK";
                } catch (...) {
                }
                throw;
            }
        }
    });
    return applied;
}

}  // namespace hrms::store
