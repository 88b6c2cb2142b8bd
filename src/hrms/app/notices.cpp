#include "hrms/app/notices.hpp"

#include <boost/json.hpp>

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
};

}  // namespace

std::string data_json(NoticeData const& data) { return json::serialize(std::visit(ToJson{}, data)); }

void notify(Tx& tx, Notice const& notice, std::string const& at) {
    NotificationRecord n;
    n.channel = notice.channel;
    n.kind = notice.kind;
    n.title = notice.title;
    n.body = notice.body;
    n.data_json = data_json(notice.data);
    n.created_at = at;
    tx.insert_notification(n);
}

}  // namespace hrms::app
