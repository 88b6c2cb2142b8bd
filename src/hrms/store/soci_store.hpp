#pragma once
// Internal to store/: the SOCI-backed Store for SQLite and PostgreSQL. Only store/ includes SOCI.
#include <soci/soci.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "hrms/app/ports.hpp"
#include "hrms/store/stmt_cache.hpp"

namespace hrms::store {

enum class Dialect { sqlite, postgresql };

struct CachedQueries;  // soci_tx.cpp: statements prepared once per connection
struct CachedQueriesDeleter {
    void operator()(CachedQueries* q) const;
};

// A database connection plus the hot-path statements prepared on it.
struct Conn : soci::session {
    template <class... A>
    explicit Conn(A&&... args) : soci::session(std::forward<A>(args)...) {}
    std::unique_ptr<CachedQueries, CachedQueriesDeleter> cached;
    WriteCache writes;  // stmt_cache.hpp: the hot writes, prepared once
};

// Runs `fn` on a connection, setting `suspect` on failure so the connection is checked before it
// is reused. SOCI's full message quotes the statement with its bound values (personal data that
// must not reach a log): only the database's own words are kept.
template <class F>
auto guarded(bool& suspect, F&& fn) -> decltype(fn()) {
    try {
        return fn();
    } catch (soci::soci_error const& e) {
        suspect = true;
        throw std::runtime_error("database error: " + e.get_error_message());
    } catch (...) {
        suspect = true;
        throw;
    }
}

// A fixed set of open sessions handed out one at a time.
class ConnectionPool {
public:
    ConnectionPool(int size, std::function<std::unique_ptr<Conn>()> open);
    // Blocks until a session is free.
    std::unique_ptr<Conn> acquire();
    void release(std::unique_ptr<Conn> connection, bool suspect);
    app::PoolStats stats() const;

private:
    std::function<std::unique_ptr<Conn>()> open_;
    mutable std::mutex mutex_;
    std::condition_variable available_;
    std::vector<std::unique_ptr<Conn>> free_;
    int size_;
    int in_use_ = 0;
    std::int64_t waits_ = 0;
};

class PgListener;
class SociAuditLog;

// SQLite: the audit chain's file beside the main one ("hrms.db" -> "hrms.audit.db").
std::string sqlite_audit_path(std::string const& main_path);
// SQLite: attaches the audit chain's file as "audit" (created when missing, in WAL mode).
void attach_audit(soci::session& sql, std::string const& path);

class SociStore final : public app::Store {
public:
    SociStore(Dialect dialect, std::string url, int readers);
    ~SociStore() override;

    using app::Store::begin;
    std::unique_ptr<app::Tx> begin(app::TxMode mode, app::TxContext context) override;
    std::string backend() const override;
    bool ping() override;
    int schema_version() override;
    int latest_schema_version() const override;
    app::PoolStats pool_stats() const override;
    void set_live_sink(app::LiveSink* sink) override;
    void set_effect_sink(app::EffectSink* sink) override { effect_sink_ = sink; }
    app::AuditLog& audit_log() override;

    Dialect dialect() const { return dialect_; }
    // Runs `fn` on the writer (SQLite) or a pooled session (PostgreSQL), outside any Tx.
    void with_writer(std::function<void(soci::session&)> const& fn);

    // SQLite: the file that holds the audit chain, beside the main one ("hrms.db" ->
    // "hrms.audit.db"); attached as "audit" to every reading connection. Empty on PostgreSQL.
    std::string const& audit_path() const { return audit_path_; }
    // SQLite: a new connection outside the pools, with the audit file attached.
    std::unique_ptr<Conn> open_audit_connection();
    // A reading connection from the pool (PostgreSQL: any connection), and its return.
    std::unique_ptr<Conn> acquire_reader() { return readers_->acquire(); }
    void release_reader(std::unique_ptr<Conn> c, bool suspect) { readers_->release(std::move(c), suspect); }

private:
    friend class SociTx;
    enum class Attach { none, audit };
    std::unique_ptr<Conn> open_connection(Attach attach);

    Dialect dialect_;
    std::string url_;
    std::string path_or_conninfo_;
    std::string audit_path_;
    std::unique_ptr<ConnectionPool> readers_;
    std::unique_ptr<ConnectionPool> writer_;  // SQLite: size 1; PostgreSQL: the same pool as readers
    app::LiveSink* live_sink_ = nullptr;
    app::EffectSink* effect_sink_ = nullptr;
    std::mutex publish_;
    std::unique_ptr<PgListener> listener_;  // PostgreSQL: the cross-process bus
    std::unique_ptr<SociAuditLog> audit_log_;
};

}  // namespace hrms::store
