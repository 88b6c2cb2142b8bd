#pragma once
// Numbered schema migrations, embedded from migrations/*.sql at build time.
#include <string>
#include <vector>

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

}  // namespace hrms::store
