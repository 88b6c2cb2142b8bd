#pragma once
// The audit ports. A write transaction records domain entries (tx->audit().record) as rows
// waiting to be sealed, committed or rolled back with the change; the sealer (audit/writer)
// moves them, with the access entries it buffered, into the hash chain through an AuditSeal;
// reads (search, one entry, the walk that verifies) go through tx->audit() too.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hrms/core/audit.hpp"

namespace hrms::app {

using core::AuditEntry;

// A search of the sealed chain, newest first. Every given filter must match.
struct AuditQuery {
    std::optional<std::int64_t> actor_id;
    std::optional<core::AuditCategory> category;
    std::optional<core::AuditLevel> level;
    std::optional<core::AuditOutcome> outcome;
    std::optional<std::string> action;
    std::optional<std::string> target_type;
    std::optional<std::string> target_id;
    std::optional<std::string> request_id;
    std::optional<Instant> from;  // time >= from
    std::optional<Instant> to;    // time < to
    std::optional<std::int64_t> before_seq;  // keyset cursor
    int limit = 50;
};

// A signed statement that the chain's entry `seq` has hash `hash` (app/audit_key.hpp).
struct AuditCheckpoint {
    std::int64_t seq = 0;
    std::string hash;
    Instant at;
    std::string public_key;  // hex Ed25519 public key
    std::string signature;   // hex Ed25519 signature of checkpoint_message()
};

class AuditRepo {
public:
    virtual ~AuditRepo() = default;
    // Adds a domain entry to this transaction; actor and request id default to the
    // transaction's context. Throws (and so fails the transaction) when it cannot be written.
    virtual void record(AuditEntry entry) = 0;
    virtual std::vector<AuditEntry> search(AuditQuery const& query) = 0;
    virtual std::optional<AuditEntry> by_seq(std::int64_t seq) = 0;
    // Calls `fn` with every sealed entry with seq >= from, by ascending seq, until it returns
    // false.
    virtual void scan(std::int64_t from, std::function<bool(AuditEntry const&)> const& fn) = 0;
    // Every checkpoint, by ascending seq.
    virtual std::vector<AuditCheckpoint> checkpoints() = 0;
};

// The newest sealed entry.
struct ChainHead {
    std::int64_t seq = 0;  // 0: the chain is empty
    std::string hash;
};

// One sealing step, in a transaction of its own. Destroyed without commit() it rolls back.
class AuditSeal {
public:
    virtual ~AuditSeal() = default;
    // True when this step holds the sealer's lock (always on SQLite; on PostgreSQL one
    // process at a time). Only the holder may read the head and append.
    virtual bool sealer() const = 0;
    virtual ChainHead head() = 0;
    // Domain entries waiting to be sealed, oldest first, at most `limit` (pending_id set).
    virtual std::vector<AuditEntry> pending(int limit) = 0;
    // Appends sealed entries (seq and hash set, consecutive after the head); the pending rows
    // among them are removed with the commit.
    virtual void append(std::span<AuditEntry const> sealed) = 0;
    // For a step that is not the sealer: stores access entries as pending, for the sealer.
    virtual void add_pending(std::span<AuditEntry const> entries) = 0;
    // Deletes the chain's entries up to `seq` (retention, after they were archived; the sealer
    // only). Checkpoints are kept: they vouch for the first entry that remains.
    virtual std::int64_t drop_through(std::int64_t seq) = 0;
    // The newest checkpoint's seq (0: none), and a new one (the sealer only).
    virtual std::int64_t last_checkpoint() = 0;
    virtual void add_checkpoint(AuditCheckpoint const& checkpoint) = 0;
    virtual void commit() = 0;
};

class AuditLog {
public:
    virtual ~AuditLog() = default;
    virtual std::unique_ptr<AuditSeal> begin_seal() = 0;
};

}  // namespace hrms::app
