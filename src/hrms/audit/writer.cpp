#include "hrms/audit/writer.hpp"

#include <pthread.h>

#include <algorithm>
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
        buffer_.push_back(std::move(entry));
        keep_within_capacity();
        wake = static_cast<int>(buffer_.size()) == options_.batch;
    }
    if (wake) wake_.notify_one();
}

void Writer::keep_within_capacity() {
    auto const capacity = static_cast<std::size_t>(std::max(options_.buffer, 1));
    if (buffer_.size() <= capacity) return;
    // The store has been away for long: keep the newest. The oldest go with a sixteenth of the
    // capacity more, so that a full buffer does not shift every entry on every request.
    auto const drop = buffer_.size() - capacity + capacity / 16;
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(drop));
    dropped_ += static_cast<std::int64_t>(drop);
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
    std::vector<app::AuditEntry> batch;
    {
        std::lock_guard lock(mutex_);
        // At most a few batches per step, so one step's transaction stays short.
        auto const most = static_cast<std::size_t>(options_.batch) * 4;
        if (buffer_.size() <= most) {
            batch.swap(buffer_);  // the usual case: everything, without moving an entry
        } else {
            batch.reserve(most);
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
        batch.insert(batch.end(), std::make_move_iterator(buffer_.begin()), std::make_move_iterator(buffer_.end()));
        buffer_.swap(batch);
        keep_within_capacity();
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
// After a failed step: `batch` is kept for the next one as it was (domain entries stay pending
// in the database).
void unseal(std::vector<app::AuditEntry>& batch) {
    for (auto& e : batch) {
        e.seq = 0;
        e.hash.clear();
    }
}
}  // namespace

std::int64_t Writer::step(std::vector<app::AuditEntry>& batch) {
    auto seal = store_.audit_log().begin_seal();
    if (!seal->sealer()) {
        // Another process seals now: leave our entries pending for it.
        seal->add_pending(batch);
        seal->commit();
        std::lock_guard lock(mutex_);
        stored_pending_ += static_cast<std::int64_t>(batch.size());
        ++steps_;
        return static_cast<std::int64_t>(batch.size());
    }
    auto const head = seal->head();
    auto pending = seal->pending(options_.pending_per_step);
    std::int64_t seq = head.seq;
    std::string prev = head.seq ? head.hash : app::genesis_hash();
    // Sealed where they are, without moving an entry.
    auto seal_all = [&](std::vector<app::AuditEntry>& entries) {
        for (auto& e : entries) {
            e.seq = ++seq;
            e.hash = app::chain_hash(prev, e);
            prev = e.hash;
        }
    };
    // Domain entries first: they committed before these requests' entries were taken.
    seal_all(pending);
    seal_all(batch);
    try {
        seal->append(pending);
        seal->append(batch);
        seal->commit();
    } catch (...) {
        unseal(batch);
        throw;
    }
    auto const n = static_cast<std::int64_t>(pending.size() + batch.size());
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
