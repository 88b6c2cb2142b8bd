#pragma once
// Onboarding profiles: the employee's details and submissions, the review queue, decisions,
// assignment. Every transition writes its stage-history row and notifications in one Tx.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "hrms/app/actor.hpp"
#include "hrms/app/email.hpp"
#include "hrms/app/grants.hpp"
#include "hrms/app/ports.hpp"
#include "hrms/app/role_catalog.hpp"
#include "hrms/core/onboarding.hpp"

namespace hrms::app {

struct ProfileView {
    ProfileRecord profile;
    std::vector<DocumentRecord> documents;  // current versions
    std::vector<HistoryRecord> history;
    std::optional<core::SlaStatus> sla;     // of the current review stage's clock, if any
    bool urgent = false;                     // that review was escalated (admin.urgent_review)
};

struct QueuePage {
    std::vector<ProfileRecord> items;
    std::optional<ProfileId> next_after;
};

// How reviews are timed and who may decide them (HRMS_SLA_*, HRMS_REMINDER_AFTER,
// HRMS_ESCALATE_AFTER, HRMS_ALLOW_SELF_REVIEW).
struct ReviewPolicy {
    core::SlaPolicy sla;
    SelfReview self_review = SelfReview::refused;
    double reminder_quiet_hours = 24;  // HRMS_REMINDER_QUIET_HOURS: at most one reminder per review per period
};

// Which reviews a reminder sweep looks at: a stage, and how long they have waited (default:
// HRMS_REMINDER_AFTER of their budget).
struct ReminderQuery {
    std::optional<core::Stage> stage;
    std::optional<double> older_than_hours;
};

// What a sweep did: the profiles it reminded about or escalated.
struct SweepResult {
    std::vector<ProfileId> profile_ids;
    double oldest_hours = 0;
};

// Progress of `p` as stored now (approved required documents are read from `tx`).
int compute_progress(Tx& tx, ProfileRecord const& p);

class Profiles {
public:
    // With a `mailer`, the notices that warrant mail are also emailed (notices.hpp).
    Profiles(Store& store, Clock const& clock, ReviewPolicy const& policy, RoleCatalog& roles,
             Mailer const* mailer = nullptr);

    // The actor's own profile; not_found when they have none (not an employee).
    Result<ProfileView> mine(Actor const& actor);
    // A profile: its owner, or anyone with profiles.read; not_found for everyone else.
    Result<ProfileView> get(Actor const& actor, ProfileId id);
    // Saves the actor's details as a draft (stage details, status draft or rejected); format
    // errors are validation_failed listing every bad field; missing fields are fine in a draft.
    Result<ProfileView> save_details(Actor const& actor, core::Details const& details);
    // Submits the current stage: details must be complete; documents needs every required type
    // uploaded and not rejected. Starts (or resumes) the stage's SLA clock.
    Result<ProfileView> submit(Actor const& actor);
    // The review queue (profiles.read), keyset-paged by id.
    Result<QueuePage> queue(Actor const& actor, QueueQuery query);
    // A reviewer's decision (profiles.review); conflict when the stage is not current (so two
    // reviewers can never both decide one stage), or when the documents stage is approved while
    // a required document is not approved.
    Result<ProfileView> decide(Actor const& actor, ProfileId id, core::DecisionInput const& input);
    // The same decision in the caller's `tx` (a bulk job's batch), without the view.
    Result<ProfileRecord> decide_in(Tx& tx, Actor const& actor, ProfileId id, core::DecisionInput const& input);
    // Assigns (or with nullopt, unassigns) a reviewer (profiles.assign); the assignee must hold
    // profiles.review.
    Result<ProfileView> assign(Actor const& actor, ProfileId id, std::optional<UserId> reviewer);

    // Sets the employment status (profiles.status): on_hold and withdrawn stop the employee's
    // and the reviewers' work and pause the current stage's SLA clock; onboarding resumes both.
    // Writes a history row (decision "employment.<status>") and notifies the employee; setting
    // the current status changes nothing. Errors as core::change_employment; the reason, when
    // given, is at most core::kMaxReasonLength characters.
    Result<ProfileView> set_employment(Actor const& actor, ProfileId id, core::EmploymentStatus to,
                                       std::string const& reason);
    // The same change in the caller's `tx` (a bulk job's batch), without the view.
    Result<ProfileRecord> set_employment_in(Tx& tx, Actor const& actor, ProfileId id, core::EmploymentStatus to,
                                            std::string const& reason);

    // Sends admin.urgent_review to the admin channel for every review that has run past
    // HRMS_ESCALATE_AFTER of its SLA budget and has not had one (once per review); returns how
    // many went out. Several processes may run it at once (they take turns).
    int escalate_due();
    // The same, for reviews that have waited `threshold_hours` when given (an admin's sweep),
    // and then one aggregated admin.escalation to the admins, by mail too ("12 reviews are past
    // 2x their SLA; the oldest has waited 5 days"), when any review was newly escalated.
    SweepResult escalate(std::optional<double> threshold_hours, TxContext const& by = {});
    // Sends a reminder about every running review due one (core::sla_reminder_due): to its
    // assignee (by mail too), else to every reviewer; never twice within
    // HRMS_REMINDER_QUIET_HOURS. Several processes may run it at once (they take turns).
    SweepResult remind_due(ReminderQuery const& query, TxContext const& by = {});

private:
    ProfileView view(Tx& tx, ProfileRecord p);
    // Pages through the running reviews `q` selects (its `now`: the widest deadline), a write
    // transaction per page that takes turns with other processes' sweeps; `visit` acts on one in
    // that transaction and returns true when it changed the clock (which is then saved).
    void sweep(QueueQuery q, TxContext const& by,
               std::function<bool(Tx&, ProfileRecord const&, core::SlaClock&)> const& visit);

    Store& store_;
    Clock const& clock_;
    ReviewPolicy const& policy_;
    RoleCatalog& roles_;
    Mailer const* mailer_;
};

}  // namespace hrms::app
