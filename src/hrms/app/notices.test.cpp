// Each notification kind's `data`, serialised in one place: the exact JSON the feed, the
// WebSocket frames and the email templates see (docs/websocket.schema.json, NotificationData).
#include <gtest/gtest.h>

#include "hrms/app/notices.hpp"

using namespace hrms;
using namespace hrms::app;

TEST(Notices, EveryKindSerialisesItsData) {
    using core::Stage;
    EXPECT_EQ(data_json(notice::StageSubmitted{12, Stage::details}), R"({"profile_id":12,"stage":"details"})");
    EXPECT_EQ(data_json(notice::StageAdvanced{12, Stage::documents, 40}),
              R"({"profile_id":12,"stage":"documents","progress":40})");
    EXPECT_EQ(data_json(notice::StageRejected{12, Stage::details, "Blurred \"scan\""}),
              R"({"profile_id":12,"stage":"details","reason":"Blurred \"scan\""})");
    EXPECT_EQ(data_json(notice::Completed{12}), R"({"profile_id":12,"stage":"completed","progress":100})");
    EXPECT_EQ(data_json(notice::DocumentUploaded{12, 7, "id_proof"}),
              R"({"profile_id":12,"document_id":7,"type":"id_proof"})");
    EXPECT_EQ(data_json(notice::DocumentReviewed{12, 7, "id_proof", core::Decision::reject, "expired"}),
              R"({"profile_id":12,"document_id":7,"type":"id_proof","decision":"reject","reason":"expired"})");
    EXPECT_EQ(data_json(notice::UrgentReview{12, Stage::final, 50.5, 24, std::nullopt}),
              R"({"profile_id":12,"stage":"final","elapsed_hours":5.05E1,"budget_hours":2.4E1,"assignee_id":null})");
    EXPECT_EQ(data_json(notice::UrgentReview{12, Stage::final, 1, 2, UserId{3}}).find(R"("assignee_id":3)") !=
                  std::string::npos,
              true);
    EXPECT_EQ(data_json(notice::EmploymentChanged{12, core::EmploymentStatus::on_hold, ""}),
              R"({"profile_id":12,"employment_status":"on_hold","reason":""})");
}

TEST(Notices, ChannelNames) {
    EXPECT_EQ(user_channel(42), "user:42");
    EXPECT_EQ(role_channel("team_lead"), "role:team_lead");
    EXPECT_STREQ(kAdminsChannel, "admins");
}
