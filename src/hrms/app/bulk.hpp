#pragma once
// Bulk operations: one request over many items becomes a job with a row per item (ports/bulk).
// Items run in batches of a few hundred per transaction, each under a SAVEPOINT, through the
// same use case as the single-item endpoint (Profiles::decide_in, Users::set_roles_in, ...):
// one bad item fails alone with its error, the rest commit, and an item's side effects
// (history, notifications, mail, live events, audit) are exactly the single action's. Small
// jobs run in the request; larger ones on the job runner (`bulk.run`), which also resumes a job
// whose runner died, without repeating committed items.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hrms/app/actor.hpp"
#include "hrms/app/archive.hpp"
#include "hrms/app/documents.hpp"
#include "hrms/app/jobs.hpp"
#include "hrms/app/ports.hpp"
#include "hrms/app/profiles.hpp"
#include "hrms/app/role_catalog.hpp"
#include "hrms/app/users.hpp"

namespace boost::json {
class object;
}

namespace hrms::app {

// At most this many items per request.
inline constexpr std::size_t kMaxBulkItems = 10'000;

// HRMS_BULK_* settings.
struct BulkPolicy {
    int batch_size = 250;          // items per transaction
    int sync_limit = 100;          // jobs up to this many items answer in the request
    double lease_s = 30;           // a runner's claim on a job; renewed at every batch
    double progress_interval_s = 0.25;
    // A rest between batches of a background job, so that a long job leaves the (single, on
    // SQLite) writer to requests in between; 0: none.
    double batch_pause_ms = 0;
};

// The requests, as the HTTP layer decoded them (ids may repeat: each is processed once).
struct ProfileDecisionRequest {
    std::vector<ProfileId> profile_ids;
    core::Decision decision = core::Decision::approve;
    std::optional<core::Stage> stage;  // none: each profile's current stage when the job starts
    std::string reason;
};
struct ProfileStatusRequest {
    std::vector<ProfileId> profile_ids;
    core::EmploymentStatus status = core::EmploymentStatus::onboarding;
    std::string reason;
};
struct RolesRequest {
    std::vector<UserId> user_ids;
    std::vector<std::string> add;
    std::vector<std::string> remove;
};
struct ManagerAssignment {
    UserId user_id = 0;
    std::optional<UserId> manager_id;  // none: clears the manager
};
struct DocumentDecision {
    DocumentId document_id = 0;
    core::Decision decision = core::Decision::approve;
    std::string reason;
};

// A message from an admin to users, or to everyone holding one of `roles` (resolved when the job
// is created), in the feed and/or by mail.
struct AnnouncementRequest {
    std::vector<UserId> user_ids;
    std::vector<std::string> roles;
    std::string title;
    std::string body;
    bool in_app = true;
    bool email = false;
};
inline constexpr std::size_t kMaxAnnouncementTitle = 200;
inline constexpr std::size_t kMaxAnnouncementBody = 5000;

// An Idempotency-Key and the hash of the request body it came with.
struct BulkOptions {
    std::string idempotency_key;
    std::string request_hash;
};

struct BulkAnswer {
    BulkJobRecord job;
    std::vector<BulkItemRecord> results;  // a page of them
    std::optional<std::int64_t> next_after;  // the next page's cursor (a seq)
    bool replayed = false;  // an Idempotency-Key answered with the stored job
    // The job was handed to the background runner (it may have finished already): answered 202.
    bool background = false;
};

struct BulkJobPage {
    std::vector<BulkJobRecord> items;
    std::optional<BulkJobId> next_before;
};

class Bulk {
public:
    Bulk(Store& store, Clock const& clock, BulkPolicy const& policy, RoleCatalog& roles, Profiles& profiles,
         Users& users, Documents& documents, BlobStore const& blobs, Mailer const* mailer = nullptr);

    // The runner of this process: large jobs wake its `bulk.run` job, and its instance name
    // owns the claims. cli/ sets it before serving.
    void attach(JobMonitor* monitor) { monitor_ = monitor; }

    // Each answers the job: completed with every result when it ran in the request, running
    // (the caller answers 202) when the runner has it. validation_failed for an empty list, more
    // than kMaxBulkItems, a rejection without a reason; conflict for an Idempotency-Key reused
    // with another request; forbidden without bulk.run.
    Result<BulkAnswer> decide_profiles(Actor const& actor, ProfileDecisionRequest const& request,
                                       BulkOptions const& options);
    Result<BulkAnswer> set_profile_status(Actor const& actor, ProfileStatusRequest const& request,
                                          BulkOptions const& options);
    Result<BulkAnswer> change_roles(Actor const& actor, RolesRequest const& request, BulkOptions const& options);
    Result<BulkAnswer> assign_managers(Actor const& actor, std::vector<ManagerAssignment> const& assignments,
                                       BulkOptions const& options);
    Result<BulkAnswer> decide_documents(Actor const& actor, std::vector<DocumentDecision> const& items,
                                        BulkOptions const& options);
    // An item per recipient; an inactive or unknown user fails alone. Announcements are not
    // essential mail: a user who opted out gets the feed entry only.
    Result<BulkAnswer> announce(Actor const& actor, AnnouncementRequest const& request, BulkOptions const& options);

    // A reminder sweep now (bulk.run): Profiles::remind_due. validation_failed for a stage that
    // is not a review stage, or an age that is not between 0 and a year of hours.
    Result<SweepResult> remind(Actor const& actor, ReminderQuery const& query);
    // An escalation sweep now (bulk.run): Profiles::escalate, with one aggregated admin alert.
    Result<SweepResult> escalate(Actor const& actor, std::optional<double> threshold_hours);

    // A ZIP of the chosen documents, or of the current documents of the chosen profiles (bulk.run
    // and profiles.read), to stream to the client. validation_failed unless exactly one list is
    // given, empty or longer than kMaxBulkItems. The export is audited before the first byte.
    Result<std::unique_ptr<DocumentArchive>> archive(Actor const& actor, ArchiveRequest const& request);

    // Jobs, newest first (bulk.run).
    Result<BulkJobPage> jobs(Actor const& actor, BulkJobQuery query);
    // One job and a page of its results (items with seq > after).
    Result<BulkAnswer> job(Actor const& actor, BulkJobId id, std::int64_t after, int limit);
    // Asks a running job to stop: items not yet run end `cancelled`. conflict when it has ended.
    Result<BulkJobRecord> cancel(Actor const& actor, BulkJobId id);

    // The `bulk.run` job: runs every job without a live claim (new, or left by a runner that
    // died) until it ends or `stopping`; returns the items it handled.
    std::int64_t run_pending(std::function<bool()> const& stopping);
    // At the start of a process on SQLite (the only process on its file): every claim is a dead
    // process's, so unfinished jobs resume at once instead of when their claims lapse.
    void release_stale_claims();

private:
    struct Prepared;
    Result<BulkAnswer> submit(Actor const& actor, Prepared prepared, BulkOptions const& options);
    // Runs batches of job `id` until it ends, another runner holds it, or `stopping`.
    std::int64_t drain(BulkJobId id, Actor const* actor, std::function<bool()> const& stopping);
    // One item; `params` is the job's params, parsed once per batch.
    Result<void> run_item(Tx& tx, Actor const& actor, BulkJobRecord const& job, boost::json::object const& params,
                          BulkItemRecord const& item);
    Actor actor_of(Tx& tx, UserId id);
    std::string owner() const;

    Store& store_;
    Clock const& clock_;
    BulkPolicy const& policy_;
    RoleCatalog& roles_;
    Profiles& profiles_;
    Users& users_;
    Documents& documents_;
    BlobStore const& blobs_;
    Mailer const* mailer_;
    JobMonitor* monitor_ = nullptr;
};

}  // namespace hrms::app
