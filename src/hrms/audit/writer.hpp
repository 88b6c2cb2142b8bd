#pragma once
// The batching writer and the chain's sealer, one thread. Access entries (HTTP requests,
// WebSocket connects and disconnects) are buffered in memory and, every flush interval or as
// soon as a batch fills, sealed into the chain together with the domain entries that committed
// transactions left pending: each gets the next sequence number and
// hash = SHA-256(previous hash || canonical form). On PostgreSQL one process at a time seals
// (an advisory lock per step); a process that does not get the lock stores its access entries
// as pending for the one that does. A stop flushes everything.
//
// What a crash can lose: the access entries buffered since the last flush (at most one flush
// interval's worth, and never more than the buffer's capacity). Domain entries are never lost:
// they commit with their change.
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hrms/app/audit.hpp"

namespace hrms::audit {

struct WriterOptions {
    bool access = true;           // record access entries (HRMS_AUDIT_ACCESS)
    int flush_interval_ms = 100;  // HRMS_AUDIT_FLUSH_MS
    int batch = 2000;             // entries that trigger a flush before the interval ends
    int buffer = 100000;          // entries held while the store is unavailable; beyond, the oldest go
    int pending_per_step = 5000;  // domain entries sealed per step
};

class Writer final : public app::AccessLog {
public:
    Writer(app::Store& store, WriterOptions options);
    ~Writer() override;
    Writer(Writer const&) = delete;
    Writer& operator=(Writer const&) = delete;

    bool enabled() const override { return options_.access; }
    // Buffers `entry` (never blocks on the database).
    void record(app::AuditEntry entry) override;

    void start();
    // Stops the thread after sealing everything buffered and pending. Idempotent.
    void stop();
    // Seals what is buffered and pending now, on the calling thread; the number of entries
    // sealed (or stored as pending, when another process seals). Throws when the store fails
    // (the entries stay buffered).
    std::int64_t flush();
    // Prometheus text: entries sealed, buffered, dropped, write failures.
    std::string render_metrics() const;

private:
    void loop();
    std::int64_t step(std::vector<app::AuditEntry>& batch);
    void keep_within_capacity();  // mutex_ held

    app::Store& store_;
    WriterOptions options_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<app::AuditEntry> buffer_;  // oldest first
    bool stopping_ = false;
    bool started_ = false;
    std::thread thread_;
    std::mutex step_mutex_;  // one step at a time (the thread, flush(), stop())
    // Metrics.
    std::int64_t sealed_ = 0, stored_pending_ = 0, dropped_ = 0, failures_ = 0, steps_ = 0;
    bool failing_ = false;
};

}  // namespace hrms::audit
