#include "hrms/store/pg_bus.hpp"

#include <gtest/gtest.h>

using namespace hrms;
using namespace hrms::store;

namespace {

app::NotificationRecord note(std::int64_t id) {
    app::NotificationRecord n;
    n.id = id;
    n.title = std::string(5000, 'x');  // bodies never travel: only ids do
    return n;
}

TEST(LivePayloads, CarryIdsAndEventsAndRoundTrip) {
    app::LiveBatch b;
    b.notifications = {note(41), note(42), note(43)};
    b.ended_sessions = {std::string(64, 'a')};
    b.blocked_users = {7};
    b.changed_users = {8, 9};
    b.changed_roles = {"hr_lead"};
    b.progress = {{5, 12, 300, 1000, 290, 10}};
    auto payloads = encode_live_payloads(b);
    ASSERT_EQ(payloads.size(), 1u);
    EXPECT_LT(payloads[0].size(), 200u);
    auto p = decode_live_payload(payloads[0]);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->first, 41);
    EXPECT_EQ(p->last, 43);
    EXPECT_EQ(p->ended_sessions, b.ended_sessions);
    EXPECT_EQ(p->blocked_users, b.blocked_users);
    EXPECT_EQ(p->changed_users, b.changed_users);
    EXPECT_EQ(p->changed_roles, b.changed_roles);
    ASSERT_EQ(p->progress.size(), 1u);
    EXPECT_EQ(p->progress[0].user, 5);
    EXPECT_EQ(p->progress[0].job_id, 12);
    EXPECT_EQ(p->progress[0].done, 300);
    EXPECT_EQ(p->progress[0].total, 1000);
    EXPECT_EQ(p->progress[0].succeeded, 290);
    EXPECT_EQ(p->progress[0].failed, 10);
}

TEST(LivePayloads, LongListsAreSplitUnderThePostgresLimit) {
    app::LiveBatch b;
    b.notifications = {note(1), note(5000)};
    for (int i = 0; i < 500; ++i) b.ended_sessions.push_back(std::string(64, 'a' + i % 6));
    auto payloads = encode_live_payloads(b);
    ASSERT_GT(payloads.size(), 1u);
    std::size_t sessions = 0;
    int with_range = 0;
    for (auto const& text : payloads) {
        EXPECT_LT(text.size(), 8000u);
        auto p = decode_live_payload(text);
        ASSERT_TRUE(p) << text.substr(0, 80);
        sessions += p->ended_sessions.size();
        with_range += p->last != 0;
    }
    EXPECT_EQ(sessions, 500u);
    EXPECT_EQ(with_range, 1);
}

TEST(LivePayloads, ProfileChangesTravelWithWhoActedAndAreCapped) {
    app::LiveBatch b;
    b.changes.push_back({12, core::Stage::documents, core::StageStatus::draft, "approve", 5, "Zoë O'Brien, Jr.; 50%: ok"});
    b.changes.push_back({13, core::Stage::details, core::StageStatus::submitted, "", 0, ""});
    b.changes.push_back({14, std::nullopt, std::nullopt, "reject", 6, "Rob", 99, "document_reviewed"});
    auto p = decode_live_payload(encode_live_payloads(b).at(0));
    ASSERT_TRUE(p);
    ASSERT_EQ(p->changes.size(), 3u);
    EXPECT_FALSE(p->changes[2].stage);
    EXPECT_FALSE(p->changes[2].status);
    EXPECT_EQ(p->changes[2].document, 99);
    EXPECT_EQ(p->changes[2].event, "document_reviewed");
    EXPECT_EQ(p->changes[2].decision, "reject");
    EXPECT_EQ(p->changes[0].event, "stage");
    EXPECT_EQ(p->changes[0].profile_id, 12);
    EXPECT_EQ(p->changes[0].stage, core::Stage::documents);
    EXPECT_EQ(p->changes[0].status, core::StageStatus::draft);
    EXPECT_EQ(p->changes[0].decision, "approve");
    EXPECT_EQ(p->changes[0].actor, 5);
    EXPECT_EQ(p->changes[0].actor_name, "Zoë O'Brien, Jr.; 50%: ok");
    EXPECT_EQ(p->changes[1].decision, "");
    EXPECT_EQ(p->changes[1].actor, 0);
    EXPECT_EQ(p->changes_unlisted, 0);

    app::LiveBatch bulk;  // a bulk batch: the first kMaxBusChanges travel, the rest as a count
    for (int i = 0; i < 500; ++i) bulk.changes.push_back({i + 1, core::Stage::final, core::StageStatus::submitted, "approve", 1, "Admin"});
    std::size_t listed = 0;
    std::int64_t more = 0;
    for (auto const& text : encode_live_payloads(bulk)) {
        auto q = decode_live_payload(text);
        ASSERT_TRUE(q);
        listed += q->changes.size();
        more += q->changes_unlisted;
    }
    EXPECT_EQ(listed, kMaxBusChanges);
    EXPECT_EQ(more, 400);
}

TEST(LivePayloads, UnknownOrBrokenPayloadsAreRefused) {
    for (char const* bad : {"", "v2;n=1,2", "v1;n=3,2", "v1;n=1", "v1;b=x", "v1;z=1", "v1;n", "v1;c=1:2:details",
                            "v1;c=1:2:nowhere:draft::0:stage:", "v1;c=1:2:details:draft::0:stage:%4",
                            "v1;c=1:2:details:draft::0:stage:%zz", "v1;c=1:2:details:draft::x:stage:",
                            "v1;c=1:2:details:draft::0::",
                            "v1;m=-1", "v1;m=x"}) {
        EXPECT_FALSE(decode_live_payload(bad)) << bad;
    }
    EXPECT_TRUE(decode_live_payload("v1"));
}

}  // namespace
