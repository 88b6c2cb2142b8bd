#pragma once
// Opening the database named by HRMS_DATABASE_URL and bringing its schema up to date.
#include <functional>
#include <memory>
#include <string>

#include "hrms/app/ports.hpp"

namespace hrms::store {

// sqlite://PATH (WAL, one writer, `readers` reader connections) or postgresql://... (a pool of
// `readers` connections). Throws std::runtime_error with a clear message when it cannot open.
std::unique_ptr<app::Store> open_store(std::string const& url, int readers);

// Applies every pending migration, one transaction each, recording each in schema_migrations.
// Calls `progress(version, name)` before each. Returns how many were applied; throws on failure
// (the failing migration is rolled back, earlier ones stay).
int migrate(app::Store& store, std::function<void(int, std::string const&)> const& progress = {});

// libpq keyword form ("host='h' port='5432' dbname='d' user='u' password='p'") of a
// postgresql://user:pass@host:port/db?param=value URL, percent-decoding each part.
std::string pg_conninfo_from_url(std::string const& url);

}  // namespace hrms::store
