#pragma once
// Internal to store/: one unit of work on a pooled SOCI session, with every query of the Tx port.
#include <soci/soci.h>

#include <memory>
#include <mutex>

#include "hrms/app/ports.hpp"
#include "hrms/store/soci_store.hpp"

namespace hrms::store {

class SociTx final : public app::Tx {
public:
    // Write units start a transaction at once (SQLite: BEGIN IMMEDIATE, so the writer lock is
    // taken up front and never upgraded mid-way); read units run in autocommit.
    // `live` (may be null) receives what this Tx changed for live sessions once it commits;
    // `publish` serializes COMMIT and that hand-over, so batches arrive in commit order.
    // `effects` (may be null) receives the local part of what it recorded, after COMMIT.
    SociTx(Dialect dialect, SessionPool& pool, std::unique_ptr<Conn> session, bool write,
           app::TxContext context = {}, app::LiveSink* live = nullptr, std::mutex* publish = nullptr,
           app::EffectSink* effects = nullptr);
    ~SociTx() override;

    void serialize(Lock what) override;
    app::JobRepo& jobs() override;
    app::TxContext const& context() const override { return context_; }
    void record_invite(app::IssuedInvite invite) override;
    std::optional<app::UserRecord> user_by_id(app::UserId id) override;
    std::optional<app::UserRecord> user_by_email(std::string const& email) override;
    app::UserId insert_user(app::NewUser const& user) override;
    std::vector<app::UserRecord> list_users(app::UserQuery const& query) override;
    void set_user_roles(app::UserId id, std::vector<std::string> const& roles,
                        std::string const& now) override;
    void set_user_status(app::UserId id, std::string const& status, std::string const& now) override;
    void set_user_name(app::UserId id, std::string const& name, std::string const& now) override;
    void set_manager(app::UserId id, std::optional<app::UserId> manager,
                     std::string const& now) override;
    core::ManagerLinks manager_chain(app::UserId start, int limit) override;
    std::optional<LoginFailures> login_failures(std::string const& email_key, std::string const& ip,
                                                std::string const& since) override;
    int login_failure_addresses(std::string const& email_key, std::string const& since) override;
    void record_login_failure(std::string const& email_key, std::string const& ip, std::string const& now,
                              std::string const& since) override;
    void clear_login_failures(std::string const& email_key, std::string const& ip) override;
    void set_password(app::UserId id, std::string const& hash, std::string const& now) override;
    bool admin_exists() override;
    std::int64_t count_users_with_role(std::string const& role) override;
    std::int64_t count_active_admins() override;

    void insert_session(app::SessionRecord const& session) override;
    std::optional<app::SessionView> session_by_hash(std::string const& token_hash) override;
    void touch_session(std::string const& token_hash, std::string const& expires_at,
                       std::string const& last_seen_at) override;
    void delete_session(std::string const& token_hash) override;
    std::int64_t delete_user_sessions(app::UserId id) override;
    std::int64_t end_user_sessions(app::UserId id) override;
    std::int64_t delete_expired_sessions(std::string const& now) override;

    void insert_invite(app::InviteRecord const& invite, std::string const& now) override;
    std::optional<app::InviteRecord> invite_by_hash(std::string const& token_hash) override;
    void mark_invite_used(std::string const& token_hash, std::string const& now) override;

    std::vector<app::RoleRecord> list_roles() override;
    std::optional<app::RoleRecord> role(std::string const& name) override;
    void upsert_role(app::RoleRecord const& role) override;
    void delete_role(std::string const& name) override;
    std::int64_t roles_version() override;

    app::ProfileId insert_profile(app::UserId user, std::string const& search,
                                  std::string const& now) override;
    std::optional<app::ProfileRecord> profile_by_id(app::ProfileId id) override;
    std::optional<app::ProfileRecord> profile_by_user(app::UserId user) override;
    void update_profile(app::ProfileRecord const& p) override;
    std::vector<app::ProfileRecord> list_profiles(app::QueueQuery const& query) override;
    std::optional<core::SlaClock> sla_clock(app::ProfileId id, core::Stage stage) override;
    void save_sla_clock(app::ProfileId id, core::SlaClock const& clock) override;
    void insert_history(app::HistoryRecord const& h) override;
    std::vector<app::HistoryRecord> history(app::ProfileId id) override;

    std::vector<app::DocumentTypeRecord> document_types() override;
    std::vector<app::DocumentRecord> documents_of(app::ProfileId id, bool all_versions) override;
    std::optional<app::DocumentRecord> document_by_id(app::DocumentId id) override;
    app::DocumentId insert_document(app::DocumentRecord const& d) override;
    void review_document(app::DocumentId id, std::string const& status, app::UserId reviewer,
                         std::string const& at, std::string const& reason) override;

    std::int64_t insert_notification(app::NotificationRecord const& n) override;
    std::vector<app::NotificationRecord> notifications(std::vector<std::string> const& channels,
                                                       std::int64_t after, int limit,
                                                       app::UserId reader) override;
    std::optional<app::NotificationRecord> notification(std::int64_t id) override;
    void mark_read(app::UserId reader, std::int64_t id) override;
    std::int64_t mark_all_read(app::UserId reader, std::vector<std::string> const& channels) override;
    std::int64_t unread_count(app::UserId reader, std::vector<std::string> const& channels) override;
    std::vector<app::NotificationRecord> notifications_between(std::int64_t first, std::int64_t last, int limit,
                                                               bool newest_first) override;
    std::int64_t last_notification_id(std::vector<std::string> const& channels) override;
    std::vector<StageCount> profile_counts() override;

    void commit() override;

private:
    // Hands the committed effects to the sinks (under the publish lock).
    void publish();
    std::optional<app::ProfileRecord> profile_where(char const* where, long long key);
    std::vector<app::DocumentRecord> documents_where(std::string const& where, long long key);

    // Runs `fn`, remembering a failure so the session is checked before it is reused.
    template <class F>
    auto guard(F&& fn) -> decltype(fn()) {
        return guarded(suspect_, std::forward<F>(fn));
    }
    void bump_roles_version();

    Dialect dialect_;
    SessionPool& pool_;
    std::unique_ptr<Conn> sql_;
    bool write_;
    app::TxContext context_;
    app::LiveSink* live_sink_;
    std::mutex* publish_;
    app::EffectSink* effect_sink_;
    app::LiveBatch live_;
    std::vector<app::IssuedInvite> invites_;
    bool open_ = false;
    bool suspect_ = false;
    std::unique_ptr<app::JobRepo> jobs_;  // made on first use
};

}  // namespace hrms::store
