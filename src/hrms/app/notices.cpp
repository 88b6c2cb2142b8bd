#include "hrms/app/notices.hpp"

#include <type_traits>

#include "hrms/app/email.hpp"
#include "hrms/app/log.hpp"

#include <boost/json.hpp>

#include <cstdio>

namespace hrms::app {

namespace json = boost::json;

std::string user_channel(UserId id) { return "user:" + std::to_string(id); }

std::string role_channel(std::string_view role) { return "role:" + std::string(role); }

namespace {

struct ToJson {
    json::object operator()(notice::StageSubmitted const& n) const {
        return {{"profile_id", n.profile_id}, {"stage", core::to_string(n.stage)}};
    }
    json::object operator()(notice::StageAdvanced const& n) const {
        return {{"profile_id", n.profile_id}, {"stage", core::to_string(n.stage)}, {"progress", n.progress}};
    }
    json::object operator()(notice::StageRejected const& n) const {
        return {{"profile_id", n.profile_id}, {"stage", core::to_string(n.stage)}, {"reason", n.reason}};
    }
    json::object operator()(notice::Completed const& n) const {
        return {{"profile_id", n.profile_id}, {"stage", "completed"}, {"progress", 100}};
    }
    json::object operator()(notice::DocumentUploaded const& n) const {
        return {{"profile_id", n.profile_id}, {"document_id", n.document_id}, {"type", n.type}};
    }
    json::object operator()(notice::DocumentReviewed const& n) const {
        return {{"profile_id", n.profile_id}, {"document_id", n.document_id}, {"type", n.type},
                {"decision", core::to_string(n.decision)}, {"reason", n.reason}};
    }
    json::object operator()(notice::UrgentReview const& n) const {
        return {{"profile_id", n.profile_id},
                {"stage", core::to_string(n.stage)},
                {"elapsed_hours", n.elapsed_hours},
                {"budget_hours", n.budget_hours},
                {"assignee_id", n.assignee_id ? json::value(*n.assignee_id) : json::value(nullptr)}};
    }
    json::object operator()(notice::EmploymentChanged const& n) const {
        return {{"profile_id", n.profile_id}, {"employment_status", core::to_string(n.status)}, {"reason", n.reason}};
    }
    json::object operator()(notice::BulkCompleted const& n) const {
        return {{"job_id", n.job_id}, {"kind", n.kind},           {"status", n.status},
                {"total", n.total},   {"succeeded", n.succeeded}, {"failed", n.failed}};
    }
    json::object operator()(notice::Announcement const& n) const { return {{"from_user_id", n.from}}; }
    json::object operator()(notice::Reminder const& n) const {
        return {{"profile_id", n.profile_id},
                {"stage", core::to_string(n.stage)},
                {"elapsed_hours", n.elapsed_hours},
                {"budget_hours", n.budget_hours},
                {"assignee_id", n.assignee_id ? json::value(*n.assignee_id) : json::value(nullptr)}};
    }
    json::object operator()(notice::Escalation const& n) const {
        json::array ids;
        for (auto id : n.profile_ids) ids.emplace_back(id);
        return {{"count", n.count},
                {"oldest_hours", n.oldest_hours},
                {"threshold", n.threshold},
                {"threshold_hours", n.threshold_hours},
                {"profile_ids", std::move(ids)}};
    }
    json::object operator()(notice::SecurityAlert const& n) const {
        return {{"event", n.event}, {"source", n.source}, {"count", n.count}, {"window_s", n.window_s}, {"ip", n.ip}};
    }
};

}  // namespace

std::string data_json(NoticeData const& data) { return json::serialize(std::visit(ToJson{}, data)); }

void notify(Tx& tx, Notice const& notice, Instant at, Mailer const* mailer) {
    NotificationRecord n;
    n.channel = notice.channel;
    n.kind = notice.kind;
    n.title = notice.title;
    n.body = notice.body;
    n.data_json = data_json(notice.data);
    n.created_at = at;
    tx.notifications().insert(n);
    if (!mailer) return;
    auto mail = notice_mail(notice);
    if (!mail) return;
    // To the one user of a user channel; an escalation (to the reviewers' channel) goes by mail
    // to the reviewer it is assigned to, if any.
    std::optional<UserId> to;
    if (notice.channel.starts_with("user:")) to = std::stoll(notice.channel.substr(5));
    if (auto const* urgent = std::get_if<notice::UrgentReview>(&notice.data)) to = urgent->assignee_id;
    if (auto const* remind = std::get_if<notice::Reminder>(&notice.data)) to = remind->assignee_id;
    if (!to) return;
    auto const user = tx.users().by_id(*to);
    if (!user || user->status != core::UserStatus::active) return;  // invited: their mail is the invite
    mail->vars.emplace("onboarding_url", mailer->identity().public_url + "/onboarding");
    if (auto path = mail->vars.find("profile_path"); path != mail->vars.end())
        mail->vars["profile_url"] = mailer->identity().public_url + path->second;
    auto queued = mailer->queue(tx, mail->template_name, {user->email, user->name, user->id}, std::move(mail->vars),
                                /*essential=*/false);
    // The event stands without its mail; a template that cannot render is a defect to see.
    if (!queued)
        log::error("email.notice_not_queued", {log::str("kind", notice.kind), log::str("why", queued.error().message)});
}

std::optional<NoticeMail> notice_mail(Notice const& notice) {
    NoticeMail m{notice.kind, {{"title", notice.title}, {"body", notice.body}}};
    return std::visit(
        [&](auto const& d) -> std::optional<NoticeMail> {
            using T = std::decay_t<decltype(d)>;
            if constexpr (std::is_same_v<T, notice::StageAdvanced>) {
                m.vars["progress"] = std::to_string(d.progress);
                return m;
            } else if constexpr (std::is_same_v<T, notice::Completed>) {
                m.vars["progress"] = "100";
                return m;
            } else if constexpr (std::is_same_v<T, notice::StageRejected>) {
                m.vars["reason"] = d.reason;
                return m;
            } else if constexpr (std::is_same_v<T, notice::DocumentReviewed>) {
                if (d.decision != core::Decision::reject) return std::nullopt;  // approvals stay in the feed
                m.vars["reason"] = d.reason;
                return m;
            } else if constexpr (std::is_same_v<T, notice::EmploymentChanged>) {
                m.vars["reason"] = d.reason;
                return m;
            } else if constexpr (std::is_same_v<T, notice::UrgentReview> || std::is_same_v<T, notice::Reminder>) {
                if (!d.assignee_id) return std::nullopt;
                m.vars["profile_path"] = "/review/" + std::to_string(d.profile_id);
                return m;
            } else if constexpr (std::is_same_v<T, notice::Announcement>) {
                return m;
            } else if constexpr (std::is_same_v<T, notice::Escalation>) {
                m.vars["profile_path"] = "/review?urgent=true";
                return m;
            } else {
                return std::nullopt;
            }
        },
        notice.data);
}

namespace {
char const* stage_title(core::Stage s) {
    switch (s) {
        case core::Stage::details: return "personal details";
        case core::Stage::documents: return "documents";
        case core::Stage::final: return "final review";
        case core::Stage::completed: return "onboarding";
    }
    return "onboarding";
}
std::string your(core::Stage s, char const* what) { return std::string("Your ") + stage_title(s) + " " + what; }
}  // namespace

std::vector<Notice> stage_submitted(UserId employee, std::string const& name, ProfileId profile, core::Stage stage) {
    notice::StageSubmitted const data{profile, stage};
    return {{user_channel(employee), "profile.submitted", your(stage, "were submitted"),
             "A reviewer will look at them soon.", data},
            {kAdminsChannel, "admin.new_submission", "New submission: " + name,
             name + " submitted their " + stage_title(stage) + ".", data}};
}

Notice stage_approved(UserId employee, ProfileId profile, core::Stage from, core::Stage to, int progress) {
    if (to == core::Stage::completed)
        return {user_channel(employee), "profile.completed", "Onboarding complete",
                "Welcome aboard: every stage is approved.", notice::Completed{profile}};
    return {user_channel(employee), "profile.stage_advanced", your(from, "were approved"),
            std::string("Next: ") + stage_title(to) + ".", notice::StageAdvanced{profile, to, progress}};
}

Notice stage_rejected(UserId employee, ProfileId profile, core::Stage from, core::Stage to, std::string const& reason) {
    return {user_channel(employee), "profile.rejected", your(from, "need changes"), reason,
            notice::StageRejected{profile, to, reason}};
}

Notice document_uploaded(UserId employee, ProfileId profile, DocumentId document, std::string const& type,
                         std::string const& type_name, std::string const& filename) {
    return {user_channel(employee), "document.uploaded", type_name + " received", "We received " + filename + ".",
            notice::DocumentUploaded{profile, document, type}};
}

Notice document_reviewed(UserId employee, ProfileId profile, DocumentId document, std::string const& type,
                         std::string const& type_name, std::string const& filename, core::Decision decision,
                         std::string const& reason) {
    bool const ok = decision == core::Decision::approve;
    // Say what happens next: a rejected document is replaced at once, the review goes on.
    std::string body = ok ? "Approved."
                          : "Reason: " + reason + " Please upload a new " + type_name +
                                " from your onboarding page; the rest of your documents stay in review.";
    return {user_channel(employee), "document.reviewed", ok ? filename + " was approved" : filename + " needs a new upload",
            std::move(body), notice::DocumentReviewed{profile, document, type, decision, reason}};
}

Notice urgent_review(ProfileId profile, std::string const& name, core::Stage stage, double elapsed_hours,
                     double budget_hours, std::optional<UserId> assignee) {
    char hours[64];
    std::snprintf(hours, sizeof hours, "%.1f h of its %.1f h budget", elapsed_hours, budget_hours);
    return {kAdminsChannel, "admin.urgent_review", "Urgent review: " + name,
            name + "'s " + stage_title(stage) + " review has taken " + hours + ".",
            notice::UrgentReview{profile, stage, elapsed_hours, budget_hours, assignee}};
}

Notice employment_changed(UserId employee, ProfileId profile, core::EmploymentStatus status, std::string const& reason) {
    char const* title = "Your employment is active";
    switch (status) {
        case core::EmploymentStatus::on_hold: title = "Your onboarding is on hold"; break;
        case core::EmploymentStatus::withdrawn: title = "Your onboarding was withdrawn"; break;
        case core::EmploymentStatus::onboarding: title = "Your onboarding continues"; break;
        case core::EmploymentStatus::active: break;
    }
    return {user_channel(employee), "profile.employment_changed", title, reason,
            notice::EmploymentChanged{profile, status, reason}};
}

Notice security_alert(std::string const& event, std::string const& source, int count, double window_s,
                      std::string const& ip) {
    std::string what = std::to_string(count) + " times from " + source + " in the last " +
                       std::to_string(static_cast<long long>(window_s / 60)) + " minutes.";
    return {role_channel("admin"), "admin.security_alert", "Security alert: " + event, std::move(what),
            notice::SecurityAlert{event, source, count, window_s, ip}};
}

Notice announcement(UserId to, std::string const& title, std::string const& body, UserId from) {
    return {user_channel(to), "announcement", title, body, notice::Announcement{from}};
}

Notice reminder(ProfileId profile, std::string const& name, core::Stage stage, double elapsed_hours,
                double budget_hours, std::optional<UserId> assignee) {
    char hours[96];
    std::snprintf(hours, sizeof hours, " has waited %.1f hours (the SLA gives %.1f) for review of their ", elapsed_hours,
                  budget_hours);
    return {assignee ? user_channel(*assignee) : std::string(kAdminsChannel), "reminder",
            "Reminder: " + name + " is waiting for review", name + hours + stage_title(stage) + ".",
            notice::Reminder{profile, stage, elapsed_hours, budget_hours, assignee}};
}

Notice escalation(notice::Escalation const& e) {
    char past[64], text[200];
    if (e.threshold > 0)
        std::snprintf(past, sizeof past, "%g\u00d7 their SLA", e.threshold);
    else
        std::snprintf(past, sizeof past, "%g hours of waiting", e.threshold_hours);
    std::snprintf(text, sizeof text, "%d review%s %s past %s; the oldest has waited %.1f days.", e.count,
                  e.count == 1 ? "" : "s", e.count == 1 ? "is" : "are", past, e.oldest_hours / 24);
    return {role_channel("admin"), "admin.escalation",
            std::to_string(e.count) + (e.count == 1 ? " review needs" : " reviews need") + " attention now", text, e};
}

Notice bulk_completed(UserId actor, notice::BulkCompleted const& job) {
    std::string const title = job.status == "cancelled" ? "Bulk job cancelled" : "Bulk job finished";
    std::string body = std::to_string(job.succeeded) + " of " + std::to_string(job.total) + " items succeeded";
    if (job.failed > 0) body += ", " + std::to_string(job.failed) + " failed";
    if (auto const rest = job.total - job.succeeded - job.failed; rest > 0)
        body += ", " + std::to_string(rest) + " cancelled";
    return {user_channel(actor), "bulk.completed", title, body + ".", job};
}

}  // namespace hrms::app
