// app::AuditRepo (domain entries written in a transaction, and reads of the chain) and
// app::AuditLog (the sealer's steps). On SQLite the chain lives in a file of its own, attached
// to reading connections as "audit", so sealing takes that file's writer lock and never the main
// database's; domain entries wait in the main file's audit_pending, written with their change.
#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <array>
#include <span>

#include "hrms/store/locks.hpp"
#include "hrms/store/soci_audit.hpp"
#include "hrms/store/soci_repos.hpp"

namespace hrms::store {

using soci::into;
using soci::use;

namespace {

// The entry's columns, in the order EntryRow binds them (audit_pending and audit_entries).
constexpr char const* kEntryColumns =
    "at, category, level, action, outcome, actor_id, session_id, request_id, ip, user_agent, method, route, "
    "path, status, latency_us, bytes_in, bytes_out, slow, target_type, target_id, reason, before_state, "
    "after_state, details";
constexpr char const* kEntryValues =
    ":at, :category, :level, :action, :outcome, :actor, :session, :request, :ip, :ua, :method, :route, "
    ":path, :status, :latency, :bin, :bout, :slow, :ttype, :tid, :reason, :before, :after, :details";

// One entry's bind targets, reused across the rows of a statement.
struct EntryRow {
    core::AuditEntry e;
    long long seq = 0, actor = 0, latency = 0, bin = 0, bout = 0, pending = 0;
    int status = 0, slow = 0;
    soci::indicator actor_ind = soci::i_null, pending_ind = soci::i_null;

    template <class Stmt>
    void bind_into(Stmt& st) {
        st, into(e.time), into(e.category), into(e.level), into(e.action), into(e.outcome), into(actor, actor_ind),
            into(e.session_id), into(e.request_id), into(e.ip), into(e.user_agent), into(e.method), into(e.route),
            into(e.path), into(status), into(latency), into(bin), into(bout), into(slow), into(e.target_type),
            into(e.target_id), into(e.reason), into(e.before), into(e.after), into(e.details);
    }
    template <class Stmt>
    void bind_use(Stmt& st) {
        st, use(e.time), use(e.category), use(e.level), use(e.action), use(e.outcome), use(actor, actor_ind),
            use(e.session_id), use(e.request_id), use(e.ip), use(e.user_agent), use(e.method), use(e.route),
            use(e.path), use(status), use(latency), use(bin), use(bout), use(slow), use(e.target_type),
            use(e.target_id), use(e.reason), use(e.before), use(e.after), use(e.details);
    }
    // Loads `entry` into the bind targets.
    void load(core::AuditEntry const& entry) {
        e = entry;
        actor_ind = entry.actor_id ? soci::i_ok : soci::i_null;
        actor = entry.actor_id.value_or(0);
        status = entry.status;
        latency = entry.latency_us;
        bin = entry.bytes_in;
        bout = entry.bytes_out;
        slow = entry.slow ? 1 : 0;
        seq = entry.seq;
        pending_ind = entry.pending_id ? soci::i_ok : soci::i_null;
        pending = entry.pending_id;
    }
    // The entry the last fetch filled in.
    core::AuditEntry entry() const {
        core::AuditEntry out = e;
        out.actor_id = actor_ind == soci::i_ok ? std::optional<std::int64_t>(actor) : std::nullopt;
        out.status = status;
        out.latency_us = latency;
        out.bytes_in = bin;
        out.bytes_out = bout;
        out.slow = slow != 0;
        out.seq = seq;
        out.pending_id = pending_ind == soci::i_ok ? pending : 0;
        return out;
    }
    // Empties the optional columns before a fetch (SOCI leaves a NULL's target as it was).
    void reset() {
        actor_ind = pending_ind = soci::i_null;
        e.before.clear();
        e.after.clear();
        e.details.clear();
    }
};

std::string chain_select() {
    return std::string("SELECT seq, ") + kEntryColumns + ", pending_id, hash FROM audit_entries";
}

template <class Stmt>
void bind_chain_into(Stmt& st, EntryRow& row) {
    st, into(row.seq);
    row.bind_into(st);
    st, into(row.pending, row.pending_ind), into(row.e.hash);
}

// The pending-row INSERT with its bind targets, prepared once per connection (every request
// that decides something writes one).
struct PendingInsert final : CachedWrite {
    EntryRow row;
    std::optional<soci::statement> st;
    explicit PendingInsert(soci::session& sql) {
        auto prep = (sql.prepare << std::string("INSERT INTO audit_pending (") + kEntryColumns + ") VALUES (" +
                                        kEntryValues + ")");
        row.bind_use(prep);
        st.emplace(prep);
    }
};

// Inserts `entries` as pending rows (their pending ids are assigned by the database).
void insert_pending(Conn& sql, std::span<core::AuditEntry const> entries) {
    if (entries.empty()) return;
    static std::string const key = "audit_pending insert";
    auto& slot = sql.writes[key];
    if (!slot) slot = std::make_unique<PendingInsert>(sql);
    auto& insert = static_cast<PendingInsert&>(*slot);
    try {
        for (auto const& e : entries) {
            insert.row.load(e);
            insert.st->execute(true);
        }
    } catch (...) {
        sql.writes.erase(key);
        throw;
    }
}

}  // namespace

void SociAudit::record(core::AuditEntry entry) {
    guard([&] {
        if (!entry.actor_id && context_.actor) entry.actor_id = *context_.actor;
        if (entry.request_id.empty()) entry.request_id = context_.request_id;
        // An item of a bulk job names its job, so the job's entry and its items' entries are
        // found together (details are always a JSON object or nothing).
        if (context_.bulk_job && entry.target_type != "bulk_job") {
            auto const member = "\"bulk_job_id\":" + std::to_string(context_.bulk_job);
            if (entry.details.size() < 2 || entry.details.front() != '{')
                entry.details = "{" + member + "}";
            else
                entry.details.insert(1, member + (entry.details == "{}" ? "" : ","));
        }
        insert_pending(*sql_, std::span(&entry, 1));
    });
}

std::vector<core::AuditEntry> SociAudit::search(app::AuditQuery const& q) {
    return guard([&] {
        std::string sql = chain_select() + " WHERE 1 = 1";
        if (q.before_seq) sql += " AND seq < :before";
        if (q.actor_id) sql += " AND actor_id = :actor";
        // The category and target indexes are partial (0010_audit.sql): the terms that make a
        // query match their conditions are spelled out, so both planners use them.
        if (q.category) {
            sql += " AND category = :category";
            if (*q.category != core::AuditCategory::access) sql += " AND category <> 'access'";
        }
        if (q.level) sql += " AND level = :level";
        if (q.outcome) sql += " AND outcome = :outcome";
        if (q.action) sql += " AND action = :action";
        if (q.target_type) sql += " AND target_type = :ttype AND target_type <> ''";
        if (q.target_id) sql += " AND target_id = :tid";
        if (q.request_id) sql += " AND request_id = :request";
        // No index on every entry's time: the spans (0012_audit_spans.sql) give the range of seq
        // that can hold the times asked for (none when no span can), and the times are then
        // compared entry by entry within it.
        if (q.from) sql += " AND at >= :from AND seq >= (SELECT MIN(first_seq) FROM audit_spans WHERE max_at >= :sfrom)";
        if (q.to) sql += " AND at < :to AND seq <= (SELECT MAX(last_seq) FROM audit_spans WHERE min_at < :sto)";
        sql += " ORDER BY seq DESC LIMIT :lim";
        EntryRow row;
        long long before = q.before_seq.value_or(0), actor = q.actor_id.value_or(0), limit = q.limit;
        auto prep = (sql_->prepare << sql);
        bind_chain_into(prep, row);
        if (q.before_seq) prep, use(before);
        if (q.actor_id) prep, use(actor);
        if (q.category) prep, use(*q.category);
        if (q.level) prep, use(*q.level);
        if (q.outcome) prep, use(*q.outcome);
        if (q.action) prep, use(*q.action);
        if (q.target_type) prep, use(*q.target_type);
        if (q.target_id) prep, use(*q.target_id);
        if (q.request_id) prep, use(*q.request_id);
        if (q.from) prep, use(*q.from), use(*q.from);
        if (q.to) prep, use(*q.to), use(*q.to);
        prep, use(limit);
        soci::statement st(prep);
        st.execute();
        std::vector<core::AuditEntry> out;
        row.reset();
        while (st.fetch()) {
            out.push_back(row.entry());
            row.reset();
        }
        return out;
    });
}

std::optional<core::AuditEntry> SociAudit::by_seq(std::int64_t seq) {
    std::optional<core::AuditEntry> found;
    scan(seq, [&](core::AuditEntry const& e) {
        if (e.seq == seq) found = e;
        return false;
    });
    return found;
}

void SociAudit::scan(std::int64_t from, std::function<bool(core::AuditEntry const&)> const& fn) {
    guard([&] {
        EntryRow row;
        long long key = from;
        auto prep = (sql_->prepare << chain_select() + " WHERE seq >= :s ORDER BY seq");
        bind_chain_into(prep, row);
        prep, use(key);
        soci::statement st(prep);
        st.execute();
        row.reset();
        while (st.fetch()) {
            if (!fn(row.entry())) break;
            row.reset();
        }
    });
}

std::vector<app::AuditCheckpoint> SociAudit::checkpoints() {
    return guard([&] {
        std::vector<app::AuditCheckpoint> out;
        app::AuditCheckpoint c;
        long long seq = 0;
        soci::statement st = (sql_->prepare << "SELECT seq, hash, at, public_key, signature FROM audit_checkpoints "
                                               "ORDER BY seq",
                              into(seq), into(c.hash), into(c.at), into(c.public_key), into(c.signature));
        st.execute();
        while (st.fetch()) {
            c.seq = seq;
            out.push_back(c);
        }
        return out;
    });
}

// ---- sealing

struct SociAuditLog::ChainInsert {
    static constexpr std::size_t kRows = 64;
    static constexpr int kColumns = 27;

    explicit ChainInsert(sqlite_api::sqlite3* db) : db(db) {
        one = prepare(1);
        many = prepare(kRows);
    }
    ~ChainInsert() {
        sqlite_api::sqlite3_finalize(one);
        sqlite_api::sqlite3_finalize(many);
    }
    ChainInsert(ChainInsert const&) = delete;
    ChainInsert& operator=(ChainInsert const&) = delete;

    void check(int rc, int want) const {
        if (rc != want) throw soci::soci_error(std::string(sqlite_api::sqlite3_errmsg(db)));
    }

    // Binds one entry's kColumns values from parameter `param` + 1 on; `time` is its time, formatted.
    void bind_row(sqlite_api::sqlite3_stmt* st, int& param, core::AuditEntry const& e, std::string const& time) const {
        auto text = [&](std::string_view v) {
            check(sqlite_api::sqlite3_bind_text(st, ++param, v.data(), static_cast<int>(v.size()), SQLITE_STATIC),
                  SQLITE_OK);
        };
        auto integer = [&](std::int64_t v) { check(sqlite_api::sqlite3_bind_int64(st, ++param, v), SQLITE_OK); };
        auto optional = [&](std::int64_t v, bool given) {
            if (given) integer(v);
            else check(sqlite_api::sqlite3_bind_null(st, ++param), SQLITE_OK);
        };
        integer(e.seq);
        text(time);
        text(core::to_string(e.category));
        text(core::to_string(e.level));
        text(e.action);
        text(core::to_string(e.outcome));
        optional(e.actor_id.value_or(0), e.actor_id.has_value());
        for (auto const* v : {&e.session_id, &e.request_id, &e.ip, &e.user_agent, &e.method, &e.route, &e.path})
            text(*v);
        for (std::int64_t v : {std::int64_t{e.status}, e.latency_us, e.bytes_in, e.bytes_out, std::int64_t{e.slow}})
            integer(v);
        for (auto const* v : {&e.target_type, &e.target_id, &e.reason, &e.before, &e.after, &e.details}) text(*v);
        optional(e.pending_id, e.pending_id != 0);
        text(e.hash);
    }

    sqlite_api::sqlite3* db;
    sqlite_api::sqlite3_stmt* one = nullptr;
    sqlite_api::sqlite3_stmt* many = nullptr;

private:
    sqlite_api::sqlite3_stmt* prepare(std::size_t rows) const {
        std::string sql = std::string("INSERT INTO audit_entries (seq, ") + kEntryColumns + ", pending_id, hash) VALUES ";
        for (std::size_t r = 0; r < rows; ++r) {
            sql += r ? ",(" : "(";
            for (int c = 0; c < kColumns; ++c) sql += c ? ",?" : "?";
            sql += ')';
        }
        sqlite_api::sqlite3_stmt* st = nullptr;
        check(sqlite_api::sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                             &st, nullptr),
              SQLITE_OK);
        return st;
    }
};

namespace {

class SociAuditSeal final : public app::AuditSeal {
public:
    // `release` gets the connection back when the step ends, and whether it failed.
    SociAuditSeal(SociAuditLog& log, Dialect dialect, std::unique_ptr<Conn> conn, std::unique_lock<std::mutex> held,
                  std::function<void(std::unique_ptr<Conn>, bool suspect)> release)
        : log_(log), dialect_(dialect), conn_(std::move(conn)), sql_(*conn_), held_(std::move(held)),
          release_(std::move(release)) {
        guard([&] {
            sql_ << "BEGIN";  // SQLite: deferred, so only the chain's file is locked, when written
            open_ = true;
            if (dialect_ == Dialect::postgresql) {
                long long k = key(PgLock::audit_sealer);
                int got = 0;
                sql_ << "SELECT CASE WHEN pg_try_advisory_xact_lock(:k) THEN 1 ELSE 0 END", use(k), into(got);
                sealer_ = got == 1;
            } else {
                sealer_ = true;  // one process, and this step holds the process's seal mutex
            }
        });
    }

    ~SociAuditSeal() override {
        if (open_) {
            try {
                sql_ << "ROLLBACK";
            } catch (std::exception const&) {
                suspect_ = true;
            }
        }
        release_(std::move(conn_), suspect_);
    }

    bool sealer() const override { return sealer_; }

    app::ChainHead head() override {
        return guard([&] {
            app::ChainHead h;
            long long seq = 0;
            std::string hash;
            soci::indicator ind = soci::i_null;
            sql_ << "SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1", into(seq, ind), into(hash);
            if (sql_.got_data() && ind == soci::i_ok) {
                h.seq = seq;
                h.hash = hash;
            }
            return h;
        });
    }

    std::vector<core::AuditEntry> pending(int limit) override {
        return guard([&] {
            std::string sql = std::string("SELECT id, ") + kEntryColumns + " FROM audit_pending";
            long long floor = 0;
            if (dialect_ == Dialect::sqlite) {
                // The chain's file commits before the pending rows are removed from the main
                // file (two files, two commits): rows sealed just before a crash are still here
                // and must be skipped. Pending ids grow in commit order on SQLite.
                soci::indicator ind = soci::i_null;
                sql_ << "SELECT MAX(pending_id) FROM audit_entries WHERE pending_id IS NOT NULL", into(floor, ind);
                if (ind != soci::i_ok) floor = 0;
                watermark_ = std::max<std::int64_t>(watermark_, floor);
            }
            sql += " WHERE id > :floor ORDER BY id LIMIT :lim";
            EntryRow row;
            long long lim = limit;
            auto prep = (sql_.prepare << sql, into(row.pending));
            row.bind_into(prep);
            prep, use(floor), use(lim);
            soci::statement st(prep);
            st.execute();
            std::vector<core::AuditEntry> out;
            row.reset();
            while (st.fetch()) {
                row.pending_ind = soci::i_ok;
                out.push_back(row.entry());
                row.reset();
            }
            return out;
        });
    }

    void append(std::span<core::AuditEntry const> sealed) override {
        if (!sealer_) throw std::logic_error("audit: append without the sealer lock");
        if (sealed.empty()) return;
        for (auto const& e : sealed) span_.add(e);
        if (dialect_ == Dialect::sqlite) {
            guard([&] { append_sqlite(sealed); });
            return;
        }
        guard([&] {
            EntryRow row;
            auto prep = (sql_.prepare << std::string("INSERT INTO audit_entries (seq, ") + kEntryColumns +
                                             ", pending_id, hash) VALUES (:seq, " + kEntryValues +
                                             ", :pending, :hash)",
                         use(row.seq));
            row.bind_use(prep);
            prep, use(row.pending, row.pending_ind), use(row.e.hash);
            soci::statement st(prep);
            std::string ids;
            for (auto const& e : sealed) {
                row.load(e);
                st.execute(true);
                if (e.pending_id) ids += (ids.empty() ? "" : ",") + std::to_string(e.pending_id);
            }
            // PostgreSQL: the transaction that seals them removes them. (Ids are not in commit
            // order there, so the ids themselves, not SQLite's watermark.)
            if (!ids.empty()) sql_ << "DELETE FROM audit_pending WHERE id IN (" + ids + ")";
        });
    }

    void add_pending(std::span<core::AuditEntry const> entries) override {
        guard([&] { insert_pending(sql_, entries); });
    }

    std::int64_t drop_through(std::int64_t seq) override {
        if (!sealer_) throw std::logic_error("audit: retention without the sealer lock");
        return guard([&]() -> std::int64_t {
            long long s = seq;
            soci::statement st = (sql_.prepare << "DELETE FROM audit_entries WHERE seq <= :s", use(s));
            st.execute(true);
            auto const dropped = st.get_affected_rows();
            sql_ << "DELETE FROM audit_spans WHERE last_seq <= :s", use(s);
            return dropped;
        });
    }

    std::int64_t last_checkpoint() override {
        return guard([&]() -> std::int64_t {
            long long seq = 0;
            soci::indicator ind = soci::i_null;
            sql_ << "SELECT MAX(seq) FROM audit_checkpoints", into(seq, ind);
            return ind == soci::i_ok ? seq : 0;
        });
    }

    void add_checkpoint(app::AuditCheckpoint const& c) override {
        if (!sealer_) throw std::logic_error("audit: a checkpoint without the sealer lock");
        guard([&] {
            long long seq = c.seq;
            sql_ << "INSERT INTO audit_checkpoints (seq, hash, at, public_key, signature) VALUES (:s, :h, :a, :p, :g)",
                use(seq), use(c.hash), use(c.at), use(c.public_key), use(c.signature);
        });
    }

    void commit() override {
        guard([&] {
            if (span_.last) write_span();
            sql_ << "COMMIT";
            open_ = false;
        });
        if (dialect_ == Dialect::sqlite && watermark_ > 0) log_.prune_pending(watermark_);
    }

private:
    template <class F>
    auto guard(F&& fn) -> decltype(fn()) {
        return guarded(suspect_, std::forward<F>(fn));
    }

    // The seq and time range of what this step appended.
    struct Span {
        std::int64_t first = 0, last = 0;
        Instant min, max;
        void add(core::AuditEntry const& e) {
            if (!first) {
                first = e.seq;
                min = max = e.time;
            }
            last = e.seq;
            min = std::min(min, e.time);
            max = std::max(max, e.time);
        }
    };

    // The newest span grows to hold this step's entries while its times stay within one
    // calendar minute; otherwise they open a new one.
    void write_span() {
        long long first = 0, last = 0;
        std::string min_at, max_at;
        soci::indicator ind = soci::i_null;
        sql_ << "SELECT first_seq, last_seq, min_at, max_at FROM audit_spans ORDER BY first_seq DESC LIMIT 1",
            into(first, ind), into(last), into(min_at), into(max_at);
        auto lo = to_rfc3339(span_.min), hi = to_rfc3339(span_.max);
        long long const step_first = span_.first, step_last = span_.last;
        bool const grow = sql_.got_data() && ind == soci::i_ok && last + 1 == step_first &&
                          min_at.compare(0, 16, lo, 0, 16) == 0 && min_at.compare(0, 16, hi, 0, 16) == 0;
        if (grow) {
            lo = std::min(lo, min_at);  // one format throughout, so text order is time order
            hi = std::max(hi, max_at);
            sql_ << "UPDATE audit_spans SET last_seq = :l, min_at = :lo, max_at = :hi WHERE first_seq = :f",
                use(step_last), use(lo), use(hi), use(first);
        } else {
            sql_ << "INSERT INTO audit_spans (first_seq, last_seq, min_at, max_at) VALUES (:f, :l, :lo, :hi)",
                use(step_first), use(step_last), use(lo), use(hi);
        }
    }

    // SQLite: every access entry of a busy server passes through here, so the rows are bound
    // straight through SQLite's API, the text in place from the entries (through SOCI, each
    // row's 27 conversions and copies cost as much as the insert itself), kRows rows per
    // statement, prepared once per connection (bench/RESULTS.md, audit).
    void append_sqlite(std::span<core::AuditEntry const> sealed) {
        auto& insert = log_.chain_insert(sql_);
        std::array<std::string, SociAuditLog::ChainInsert::kRows> times;  // bound in place until the step
        for (std::size_t i = 0; i < sealed.size();) {
            auto const n = sealed.size() - i >= times.size() ? times.size() : 1;
            auto* st = n == 1 ? insert.one : insert.many;
            int param = 0;
            for (std::size_t k = 0; k < n; ++k) {
                auto const& e = sealed[i + k];
                times[k] = to_rfc3339(e.time);
                insert.bind_row(st, param, e, times[k]);
                if (e.pending_id) watermark_ = std::max(watermark_, e.pending_id);
            }
            insert.check(sqlite_api::sqlite3_step(st), SQLITE_DONE);
            sqlite_api::sqlite3_reset(st);
            i += n;
        }
    }

    SociAuditLog& log_;
    Dialect dialect_;
    std::unique_ptr<Conn> conn_;
    Conn& sql_;
    std::unique_lock<std::mutex> held_;
    std::function<void(std::unique_ptr<Conn>, bool)> release_;
    bool open_ = false;
    bool sealer_ = false;
    bool suspect_ = false;
    std::int64_t watermark_ = 0;
    Span span_;
};

}  // namespace

SociAuditLog::ChainInsert& SociAuditLog::chain_insert(Conn& conn) {
    if (!insert_) insert_ = std::make_unique<ChainInsert>(static_cast<soci::sqlite3_session_backend*>(conn.get_backend())->conn_);
    return *insert_;
}

SociAuditLog::SociAuditLog(SociStore& store) : store_(store) {}
SociAuditLog::~SociAuditLog() = default;

std::unique_ptr<app::AuditSeal> SociAuditLog::begin_seal() {
    std::unique_lock held(mutex_);
    if (store_.dialect() == Dialect::sqlite) {
        // One connection of its own, kept between steps: the main file with the chain's
        // attached, outside the pools, so sealing never waits for (or blocks) the writer.
        auto conn = sealer_conn_ ? std::move(sealer_conn_) : store_.open_audit_connection();
        return std::make_unique<SociAuditSeal>(*this, Dialect::sqlite, std::move(conn), std::move(held),
                                               [this](std::unique_ptr<Conn> c, bool suspect) {
                                                   if (!suspect) sealer_conn_ = std::move(c);
                                                   else insert_.reset();  // finalized; `c` closes, reopened next step
                                               });
    }
    return std::make_unique<SociAuditSeal>(
        *this, Dialect::postgresql, store_.acquire_reader(), std::move(held),
        [this](std::unique_ptr<Conn> c, bool suspect) { store_.release_reader(std::move(c), suspect); });
}

void SociAuditLog::prune_pending(std::int64_t upto) {
    if (upto <= pruned_upto_) return;
    long long key = upto;
    store_.with_writer([&](soci::session& sql) { sql << "DELETE FROM audit_pending WHERE id <= :u", use(key); });
    pruned_upto_ = upto;
}

}  // namespace hrms::store
