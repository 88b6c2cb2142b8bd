// app::BulkRepo: bulk jobs and their items.
#include "hrms/store/soci_repos.hpp"
#include "hrms/store/soci_types.hpp"

namespace hrms::store {

using soci::into;
using soci::use;

namespace {
constexpr char kJobColumns[] =
    "id, kind, actor_id, request_id, idempotency_key, request_hash, status, params, total, done, succeeded, "
    "failed, cancel_requested, created_at, updated_at, finished_at";

// One job row read into plain variables (SOCI binds by address).
struct JobRow {
    app::BulkJobRecord j;
    long long id = 0, actor = 0, total = 0, done = 0, succeeded = 0, failed = 0;
    int cancel = 0;
    std::string finished;

    template <class Prep>
    void bind(Prep& p) {
        p, into(id), into(j.kind), into(actor), into(j.request_id), into(j.idempotency_key), into(j.request_hash),
            into(j.status), into(j.params), into(total), into(done), into(succeeded), into(failed), into(cancel),
            into(j.created_at), into(j.updated_at), into(finished);
    }
    app::BulkJobRecord take() const {
        auto out = j;
        out.id = id;
        out.actor_id = actor;
        out.total = total;
        out.done = done;
        out.succeeded = succeeded;
        out.failed = failed;
        out.cancel_requested = cancel != 0;
        if (!finished.empty()) out.finished_at = parse_rfc3339(finished);
        return out;
    }
};

constexpr char kItemColumns[] = "seq, input, target, status, error_code, error_message";

std::vector<app::BulkItemRecord> fetch_items(soci::session& sql, std::string const& query, long long job,
                                             long long after, long long limit) {
    app::BulkItemRecord it;
    long long seq = 0;
    soci::statement st = (sql.prepare << query, use(job), use(after), use(limit), into(seq), into(it.input),
                          into(it.target), into(it.status), into(it.error_code), into(it.error_message));
    st.execute();
    std::vector<app::BulkItemRecord> out;
    while (st.fetch()) {
        it.job_id = job;
        it.seq = seq;
        out.push_back(it);
    }
    return out;
}
}  // namespace

template <class... Uses>
std::vector<app::BulkJobRecord> SociBulk::jobs(std::string const& where_sql, Uses&&... uses) {
    JobRow row;
    auto prep = (sql_->prepare << std::string("SELECT ") + kJobColumns + " FROM bulk_jobs " + where_sql);
    (prep, ..., std::forward<Uses>(uses));
    row.bind(prep);
    soci::statement st(prep);
    st.execute();
    std::vector<app::BulkJobRecord> out;
    while (st.fetch()) out.push_back(row.take());
    return out;
}

app::BulkJobId SociBulk::create(app::BulkJobRecord const& job, std::vector<app::BulkItemRecord> const& items) {
    return guard([&] {
        long long id = 0, actor = job.actor_id, total = job.total;
        *sql_ << "INSERT INTO bulk_jobs (kind, actor_id, request_id, idempotency_key, request_hash, status, params, "
                 "total, created_at, updated_at) VALUES (:k, :a, :r, :i, :h, :s, :p, :t, :c, :u) RETURNING id",
            use(job.kind), use(actor), use(job.request_id), use(job.idempotency_key), use(job.request_hash),
            use(job.status), use(job.params), use(total), use(job.created_at), use(job.created_at), into(id);
        // One prepared statement run for every item (SOCI binds the vectors row by row).
        constexpr std::size_t kChunk = 1000;
        for (std::size_t from = 0; from < items.size(); from += kChunk) {
            std::size_t const to = std::min(items.size(), from + kChunk);
            std::vector<long long> jobs(to - from, id), seqs;
            std::vector<std::string> inputs, targets;
            for (std::size_t i = from; i < to; ++i) {
                seqs.push_back(items[i].seq);
                inputs.push_back(items[i].input);
                targets.push_back(items[i].target);
            }
            *sql_ << "INSERT INTO bulk_items (job_id, seq, input, target) VALUES (:j, :s, :i, :t)", use(jobs),
                use(seqs), use(inputs), use(targets);
        }
        return static_cast<app::BulkJobId>(id);
    });
}

std::optional<app::BulkJobRecord> SociBulk::by_id(app::BulkJobId id) {
    return guard([&]() -> std::optional<app::BulkJobRecord> {
        long long i = id;
        auto found = jobs("WHERE id = :id", use(i));
        if (found.empty()) return std::nullopt;
        return std::move(found.front());
    });
}

std::optional<app::BulkJobRecord> SociBulk::by_key(app::UserId actor, std::string const& key) {
    return guard([&]() -> std::optional<app::BulkJobRecord> {
        long long a = actor;
        auto found = jobs("WHERE actor_id = :a AND idempotency_key = :k", use(a), use(key));
        if (found.empty()) return std::nullopt;
        return std::move(found.front());
    });
}

std::vector<app::BulkJobRecord> SociBulk::list(app::BulkJobQuery const& q) {
    return guard([&] {
        long long actor = q.actor.value_or(0), before = q.before_id.value_or(0), limit = q.limit;
        std::string const status = q.status.value_or("");
        std::string where = "WHERE (:a = 0 OR actor_id = :a2) AND (:s = '' OR status = :s2) AND (:b = 0 OR id < :b2) "
                            "ORDER BY id DESC LIMIT :lim";
        return jobs(where, use(actor), use(actor), use(status), use(status), use(before), use(before), use(limit));
    });
}


std::vector<app::BulkItemRecord> SociBulk::items(app::BulkJobId job, std::int64_t after, int limit) {
    return guard([&] {
        return fetch_items(*sql_,
                           std::string("SELECT ") + kItemColumns +
                               " FROM bulk_items WHERE job_id = :j AND seq > :a ORDER BY seq LIMIT :lim",
                           job, after, limit);
    });
}

std::vector<app::BulkItemRecord> SociBulk::take_pending(app::BulkJobId job, int limit) {
    return guard([&] {
        std::string sql = std::string("SELECT ") + kItemColumns +
                          " FROM bulk_items WHERE job_id = :j AND status = 'pending' AND seq >= :a "
                          "ORDER BY seq LIMIT :lim";
        if (dialect_ == Dialect::postgresql) sql += " FOR UPDATE SKIP LOCKED";
        return fetch_items(*sql_, sql, job, 0, limit);
    });
}

void SociBulk::finish_item(app::BulkItemRecord const& item) {
    guard([&] {
        long long job = item.job_id, seq = item.seq;
        write("UPDATE bulk_items SET status = :s, error_code = :c, error_message = :m WHERE job_id = :j AND seq = :q",
              false, item.status, item.error_code, item.error_message, job, seq);
    });
}

void SociBulk::count(app::BulkJobId job, std::int64_t done, std::int64_t succeeded, std::int64_t failed, Instant now) {
    guard([&] {
        long long j = job, d = done, s = succeeded, f = failed;
        *sql_ << "UPDATE bulk_jobs SET done = done + :d, succeeded = succeeded + :s, failed = failed + :f, "
                 "updated_at = :now WHERE id = :j",
            use(d), use(s), use(f), use(now), use(j);
    });
}

bool SociBulk::claim(app::BulkJobId job, std::string const& owner, Instant now, Instant until) {
    return guard([&] {
        long long j = job;
        soci::statement st =
            (sql_->prepare << "UPDATE bulk_jobs SET lease_owner = :o, lease_until = :u WHERE id = :j AND "
                              "status = 'running' AND (lease_owner = :o2 OR lease_until <= :now)",
             use(owner), use(until), use(j), use(owner), use(now));
        st.execute(true);
        return st.get_affected_rows() > 0;
    });
}

std::int64_t SociBulk::release_claims() {
    return guard([&] {
        soci::statement st = (sql_->prepare << "UPDATE bulk_jobs SET lease_owner = '', lease_until = '' "
                                               "WHERE status = 'running'");
        st.execute(true);
        return static_cast<std::int64_t>(st.get_affected_rows());
    });
}

std::vector<app::BulkJobId> SociBulk::unclaimed(Instant now, int limit) {
    return guard([&] {
        std::vector<long long> ids(static_cast<std::size_t>(std::max(limit, 1)));
        long long lim = limit;
        soci::statement st = (sql_->prepare << "SELECT id FROM bulk_jobs WHERE status = 'running' AND "
                                               "lease_until <= :now ORDER BY id LIMIT :lim",
                              use(now), use(lim), into(ids));
        st.execute(true);
        return std::vector<app::BulkJobId>(ids.begin(), ids.end());
    });
}

std::int64_t SociBulk::cancel_pending(app::BulkJobId job, Instant now) {
    return guard([&] {
        long long j = job;
        soci::statement st = (sql_->prepare << "UPDATE bulk_items SET status = 'cancelled', error_code = 'cancelled', "
                                               "error_message = 'the job was cancelled before this item ran' "
                                               "WHERE job_id = :j AND status = 'pending'",
                              use(j));
        st.execute(true);
        auto const n = static_cast<std::int64_t>(st.get_affected_rows());
        if (n > 0) count(job, n, 0, 0, now);
        return n;
    });
}

bool SociBulk::request_cancel(app::BulkJobId job, Instant now) {
    return guard([&] {
        long long j = job;
        soci::statement st = (sql_->prepare << "UPDATE bulk_jobs SET cancel_requested = 1, updated_at = :now "
                                               "WHERE id = :j AND status = 'running'",
                              use(now), use(j));
        st.execute(true);
        return st.get_affected_rows() > 0;
    });
}

void SociBulk::finish(app::BulkJobId job, std::string const& status, Instant now) {
    guard([&] {
        long long j = job;
        *sql_ << "UPDATE bulk_jobs SET status = :s, finished_at = :f, updated_at = :u, lease_owner = '', "
                 "lease_until = '' WHERE id = :j",
            use(status), use(now), use(now), use(j);
    });
}

void SociBulk::progress(app::BulkProgress const& p) { live_.progress.push_back(p); }

}  // namespace hrms::store
