// SLA clocks and escalation through the use cases, on a settable clock: days of review time in
// microseconds of test time.
#include "fixture.hpp"

using namespace hrms;
using namespace hrms::app;
using hrms::testing::UseCaseTest;
using core::SlaState;
using core::Stage;

namespace {

constexpr std::int64_t kHour = 3'600'000;

class SlaTest : public UseCaseTest {
protected:
    void SetUp() override {
        review_.sla.hours_details = 48;
        review_.sla.escalate_after = 1.0;
        UseCaseTest::SetUp();
        admin_ = actor("admin", {"admin"});
        employee_ = actor("ada", {"employee"});
    }
    ProfileView view(ProfileId id) { return *profiles_->get(admin_, id); }
    std::size_t urgent_alerts() {
        std::size_t n = 0;
        for (auto const& f : feed(admin_)) n += f.kind == "admin.urgent_review";
        return n;
    }
    Actor admin_, employee_;
};

}  // namespace

TEST_F(SlaTest, TheClockRunsWhileAwaitingReviewAndPausesWhileTheEmployeeFixesThings) {
    auto const id = submitted(employee_).profile.id;
    clock_.advance_hours(10);
    auto v = view(id);
    ASSERT_TRUE(v.sla);
    EXPECT_EQ(v.sla->state, SlaState::running);
    EXPECT_EQ(v.sla->elapsed_ms, 10 * kHour);
    EXPECT_EQ(v.sla->deadline, clock_.now().plus_seconds(38 * 3600.0));

    ASSERT_TRUE(profiles_->decide(admin_, id, {Stage::details, core::Decision::reject, "blurred", std::nullopt}));
    clock_.advance_hours(100);  // the employee's turn: not the reviewers' time
    v = view(id);
    EXPECT_EQ(v.sla->state, SlaState::paused);
    EXPECT_EQ(v.sla->elapsed_ms, 10 * kHour);
    EXPECT_FALSE(v.sla->deadline);
    EXPECT_FALSE(v.profile.sla_due_at);

    ASSERT_TRUE(profiles_->submit(employee_));
    clock_.advance_hours(3);
    v = view(id);
    EXPECT_EQ(v.sla->state, SlaState::running);
    EXPECT_EQ(v.sla->elapsed_ms, 13 * kHour);

    ASSERT_TRUE(profiles_->decide(admin_, id, {Stage::details, core::Decision::approve, "", std::nullopt}));
    v = view(id);
    EXPECT_EQ(v.profile.state.stage, Stage::documents);
    EXPECT_FALSE(v.sla);  // the documents stage has no clock until it is submitted
}

TEST_F(SlaTest, AHoldPausesTheClockAndResumingKeepsTheTimeSpent) {
    auto const id = submitted(employee_).profile.id;
    clock_.advance_hours(10);
    ASSERT_TRUE(profiles_->set_employment(admin_, id, core::EmploymentStatus::on_hold, "visa"));
    clock_.advance_hours(500);
    EXPECT_EQ(view(id).sla->state, SlaState::paused);
    ASSERT_TRUE(profiles_->set_employment(admin_, id, core::EmploymentStatus::onboarding, ""));
    clock_.advance_hours(1);
    auto const v = view(id);
    EXPECT_EQ(v.sla->state, SlaState::running);
    EXPECT_EQ(v.sla->elapsed_ms, 11 * kHour);
    EXPECT_FALSE(v.sla->overdue);
}

TEST_F(SlaTest, AReviewPastItsEscalationPointAlertsTheReviewersOnce) {
    auto const id = submitted(employee_).profile.id;
    auto const held_employee = actor("held", {"employee"});
    auto const held = submitted(held_employee).profile.id;
    ASSERT_TRUE(profiles_->set_employment(admin_, held, core::EmploymentStatus::on_hold, ""));

    clock_.advance_hours(47.9);
    EXPECT_EQ(profiles_->escalate_due(), 0);
    EXPECT_EQ(urgent_alerts(), 0u);

    clock_.advance_hours(0.2);  // 48.1 h of a 48 h budget
    EXPECT_EQ(profiles_->escalate_due(), 1);
    EXPECT_TRUE(view(id).sla->overdue);
    EXPECT_EQ(profiles_->escalate_due(), 0);  // once per review
    clock_.advance_hours(100);
    EXPECT_EQ(profiles_->escalate_due(), 0);
    EXPECT_EQ(urgent_alerts(), 1u);
    for (auto const& f : feed(employee_)) EXPECT_NE(f.kind, "admin.urgent_review");  // not the employee's business

    // A review sent back and submitted again may escalate again: it is the same review.
    ASSERT_TRUE(profiles_->decide(admin_, id, {Stage::details, core::Decision::reject, "again", std::nullopt}));
    ASSERT_TRUE(profiles_->submit(employee_));
    EXPECT_EQ(profiles_->escalate_due(), 0);
}

TEST_F(SlaTest, TheAlertNamesTheStageTheTimeAndTheAssignee) {
    auto const id = submitted(employee_).profile.id;
    auto const reviewer = actor("rita", {"reviewer"});
    ASSERT_TRUE(profiles_->assign(admin_, id, reviewer.id));
    clock_.advance_hours(60);
    ASSERT_EQ(profiles_->escalate_due(), 1);
    for (auto const& f : feed(admin_)) {
        if (f.kind != "admin.urgent_review") continue;
        EXPECT_NE(f.data_json.find("\"stage\":\"details\""), std::string::npos) << f.data_json;
        EXPECT_NE(f.data_json.find("\"elapsed_hours\":6E1"), std::string::npos) << f.data_json;
        EXPECT_NE(f.data_json.find("\"assignee_id\":" + std::to_string(reviewer.id)), std::string::npos)
            << f.data_json;
        EXPECT_EQ(f.created_at, clock_.now());
    }
}
