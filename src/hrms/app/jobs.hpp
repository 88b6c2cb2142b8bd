#pragma once
// Background work as the use cases and the HTTP layer see it: the job-run log and leases (a
// port the store implements, reached from a transaction as tx->jobs()), and the view of the
// runner (jobs/) shown at /api/v1/admin/jobs.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hrms/app/tx_context.hpp"
#include "hrms/core/error.hpp"
#include "hrms/core/time.hpp"

namespace hrms::app {

enum class JobOutcome { running, ok, failed, interrupted };

std::string_view to_string(JobOutcome outcome);
std::optional<JobOutcome> parse_job_outcome(std::string_view text);

// One run of one job, by one process ("instance").
struct JobRunRecord {
    std::int64_t id = 0;
    std::string job;
    std::string instance;
    Instant started_at;
    std::optional<Instant> finished_at;
    JobOutcome outcome = JobOutcome::running;
    std::optional<std::string> error;
    std::int64_t items = 0;
};

struct JobRunQuery {
    std::optional<std::string> job;
    std::optional<std::int64_t> before_id;  // keyset cursor: newest first
    int limit = 50;
};

class JobRepo {
public:
    virtual ~JobRepo() = default;
    // Takes or renews `job`'s lease for `instance` until `until`. False when another instance
    // holds a lease that has not expired at `now`.
    virtual bool acquire_lease(std::string const& job, std::string const& instance, Instant now, Instant until) = 0;
    // Gives the lease up (a clean stop), so that another instance takes over at once.
    virtual void release_lease(std::string const& job, std::string const& instance, Instant now) = 0;
    // The instance holding an unexpired lease on `job`, if any.
    virtual std::optional<std::string> lease_holder(std::string const& job, Instant now) = 0;
    // Runs of `job` still `running` under another instance: that instance lost the lease
    // (killed, crashed), so they become `interrupted`. Call only while holding the lease.
    virtual std::int64_t interrupt_orphans(std::string const& job, std::string const& instance, Instant now) = 0;
    virtual std::int64_t insert_run(JobRunRecord const& run) = 0;
    virtual void finish_run(JobRunRecord const& run) = 0;
    virtual std::vector<JobRunRecord> runs(JobRunQuery const& query) = 0;
    // Keeps the newest `keep` runs of `job`.
    virtual void prune_runs(std::string const& job, int keep) = 0;
};

// A job as the runner knows it right now.
struct JobState {
    std::string name;
    std::string description;
    double interval_s = 0;
    bool single_instance = true;  // at most one process runs it at a time (a lease)
    bool running = false;          // in this process
    std::optional<Instant> next_run_at;
    std::int64_t runs = 0;      // by this process since it started
    std::int64_t failures = 0;  // of those
    std::int64_t skipped = 0;   // due, but another instance held the lease
};

class JobMonitor {
public:
    virtual ~JobMonitor() = default;
    // This process's instance name, as recorded in the runs it makes.
    virtual std::string instance() const = 0;
    virtual std::vector<JobState> jobs() const = 0;
    // Makes `name` due now; false when no such job exists. `by` (who asked, and in which
    // request) is carried into the run's audit entry.
    virtual bool trigger(std::string const& name, TxContext by = {}) = 0;
};

struct Actor;
class Store;
class Clock;

// A job with its latest run and who holds its lease, as GET /api/v1/admin/jobs shows it.
struct JobView {
    JobState state;
    std::optional<JobRunRecord> last_run;
    std::optional<std::string> lease_holder;
};

struct JobRunPage {
    std::vector<JobRunRecord> items;
    std::optional<std::int64_t> next_before;  // cursor: pass as before_id
};

// The administration of background jobs (permission jobs.manage).
class JobAdmin {
public:
    JobAdmin(Store& store, Clock const& clock) : store_(store), clock_(clock) {}
    // The runner of this process (cli/ sets it before serving).
    void attach(JobMonitor* monitor) { monitor_ = monitor; }

    Result<std::vector<JobView>> list(Actor const& actor);
    // Newest first; not_found for a job this process does not know.
    Result<JobRunPage> runs(Actor const& actor, JobRunQuery query);
    // Makes the job due now (in this process); not_found when there is no such job.
    Result<void> trigger(Actor const& actor, std::string const& name);
    // This process's name in leases and runs ("" before a runner is attached).
    std::string instance() const { return monitor_ ? monitor_->instance() : std::string{}; }

private:
    bool known(std::string const& name) const;

    Store& store_;
    Clock const& clock_;
    JobMonitor* monitor_ = nullptr;
};

}  // namespace hrms::app
