#include "hrms/store/soci_tx.hpp"

#include <stdexcept>

#include "hrms/app/log.hpp"
#include "hrms/store/locks.hpp"
#include "hrms/store/pg_bus.hpp"

namespace hrms::store {

using soci::use;

SociTx::SociTx(Dialect dialect, ConnectionPool& pool, std::unique_ptr<Conn> connection, bool write,
               app::TxContext context, app::LiveSink* live, std::mutex* publish, app::EffectSink* effects)
    : pool_(pool), state_{dialect, std::move(connection), write, std::move(context), {}, false}, live_sink_(live),
      publish_(publish), effect_sink_(effects) {
    if (state_.write) {
        try {
            *state_.sql << (state_.dialect == Dialect::sqlite ? "BEGIN IMMEDIATE" : "BEGIN");
            open_ = true;
        } catch (...) {
            pool_.release(std::move(state_.sql), true);
            throw;
        }
    }
}

SociTx::~SociTx() {
    if (open_) {
        try {
            *state_.sql << "ROLLBACK";
        } catch (std::exception const&) {
            state_.suspect = true;
        }
    }
    pool_.release(std::move(state_.sql), state_.suspect);
}

void SociTx::record_invite(app::IssuedInvite invite) { invites_.push_back(std::move(invite)); }

void SociTx::statement(std::string const& text) {
    run_cached(*state_.sql, state_.sql->writes, state_.dialect == Dialect::sqlite, text, false);
}

void SociTx::savepoint() {
    guard([&] {
        auto const& l = state_.live;
        mark_ = Mark{l.notifications.size(), l.ended_sessions.size(), l.blocked_users.size(),
                     l.changed_users.size(), l.changed_roles.size(), l.progress.size(), invites_.size()};
        statement("SAVEPOINT item");
    });
}

void SociTx::rollback_to_savepoint() {
    guard([&] {
        if (!mark_) throw std::logic_error("rollback_to_savepoint without a savepoint");
        // ROLLBACK TO keeps the savepoint open: RELEASE ends it.
        statement("ROLLBACK TO SAVEPOINT item");
        statement("RELEASE SAVEPOINT item");
        auto& l = state_.live;
        l.notifications.resize(mark_->notifications);
        l.ended_sessions.resize(mark_->ended_sessions);
        l.blocked_users.resize(mark_->blocked_users);
        l.changed_users.resize(mark_->changed_users);
        l.changed_roles.resize(mark_->changed_roles);
        l.progress.resize(mark_->progress);
        invites_.resize(mark_->invites);
        mark_.reset();
    });
}

void SociTx::release_savepoint() {
    guard([&] {
        if (!mark_) throw std::logic_error("release_savepoint without a savepoint");
        statement("RELEASE SAVEPOINT item");
        mark_.reset();
    });
}

void SociTx::commit() {
    guard([&] {
        if (!open_) return;
        bool const pg = state_.dialect == Dialect::postgresql;
        if (pg && !state_.live.empty()) {
            // Every process (this one too) learns of the batch from its listener, in commit
            // order: NOTIFY is delivered at COMMIT. Ids only, never bodies.
            for (auto const& payload : encode_live_payloads(state_.live)) {
                std::string channel = kLiveChannel;
                *state_.sql << "SELECT pg_notify(:c, :p)", use(channel), use(payload);
            }
        }
        // Only what must reach a sink in commit order takes the publish lock: live batches on
        // SQLite (PostgreSQL orders them through NOTIFY) and local effects (invites).
        bool const live_here = !pg && live_sink_ && !state_.live.empty();
        bool const local = effect_sink_ && !invites_.empty();
        if (!live_here && !local) {
            *state_.sql << "COMMIT";
            open_ = false;
            return;
        }
        // Effects reach their sinks in commit order: COMMIT and the hand-over happen under one
        // lock. (On SQLite the single writer connection orders commits already; on PostgreSQL
        // notification writers also hold an advisory lock until COMMIT, so ids are assigned in
        // commit order too.) Live sessions skip ids they have already sent, which is why order
        // matters to them.
        std::unique_lock lock(*publish_);
        *state_.sql << "COMMIT";
        open_ = false;
        publish();
    });
}

void SociTx::publish() {
    // What committed stays committed whatever a sink does: live sessions catch up from the
    // database, and a failure is logged (without the effects' contents).
    if (state_.dialect == Dialect::sqlite && live_sink_ && !state_.live.empty()) {
        try {
            live_sink_->committed(state_.live);
        } catch (std::exception const& e) {
            log::error("live.publish_failed", {log::str("what", log::what(e))});
        }
    }
    if (effect_sink_ && !invites_.empty()) {
        try {
            effect_sink_->committed(state_.context, app::Effects{std::move(state_.live), std::move(invites_)});
        } catch (std::exception const& e) {
            log::error("effects.publish_failed", {log::str("request_id", state_.context.request_id),
                                                  log::str("what", log::what(e))});
        }
    }
}

void SociTx::serialize(Lock what) {
    if (state_.dialect != Dialect::postgresql) return;
    guard([&] {
        // Transaction-scoped advisory locks: released at commit or rollback.
        PgLock const lock = what == Lock::roles      ? PgLock::roles
                            : what == Lock::managers ? PgLock::managers
                            : what == Lock::sla_scan ? PgLock::sla_scan
                            : what == Lock::bulk_keys ? PgLock::bulk_keys
                                                     : PgLock::user_emails;
        long long k = key(lock);
        *state_.sql << "SELECT pg_advisory_xact_lock(:k)", use(k);
    });
}

}  // namespace hrms::store
