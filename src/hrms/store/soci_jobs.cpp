// app::JobRepo: job leases and the job-run log.
#include "hrms/store/soci_repos.hpp"

#include <stdexcept>

namespace hrms::store {

using soci::into;
using soci::use;

bool SociJobs::acquire_lease(std::string const& job, std::string const& instance, Instant now, Instant until) {
    return guard([&] {
        // One statement on both databases: take a free or expired lease, or renew our own; it
        // returns a row only when the lease is ours. On PostgreSQL a concurrent taker waits on
        // the row and then sees ours.
        std::string holder;
        *sql_ << "INSERT INTO job_leases (job, instance, expires_at) VALUES (:j, :i, :u) "
                "ON CONFLICT (job) DO UPDATE SET instance = excluded.instance, expires_at = excluded.expires_at "
                "WHERE job_leases.instance = excluded.instance OR job_leases.expires_at <= :now RETURNING instance",
            use(job), use(instance), use(until), use(now), into(holder);
        return sql_->got_data() && holder == instance;
    });
}

void SociJobs::release_lease(std::string const& job, std::string const& instance, Instant now) {
    guard([&] {
        *sql_ << "UPDATE job_leases SET expires_at = :now WHERE job = :j AND instance = :i", use(now), use(job),
            use(instance);
    });
}

std::optional<std::string> SociJobs::lease_holder(std::string const& job, Instant now) {
    return guard([&]() -> std::optional<std::string> {
        std::string holder;
        soci::indicator ind = soci::i_null;
        *sql_ << "SELECT instance FROM job_leases WHERE job = :j AND expires_at > :now", use(job), use(now),
            into(holder, ind);
        if (!sql_->got_data() || ind != soci::i_ok) return std::nullopt;
        return holder;
    });
}

std::int64_t SociJobs::interrupt_orphans(std::string const& job, std::string const& instance, Instant now) {
    return guard([&] {
        auto const running = app::JobOutcome::running, interrupted = app::JobOutcome::interrupted;
        soci::statement st = (sql_->prepare << "UPDATE job_runs SET outcome = :x, finished_at = :now "
                                              "WHERE job = :j AND outcome = :r AND instance <> :i",
                              use(interrupted), use(now), use(job), use(running), use(instance));
        st.execute(true);
        return static_cast<std::int64_t>(st.get_affected_rows());
    });
}

std::int64_t SociJobs::insert_run(app::JobRunRecord const& run) {
    return guard([&] {
        long long id = 0, items = run.items;
        *sql_ << "INSERT INTO job_runs (job, instance, started_at, outcome, items) "
                "VALUES (:j, :i, :s, :o, :n) RETURNING id",
            use(run.job), use(run.instance), use(run.started_at), use(run.outcome), use(items), into(id);
        return static_cast<std::int64_t>(id);
    });
}

void SociJobs::finish_run(app::JobRunRecord const& run) {
    guard([&] {
        Instant const finished = run.finished_at.value_or(Instant{});
        std::string const error = run.error.value_or("");
        soci::indicator finished_ind = run.finished_at ? soci::i_ok : soci::i_null,
                        error_ind = run.error ? soci::i_ok : soci::i_null;
        long long items = run.items, id = run.id;
        *sql_ << "UPDATE job_runs SET finished_at = :f, outcome = :o, error = :e, items = :n WHERE id = :id",
            use(finished, finished_ind), use(run.outcome), use(error, error_ind), use(items), use(id);
    });
}

std::vector<app::JobRunRecord> SociJobs::runs(app::JobRunQuery const& query) {
    return guard([&] {
        std::vector<app::JobRunRecord> out;
        std::string sql = "SELECT id, job, instance, started_at, finished_at, outcome, error, items FROM job_runs";
        std::string const job = query.job.value_or("");
        long long before = query.before_id.value_or(0), limit = query.limit;
        std::vector<std::string> where;
        if (query.job) where.emplace_back("job = :j");
        if (query.before_id) where.emplace_back("id < :b");
        for (std::size_t i = 0; i < where.size(); ++i) sql += (i ? " AND " : " WHERE ") + where[i];
        sql += " ORDER BY id DESC LIMIT :l";
        long long id = 0, items = 0;
        std::string name, instance, error;
        Instant started, finished;
        app::JobOutcome outcome{};
        soci::indicator finished_ind = soci::i_null, error_ind = soci::i_null;
        auto prep = (sql_->prepare << sql);
        if (query.job) prep, use(job);
        if (query.before_id) prep, use(before);
        prep, use(limit);
        prep, into(id), into(name), into(instance), into(started), into(finished, finished_ind), into(outcome),
            into(error, error_ind), into(items);
        soci::statement st(prep);
        st.execute();
        while (st.fetch()) {
            app::JobRunRecord r;
            r.id = id;
            r.job = name;
            r.instance = instance;
            r.started_at = started;
            if (finished_ind == soci::i_ok) r.finished_at = finished;
            r.outcome = outcome;
            if (error_ind == soci::i_ok) r.error = error;
            r.items = items;
            out.push_back(std::move(r));
        }
        return out;
    });
}

void SociJobs::prune_runs(std::string const& job, int keep) {
    guard([&] {
        long long k = keep;
        *sql_ << "DELETE FROM job_runs WHERE job = :j AND id <= (SELECT id FROM job_runs WHERE job = :j2 "
                "ORDER BY id DESC LIMIT 1 OFFSET :k)",
            use(job), use(job), use(k);
    });
}

}  // namespace hrms::store
