#pragma once
// Numbered schema migrations, embedded from migrations/*.sql at build time.
#include <cstdint>
#include <string>
#include <vector>

namespace soci {
class session;
}

namespace hrms::store {

struct Migration {
    int version;
    char const* name;
    char const* sql;  // with {{id}}, {{bigint}}, {{now}} placeholders
};

// Every migration this binary knows, by ascending version.
std::vector<Migration> const& embedded_migrations();

// The SQL of a migration for "sqlite" or "postgresql".
std::string render_migration(std::string const& sql, std::string const& backend,
                             std::string const& now);

// Splits a script into statements at semicolons outside quotes and comments; a CREATE TRIGGER
// runs to its "END;". `{{sqlite}} ... {{end}}` and `{{postgresql}} ... {{end}}` blocks are kept
// by render_migration for their backend only.
std::vector<std::string> split_sql(std::string const& script);

// Migration 9's C++ step: sets users.search and profiles.search to core::search_text(name,
// email) wherever they hold something else (SQL's lower() cannot fold case). Runs inside the
// caller's transaction; returns how many users had a stale row.
std::int64_t refold_search_text(soci::session& sql);

}  // namespace hrms::store
