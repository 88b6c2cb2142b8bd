#pragma once
// The one home of background work. Each periodic job runs on a thread of its own, one run at a
// time, every interval (with jitter so that processes drift apart); every run is recorded in
// job_runs. A single-instance job (the default) first takes a lease in job_leases, so among
// processes sharing a database exactly one runs it at a time; the holder renews the lease at
// each run and gives it up on a clean stop, and a holder that died is replaced once its lease
// expires (its unfinished run is marked `interrupted`). Queued work (outbox, bulk jobs) lives in
// tables of its own and is drained by a periodic job that `trigger` wakes when work arrives.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hrms/app/jobs.hpp"
#include "hrms/app/ports.hpp"

namespace hrms::jobs {

// What a run gets from the runner.
struct JobContext {
    app::Clock const& clock;        // read the time from here (settable in tests)
    std::function<bool()> stopping;  // true once the runner stops: end at the next safe point
    std::function<void()> heartbeat;  // renews the lease: call it between batches of a long run
};

struct JobSpec {
    std::string name;
    std::string description;
    double interval_s = 60;
    double jitter = 0.1;  // each wait is interval_s * (1 ± jitter)
    bool single_instance = true;
    // Does the work and returns how many items it handled; throws to fail the run.
    std::function<std::int64_t(JobContext&)> run;
    // false: a run that handled nothing leaves no row and no audit entry (pollers that run every
    // second, like email.send). Only for jobs that are not single_instance.
    bool record_idle = true;
};

struct RunnerOptions {
    std::string instance;  // this process's name in leases and runs; default: host:pid:random
    double lease_s = 30;   // a lease lasts max(lease_s, 2 * interval); longer runs heartbeat
    int keep_runs = 1000;  // per job; older runs are pruned
};

enum class RunResult { ok, failed, busy, not_leader, unknown };

class Runner final : public app::JobMonitor {
public:
    Runner(app::Store& store, app::Clock const& clock, RunnerOptions options = {});
    ~Runner() override;
    Runner(Runner const&) = delete;
    Runner& operator=(Runner const&) = delete;

    // Before start(). Throws std::logic_error for a duplicate name or a bad interval.
    void add(JobSpec spec);
    // One thread per job; a job's first run comes one (jittered) interval after start.
    void start();
    // No new runs; waits for the runs in progress (they see ctx.stopping()), then gives up
    // this process's leases. Idempotent.
    void stop();
    // One run of `name` now, on the calling thread (tests; `trigger` wakes the job's thread
    // instead).
    RunResult run_now(std::string const& name);
    // Prometheus text: runs by outcome, skips, items, time spent, last success, in progress.
    std::string render_metrics() const;

    std::string instance() const override { return options_.instance; }
    std::vector<app::JobState> jobs() const override;
    bool trigger(std::string const& name, app::TxContext by = {}) override;

private:
    struct Slot;
    void loop(Slot& slot);
    // `by`: who triggered this run (empty for a scheduled one), for its audit entry.
    RunResult run(Slot& slot, app::TxContext const& by = {});
    // Takes or renews the job's lease in `tx` (and marks a dead holder's runs interrupted).
    bool take_lease(Slot& slot, Instant now, app::Tx& tx);
    Slot* find(std::string const& name) const;

    app::Store& store_;
    app::Clock const& clock_;
    RunnerOptions options_;
    std::vector<std::unique_ptr<Slot>> slots_;
    std::atomic<bool> stopping_{false};
    bool started_ = false;
};

// "host:pid:xxxx": unique enough to tell processes apart in leases and runs.
std::string make_instance_name();

}  // namespace hrms::jobs
