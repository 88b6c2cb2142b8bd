#pragma once
// The profiles port: onboarding profiles, their SLA clocks and stage history.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hrms/app/ports/users.hpp"
#include "hrms/core/onboarding.hpp"

namespace hrms::app {

using ProfileId = std::int64_t;

struct ProfileRecord {
    ProfileId id = 0;
    UserId user_id = 0;
    core::ProfileState state;
    int progress = 0;
    core::Details details;
    std::optional<UserId> assignee_id;
    std::optional<Instant> submitted_at;
    std::optional<Instant> sla_due_at;
    Instant created_at;
    Instant updated_at;
    // The employee's account, joined for lists.
    std::string email;
    std::string name;
};

struct QueueQuery {
    std::optional<core::Stage> stage;
    std::optional<core::StageStatus> status;
    std::optional<bool> overdue;  // true: sla_due_at < now; false: not overdue
    std::optional<UserId> assignee;
    std::optional<std::string> text;  // substring of name or email
    // Only profiles whose current stage's SLA clock has not had its admin.urgent_review.
    bool urgent_unsent = false;
    // true: only reviews that were escalated (marked urgent); false: only the others.
    std::optional<bool> urgent;
    std::optional<ProfileId> after_id;
    int limit = 50;
    Instant now;
};

struct HistoryRecord {
    std::int64_t id = 0;
    ProfileId profile_id = 0;
    std::optional<UserId> actor_id;
    Instant at;
    core::Stage from_stage{}, to_stage{};
    core::StageStatus from_status{}, to_status{};
    std::optional<std::string> decision;  // approve | reject | employment.<status>
    std::optional<std::string> reason;
    // The employment status the transition left (whose turn the left state was depends on it).
    core::EmploymentStatus from_employment = core::EmploymentStatus::onboarding;
    // A reviewer's decision: the decided stage's SLA clock at the decision (paused time
    // excluded) and that stage's budget.
    std::optional<std::int64_t> clock_ms;
    std::optional<std::int64_t> budget_ms;
};

// Profiles on one transaction.
class ProfileRepo {
public:
    virtual ~ProfileRepo() = default;
    // The user's profile, whose queue free text is the user's (core::search_text of name and email).
    virtual ProfileId insert(UserId user, Instant now) = 0;
    // In a write Tx these lock the profile's row until the Tx ends (PostgreSQL; SQLite
    // serializes writers anyway), so two decisions on one stage cannot both pass the check.
    virtual std::optional<ProfileRecord> by_id(ProfileId id) = 0;
    virtual std::optional<ProfileRecord> by_user(UserId user) = 0;
    // Writes state, progress, details, assignee, submitted_at, sla_due_at and updated_at.
    virtual void update(ProfileRecord const& p) = 0;
    // The review queue page by ascending id, at most query.limit rows.
    virtual std::vector<ProfileRecord> list(QueueQuery const& query) = 0;
    virtual std::optional<core::SlaClock> sla_clock(ProfileId id, core::Stage stage) = 0;
    virtual void save_sla_clock(ProfileId id, core::SlaClock const& clock) = 0;
    // Also records how long the left state lasted (since the previous transition, or the
    // profile's creation), whose turn it was, and the profile's age at the transition.
    virtual void insert_history(HistoryRecord const& h) = 0;
    virtual std::vector<HistoryRecord> history(ProfileId id) = 0;

    // Profiles counted by (stage, status), for the admin dashboard.
    struct StageCount {
        core::Stage stage;
        core::StageStatus status;
        std::int64_t count = 0;
    };
    virtual std::vector<StageCount> counts() = 0;
};

}  // namespace hrms::app
