#include "hrms/audit/writer.hpp"

#include <pthread.h>

#include <chrono>

#include "hrms/app/log.hpp"

namespace hrms::audit {

Writer::Writer(app::Store& store, WriterOptions options) : store_(store), options_(options) {}

Writer::~Writer() {
    try {
        stop();
    } catch (...) {
    }
}

void Writer::record(app::AuditEntry entry) {
    // HRMS_AUDIT_ACCESS=0 turns off access entries only: security entries still go through.
    if (!options_.access && entry.category == core::AuditCategory::access) return;
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        if (static_cast<int>(buffer_.size()) >= options_.buffer) {
            buffer_.pop_front();  // the store has been away for long: keep the newest
            ++dropped_;
        }
        buffer_.push_back(std::move(entry));
        wake = static_cast<int>(buffer_.size()) == options_.batch;
    }
    if (wake) wake_.notify_one();
}

void Writer::start() {
    std::lock_guard lock(mutex_);
    if (started_) return;
    started_ = true;
    stopping_ = false;
    thread_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "audit-writer");  // in top -H and perf
        loop();
    });
}

void Writer::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
    // Everything left: the buffer (it may need several steps) and the pending domain entries.
    for (int i = 0; i < 1000; ++i) {
        std::size_t left;
        {
            std::lock_guard lock(mutex_);
            left = buffer_.size();
        }
        if (flush() == 0 && left == 0) break;
    }
}

void Writer::loop() {
    auto const interval = std::chrono::milliseconds(options_.flush_interval_ms);
    auto retry = interval;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, retry, [&] {
                return stopping_ || static_cast<int>(buffer_.size()) >= options_.batch;
            });
            if (stopping_) return;
        }
        try {
            flush();
            retry = interval;
        } catch (std::exception const&) {
            // flush() logged it; wait longer while the store is away (at most 5 s).
            retry = std::min<std::chrono::milliseconds>(retry * 2, std::chrono::milliseconds(5000));
        }
    }
}

std::int64_t Writer::flush() {
    std::lock_guard step_lock(step_mutex_);
    std::deque<app::AuditEntry> batch;
    {
        std::lock_guard lock(mutex_);
        // At most a few batches per step, so one step's transaction stays short.
        auto const most = static_cast<std::size_t>(options_.batch) * 4;
        if (buffer_.size() <= most) {
            batch.swap(buffer_);  // the usual case: everything, without moving an entry
        } else {
            batch.insert(batch.end(), std::make_move_iterator(buffer_.begin()),
                         std::make_move_iterator(buffer_.begin() + static_cast<std::ptrdiff_t>(most)));
            buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(most));
        }
    }
    try {
        auto const n = step(batch);
        std::lock_guard lock(mutex_);
        if (failing_) {
            failing_ = false;
            log::info("audit.store_back", {log::num("buffered", static_cast<long long>(buffer_.size()))});
        }
        return n;
    } catch (std::exception const& e) {
        std::lock_guard lock(mutex_);
        // Back to the front, in order, for the next step; the oldest go first when full.
        for (auto it = batch.rbegin(); it != batch.rend(); ++it) buffer_.push_front(std::move(*it));
        while (static_cast<int>(buffer_.size()) > options_.buffer) {
            buffer_.pop_front();
            ++dropped_;
        }
        ++failures_;
        if (!failing_) {
            failing_ = true;
            log::error("audit.write_failed", {log::str("what", log::what(e)),
                                              log::num("buffered", static_cast<long long>(buffer_.size()))});
        }
        throw;
    }
}

namespace {
// Moves the access entries of `moved` back into `batch`, as they were, after a step failed, so
// that flush() can keep them for the next one (domain entries stay pending in the database).
void give_back(std::vector<app::AuditEntry>& moved, std::deque<app::AuditEntry>& batch) {
    batch.clear();
    for (auto& e : moved) {
        if (e.pending_id) continue;
        e.seq = 0;
        e.hash.clear();
        batch.push_back(std::move(e));
    }
}
}  // namespace

std::int64_t Writer::step(std::deque<app::AuditEntry>& batch) {
    auto seal = store_.audit_log().begin_seal();
    std::int64_t n = 0;
    if (!seal->sealer()) {
        // Another process seals now: leave our entries pending for it.
        std::vector<app::AuditEntry> entries(std::make_move_iterator(batch.begin()),
                                             std::make_move_iterator(batch.end()));
        try {
            seal->add_pending(entries);
            seal->commit();
        } catch (...) {
            give_back(entries, batch);
            throw;
        }
        std::lock_guard lock(mutex_);
        stored_pending_ += static_cast<std::int64_t>(entries.size());
        ++steps_;
        return static_cast<std::int64_t>(entries.size());
    }
    auto const head = seal->head();
    auto pending = seal->pending(options_.pending_per_step);
    std::vector<app::AuditEntry> sealed;
    sealed.reserve(pending.size() + batch.size());
    std::int64_t seq = head.seq;
    std::string prev = head.seq ? head.hash : app::genesis_hash();
    auto add = [&](app::AuditEntry e) {
        e.seq = ++seq;
        e.hash = app::chain_hash(prev, e);
        prev = e.hash;
        sealed.push_back(std::move(e));
    };
    // Domain entries first: they committed before these requests' entries were taken.
    for (auto& e : pending) add(std::move(e));
    for (auto& e : batch) add(std::move(e));
    try {
        if (!sealed.empty()) seal->append(sealed);
        seal->commit();
    } catch (...) {
        give_back(sealed, batch);
        throw;
    }
    n = static_cast<std::int64_t>(sealed.size());
    std::lock_guard lock(mutex_);
    sealed_ += n;
    ++steps_;
    return n;
}

std::string Writer::render_metrics() const {
    std::lock_guard lock(mutex_);
    return "# HELP hrms_audit_entries_sealed_total Audit entries this process appended to the chain.\n"
           "# TYPE hrms_audit_entries_sealed_total counter\n"
           "hrms_audit_entries_sealed_total " + std::to_string(sealed_) + "\n"
           "# HELP hrms_audit_entries_handed_over_total Access entries stored for another process's sealer.\n"
           "# TYPE hrms_audit_entries_handed_over_total counter\n"
           "hrms_audit_entries_handed_over_total " + std::to_string(stored_pending_) + "\n"
           "# HELP hrms_audit_buffered Access entries waiting in memory to be written.\n"
           "# TYPE hrms_audit_buffered gauge\n"
           "hrms_audit_buffered " + std::to_string(buffer_.size()) + "\n"
           "# HELP hrms_audit_dropped_total Access entries dropped because the buffer was full while the store was away.\n"
           "# TYPE hrms_audit_dropped_total counter\n"
           "hrms_audit_dropped_total " + std::to_string(dropped_) + "\n"
           "# HELP hrms_audit_write_failures_total Sealing steps that failed (the entries stay buffered).\n"
           "# TYPE hrms_audit_write_failures_total counter\n"
           "hrms_audit_write_failures_total " + std::to_string(failures_) + "\n";
}

}  // namespace hrms::audit
