#include "hrms/store/soci_store.hpp"
#include "hrms/store/soci_audit.hpp"
#include "hrms/store/soci_types.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <filesystem>
#include <stdexcept>

#include "hrms/store/migrate.hpp"
#include "hrms/store/open.hpp"
#include "hrms/store/pg_bus.hpp"
#include "hrms/store/soci_tx.hpp"

namespace hrms::store {

ConnectionPool::ConnectionPool(int size, std::function<std::unique_ptr<Conn>()> open)
    : open_(std::move(open)), size_(size) {
    for (int i = 0; i < size; ++i) free_.push_back(open_());
}

std::unique_ptr<Conn> ConnectionPool::acquire() {
    std::unique_lock lock(mutex_);
    if (free_.empty()) {
        ++waits_;
        available_.wait(lock, [&] { return !free_.empty(); });
    }
    auto s = std::move(free_.back());
    free_.pop_back();
    ++in_use_;
    return s;
}

void ConnectionPool::release(std::unique_ptr<Conn> connection, bool suspect) {
    if (suspect) {
        // A statement threw: the connection may be gone (server restart). Check it here, off
        // the request path's lock, and reopen it if it is.
        try {
            int one = 0;
            *connection << "SELECT 1", soci::into(one);
        } catch (std::exception const&) {
            try {
                connection = open_();
            } catch (std::exception const&) {
                // Keep the broken one: the next user gets the error and we try again then.
            }
        }
    }
    {
        std::lock_guard lock(mutex_);
        free_.push_back(std::move(connection));
        --in_use_;
    }
    available_.notify_one();
}

app::PoolStats ConnectionPool::stats() const {
    std::lock_guard lock(mutex_);
    return {size_, in_use_, waits_};
}

SociStore::SociStore(Dialect dialect, std::string url, int readers)
    : dialect_(dialect), url_(std::move(url)) {
    if (dialect_ == Dialect::sqlite) {
        // Each connection is used by one thread at a time (the pools see to that), so SQLite's
        // per-connection mutexes and its global allocation statistics (one process-wide lock
        // around every malloc) are pure contention. Must run before SQLite initialises.
        static bool const configured = [] {
            sqlite_api::sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
            sqlite_api::sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
            return true;
        }();
        (void)configured;
        path_or_conninfo_ = url_.substr(std::string_view("sqlite://").size());
        if (path_or_conninfo_.empty()) throw std::runtime_error("sqlite URL has no path");
        auto const parent = std::filesystem::path(path_or_conninfo_).parent_path();
        if (!parent.empty()) std::filesystem::create_directories(parent);
        audit_path_ = sqlite_audit_path(path_or_conninfo_);
        // The writer first: it creates the file and switches it to WAL before readers open it.
        // It does not attach the audit file: BEGIN IMMEDIATE would take that file's writer lock
        // too, and domain writes would wait for the sealer.
        writer_ = std::make_unique<ConnectionPool>(1, [this] { return open_connection(Attach::none); });
        readers_ = std::make_unique<ConnectionPool>(readers, [this] { return open_connection(Attach::audit); });
    } else {
        // SOCI rewrites the string it is given as key=value pairs and mangles URIs, so hand it
        // libpq's keyword form.
        path_or_conninfo_ = pg_conninfo_from_url(url_);
        readers_ = std::make_unique<ConnectionPool>(readers, [this] { return open_connection(Attach::none); });
    }
    audit_log_ = std::make_unique<SociAuditLog>(*this);
}

SociStore::~SociStore() {
    listener_.reset();
    audit_log_.reset();
}

app::AuditLog& SociStore::audit_log() { return *audit_log_; }

std::unique_ptr<Conn> SociStore::open_audit_connection() {
    auto c = open_connection(Attach::audit);
    // The sealer's connection: each step inserts a few thousand entries into the chain's
    // indexes. With SQLite's default 2 MiB cache their pages are read back from the OS on
    // every step (pread copies were a third of the writer's time); this connection is the
    // chain's only writer, so what it caches stays valid between steps.
    *c << "PRAGMA audit.cache_size=-65536";
    return c;
}

void SociStore::set_live_sink(app::LiveSink* sink) {
    listener_.reset();
    live_sink_ = sink;
    if (sink && dialect_ == Dialect::postgresql) listener_ = std::make_unique<PgListener>(path_or_conninfo_, *this, *sink);
}

std::unique_ptr<Conn> SociStore::open_connection(Attach attach) {
    if (dialect_ == Dialect::sqlite) {
        auto s = std::make_unique<Conn>(soci::sqlite3,
                                                 "db=\"" + path_or_conninfo_ + "\" timeout=10");
        *s << "PRAGMA journal_mode=WAL";
        *s << "PRAGMA synchronous=NORMAL";
        *s << "PRAGMA foreign_keys=ON";
        *s << "PRAGMA busy_timeout=10000";
        if (attach == Attach::audit) attach_audit(*s, audit_path_);
        return s;
    }
    auto s = std::make_unique<Conn>(soci::postgresql, path_or_conninfo_);
    *s << "SET TIME ZONE 'UTC'";
    *s << "SET client_min_messages TO WARNING";
    return s;
}

std::string sqlite_audit_path(std::string const& main_path) {
    std::filesystem::path p(main_path);
    auto const ext = p.extension().string();
    if (ext.empty()) return main_path + ".audit";
    p.replace_extension(".audit" + ext);
    return p.string();
}

void attach_audit(soci::session& sql, std::string const& path) {
    std::string file = path;
    sql << "ATTACH DATABASE :p AS audit", soci::use(file);
    sql << "PRAGMA audit.page_size=16384";
    sql << "PRAGMA audit.journal_mode=WAL";
    sql << "PRAGMA audit.synchronous=NORMAL";
}

std::unique_ptr<app::Tx> SociStore::begin(app::TxMode mode, app::TxContext context) {
    bool const write = mode == app::TxMode::write;
    ConnectionPool& pool = (write && writer_) ? *writer_ : *readers_;
    return std::make_unique<SociTx>(dialect_, pool, pool.acquire(), write, std::move(context),
                                    write ? live_sink_ : nullptr, &publish_, write ? effect_sink_ : nullptr);
}

std::string SociStore::backend() const {
    return dialect_ == Dialect::sqlite ? "sqlite" : "postgresql";
}

bool SociStore::ping() {
    auto s = readers_->acquire();
    bool ok = true;
    try {
        int one = 0;
        *s << "SELECT 1", soci::into(one);
    } catch (std::exception const&) {
        ok = false;
    }
    readers_->release(std::move(s), !ok);
    return ok;
}

int SociStore::schema_version() {
    auto s = readers_->acquire();
    int version = 0;
    bool ok = true;
    try {
        soci::indicator ind = soci::i_null;
        *s << "SELECT MAX(version) FROM schema_migrations", soci::into(version, ind);
        if (ind == soci::i_null) version = 0;
    } catch (std::exception const&) {
        version = 0;  // no table yet
        ok = false;
    }
    readers_->release(std::move(s), !ok);
    return version;
}

int SociStore::latest_schema_version() const {
    auto const& all = embedded_migrations();
    return all.empty() ? 0 : all.back().version;
}

app::PoolStats SociStore::pool_stats() const {
    auto r = readers_->stats();
    if (writer_) {
        auto w = writer_->stats();
        r.size += w.size;
        r.in_use += w.in_use;
        r.waits += w.waits;
    }
    return r;
}

void SociStore::with_writer(std::function<void(soci::session&)> const& fn) {
    ConnectionPool& pool = writer_ ? *writer_ : *readers_;
    auto s = pool.acquire();
    try {
        fn(*s);
    } catch (...) {
        pool.release(std::move(s), true);
        throw;
    }
    pool.release(std::move(s), false);
}

namespace {
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

void add_param(std::string& out, std::string const& key, std::string const& value) {
    if (value.empty()) return;
    if (!out.empty()) out += ' ';
    out += key + "='";
    for (char c : value) {
        if (c == '\\' || c == '\'') out.push_back('\\');
        out.push_back(c);
    }
    out += '\'';
}
}  // namespace

std::string pg_conninfo_from_url(std::string const& url) {
    auto const scheme_end = url.find("://");
    if (scheme_end == std::string::npos) throw std::runtime_error("not a postgresql:// URL");
    std::string_view rest(url);
    rest.remove_prefix(scheme_end + 3);
    std::string_view query;
    if (auto q = rest.find('?'); q != std::string_view::npos) {
        query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }
    std::string_view authority = rest, path;
    if (auto slash = rest.find('/'); slash != std::string_view::npos) {
        authority = rest.substr(0, slash);
        path = rest.substr(slash + 1);
    }
    std::string user, password, host, port;
    if (auto at = authority.rfind('@'); at != std::string_view::npos) {
        auto const userinfo = authority.substr(0, at);
        authority = authority.substr(at + 1);
        auto const colon = userinfo.find(':');
        user = percent_decode(userinfo.substr(0, colon));
        if (colon != std::string_view::npos) password = percent_decode(userinfo.substr(colon + 1));
    }
    if (!authority.empty() && authority.front() == '[') {  // [::1]:5432
        auto const close = authority.find(']');
        host = std::string(authority.substr(1, close - 1));
        if (close + 1 < authority.size() && authority[close + 1] == ':') port = authority.substr(close + 2);
    } else {
        auto const colon = authority.rfind(':');
        host = percent_decode(authority.substr(0, colon));
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    }
    std::string out;
    add_param(out, "host", host);
    add_param(out, "port", port);
    add_param(out, "dbname", percent_decode(path));
    add_param(out, "user", user);
    add_param(out, "password", password);
    while (!query.empty()) {
        auto const amp = query.find('&');
        auto const pair = query.substr(0, amp);
        auto const eq = pair.find('=');
        if (eq != std::string_view::npos)
            add_param(out, percent_decode(pair.substr(0, eq)), percent_decode(pair.substr(eq + 1)));
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    }
    return out;
}

std::unique_ptr<app::Store> open_store(std::string const& url, int readers) {
    if (readers < 1) readers = 1;
    try {
        if (url.starts_with("sqlite://"))
            return std::make_unique<SociStore>(Dialect::sqlite, url, readers);
        if (url.starts_with("postgresql://") || url.starts_with("postgres://"))
            return std::make_unique<SociStore>(Dialect::postgresql, url, readers);
    } catch (std::exception const& e) {
        throw std::runtime_error("cannot open database: " + std::string(e.what()));
    }
    throw std::runtime_error("HRMS_DATABASE_URL must start with sqlite:// or postgresql://");
}

void bad_column_text(char const* type, std::string const& text) {
    // The text itself stays out of the message: it could be anything a bad row holds.
    throw soci::soci_error(std::string("a column holds text that is not a ") + type + " (" +
                           std::to_string(text.size()) + " bytes)");
}

}  // namespace hrms::store
