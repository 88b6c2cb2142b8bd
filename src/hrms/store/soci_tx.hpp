#pragma once
// Internal to store/: one unit of work on a pooled connection. Its queries live in the
// per-aggregate ports (soci_repos.hpp); this class begins, commits and publishes.
#include <soci/soci.h>

#include <memory>
#include <mutex>
#include <optional>

#include "hrms/app/ports.hpp"
#include "hrms/store/soci_repos.hpp"
#include "hrms/store/soci_store.hpp"

namespace hrms::store {

class SociTx final : public app::Tx {
public:
    // Write units start a transaction at once (SQLite: BEGIN IMMEDIATE, so the writer lock is
    // taken up front and never upgraded mid-way); read units run in autocommit.
    // `live` (may be null) receives what this Tx changed for live sessions once it commits;
    // `publish` serializes COMMIT and that hand-over, so batches arrive in commit order.
    // `effects` (may be null) receives the local part of what it recorded, after COMMIT.
    SociTx(Dialect dialect, ConnectionPool& pool, std::unique_ptr<Conn> connection, bool write,
           app::TxContext context = {}, app::LiveSink* live = nullptr, std::mutex* publish = nullptr,
           app::EffectSink* effects = nullptr);
    ~SociTx() override;

    app::UserRepo& users() override { return users_; }
    app::SessionRepo& sessions() override { return sessions_; }
    app::RoleRepo& roles() override { return roles_; }
    app::ProfileRepo& profiles() override { return profiles_; }
    app::DocumentRepo& documents() override { return documents_; }
    app::NotificationRepo& notifications() override { return notifications_; }
    app::JobRepo& jobs() override { return jobs_; }
    app::AuditRepo& audit() override { return audit_; }
    app::EmailRepo& email() override { return email_; }
    app::BulkRepo& bulk() override { return bulk_; }
    app::ReportRepo& reports() override { return reports_; }

    void serialize(Lock what) override;
    app::TxContext const& context() const override { return state_.context; }
    void record_invite(app::IssuedInvite invite) override;
    void savepoint() override;
    void rollback_to_savepoint() override;
    void release_savepoint() override;
    void commit() override;

private:
    // Runs a statement without values, prepared once per connection (savepoints: one per item).
    void statement(std::string const& text);
    // Hands the committed effects to the sinks (under the publish lock).
    void publish();
    template <class F>
    auto guard(F&& fn) -> decltype(fn()) {
        return guarded(state_.suspect, std::forward<F>(fn));
    }

    ConnectionPool& pool_;
    TxState state_;
    app::LiveSink* live_sink_;
    std::mutex* publish_;
    app::EffectSink* effect_sink_;
    std::vector<app::IssuedInvite> invites_;
    bool open_ = false;
    SociUsers users_{state_};
    SociSessions sessions_{state_};
    SociRoles roles_{state_};
    SociProfiles profiles_{state_};
    SociDocuments documents_{state_};
    SociNotifications notifications_{state_};
    SociJobs jobs_{state_};
    SociAudit audit_{state_};
    SociEmail email_{state_};
    SociBulk bulk_{state_};
    SociReports reports_{state_};
    // What the open savepoint's rollback cuts the collected effects back to.
    struct Mark {
        std::size_t notifications, ended_sessions, blocked_users, changed_users, changed_roles, progress, invites;
    };
    std::optional<Mark> mark_;
};

}  // namespace hrms::store
