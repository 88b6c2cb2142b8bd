#include "hrms/app/bulk.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <thread>
#include <set>
#include <unordered_set>

#include "hrms/app/audit.hpp"
#include "hrms/app/log.hpp"
#include "hrms/app/notices.hpp"
#include "hrms/app/paging.hpp"
#include "hrms/core/text.hpp"

namespace hrms::app {

namespace json = boost::json;

namespace {

constexpr char kDecision[] = "profiles.decision";
constexpr char kStatus[] = "profiles.status";
constexpr char kRoles[] = "roles";
constexpr char kManagers[] = "managers";
constexpr char kDocuments[] = "documents.decision";
constexpr char kNotifications[] = "notifications";

// The type of what an item acts on, in audit entries.
std::string target_type_of(std::string const& kind) {
    if (kind == kNotifications) return "user";
    if (kind == kDecision || kind == kStatus) return "profile";
    if (kind == kDocuments) return "document";
    return "user";
}

std::string text_of(json::object const& o, char const* key) {
    auto const* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}
std::optional<std::int64_t> int_of(json::object const& o, char const* key) {
    auto const* v = o.if_contains(key);
    if (!v || !v->is_int64()) return std::nullopt;
    return v->as_int64();
}
std::vector<std::string> list_of(json::object const& o, char const* key) {
    std::vector<std::string> out;
    if (auto const* v = o.if_contains(key); v && v->is_array())
        for (auto const& e : v->as_array())
            if (e.is_string()) out.emplace_back(e.as_string());
    return out;
}
json::array to_array(std::vector<std::string> const& v) {
    json::array a;
    for (auto const& s : v) a.emplace_back(s);
    return a;
}

// The first item of each key, in request order (repeated ids are processed once).
template <class T, class Key>
std::vector<T> unique_in_order(std::vector<T> const& items, Key key) {
    std::vector<T> out;
    std::unordered_set<std::int64_t> seen;
    for (auto const& item : items)
        if (seen.insert(key(item)).second) out.push_back(item);
    return out;
}
template <class T>
std::vector<T> unique_in_order(std::vector<T> const& ids) {
    return unique_in_order(ids, [](T id) { return id; });
}

Result<void> check_count(std::size_t n, char const* field) {
    if (n == 0) return invalid_field(field, std::string(field) + " must not be empty");
    if (n > kMaxBulkItems)
        return invalid_field(field, std::string(field) + " has " + std::to_string(n) + " items; at most " +
                                        std::to_string(kMaxBulkItems) + " are allowed");
    return {};
}

// An Idempotency-Key: 1 to 255 visible ASCII characters.
Result<void> check_key(std::string const& key) {
    if (key.size() > 255)
        return invalid_field("Idempotency-Key", "Idempotency-Key must be at most 255 characters");
    for (unsigned char c : key)
        if (c < 0x21 || c > 0x7e)
            return invalid_field("Idempotency-Key", "Idempotency-Key must be visible ASCII characters only");
    return {};
}

}  // namespace

// A validated request ready to store: its kind, common values and items.
struct Bulk::Prepared {
    std::string kind;
    json::object params;
    std::vector<BulkItemRecord> items;
    // Filled in the creating transaction (profile decisions without a stage: each profile's
    // stage then, so that two jobs over one profile cannot both decide it).
    std::function<void(Tx&, std::vector<BulkItemRecord>&)> resolve;
};

Bulk::Bulk(Store& store, Clock const& clock, BulkPolicy const& policy, RoleCatalog& roles, Profiles& profiles,
           Users& users, Documents& documents, BlobStore const& blobs, Mailer const* mailer)
    : store_(store), clock_(clock), policy_(policy), roles_(roles), profiles_(profiles), users_(users),
      documents_(documents), blobs_(blobs), mailer_(mailer) {}

std::string Bulk::owner() const {
    return monitor_ ? monitor_->instance() : std::string("local");
}

Result<BulkAnswer> Bulk::decide_profiles(Actor const& actor, ProfileDecisionRequest const& request,
                                         BulkOptions const& options) {
    TRY_VOID(check_count(request.profile_ids.size(), "profile_ids"));
    auto const reason = TRY(core::check_reason(request.reason, request.decision == core::Decision::reject));
    Prepared p;
    p.kind = kDecision;
    p.params = {{"decision", core::to_string(request.decision)}, {"reason", reason}};
    if (request.stage) p.params["stage"] = core::to_string(*request.stage);
    for (auto id : unique_in_order(request.profile_ids)) {
        json::object in{{"profile_id", id}};
        if (request.stage) in["stage"] = core::to_string(*request.stage);
        p.items.push_back({0, 0, json::serialize(in), std::to_string(id)});
    }
    if (!request.stage) {
        p.resolve = [](Tx& tx, std::vector<BulkItemRecord>& items) {
            for (auto& item : items) {
                auto const id = std::stoll(item.target);
                if (auto const profile = tx.profiles().by_id(id))
                    item.input = json::serialize(
                        json::object{{"profile_id", id}, {"stage", core::to_string(profile->state.stage)}});
            }
        };
    }
    return submit(actor, std::move(p), options);
}

Result<BulkAnswer> Bulk::set_profile_status(Actor const& actor, ProfileStatusRequest const& request,
                                            BulkOptions const& options) {
    TRY_VOID(check_count(request.profile_ids.size(), "profile_ids"));
    auto const reason = TRY(core::check_reason(request.reason, false));
    Prepared p;
    p.kind = kStatus;
    p.params = {{"employment_status", core::to_string(request.status)}, {"reason", reason}};
    for (auto id : unique_in_order(request.profile_ids))
        p.items.push_back({0, 0, std::to_string(id), std::to_string(id)});
    return submit(actor, std::move(p), options);
}

Result<BulkAnswer> Bulk::change_roles(Actor const& actor, RolesRequest const& request, BulkOptions const& options) {
    TRY_VOID(check_count(request.user_ids.size(), "user_ids"));
    if (request.add.empty() && request.remove.empty())
        return invalid_field("add", "give roles to add or to remove");
    for (auto const& r : request.add)
        if (std::find(request.remove.begin(), request.remove.end(), r) != request.remove.end())
            return invalid_field("remove", "role '" + r + "' is both added and removed");
    Prepared p;
    p.kind = kRoles;
    p.params = {{"add", to_array(request.add)}, {"remove", to_array(request.remove)}};
    for (auto id : unique_in_order(request.user_ids))
        p.items.push_back({0, 0, std::to_string(id), std::to_string(id)});
    return submit(actor, std::move(p), options);
}

Result<BulkAnswer> Bulk::assign_managers(Actor const& actor, std::vector<ManagerAssignment> const& assignments,
                                         BulkOptions const& options) {
    TRY_VOID(check_count(assignments.size(), "assignments"));
    Prepared p;
    p.kind = kManagers;
    p.params = json::object{};
    for (auto const& a : unique_in_order(assignments, [](ManagerAssignment const& a) { return a.user_id; })) {
        json::object in{{"user_id", a.user_id}};
        in["manager_id"] = a.manager_id ? json::value(*a.manager_id) : json::value(nullptr);
        p.items.push_back({0, 0, json::serialize(in), std::to_string(a.user_id)});
    }
    return submit(actor, std::move(p), options);
}

Result<BulkAnswer> Bulk::decide_documents(Actor const& actor, std::vector<DocumentDecision> const& items,
                                          BulkOptions const& options) {
    TRY_VOID(check_count(items.size(), "items"));
    Prepared p;
    p.kind = kDocuments;
    p.params = json::object{};
    for (auto const& d : unique_in_order(items, [](DocumentDecision const& d) { return d.document_id; })) {
        json::object in{
            {"document_id", d.document_id}, {"decision", core::to_string(d.decision)}, {"reason", d.reason}};
        p.items.push_back({0, 0, json::serialize(in), std::to_string(d.document_id)});
    }
    return submit(actor, std::move(p), options);
}

Result<BulkAnswer> Bulk::announce(Actor const& actor, AnnouncementRequest const& request,
                                  BulkOptions const& options) {
    bool const by_user = !request.user_ids.empty();
    if (by_user == !request.roles.empty()) return invalid_field("user_ids", "give either user_ids or roles");
    if (by_user) TRY_VOID(check_count(request.user_ids.size(), "user_ids"));
    auto const title = std::string(core::trim(request.title));
    auto const body = std::string(core::trim(request.body));
    if (title.empty()) return invalid_field("title", "title is required");
    if (core::utf8_length(title) > kMaxAnnouncementTitle)
        return invalid_field("title", "title is longer than " + std::to_string(kMaxAnnouncementTitle) + " characters");
    if (body.empty()) return invalid_field("body", "body is required");
    if (core::utf8_length(body) > kMaxAnnouncementBody)
        return invalid_field("body", "body is longer than " + std::to_string(kMaxAnnouncementBody) + " characters");
    if (!request.in_app && !request.email) return invalid_field("channels", "give in_app, email or both");
    Prepared p;
    p.kind = kNotifications;
    p.params = {{"title", title}, {"body", body}, {"in_app", request.in_app}, {"email", request.email}};
    if (by_user) {
        for (auto id : unique_in_order(request.user_ids))
            p.items.push_back({0, 0, std::to_string(id), std::to_string(id)});
    } else {
        // Everyone holding one of the roles when the job is created, each once.
        std::vector<std::string> roles = request.roles;
        p.resolve = [roles](Tx& tx, std::vector<BulkItemRecord>& items) {
            std::unordered_set<UserId> seen;
            for (auto const& role : roles) {
                UserQuery q;
                q.role = role;
                q.limit = 1000;
                for (;;) {
                    auto const page = tx.users().list(q);
                    for (auto const& u : page)
                        if (u.status == core::UserStatus::active && seen.insert(u.id).second)
                            items.push_back({0, static_cast<std::int64_t>(items.size()), std::to_string(u.id),
                                             std::to_string(u.id)});
                    if (static_cast<int>(page.size()) < q.limit) break;
                    q.after_id = page.back().id;
                }
            }
        };
    }
    return submit(actor, std::move(p), options);
}

Result<BulkAnswer> Bulk::submit(Actor const& actor, Prepared prepared, BulkOptions const& options) {
    TRY_VOID(require(actor, core::perm::bulk_run));
    TRY_VOID(check_key(options.idempotency_key));
    for (std::size_t i = 0; i < prepared.items.size(); ++i) prepared.items[i].seq = static_cast<std::int64_t>(i);
    auto const now = clock_.now();
    BulkJobRecord job;
    job.kind = prepared.kind;
    job.actor_id = actor.id;
    job.request_id = actor.request_id;
    job.idempotency_key = options.idempotency_key;
    job.request_hash = options.request_hash;
    job.status = "running";
    job.params = json::serialize(prepared.params);
    job.total = static_cast<std::int64_t>(prepared.items.size());
    job.created_at = job.updated_at = now;
    bool in_request = false;
    {
        auto tx = store_.begin(TxMode::write, context_of(actor));
        if (!job.idempotency_key.empty()) {
            tx->serialize(Tx::Lock::bulk_keys);
            if (auto const earlier = tx->bulk().by_key(actor.id, job.idempotency_key)) {
                if (earlier->request_hash != job.request_hash || earlier->kind != job.kind)
                    return fail(ErrorCode::conflict, "this Idempotency-Key was used for a different request");
                tx.reset();
                auto answer = TRY(this->job(actor, earlier->id, -1, std::max(policy_.sync_limit, 1)));
                answer.replayed = true;
                return answer;
            }
        }
        if (prepared.resolve) {
            prepared.resolve(*tx, prepared.items);
            if (prepared.items.empty()) return invalid_field("roles", "no active user holds these roles");
            if (prepared.items.size() > kMaxBulkItems)
                return invalid_field("roles", "these roles reach " + std::to_string(prepared.items.size()) +
                                                  " users; at most " + std::to_string(kMaxBulkItems) + " are allowed");
            for (std::size_t i = 0; i < prepared.items.size(); ++i)
                prepared.items[i].seq = static_cast<std::int64_t>(i);
            job.total = static_cast<std::int64_t>(prepared.items.size());
        }
        // Counted once roles are resolved to their holders.
        in_request = prepared.items.size() <= static_cast<std::size_t>(policy_.sync_limit);
        job.id = tx->bulk().create(job, prepared.items);
        // A job run in the request is claimed at once, so no runner starts it meanwhile.
        if (in_request) tx->bulk().claim(job.id, owner(), now, now.plus_seconds(policy_.lease_s));
        tx->commit();
    }
    log::info("bulk.created", {log::str("kind", job.kind), log::num("job_id", static_cast<long long>(job.id)),
                               log::num("total", static_cast<long long>(job.total))});
    if (in_request) {
        drain(job.id, &actor, {});
    } else if (monitor_) {
        monitor_->trigger("bulk.run", context_of(actor));
    }
    auto answer = TRY(this->job(actor, job.id, -1, std::max(policy_.sync_limit, 1)));
    answer.background = !in_request;
    return answer;
}

namespace {
Result<void> check_hours(std::optional<double> hours, char const* field) {
    if (hours && !(*hours > 0 && *hours <= 24 * 366))
        return invalid_field(field, std::string(field) + " must be more than 0 and at most 8784 (a year)");
    return {};
}
}  // namespace

Result<SweepResult> Bulk::remind(Actor const& actor, ReminderQuery const& query) {
    TRY_VOID(require(actor, core::perm::bulk_run));
    TRY_VOID(check_hours(query.older_than_hours, "older_than_hours"));
    if (query.stage == core::Stage::completed) return invalid_field("stage", "stage must be a review stage");
    return profiles_.remind_due(query, context_of(actor));
}

Result<SweepResult> Bulk::escalate(Actor const& actor, std::optional<double> threshold_hours) {
    TRY_VOID(require(actor, core::perm::bulk_run));
    TRY_VOID(check_hours(threshold_hours, "threshold_hours"));
    return profiles_.escalate(threshold_hours, context_of(actor));
}

Result<std::unique_ptr<DocumentArchive>> Bulk::archive(Actor const& actor, ArchiveRequest const& request) {
    TRY_VOID(require(actor, core::perm::bulk_run));
    TRY_VOID(require(actor, core::perm::profiles_read));
    bool const by_document = !request.document_ids.empty();
    if (by_document == !request.profile_ids.empty())
        return invalid_field("document_ids", "give either document_ids or profile_ids");
    TRY_VOID(check_count(by_document ? request.document_ids.size() : request.profile_ids.size(),
                         by_document ? "document_ids" : "profile_ids"));
    auto const now = clock_.now();
    std::vector<ArchiveEntry> entries;
    {
        auto tx = store_.begin(TxMode::read);
        entries = plan_archive(*tx, blobs_, request);
    }
    // An export of personal documents is a fact of its own in the trail, written before any of
    // it leaves.
    auto tx = store_.begin(TxMode::write, context_of(actor));
    auto entry = domain_entry(now, core::AuditCategory::admin, "bulk.documents.archive", "documents", "");
    std::int64_t found = 0;
    for (auto const& e : entries) found += e.document ? 1 : 0;
    entry.details = json_members({{"requested", std::to_string(by_document ? request.document_ids.size()
                                                                            : request.profile_ids.size())},
                                  {"by", json_quote(by_document ? "document_ids" : "profile_ids")},
                                  {"documents", std::to_string(found)}});
    tx->audit().record(std::move(entry));
    tx->commit();
    return std::make_unique<DocumentArchive>(std::move(entries), now);
}

Result<BulkJobPage> Bulk::jobs(Actor const& actor, BulkJobQuery query) {
    TRY_VOID(require(actor, core::perm::bulk_run));
    int const want = query.limit;
    query.limit = want + 1;
    auto tx = store_.begin(TxMode::read);
    BulkJobPage page;
    page.items = tx->bulk().list(query);
    page.next_before = trim_to_page(page.items, want);
    return page;
}

Result<BulkAnswer> Bulk::job(Actor const& actor, BulkJobId id, std::int64_t after, int limit) {
    TRY_VOID(require(actor, core::perm::bulk_run));
    auto tx = store_.begin(TxMode::read);
    auto job = tx->bulk().by_id(id);
    if (!job) return fail(ErrorCode::not_found, "bulk job not found");
    BulkAnswer answer;
    answer.results = tx->bulk().items(id, after, limit + 1);
    if (static_cast<int>(answer.results.size()) > limit) {
        answer.results.resize(static_cast<std::size_t>(limit));
        answer.next_after = answer.results.back().seq;
    }
    answer.job = std::move(*job);
    return answer;
}

Result<BulkJobRecord> Bulk::cancel(Actor const& actor, BulkJobId id) {
    TRY_VOID(require(actor, core::perm::bulk_run));
    auto tx = store_.begin(TxMode::write, context_of(actor));
    auto job = tx->bulk().by_id(id);
    if (!job) return fail(ErrorCode::not_found, "bulk job not found");
    if (!tx->bulk().request_cancel(id, clock_.now()))
        return fail(ErrorCode::conflict, "the job has already ended (" + job->status + ")");
    tx->commit();
    // The runner sees the request at its next batch; a job nobody runs is ended by the next run.
    if (monitor_) monitor_->trigger("bulk.run", context_of(actor));
    tx = store_.begin(TxMode::read);
    return *tx->bulk().by_id(id);
}

std::int64_t Bulk::run_pending(std::function<bool()> const& stopping) {
    std::int64_t handled = 0;
    for (;;) {
        std::vector<BulkJobId> ids;
        {
            auto tx = store_.begin(TxMode::read);
            ids = tx->bulk().unclaimed(clock_.now(), 16);
        }
        if (ids.empty()) return handled;
        std::int64_t before = handled;
        for (auto id : ids) {
            if (stopping && stopping()) return handled;
            handled += drain(id, nullptr, stopping);
        }
        // Jobs claimed by others in the meantime are theirs: stop when this pass did nothing.
        if (handled == before) return handled;
    }
}

void Bulk::release_stale_claims() {
    auto tx = store_.begin(TxMode::write);
    if (auto const n = tx->bulk().release_claims(); n > 0)
        log::info("bulk.resuming", {log::num("jobs", static_cast<long long>(n))});
    tx->commit();
}

Actor Bulk::actor_of(Tx& tx, UserId id) {
    Actor a;
    a.id = id;
    auto const user = tx.users().by_id(id);
    // A suspended or deleted admin's job goes on, but every item fails as forbidden.
    if (!user || user->status != core::UserStatus::active) return a;
    a.email = user->email;
    a.name = user->name;
    a.roles = user->roles;
    a.permissions = roles_.permissions_for(user->roles, tx.roles().version(), tx);
    return a;
}

Result<void> Bulk::run_item(Tx& tx, Actor const& actor, BulkJobRecord const& job, json::object const& params,
                            BulkItemRecord const& item) {
    if (job.kind == kNotifications) {
        auto const id = std::stoll(item.input);
        auto const user = tx.users().by_id(id);
        if (!user || user->status != core::UserStatus::active)
            return fail(ErrorCode::not_found, "user " + item.input + " is not an active user");
        auto const title = text_of(params, "title"), body = text_of(params, "body");
        bool const email = params.at("email").as_bool() && mailer_;
        if (params.at("in_app").as_bool()) {
            notify(tx, announcement(id, title, body, job.actor_id), clock_.now(), email ? mailer_ : nullptr);
        } else if (email) {
            TRY(mailer_->queue(tx, "announcement", {user->email, user->name, user->id},
                               {{"title", title}, {"body", body}}, false));
        }
        return {};
    }
    if (job.kind == kStatus || job.kind == kRoles) {
        auto const id = std::stoll(item.input);
        if (job.kind == kStatus) {
            auto const status = core::parse_employment_status(text_of(params, "employment_status"));
            TRY_VOID(profiles_.set_employment_in(tx, actor, id, *status, text_of(params, "reason")));
            return {};
        }
        auto const user = tx.users().by_id(id);
        if (!user) return fail(ErrorCode::not_found, "user not found");
        std::vector<std::string> roles;
        auto const remove = list_of(params, "remove");
        for (auto const& r : user->roles)
            if (std::find(remove.begin(), remove.end(), r) == remove.end()) roles.push_back(r);
        for (auto const& r : list_of(params, "add"))
            if (std::find(roles.begin(), roles.end(), r) == roles.end()) roles.push_back(r);
        TRY_VOID(users_.set_roles_in(tx, actor, id, std::move(roles)));
        return {};
    }
    auto const in = json::parse(item.input).as_object();
    if (job.kind == kDecision) {
        auto const id = *int_of(in, "profile_id");
        auto const stage = core::parse_stage(text_of(in, "stage"));
        if (!stage) return fail(ErrorCode::not_found, "profile not found");
        core::DecisionInput input{*stage, *core::parse_decision(text_of(params, "decision")),
                                  text_of(params, "reason"), std::nullopt};
        TRY_VOID(profiles_.decide_in(tx, actor, id, input));
        return {};
    }
    if (job.kind == kManagers) {
        std::optional<UserId> manager = int_of(in, "manager_id");
        TRY_VOID(users_.set_manager_in(tx, actor, *int_of(in, "user_id"), manager));
        return {};
    }
    if (job.kind == kDocuments) {
        TRY_VOID(documents_.review_in(tx, actor, *int_of(in, "document_id"),
                                      *core::parse_decision(text_of(in, "decision")), text_of(in, "reason")));
        return {};
    }
    return fail(ErrorCode::internal, "unknown bulk job kind " + job.kind);
}

std::int64_t Bulk::drain(BulkJobId id, Actor const* given, std::function<bool()> const& stopping) {
    std::optional<BulkJobRecord> job;
    {
        auto tx = store_.begin(TxMode::read);
        job = tx->bulk().by_id(id);
    }
    if (!job || job->status != "running") return 0;
    // Every row a batch writes carries the job's actor, request and job id.
    TxContext context{job->actor_id, job->request_id, id, given ? given->name : std::string()};
    auto const params = json::parse(job->params).as_object();  // the same for every item
    std::optional<Actor> loaded;
    std::int64_t handled = 0;
    double last_progress = -1;
    for (;;) {
        if (stopping && stopping()) return handled;
        auto const now = clock_.now();
        auto tx = store_.begin(TxMode::write, context);
        if (!tx->bulk().claim(id, owner(), now, now.plus_seconds(policy_.lease_s))) return handled;
        job = tx->bulk().by_id(id);
        if (!given && !loaded) {
            loaded = actor_of(*tx, job->actor_id);
            loaded->request_id = job->request_id;
            context.actor_name = loaded->name;  // for the next batches' live frames
        }
        Actor const& actor = given ? *given : *loaded;
        std::vector<BulkItemRecord> items;
        if (!job->cancel_requested) items = tx->bulk().take_pending(id, policy_.batch_size);
        std::int64_t ok = 0, bad = 0;
        for (auto& item : items) {
            tx->savepoint();
            Result<void> r;
            try {
                r = run_item(*tx, actor, *job, params, item);
            } catch (std::exception const& e) {
                // A defect or a broken item row: the item fails alone; a lost connection throws
                // again below and ends the run (the job resumes once its claim lapses).
                log::error("bulk.item_failed", {log::num("job_id", static_cast<long long>(id)),
                                                log::num("seq", static_cast<long long>(item.seq)),
                                                log::str("what", log::what(e))});
                r = fail(ErrorCode::internal, "the item could not be processed");
            }
            if (r) {
                tx->release_savepoint();
                item.status = "ok";
                ++ok;
            } else {
                tx->rollback_to_savepoint();
                item.status = "failed";
                item.error_code = to_string(r.error().code);
                item.error_message = r.error().message;
                ++bad;
                // The failure is the item's audit entry (a success's is the use case's own).
                auto entry = domain_entry(now, core::AuditCategory::admin, "bulk.item_failed",
                                          target_type_of(job->kind), item.target);
                entry.outcome = core::AuditOutcome::failure;
                entry.details = json_members({{"error", json_quote(item.error_code)},
                                              {"message", json_quote(item.error_message)}});
                tx->audit().record(std::move(entry));
            }
            tx->bulk().finish_item(item);
        }
        tx->bulk().count(id, ok + bad, ok, bad, now);
        job->done += ok + bad;
        job->succeeded += ok;
        job->failed += bad;
        bool const ended = job->cancel_requested || static_cast<int>(items.size()) < policy_.batch_size;
        if (ended) {
            if (job->cancel_requested) job->done += tx->bulk().cancel_pending(id, now);
            std::string const status = job->cancel_requested ? "cancelled" : "completed";
            tx->bulk().finish(id, status, now);
            // The job's one entry; its items' entries name it (details.bulk_job_id).
            auto entry = domain_entry(now, core::AuditCategory::admin, "bulk." + job->kind, "bulk_job",
                                      std::to_string(id));
            entry.details = json_members({{"status", json_quote(status)},
                                          {"total", std::to_string(job->total)},
                                          {"succeeded", std::to_string(job->succeeded)},
                                          {"failed", std::to_string(job->failed)}});
            tx->audit().record(std::move(entry));
            notify(*tx,
                   bulk_completed(job->actor_id, {id, job->kind, status, job->total, job->succeeded, job->failed}),
                   now);
        }
        double const mono = monotonic_seconds();
        if (ended || last_progress < 0 || mono - last_progress >= policy_.progress_interval_s) {
            tx->bulk().progress({job->actor_id, id, job->done, job->total, job->succeeded, job->failed});
            last_progress = mono;
        }
        tx->commit();
        handled += ok + bad;
        if (ended) {
            log::info("bulk.finished", {log::num("job_id", static_cast<long long>(id)),
                                        log::num("succeeded", static_cast<long long>(job->succeeded)),
                                        log::num("failed", static_cast<long long>(job->failed))});
            return handled;
        }
        if (policy_.batch_pause_ms > 0 && !given)
            std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(policy_.batch_pause_ms));
    }
}

}  // namespace hrms::app
