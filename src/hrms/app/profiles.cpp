#include "hrms/app/profiles.hpp"

#include <algorithm>
#include <cstdio>

#include "hrms/app/audit.hpp"
#include "hrms/app/grants.hpp"
#include "hrms/app/log.hpp"
#include "hrms/app/notices.hpp"
#include "hrms/app/paging.hpp"
#include "hrms/core/accounts.hpp"

namespace hrms::app {

namespace {
std::unexpected<Error> no_profile() { return fail(ErrorCode::not_found, "profile not found"); }

// The review stages whose SLA clock runs while the stage awaits review.
bool is_review_stage(core::Stage s) { return s != core::Stage::completed; }

// The clock for a stage that awaits review again: a paused one resumes (time spent before the
// employee's fixes still counts); a stopped one (approved once, sent back later from final)
// starts a new review with a fresh budget.
core::SlaClock next_review_clock(std::optional<core::SlaClock> const& clock, core::Stage stage, Instant now) {
    if (clock && !clock->stopped_at) return core::sla_resume(*clock, now);
    return core::sla_start(stage, now);
}

// The required document types, and the profile's current documents, as core's rules see them.
std::vector<std::string> required_types(Tx& tx) {
    std::vector<std::string> out;
    for (auto const& t : tx.documents().types()) {
        if (t.required) out.push_back(t.code);
    }
    return out;
}
// The required types among `required` (default: read now) that the profile's documents lack.
std::vector<std::string> lacking(Tx& tx, ProfileId id, core::DocumentNeed need,
                                 std::optional<std::vector<std::string>> required = std::nullopt) {
    std::vector<core::CurrentDocument> current;
    for (auto const& d : tx.documents().of(id, false)) current.push_back({d.type, d.status});
    return core::required_documents_lacking(required ? *required : required_types(tx), current, need);
}

}  // namespace

Profiles::Profiles(Store& store, Clock const& clock, ReviewPolicy const& policy, RoleCatalog& roles,
                   Mailer const* mailer)
    : store_(store), clock_(clock), policy_(policy), roles_(roles), mailer_(mailer) {}

int compute_progress(Tx& tx, ProfileRecord const& p) {
    core::ProgressInput in;
    in.stage = p.state.stage;
    in.required_fields_filled = core::count_required_filled(p.details);
    auto required = required_types(tx);  // read once for both counts
    in.required_docs_total = static_cast<int>(required.size());
    if (p.state.stage == core::Stage::documents)
        in.required_docs_approved =
            in.required_docs_total -
            static_cast<int>(lacking(tx, p.id, core::DocumentNeed::approved, std::move(required)).size());
    return core::progress(in);
}

ProfileView Profiles::view(Tx& tx, ProfileRecord p) {
    ProfileView v;
    v.documents = tx.documents().of(p.id, false);
    v.history = tx.profiles().history(p.id);
    if (is_review_stage(p.state.stage)) {
        if (auto clock = tx.profiles().sla_clock(p.id, p.state.stage)) {
            v.sla = core::sla_status(*clock, policy_.sla, clock_.now());
            v.urgent = clock->urgent_sent;
        }
    }
    v.profile = std::move(p);
    return v;
}

Result<ProfileView> Profiles::mine(Actor const& actor) {
    TRY_VOID(require(actor, core::perm::profile_self));
    auto tx = store_.begin(TxMode::read);
    auto p = tx->profiles().by_user(actor.id);
    if (!p) return no_profile();
    return view(*tx, std::move(*p));
}

Result<ProfileView> Profiles::get(Actor const& actor, ProfileId id) {
    auto tx = store_.begin(TxMode::read);
    auto p = tx->profiles().by_id(id);
    // Others' profiles do not exist for an employee: 404, not 403, so ids reveal nothing.
    if (!p || (p->user_id != actor.id && !actor.can(core::perm::profiles_read))) return no_profile();
    return view(*tx, std::move(*p));
}

Result<ProfileView> Profiles::save_details(Actor const& actor, core::Details const& details) {
    TRY_VOID(require(actor, core::perm::profile_self));
    auto const now = clock_.now();
    auto normalized = core::normalize_details(details);
    TRY_VOID(core::validate_details(normalized, core::Completeness::draft, now));
    auto tx = store_.begin(TxMode::write, context_of(actor));
    auto p = tx->profiles().by_user(actor.id);
    if (!p) return no_profile();
    TRY_VOID(core::check_employee_action(p->state, core::EmployeeAction::edit_details));
    p->details = std::move(normalized);
    p->progress = compute_progress(*tx, *p);
    p->updated_at = now;
    tx->profiles().update(*p);
    auto v = view(*tx, std::move(*p));
    tx->commit();
    return v;
}

Result<ProfileView> Profiles::submit(Actor const& actor) {
    TRY_VOID(require(actor, core::perm::profile_self));
    auto const now = clock_.now();
    auto const ts = now;
    auto tx = store_.begin(TxMode::write, context_of(actor));
    auto p = tx->profiles().by_user(actor.id);
    if (!p) return no_profile();
    auto next = TRY(core::submit(p->state));
    if (p->state.stage == core::Stage::details) {
        TRY_VOID(core::validate_details(p->details, core::Completeness::complete, now));
    } else if (p->state.stage == core::Stage::documents) {
        if (auto const missing = lacking(*tx, p->id, core::DocumentNeed::uploaded); !missing.empty())
            return fail(ErrorCode::validation_failed,
                        "every required document must be uploaded (and not rejected) first",
                        "{\"field\":\"documents\",\"missing\":" + json_quote_list(missing) + "}");
    }
    auto const from = p->state;
    // The stage's SLA clock starts now, or resumes if the stage was sent back earlier.
    auto clock = tx->profiles().sla_clock(p->id, p->state.stage);
    auto c = next_review_clock(clock, p->state.stage, now);
    tx->profiles().save_sla_clock(p->id, c);
    auto const status = core::sla_status(c, policy_.sla, now);
    p->state = next;
    p->submitted_at = ts;
    p->sla_due_at = status.deadline ? std::optional(*status.deadline) : std::nullopt;
    p->progress = compute_progress(*tx, *p);
    p->updated_at = ts;
    tx->profiles().update(*p);
    tx->profiles().insert_history(
        {0, p->id, actor.id, ts, from.stage, next.stage, from.status, next.status, std::nullopt, std::nullopt});
    for (auto const& n : stage_submitted(actor.id, p->name, p->id, from.stage)) notify(*tx, n, ts);
    auto v = view(*tx, std::move(*p));
    tx->commit();
    return v;
}

Result<QueuePage> Profiles::queue(Actor const& actor, QueueQuery query) {
    TRY_VOID(require(actor, core::perm::profiles_read));
    int const want = query.limit;
    query.limit = want + 1;
    query.now = clock_.now();
    auto tx = store_.begin(TxMode::read);
    QueuePage page;
    page.items = tx->profiles().list(query);
    page.next_after = trim_to_page(page.items, want);
    return page;
}

namespace {
// A profile's state as an audit entry's before or after.
std::string state_json(core::ProfileState const& s) {
    return json_members({{"stage", json_quote(core::to_string(s.stage))},
                         {"status", json_quote(core::to_string(s.status))},
                         {"employment", json_quote(core::to_string(s.employment))}});
}
std::string id_or_null(std::optional<UserId> id) { return id ? std::to_string(*id) : "null"; }
}  // namespace

Result<ProfileView> Profiles::decide(Actor const& actor, ProfileId id, core::DecisionInput const& input) {
    auto tx = store_.begin(TxMode::write, context_of(actor));
    auto p = TRY(decide_in(*tx, actor, id, input));
    auto v = view(*tx, std::move(p));
    tx->commit();
    return v;
}

Result<ProfileRecord> Profiles::decide_in(Tx& tx, Actor const& actor, ProfileId id, core::DecisionInput const& input) {
    TRY_VOID(require(actor, core::perm::profiles_review));
    auto const now = clock_.now();
    auto const ts = now;
    auto p = tx.profiles().by_id(id);
    if (!p) return no_profile();
    TRY_VOID(check_not_own(actor, p->user_id, policy_.self_review));
    auto const t = TRY(core::decide(p->state, input));
    if (t.decision == core::Decision::approve && t.from.stage == core::Stage::documents) {
        if (auto const pending = lacking(tx, p->id, core::DocumentNeed::approved); !pending.empty())
            return fail(ErrorCode::conflict, "every required document must be approved first",
                        "{\"not_approved\":" + json_quote_list(pending) + "}");
    }
    // SLA: the decided stage's clock stops on approval and pauses on rejection (the stage is
    // back with the employee); a stage that is at once awaiting review starts its own clock.
    std::optional<std::int64_t> clock_ms;
    if (auto clock = tx.profiles().sla_clock(p->id, t.from.stage)) {
        auto const c = t.decision == core::Decision::approve ? core::sla_stop(*clock, now) : core::sla_pause(*clock, now);
        tx.profiles().save_sla_clock(p->id, c);
        clock_ms = c.elapsed_ms;
    }
    p->sla_due_at.reset();
    if (t.to.status == core::StageStatus::submitted && is_review_stage(t.to.stage)) {
        auto clock = tx.profiles().sla_clock(p->id, t.to.stage);
        auto c = next_review_clock(clock, t.to.stage, now);
        tx.profiles().save_sla_clock(p->id, c);
        auto const st = core::sla_status(c, policy_.sla, now);
        if (st.deadline) p->sla_due_at = *st.deadline;
        p->submitted_at = ts;
    }
    p->state = t.to;
    if (t.to.stage == core::Stage::completed) p->state.employment = core::EmploymentStatus::active;
    p->progress = compute_progress(tx, *p);
    p->updated_at = ts;
    tx.profiles().update(*p);
    std::string const decision = core::to_string(t.decision);
    tx.profiles().insert_history(
        {0, p->id, actor.id, ts, t.from.stage, t.to.stage, t.from.status, t.to.status, decision,
         input.reason.empty() ? std::nullopt : std::optional(input.reason), t.from.employment, clock_ms,
         static_cast<std::int64_t>(policy_.sla.budget_hours(t.from.stage) * 3'600'000)});
    notify(tx,
           t.decision == core::Decision::reject
               ? stage_rejected(p->user_id, p->id, t.from.stage, t.to.stage, input.reason)
               : stage_approved(p->user_id, p->id, t.from.stage, t.to.stage, p->progress),
           ts, mailer_);
    auto entry = domain_entry(ts, core::AuditCategory::decision, "profile." + decision, "profile", std::to_string(p->id));
    entry.reason = input.reason;
    entry.before = state_json(t.from);
    entry.after = state_json(p->state);
    entry.details = json_members({{"stage", json_quote(core::to_string(t.from.stage))},
                                  {"employee_id", std::to_string(p->user_id)}});
    tx.audit().record(std::move(entry));
    return std::move(*p);
}

Result<ProfileView> Profiles::set_employment(Actor const& actor, ProfileId id, core::EmploymentStatus to,
                                             std::string const& reason) {
    auto tx = store_.begin(TxMode::write, context_of(actor));
    auto p = TRY(set_employment_in(*tx, actor, id, to, reason));
    auto v = view(*tx, std::move(p));
    tx->commit();
    return v;
}

Result<ProfileRecord> Profiles::set_employment_in(Tx& tx, Actor const& actor, ProfileId id,
                                                  core::EmploymentStatus to, std::string const& reason) {
    TRY_VOID(require(actor, core::perm::profiles_status));
    auto const why = TRY(core::check_reason(reason, false));
    auto const now = clock_.now();
    auto const ts = now;
    auto p = tx.profiles().by_id(id);
    if (!p) return no_profile();
    auto const next = TRY(core::change_employment(p->state, to));
    if (next == p->state) return std::move(*p);
    // The clock of a stage awaiting review pauses while the profile is on hold or withdrawn and
    // resumes where it stopped when onboarding continues.
    bool const ran = core::sla_runs(p->state), runs = core::sla_runs(next);
    if (ran != runs) {
        auto clock = tx.profiles().sla_clock(p->id, p->state.stage);
        auto c = runs ? next_review_clock(clock, p->state.stage, now)
                      : core::sla_pause(clock.value_or(core::sla_start(p->state.stage, now)), now);
        tx.profiles().save_sla_clock(p->id, c);
        auto const st = core::sla_status(c, policy_.sla, now);
        p->sla_due_at = runs && st.deadline ? std::optional(*st.deadline) : std::nullopt;
    }
    auto const from = p->state;
    p->state = next;
    p->updated_at = ts;
    tx.profiles().update(*p);
    std::string const status = core::to_string(to);
    tx.profiles().insert_history({0, p->id, actor.id, ts, from.stage, next.stage, from.status, next.status,
                                   "employment." + status,
                                   why.empty() ? std::nullopt : std::optional(why), from.employment});
    notify(tx, employment_changed(p->user_id, p->id, to, why), ts, mailer_);
    auto entry = domain_entry(ts, core::AuditCategory::admin, "profile.employment", "profile", std::to_string(p->id));
    entry.reason = why;
    entry.before = state_json(from);
    entry.after = state_json(next);
    tx.audit().record(std::move(entry));
    return std::move(*p);
}

int Profiles::escalate_due() { return static_cast<int>(escalate(std::nullopt).profile_ids.size()); }

namespace {
// The latest deadline (sla_due_at) a running review can have and still have waited `hours`, or
// reached `fraction` of its budget, at `now`: deadline = resumed + budget - elapsed before, so a
// review has waited h at now exactly when its deadline <= now + budget - h. The widest net over
// the three budgets; reviews are then checked one by one.
Instant widest_deadline(core::SlaPolicy const& p, Instant now, std::optional<double> hours, double fraction) {
    double best = -1e18;
    for (double b : {p.hours_details, p.hours_documents, p.hours_final})
        best = std::max(best, hours ? b - *hours : (1.0 - fraction) * b);
    return now.plus_seconds(best * 3600 + 0.001);
}
}  // namespace

void Profiles::sweep(QueueQuery q, TxContext const& by,
                     std::function<bool(Tx&, ProfileRecord const&, core::SlaClock&)> const& visit) {
    constexpr int kPage = 200;
    q.overdue = true;  // sla_due_at < q.now: the caller's widest deadline
    q.limit = kPage;
    for (;;) {
        auto tx = store_.begin(TxMode::write, by);
        tx->serialize(Tx::Lock::sla_scan);
        auto const page = tx->profiles().list(q);
        for (auto const& p : page) {
            q.after_id = p.id;
            if (!core::sla_runs(p.state)) continue;
            auto clock = tx->profiles().sla_clock(p.id, p.state.stage);
            if (clock && visit(*tx, p, *clock)) tx->profiles().save_sla_clock(p.id, *clock);
        }
        tx->commit();
        if (static_cast<int>(page.size()) < kPage) break;
    }
}

SweepResult Profiles::escalate(std::optional<double> threshold_hours, TxContext const& by) {
    auto const now = clock_.now();
    auto const policy = policy_.sla;
    // The query leaves out reviews already alerted, so the writer is held only for the few in
    // their window, not for every overdue profile on every scan.
    auto const threshold = widest_deadline(policy, now, threshold_hours, policy.escalate_after);
    QueueQuery q;
    q.now = threshold;
    q.urgent_unsent = true;  // alerted reviews stay overdue: never read them again
    SweepResult out;
    sweep(q, by, [&](Tx& tx, ProfileRecord const& p, core::SlaClock& clock) {
        if (clock.urgent_sent) return false;
        auto const st = core::sla_status(clock, policy, now);
        bool const due = threshold_hours ? st.state == core::SlaState::running &&
                                               static_cast<double>(st.elapsed_ms) >= *threshold_hours * 3.6e6
                                         : core::sla_urgent_due(clock, policy, now);
        if (!due) return false;
        clock.urgent_sent = true;
        notify(tx, urgent_review(p.id, p.name, p.state.stage, st.elapsed_ms / 3.6e6, st.budget_ms / 3.6e6, p.assignee_id),
               now, mailer_);
        out.profile_ids.push_back(p.id);
        out.oldest_hours = std::max(out.oldest_hours, st.elapsed_ms / 3.6e6);
        return true;
    });
    if (out.profile_ids.empty()) return out;
    // One alert for the sweep, not one per review: the admins' feed and each admin's mail.
    notice::Escalation e;
    e.count = static_cast<int>(out.profile_ids.size());
    e.oldest_hours = out.oldest_hours;
    if (threshold_hours)
        e.threshold_hours = *threshold_hours;
    else
        e.threshold = policy.escalate_after;
    e.profile_ids = out.profile_ids;
    if (e.profile_ids.size() > 100) e.profile_ids.resize(100);
    auto const alert = escalation(e);
    auto tx = store_.begin(TxMode::write, by);
    notify(*tx, alert, now);
    if (mailer_) {
        if (auto mail = notice_mail(alert)) {
            UserQuery q;
            q.role = "admin";
            q.limit = 1000;
            for (auto const& admin : tx->users().list(q)) {
                if (admin.status != core::UserStatus::active) continue;
                auto vars = mail->vars;
                vars["profile_url"] = mailer_->identity().public_url + vars["profile_path"];
                auto queued = mailer_->queue(*tx, mail->template_name, {admin.email, admin.name, admin.id},
                                             std::move(vars), /*essential=*/false);
                if (!queued)
                    log::error("email.notice_not_queued",
                               {log::str("kind", alert.kind), log::str("why", queued.error().message)});
            }
        }
    }
    auto entry = domain_entry(now, core::AuditCategory::admin, "sla.escalate", "profiles", "");
    entry.details = json_members({{"count", std::to_string(out.profile_ids.size())},
                                  {"oldest_hours", std::to_string(out.oldest_hours)}});
    tx->audit().record(std::move(entry));
    tx->commit();
    return out;
}

SweepResult Profiles::remind_due(ReminderQuery const& query, TxContext const& by) {
    auto const now = clock_.now();
    auto const policy = policy_.sla;
    double const quiet = policy_.reminder_quiet_hours * 3600;
    auto const threshold = widest_deadline(policy, now, query.older_than_hours, policy.reminder_after);
    QueueQuery q;
    q.now = threshold;
    q.stage = query.stage;
    q.status = core::StageStatus::submitted;
    SweepResult out;
    sweep(q, by, [&](Tx& tx, ProfileRecord const& p, core::SlaClock& clock) {
        if (!core::sla_reminder_due(clock, policy, now, quiet, query.older_than_hours)) return false;
        clock.reminded_at = now;
        auto const st = core::sla_status(clock, policy, now);
        notify(tx, reminder(p.id, p.name, p.state.stage, st.elapsed_ms / 3.6e6, st.budget_ms / 3.6e6, p.assignee_id),
               now, mailer_);
        out.profile_ids.push_back(p.id);
        out.oldest_hours = std::max(out.oldest_hours, st.elapsed_ms / 3.6e6);
        return true;
    });
    if (!out.profile_ids.empty()) {
        auto tx = store_.begin(TxMode::write, by);
        auto entry = domain_entry(now, core::AuditCategory::admin, "sla.remind", "profiles", "");
        entry.details = json_members({{"count", std::to_string(out.profile_ids.size())}});
        tx->audit().record(std::move(entry));
        tx->commit();
    }
    return out;
}

Result<ProfileView> Profiles::assign(Actor const& actor, ProfileId id, std::optional<UserId> reviewer) {
    TRY_VOID(require(actor, core::perm::profiles_assign));
    auto tx = store_.begin(TxMode::write, context_of(actor));
    auto p = tx->profiles().by_id(id);
    if (!p) return no_profile();
    if (reviewer) {
        auto user = tx->users().by_id(*reviewer);
        if (!user || user->status != core::UserStatus::active)
            return invalid_field("reviewer_id", "reviewer " + std::to_string(*reviewer) + " is not an active user");
        auto const perms = roles_.permissions_for(user->roles, tx->roles().version(), *tx);
        if (!core::has_permission(perms, core::perm::profiles_review))
            return invalid_field("reviewer_id", "user " + std::to_string(*reviewer) + " cannot review profiles");
    }
    auto const before = p->assignee_id;
    p->assignee_id = reviewer;
    p->updated_at = clock_.now();
    tx->profiles().update(*p);
    auto entry = domain_entry(p->updated_at, core::AuditCategory::admin, "profile.assign", "profile", std::to_string(p->id));
    entry.before = json_members({{"assignee_id", id_or_null(before)}});
    entry.after = json_members({{"assignee_id", id_or_null(reviewer)}});
    tx->audit().record(std::move(entry));
    auto v = view(*tx, std::move(*p));
    tx->commit();
    return v;
}

}  // namespace hrms::app
