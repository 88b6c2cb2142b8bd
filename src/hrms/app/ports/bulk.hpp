#pragma once
// The bulk-jobs port: a job per bulk request and a row per item (app/bulk.hpp runs them).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hrms/app/ports/users.hpp"

namespace hrms::app {

using BulkJobId = std::int64_t;

struct BulkJobRecord {
    BulkJobId id = 0;
    std::string kind;  // profiles.decision, profiles.status, roles, managers, documents.decision, notifications
    UserId actor_id = 0;
    std::string request_id;
    std::string idempotency_key;  // empty: none
    std::string request_hash;     // of the request the key came with
    std::string status;           // running, completed, cancelled
    std::string params;           // JSON object: the request's common values
    std::int64_t total = 0;
    std::int64_t done = 0;
    std::int64_t succeeded = 0;
    std::int64_t failed = 0;
    bool cancel_requested = false;
    Instant created_at;
    Instant updated_at;
    std::optional<Instant> finished_at;
};

struct BulkItemRecord {
    BulkJobId job_id = 0;
    std::int64_t seq = 0;  // the item's place in the request, from 0
    std::string input;     // the item as given: an id or a JSON object
    std::string target;    // the id it acts on ("" when it named none)
    std::string status = "pending";  // pending, ok, failed, cancelled
    std::string error_code;
    std::string error_message;
};

struct BulkJobQuery {
    std::optional<UserId> actor;
    std::optional<std::string> status;
    std::optional<BulkJobId> before_id;  // keyset: newest first
    int limit = 50;
};

// A job's progress for its actor's live sessions (a `bulk_progress` frame).
struct BulkProgress {
    UserId user = 0;
    BulkJobId job_id = 0;
    std::int64_t done = 0;
    std::int64_t total = 0;
    std::int64_t succeeded = 0;
    std::int64_t failed = 0;
};

class BulkRepo {
public:
    virtual ~BulkRepo() = default;
    // Inserts the job (status running, no counts) and its items in order; returns its id.
    virtual BulkJobId create(BulkJobRecord const& job, std::vector<BulkItemRecord> const& items) = 0;
    virtual std::optional<BulkJobRecord> by_id(BulkJobId id) = 0;
    // The actor's job with this Idempotency-Key, if any.
    virtual std::optional<BulkJobRecord> by_key(UserId actor, std::string const& key) = 0;
    virtual std::vector<BulkJobRecord> list(BulkJobQuery const& q) = 0;
    // Items with seq > after, ascending, at most `limit`.
    virtual std::vector<BulkItemRecord> items(BulkJobId job, std::int64_t after, int limit) = 0;
    // The next `limit` pending items, locked for this transaction (PostgreSQL: FOR UPDATE SKIP
    // LOCKED, so two runners of one job never take the same item).
    virtual std::vector<BulkItemRecord> take_pending(BulkJobId job, int limit) = 0;
    // Records an item's outcome (status, error).
    virtual void finish_item(BulkItemRecord const& item) = 0;
    // Adds a batch's outcomes to the job's counts.
    virtual void count(BulkJobId job, std::int64_t done, std::int64_t succeeded, std::int64_t failed,
                       Instant now) = 0;
    // Takes (or renews) the job's claim for `owner` until `until`; false when another owner's
    // claim holds at `now` or the job is no longer running.
    virtual bool claim(BulkJobId job, std::string const& owner, Instant now, Instant until) = 0;
    // Drops every running job's claim (a process starting alone on its database: the claims are
    // a dead process's); how many there were.
    virtual std::int64_t release_claims() = 0;
    // Running jobs whose claim has lapsed at `now` (their runner died), oldest first.
    virtual std::vector<BulkJobId> unclaimed(Instant now, int limit) = 0;
    // Marks every pending item cancelled (counted as done); how many there were.
    virtual std::int64_t cancel_pending(BulkJobId job, Instant now) = 0;
    // Sets cancel_requested on a running job; false when it is not running.
    virtual bool request_cancel(BulkJobId job, Instant now) = 0;
    // Ends the job with `status` (completed or cancelled) and drops its claim.
    virtual void finish(BulkJobId job, std::string const& status, Instant now) = 0;
    // A progress frame for the job's actor, published when this transaction commits.
    virtual void progress(BulkProgress const& p) = 0;
};

}  // namespace hrms::app
