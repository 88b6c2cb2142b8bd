#include "hrms/jobs/runner.hpp"

#include "hrms/app/audit.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <random>
#include <utility>
#include <stdexcept>
#include <thread>

#include "hrms/app/log.hpp"
#include "hrms/core/metrics.hpp"
#include "hrms/core/text.hpp"

namespace hrms::jobs {

namespace {

using SteadyClock = std::chrono::steady_clock;

double uniform(double lo, double hi) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return std::uniform_real_distribution<double>(lo, hi)(rng);
}

SteadyClock::duration seconds(double s) {
    return std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(s));
}

}  // namespace

std::string make_instance_name() {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "host");
    char suffix[8];
    std::snprintf(suffix, sizeof suffix, "%04x", static_cast<unsigned>(std::random_device{}() & 0xffff));
    return std::string(host) + ":" + std::to_string(::getpid()) + ":" + suffix;
}

// A job and everything the runner keeps about it; `mutex` guards the fields below it.
struct Runner::Slot {
    JobSpec spec;
    std::thread thread;
    mutable std::mutex mutex;
    std::condition_variable wake;
    bool triggered = false;
    app::TxContext triggered_by;  // who made it due now, until the run starts
    bool running = false;
    bool leased = false;  // this process holds the lease (as far as it knows)
    std::optional<Instant> next_run_at;
    std::int64_t ok = 0, failed = 0, skipped = 0, items = 0;
    double busy_s = 0;
    std::optional<Instant> last_success;
};

Runner::Runner(app::Store& store, app::Clock const& clock, RunnerOptions options)
    : store_(store), clock_(clock), options_(std::move(options)) {
    if (options_.instance.empty()) options_.instance = make_instance_name();
}

Runner::~Runner() { stop(); }

void Runner::add(JobSpec spec) {
    if (started_) throw std::logic_error("jobs: add() after start()");
    if (find(spec.name)) throw std::logic_error("jobs: duplicate job " + spec.name);
    if (!(spec.interval_s > 0) || !spec.run) throw std::logic_error("jobs: " + spec.name + " needs an interval and a body");
    auto slot = std::make_unique<Slot>();
    slot->spec = std::move(spec);
    slots_.push_back(std::move(slot));
}

Runner::Slot* Runner::find(std::string const& name) const {
    for (auto const& s : slots_) {
        if (s->spec.name == name) return s.get();
    }
    return nullptr;
}

void Runner::start() {
    if (started_) return;
    started_ = true;
    for (auto& s : slots_) s->thread = std::thread([this, slot = s.get()] { loop(*slot); });
    log::info("jobs.started", {log::str("instance", options_.instance),
                               log::num("jobs", static_cast<long long>(slots_.size()))});
}

void Runner::stop() {
    if (stopping_.exchange(true)) return;
    for (auto& s : slots_) {
        {
            std::lock_guard lock(s->mutex);  // no wake-up lost between its check and its wait
        }
        s->wake.notify_all();
    }
    for (auto& s : slots_) {
        if (s->thread.joinable()) s->thread.join();
    }
    // Another process may take over at once rather than when the leases expire.
    for (auto& s : slots_) {
        if (!s->leased) continue;
        try {
            auto tx = store_.begin(app::TxMode::write);
            tx->jobs().release_lease(s->spec.name, options_.instance, clock_.now());
            tx->commit();
        } catch (std::exception const& e) {
            log::warn("jobs.release_failed", {log::str("job", s->spec.name), log::str("what", log::what(e))});
        }
    }
    if (started_) log::info("jobs.stopped", {log::str("instance", options_.instance)});
}

void Runner::loop(Slot& slot) {
    auto const& spec = slot.spec;
    std::unique_lock lock(slot.mutex);
    while (!stopping_) {
        double const wait_s = spec.interval_s * uniform(1 - spec.jitter, 1 + spec.jitter);
        slot.next_run_at = clock_.now().plus_seconds(wait_s);
        slot.wake.wait_until(lock, SteadyClock::now() + seconds(wait_s),
                             [&] { return stopping_.load() || slot.triggered; });
        if (stopping_) break;
        slot.triggered = false;
        slot.next_run_at.reset();
        auto const by = std::exchange(slot.triggered_by, {});
        lock.unlock();
        run(slot, by);
        lock.lock();
    }
}

bool Runner::trigger(std::string const& name, app::TxContext by) {
    auto* slot = find(name);
    if (!slot) return false;
    {
        std::lock_guard lock(slot->mutex);
        slot->triggered = true;
        slot->triggered_by = std::move(by);
    }
    slot->wake.notify_all();
    return true;
}

RunResult Runner::run_now(std::string const& name) {
    auto* slot = find(name);
    return slot ? run(*slot) : RunResult::unknown;
}

bool Runner::take_lease(Slot& slot, Instant now, app::Tx& tx) {
    auto const& name = slot.spec.name;
    double const lease_s = std::max(options_.lease_s, 2 * slot.spec.interval_s);
    bool const mine = tx.jobs().acquire_lease(name, options_.instance, now, now.plus_seconds(lease_s));
    std::int64_t orphans = 0;
    if (mine) orphans = tx.jobs().interrupt_orphans(name, options_.instance, now);
    if (orphans > 0) log::warn("jobs.runs_interrupted", {log::str("job", name), log::num("runs", static_cast<long long>(orphans))});
    std::lock_guard lock(slot.mutex);
    if (mine && !slot.leased) log::info("jobs.lease_taken", {log::str("job", name), log::str("instance", options_.instance)});
    slot.leased = mine;
    return mine;
}

namespace {
// A finished run as an audit entry (category job).
app::AuditEntry run_entry(app::JobRunRecord const& rec, double took_s) {
    auto entry = app::domain_entry(rec.started_at, core::AuditCategory::job, "job.run", "job", rec.job);
    bool const ok = rec.outcome == app::JobOutcome::ok;
    entry.outcome = ok ? core::AuditOutcome::success : core::AuditOutcome::error;
    entry.level = ok ? core::AuditLevel::info : core::AuditLevel::warning;
    entry.latency_us = static_cast<std::int64_t>(took_s * 1e6);
    entry.details = app::json_members({{"run_id", std::to_string(rec.id)},
                                       {"instance", json_quote(rec.instance)},
                                       {"items", std::to_string(rec.items)},
                                       {"finished_at", json_quote(to_rfc3339(*rec.finished_at))},
                                       {"error", rec.error ? json_quote(*rec.error) : "null"}});
    return entry;
}
}  // namespace

RunResult Runner::run(Slot& slot, app::TxContext const& by) {
    auto const& spec = slot.spec;
    {
        std::lock_guard lock(slot.mutex);
        if (slot.running) return RunResult::busy;
        slot.running = true;
    }
    struct Done {
        Slot& s;
        ~Done() {
            std::lock_guard lock(s.mutex);
            s.running = false;
        }
    } done{slot};
    log::RequestScope scope(by.request_id);  // the run's lines carry the id of a request that caused it

    app::JobRunRecord rec;
    rec.job = spec.name;
    rec.instance = options_.instance;
    rec.started_at = clock_.now();
    bool const quiet = !spec.record_idle && !spec.single_instance;  // its row is written at the end, if at all
    if (!quiet) try {
        // The lease and the run's row in one transaction.
        auto tx = store_.begin(app::TxMode::write);
        if (spec.single_instance && !take_lease(slot, rec.started_at, *tx)) {
            tx->commit();
            std::lock_guard lock(slot.mutex);
            ++slot.skipped;
            return RunResult::not_leader;
        }
        rec.id = tx->jobs().insert_run(rec);
        tx->commit();
    } catch (std::exception const& e) {
        log::warn("jobs.start_failed", {log::str("job", spec.name), log::str("what", log::what(e))});
        std::lock_guard lock(slot.mutex);
        ++slot.failed;
        return RunResult::failed;
    }

    JobContext ctx{clock_, [this] { return stopping_.load(); },
                   [this, &slot] {
                       if (!slot.spec.single_instance) return;
                       auto tx = store_.begin(app::TxMode::write);
                       take_lease(slot, clock_.now(), *tx);
                       tx->commit();
                   }};
    auto const t0 = SteadyClock::now();
    try {
        rec.items = spec.run(ctx);
        rec.outcome = app::JobOutcome::ok;
    } catch (std::exception const& e) {
        rec.outcome = app::JobOutcome::failed;
        rec.error = core::clip_utf8(log::what(e), 2000);
        log::warn("jobs.run_failed", {log::str("job", spec.name), log::str("what", *rec.error)});
    }
    double const took_s = std::chrono::duration<double>(SteadyClock::now() - t0).count();
    rec.finished_at = clock_.now();
    if (quiet && rec.items == 0 && rec.outcome == app::JobOutcome::ok) {
        std::lock_guard lock(slot.mutex);
        ++slot.ok;
        slot.busy_s += took_s;
        slot.last_success = rec.finished_at;
        return RunResult::ok;
    }
    try {
        auto tx = store_.begin(app::TxMode::write, by);  // the entry carries who triggered it
        if (quiet) rec.id = tx->jobs().insert_run(rec);
        tx->jobs().finish_run(rec);
        tx->jobs().prune_runs(spec.name, options_.keep_runs);
        tx->audit().record(run_entry(rec, took_s));  // in the audit trail too, with its row
        tx->commit();
    } catch (std::exception const& e) {
        log::warn("jobs.record_failed", {log::str("job", spec.name), log::str("what", log::what(e))});
    }
    bool const ok = rec.outcome == app::JobOutcome::ok;
    std::lock_guard lock(slot.mutex);
    (ok ? slot.ok : slot.failed) += 1;
    slot.items += rec.items;
    slot.busy_s += took_s;
    if (ok) slot.last_success = rec.finished_at;
    return ok ? RunResult::ok : RunResult::failed;
}

std::vector<app::JobState> Runner::jobs() const {
    std::vector<app::JobState> out;
    for (auto const& s : slots_) {
        std::lock_guard lock(s->mutex);
        app::JobState j;
        j.name = s->spec.name;
        j.description = s->spec.description;
        j.interval_s = s->spec.interval_s;
        j.single_instance = s->spec.single_instance;
        j.running = s->running;
        j.next_run_at = s->next_run_at;
        j.runs = s->ok + s->failed;
        j.failures = s->failed;
        j.skipped = s->skipped;
        out.push_back(std::move(j));
    }
    return out;
}

std::string Runner::render_metrics() const {
    std::string runs, skipped, items, seconds_sum, seconds_count, last, running;
    for (auto const& s : slots_) {
        std::lock_guard lock(s->mutex);
        std::string const job = "job=\"" + core::escape_label_value(s->spec.name) + "\"";
        runs += "hrms_job_runs_total{" + job + ",outcome=\"ok\"} " + std::to_string(s->ok) + "\n";
        runs += "hrms_job_runs_total{" + job + ",outcome=\"failed\"} " + std::to_string(s->failed) + "\n";
        skipped += "hrms_job_skipped_total{" + job + "} " + std::to_string(s->skipped) + "\n";
        items += "hrms_job_items_total{" + job + "} " + std::to_string(s->items) + "\n";
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.6f", s->busy_s);
        seconds_sum += "hrms_job_run_seconds_sum{" + job + "} " + buf + "\n";
        seconds_count += "hrms_job_run_seconds_count{" + job + "} " + std::to_string(s->ok + s->failed) + "\n";
        std::snprintf(buf, sizeof buf, "%.3f", s->last_success ? static_cast<double>(s->last_success->ms) / 1000 : 0.0);
        last += "hrms_job_last_success_timestamp_seconds{" + job + "} " + buf + "\n";
        running += "hrms_job_running{" + job + "} " + std::string(s->running ? "1" : "0") + "\n";
    }
    return "# HELP hrms_job_runs_total Background job runs by this process, by outcome.\n"
           "# TYPE hrms_job_runs_total counter\n" + runs +
           "# HELP hrms_job_skipped_total Runs not made because another process held the job's lease.\n"
           "# TYPE hrms_job_skipped_total counter\n" + skipped +
           "# HELP hrms_job_items_total Items handled by job runs.\n"
           "# TYPE hrms_job_items_total counter\n" + items +
           "# HELP hrms_job_run_seconds Time spent in job runs.\n"
           "# TYPE hrms_job_run_seconds summary\n" + seconds_sum + seconds_count +
           "# HELP hrms_job_last_success_timestamp_seconds When a run last succeeded (0: never, in this process).\n"
           "# TYPE hrms_job_last_success_timestamp_seconds gauge\n" + last +
           "# HELP hrms_job_running 1 while a run is in progress in this process.\n"
           "# TYPE hrms_job_running gauge\n" + running;
}

}  // namespace hrms::jobs
