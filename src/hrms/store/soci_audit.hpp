#pragma once
// Internal to store/: the audit ports (soci_audit.cpp).
#include <cstdint>
#include <memory>
#include <mutex>

#include "hrms/app/ports.hpp"
#include "hrms/store/soci_store.hpp"

namespace hrms::store {

// The sealer's steps: on SQLite on a connection of its own, on PostgreSQL on a pooled one that
// takes the sealer's advisory lock for the step.
class SociAuditLog final : public app::AuditLog {
public:
    explicit SociAuditLog(SociStore& store);
    ~SociAuditLog() override;
    std::unique_ptr<app::AuditSeal> begin_seal() override;
    // SQLite: removes the pending rows up to `upto` from the main file, now that the chain's
    // file holds them. Called with the seal mutex held.
    void prune_pending(std::int64_t upto);
    // SQLite: the chain's insert statements, prepared once on the sealer's connection (`conn`).
    struct ChainInsert;
    ChainInsert& chain_insert(Conn& conn);

private:
    SociStore& store_;
    std::mutex mutex_;  // one step at a time in this process
    std::unique_ptr<Conn> sealer_conn_;
    // Declared after the connection, so finalized before it closes.
    std::unique_ptr<ChainInsert> insert_;
    std::int64_t pruned_upto_ = 0;
};

}  // namespace hrms::store
