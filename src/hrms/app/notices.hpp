#pragma once
// What a notification says, as types: each kind's `data` is serialised here and nowhere else
// (the feed, the WebSocket frames and, next, the email templates read these same values; their
// schema is docs/websocket.schema.json's NotificationData). Channel names live here too.
#include <map>
#include <optional>
#include <string>
#include <vector>
#include <string_view>
#include <variant>

#include "hrms/app/ports.hpp"
#include "hrms/core/onboarding.hpp"

namespace hrms::app {

// "user:<id>": one user's own notifications.
std::string user_channel(UserId id);
// "role:<name>": everyone holding the role.
std::string role_channel(std::string_view role);
// Everyone whose roles grant profiles.review.
inline constexpr char const kAdminsChannel[] = "admins";

namespace notice {
// profile.submitted (to the employee) and admin.new_submission (to reviewers).
struct StageSubmitted {
    ProfileId profile_id = 0;
    core::Stage stage = core::Stage::details;
};
// profile.stage_advanced: the new stage and progress.
struct StageAdvanced {
    ProfileId profile_id = 0;
    core::Stage stage = core::Stage::documents;
    int progress = 0;
};
// profile.rejected: where the profile now is, and why.
struct StageRejected {
    ProfileId profile_id = 0;
    core::Stage stage = core::Stage::details;
    std::string reason;
};
// profile.completed.
struct Completed {
    ProfileId profile_id = 0;
};
// document.uploaded.
struct DocumentUploaded {
    ProfileId profile_id = 0;
    DocumentId document_id = 0;
    std::string type;
};
// document.reviewed: `reason` empty when none was given.
struct DocumentReviewed {
    ProfileId profile_id = 0;
    DocumentId document_id = 0;
    std::string type;
    core::Decision decision = core::Decision::approve;
    std::string reason;
};
// admin.urgent_review: a review past HRMS_ESCALATE_AFTER of its budget.
struct UrgentReview {
    ProfileId profile_id = 0;
    core::Stage stage = core::Stage::details;
    double elapsed_hours = 0;
    double budget_hours = 0;
    std::optional<UserId> assignee_id;
};
// profile.employment_changed: `reason` empty when none was given.
struct EmploymentChanged {
    ProfileId profile_id = 0;
    core::EmploymentStatus status = core::EmploymentStatus::onboarding;
    std::string reason;
};
// admin.security_alert: repeated refusals from one address or against one account.
struct SecurityAlert {
    std::string event;   // the audit action: auth.login_failed, authz.denied, ...
    std::string source;  // "address 203.0.113.9" or "account someone@example.com"
    int count = 0;       // events from that source within the window
    double window_s = 0;
    std::string ip;      // the latest event's address
};
// announcement: a message from an admin (bulk notifications).
struct Announcement {
    UserId from = 0;
};
// reminder: a review has waited past HRMS_REMINDER_AFTER of its SLA budget (to its assignee,
// else to every reviewer).
struct Reminder {
    ProfileId profile_id = 0;
    core::Stage stage = core::Stage::details;
    double elapsed_hours = 0;
    double budget_hours = 0;
    std::optional<UserId> assignee_id;
};
// admin.escalation: reviews newly past HRMS_ESCALATE_AFTER of their budget, in one alert.
struct Escalation {
    int count = 0;
    double oldest_hours = 0;  // the longest a review among them has waited
    double threshold = 0;        // the multiple of the budget they passed (0: threshold_hours)
    double threshold_hours = 0;  // or the hours of waiting an admin asked about
    std::vector<ProfileId> profile_ids;
};
// bulk.completed: a bulk job ended (to the admin who started it).
struct BulkCompleted {
    std::int64_t job_id = 0;
    std::string kind;    // profiles.decision, roles, ...
    std::string status;  // completed, cancelled
    std::int64_t total = 0;
    std::int64_t succeeded = 0;
    std::int64_t failed = 0;
};
}  // namespace notice

using NoticeData = std::variant<notice::StageSubmitted, notice::StageAdvanced, notice::StageRejected,
                                notice::Completed, notice::DocumentUploaded, notice::DocumentReviewed,
                                notice::UrgentReview, notice::EmploymentChanged, notice::SecurityAlert,
                                notice::BulkCompleted, notice::Announcement, notice::Reminder, notice::Escalation>;

// The `data` object of a notification, as JSON text.
std::string data_json(NoticeData const& data);

// One notification to write in `tx` (and publish after its COMMIT).
struct Notice {
    std::string channel;
    std::string kind;
    std::string title;
    std::string body;
    NoticeData data;
};

class Mailer;

// Writes `notice` in `tx`, stamped `at`; with a `mailer`, the kinds that warrant mail (notice_mail)
// to one user are also queued as email to that user, in the same transaction.
void notify(Tx& tx, Notice const& notice, Instant at, Mailer const* mailer = nullptr);

// The template and variables of the mail a notice sends, or nothing for kinds that stay in the
// feed (submissions, uploads, approvals of single documents, reviewers' and admins' notices).
struct NoticeMail {
    std::string template_name;  // the notice's kind
    std::map<std::string, std::string> vars;
};
std::optional<NoticeMail> notice_mail(Notice const& notice);

// What each event tells whom, in words and data: written by the use cases (and by the demo
// seeder, so that seeded feeds read like real ones).
// A stage was submitted: the employee, then the reviewers.
std::vector<Notice> stage_submitted(UserId employee, std::string const& name, ProfileId profile, core::Stage stage);
// A stage was approved: profile.stage_advanced, or profile.completed when `to` is completed.
Notice stage_approved(UserId employee, ProfileId profile, core::Stage from, core::Stage to, int progress);
// A stage was rejected; `to` is where the profile went back to.
Notice stage_rejected(UserId employee, ProfileId profile, core::Stage from, core::Stage to, std::string const& reason);
Notice document_uploaded(UserId employee, ProfileId profile, DocumentId document, std::string const& type,
                         std::string const& type_name, std::string const& filename);
Notice document_reviewed(UserId employee, ProfileId profile, DocumentId document, std::string const& type,
                         std::string const& type_name, std::string const& filename, core::Decision decision,
                         std::string const& reason);
Notice urgent_review(ProfileId profile, std::string const& name, core::Stage stage, double elapsed_hours,
                     double budget_hours, std::optional<UserId> assignee);
Notice employment_changed(UserId employee, ProfileId profile, core::EmploymentStatus status, std::string const& reason);
// To one user: a message from an admin.
Notice announcement(UserId to, std::string const& title, std::string const& body, UserId from);
// A review waiting past its reminder point: to its assignee, else to every reviewer.
Notice reminder(ProfileId profile, std::string const& name, core::Stage stage, double elapsed_hours,
                double budget_hours, std::optional<UserId> assignee);
// To the admins (role:admin): `escalation.count` reviews newly past the escalation point.
Notice escalation(notice::Escalation const& escalation);
// To the admin who started it: a bulk job ended.
Notice bulk_completed(UserId actor, notice::BulkCompleted const& job);
// To the admins (role:admin): a source's refusals reached the critical level.
Notice security_alert(std::string const& event, std::string const& source, int count, double window_s,
                      std::string const& ip);

}  // namespace hrms::app
