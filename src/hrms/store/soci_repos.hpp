#pragma once
// Internal to store/: the per-aggregate ports of one SociTx (app/ports/), each on the
// transaction's connection, one file each (soci_users.cpp, soci_roles.cpp, soci_profiles.cpp,
// soci_documents.cpp, soci_notifications.cpp, soci_jobs.cpp, soci_audit.cpp, soci_email.cpp, soci_bulk.cpp).
#include <memory>

#include "hrms/app/ports.hpp"
#include "hrms/store/soci_store.hpp"
#include "hrms/store/soci_types.hpp"

namespace hrms::store {

// What every port of one transaction shares: its connection and dialect, whether it writes, who
// it acts for, the live batch its writes add to, and the flag that has the connection checked
// before reuse after a failed statement.
struct TxState {
    Dialect dialect;
    std::unique_ptr<Conn> sql;
    bool write = false;
    app::TxContext context;
    app::LiveBatch live;
    bool suspect = false;
};

class SociRepo {
protected:
    explicit SociRepo(TxState& tx)
        : dialect_(tx.dialect), sql_(tx.sql), write_(tx.write), context_(tx.context), live_(tx.live),
          suspect_(tx.suspect) {}

    // Runs `fn`, remembering a failure so the connection is checked before it is reused.
    template <class F>
    auto guard(F&& fn) -> decltype(fn()) {
        return guarded(suspect_, std::forward<F>(fn));
    }
    // A hot write, prepared once per connection (stmt_cache.hpp); with `returning`, its id.
    template <class... T>
    long long write(std::string const& text, bool returning, T const&... args) {
        return run_cached(*sql_, sql_->writes, dialect_ == Dialect::sqlite, text, returning, args...);
    }

    Dialect dialect_;
    std::unique_ptr<Conn>& sql_;
    bool write_;
    app::TxContext const& context_;
    app::LiveBatch& live_;
    bool& suspect_;
};

class SociUsers final : public app::UserRepo, SociRepo {
public:
    explicit SociUsers(TxState& tx) : SociRepo(tx) {}
    std::optional<app::UserRecord> by_id(app::UserId id) override;
    std::optional<app::UserRecord> by_email(std::string const& email) override;
    app::UserId insert(app::NewUser const& user) override;
    std::vector<app::UserRecord> list(app::UserQuery const& query) override;
    void set_roles(app::UserId id, std::vector<std::string> const& roles, Instant now) override;
    void set_status(app::UserId id, core::UserStatus status, Instant now) override;
    void set_name(app::UserId id, std::string const& name, Instant now) override;
    void set_manager(app::UserId id, std::optional<app::UserId> manager, Instant now) override;
    void set_password(app::UserId id, std::string const& hash, Instant now) override;
    core::ManagerLinks manager_chain(app::UserId start, int limit) override;
    bool admin_exists() override;
    std::int64_t count_with_role(std::string const& role) override;
    std::int64_t count_active_admins() override;
    std::optional<LoginFailures> login_failures(std::string const& email_key, std::string const& ip,
                                                Instant since) override;
    int login_failure_addresses(std::string const& email_key, Instant since) override;
    void record_login_failure(std::string const& email_key, std::string const& ip, Instant now,
                              Instant since) override;
    void clear_login_failures(std::string const& email_key, std::string const& ip) override;
};

class SociSessions final : public app::SessionRepo, SociRepo {
public:
    explicit SociSessions(TxState& tx) : SociRepo(tx) {}
    void insert(app::SessionRecord const& session) override;
    std::optional<app::SessionView> by_hash(std::string const& token_hash) override;
    void touch(std::string const& token_hash, Instant expires_at, Instant last_seen_at) override;
    void remove(std::string const& token_hash) override;
    std::int64_t revoke_all(app::UserId id) override;
    std::int64_t end_all(app::UserId id) override;
    std::int64_t remove_expired(Instant now) override;
    void insert_invite(app::InviteRecord const& invite, Instant now) override;
    std::optional<app::InviteRecord> invite_by_hash(std::string const& token_hash) override;
    void mark_invite_used(std::string const& token_hash, Instant now) override;
};

class SociRoles final : public app::RoleRepo, SociRepo {
public:
    explicit SociRoles(TxState& tx) : SociRepo(tx) {}
    std::vector<app::RoleRecord> list() override;
    std::optional<app::RoleRecord> find(std::string const& name) override;
    void upsert(app::RoleRecord const& role) override;
    void remove(std::string const& name) override;
    std::int64_t version() override;

private:
    void bump_roles_version();
};

class SociProfiles final : public app::ProfileRepo, SociRepo {
public:
    explicit SociProfiles(TxState& tx) : SociRepo(tx) {}
    app::ProfileId insert(app::UserId user, Instant now) override;
    std::optional<app::ProfileRecord> by_id(app::ProfileId id) override;
    std::optional<app::ProfileRecord> by_user(app::UserId user) override;
    void update(app::ProfileRecord const& p) override;
    std::vector<app::ProfileRecord> list(app::QueueQuery const& query) override;
    std::optional<core::SlaClock> sla_clock(app::ProfileId id, core::Stage stage) override;
    void save_sla_clock(app::ProfileId id, core::SlaClock const& clock) override;
    void insert_history(app::HistoryRecord const& h) override;
    std::vector<app::HistoryRecord> history(app::ProfileId id) override;
    std::vector<StageCount> counts() override;

private:
    std::optional<app::ProfileRecord> profile_where(char const* where, long long key);
};

class SociDocuments final : public app::DocumentRepo, SociRepo {
public:
    explicit SociDocuments(TxState& tx) : SociRepo(tx) {}
    std::vector<app::DocumentTypeRecord> types() override;
    std::vector<app::DocumentRecord> of(app::ProfileId id, bool all_versions) override;
    std::optional<app::DocumentRecord> by_id(app::DocumentId id) override;
    app::DocumentId insert(app::DocumentRecord const& d) override;
    void review(app::DocumentId id, core::DocumentStatus status, app::UserId reviewer, Instant at,
                std::string const& reason) override;

private:
    std::vector<app::DocumentRecord> documents_where(std::string const& where, long long key);
    // The types, read once per transaction (nothing here changes them; a bulk batch reads them
    // for every item).
    std::optional<std::vector<app::DocumentTypeRecord>> types_;
};

class SociNotifications final : public app::NotificationRepo, SociRepo {
public:
    explicit SociNotifications(TxState& tx) : SociRepo(tx) {}
    std::int64_t insert(app::NotificationRecord const& n) override;
    std::vector<app::NotificationRecord> list(std::vector<std::string> const& channels, std::int64_t after,
                                              int limit, app::UserId reader) override;
    std::optional<app::NotificationRecord> by_id(std::int64_t id) override;
    void mark_read(app::UserId reader, std::int64_t id) override;
    std::int64_t mark_all_read(app::UserId reader, std::vector<std::string> const& channels) override;
    std::int64_t unread_count(app::UserId reader, std::vector<std::string> const& channels) override;
    std::vector<app::NotificationRecord> between(std::int64_t first, std::int64_t last, int limit,
                                                 bool newest_first) override;
    std::int64_t last_id(std::vector<std::string> const& channels) override;
};

class SociJobs final : public app::JobRepo, SociRepo {
public:
    explicit SociJobs(TxState& tx) : SociRepo(tx) {}
    bool acquire_lease(std::string const& job, std::string const& instance, Instant now, Instant until) override;
    void release_lease(std::string const& job, std::string const& instance, Instant now) override;
    std::optional<std::string> lease_holder(std::string const& job, Instant now) override;
    std::int64_t interrupt_orphans(std::string const& job, std::string const& instance, Instant now) override;
    std::int64_t insert_run(app::JobRunRecord const& run) override;
    void finish_run(app::JobRunRecord const& run) override;
    std::vector<app::JobRunRecord> runs(app::JobRunQuery const& query) override;
    void prune_runs(std::string const& job, int keep) override;
};

class SociAudit final : public app::AuditRepo, SociRepo {
public:
    explicit SociAudit(TxState& tx) : SociRepo(tx) {}
    void record(core::AuditEntry entry) override;
    std::vector<core::AuditEntry> search(app::AuditQuery const& query) override;
    std::optional<core::AuditEntry> by_seq(std::int64_t seq) override;
    void scan(std::int64_t from, std::function<bool(core::AuditEntry const&)> const& fn) override;
    std::vector<app::AuditCheckpoint> checkpoints() override;
};

class SociEmail final : public app::EmailRepo, SociRepo {
public:
    explicit SociEmail(TxState& tx) : SociRepo(tx) {}
    std::int64_t enqueue(app::OutboxMessage const& m) override;
    std::vector<app::OutboxMessage> claim(Instant now, Instant lease_until, std::string const& owner,
                                          int limit) override;
    bool finish(std::int64_t id, std::string const& owner, app::EmailOutcome const& outcome, Instant now) override;
    bool suppressed(std::string const& email) override;
    std::optional<app::OutboxMessage> get(std::int64_t id) override;
    std::vector<app::OutboxMessage> list(app::EmailQuery const& q) override;
    std::vector<app::EmailEvent> events(std::int64_t message) override;
    bool first_time(std::string const& key, std::string const& provider, app::EmailStatus type, Instant at) override;
    std::optional<std::int64_t> find(app::DeliveryEvent const& e) override;
    void track(std::int64_t id, app::EmailStatus status, std::string const& provider, std::string const& detail,
               Instant at) override;
    void suppress(std::string const& email, std::string const& reason, Instant at) override;
    int soft_bounce(std::string const& email, Instant at) override;
    std::vector<app::Suppression> suppressions(int limit, std::optional<Instant> before) override;
    std::vector<app::EmailStatRow> stats(Instant from, Instant to) override;
    bool opted_out(std::int64_t user) override;
    void set_opted_out(std::int64_t user, bool out, Instant at) override;

private:
    void event(std::int64_t message, Instant at, app::EmailStatus type, std::string const& provider,
               std::string const& detail);
};

class SociBulk final : public app::BulkRepo, SociRepo {
public:
    explicit SociBulk(TxState& tx) : SociRepo(tx) {}
    app::BulkJobId create(app::BulkJobRecord const& job, std::vector<app::BulkItemRecord> const& items) override;
    std::optional<app::BulkJobRecord> by_id(app::BulkJobId id) override;
    std::optional<app::BulkJobRecord> by_key(app::UserId actor, std::string const& key) override;
    std::vector<app::BulkJobRecord> list(app::BulkJobQuery const& q) override;
    std::vector<app::BulkItemRecord> items(app::BulkJobId job, std::int64_t after, int limit) override;
    std::vector<app::BulkItemRecord> take_pending(app::BulkJobId job, int limit) override;
    void finish_item(app::BulkItemRecord const& item) override;
    void count(app::BulkJobId job, std::int64_t done, std::int64_t succeeded, std::int64_t failed,
               Instant now) override;
    bool claim(app::BulkJobId job, std::string const& owner, Instant now, Instant until) override;
    std::int64_t release_claims() override;
    std::vector<app::BulkJobId> unclaimed(Instant now, int limit) override;
    std::int64_t cancel_pending(app::BulkJobId job, Instant now) override;
    bool request_cancel(app::BulkJobId job, Instant now) override;
    void finish(app::BulkJobId job, std::string const& status, Instant now) override;
    void progress(app::BulkProgress const& p) override;
private:
    template <class... Uses>
    std::vector<app::BulkJobRecord> jobs(std::string const& where_sql, Uses&&... uses);
};

class SociReports final : public app::ReportRepo, SociRepo {
public:
    explicit SociReports(TxState& tx) : SociRepo(tx) {}
    std::vector<app::TransitionCount> transitions(Instant from, Instant to) override;
    std::vector<app::StageDuration> review_waits(Instant from, Instant to) override;
    std::vector<std::int64_t> completion_ages(Instant from, Instant to) override;
    app::DocumentCounts documents(Instant from, Instant to) override;
    std::vector<app::StageStay> stays(Instant from, Instant to) override;
    std::vector<app::ReasonCount> rejection_reasons(Instant from, Instant to, int per_stage) override;
    std::vector<app::ReviewerRow> reviewers(Instant from, Instant to) override;
    std::vector<app::ReviewerDuration> reviewer_waits(Instant from, Instant to) override;
    std::vector<app::BreachRow> breaches(Instant from, Instant to, int limit) override;
    std::int64_t count_breaches(Instant from, Instant to) override;
    std::vector<app::BreachRow> open_breaches(Instant now, int limit) override;
    std::int64_t overdue(Instant now) override;
    std::int64_t urgent() override;
    std::int64_t email_queue() override;
    std::int64_t bulk_running() override;
    std::vector<app::ReportScheduleRecord> schedules() override;
    void replace_schedules(std::vector<app::ReportScheduleRecord> const& list) override;
    std::vector<app::ReportScheduleRecord> due_schedules(Instant now) override;
    bool advance_schedule(std::int64_t id, Instant seen, Instant next) override;
    std::int64_t insert_run(app::ReportRunRecord const& run) override;
    bool finish_run(app::ReportRunRecord const& run, std::string const& owner) override;
    std::optional<app::ReportRunRecord> run(std::int64_t id) override;
    std::vector<app::ReportRunRecord> runs(std::optional<std::int64_t> before, int limit) override;
    std::vector<app::ReportRunRecord> stale_runs(Instant now, int limit) override;
    bool claim_run(std::int64_t id, std::string const& owner, Instant now, Instant until) override;
    std::vector<app::ReportRunRecord> runs_before(Instant before, int limit) override;
    void delete_run(std::int64_t id) override;
};

}  // namespace hrms::store
