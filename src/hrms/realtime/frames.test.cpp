#include "hrms/realtime/frames.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "hrms/realtime/gate.hpp"

using namespace hrms;
using namespace hrms::realtime;

namespace {

FramePtr live(std::int64_t id) { return std::make_shared<Frame const>(Frame{"n" + std::to_string(id), id, 0}); }

std::vector<std::int64_t> ids(std::vector<FramePtr> const& frames) {
    std::vector<std::int64_t> out;
    for (auto const& f : frames) out.push_back(f->id);
    return out;
}

TEST(ClientMessages, PingAuthAndResumeParse) {
    EXPECT_EQ(parse_client_message(R"({"type":"ping"})")->type, ClientMessage::Type::ping);
    auto a = parse_client_message(R"({"type":"auth","token":"abc"})");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->token, "abc");
    auto r = parse_client_message(R"({"type":"resume","after":42})");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->after, 42);
}

TEST(ClientMessages, BadInputIsNamed) {
    struct Case {
        char const* text;
        char const* code;
    } const cases[] = {
        {"not json", "bad_request"},
        {"[1,2]", "bad_request"},
        {"{}", "bad_request"},
        {R"({"type":7})", "bad_request"},
        {R"({"type":"auth"})", "bad_request"},
        {R"({"type":"auth","token":""})", "bad_request"},
        {R"({"type":"resume"})", "bad_request"},
        {R"({"type":"resume","after":-1})", "bad_request"},
        {R"({"type":"resume","after":"5"})", "bad_request"},
        {R"({"type":"resume","after":1.5})", "bad_request"},
        {R"({"type":"subscribe"})", "unknown_type"},
    };
    for (auto const& c : cases) {
        auto m = parse_client_message(c.text);
        ASSERT_FALSE(m) << c.text;
        EXPECT_EQ(m.error().code, c.code) << c.text;
        EXPECT_FALSE(m.error().message.empty());
    }
}

TEST(ServerFrames, AreJsonWithTheirType) {
    app::NotificationRecord n;
    n.id = 9;
    n.kind = "profile.submitted";
    n.title = "Quote \" and \\ backslash";
    n.body = "line\nbreak";
    n.data_json = R"({"profile_id":3})";
    n.created_at = *parse_rfc3339("2026-01-01T00:00:00.000Z");
    auto f = notification_frame(n, 1.5);
    EXPECT_EQ(f->id, 9);
    auto v = boost::json::parse(f->text).as_object();
    EXPECT_EQ(v.at("type").as_string(), "notification");
    EXPECT_EQ(v.at("title").as_string(), "Quote \" and \\ backslash");
    EXPECT_EQ(v.at("data").as_object().at("profile_id").as_int64(), 3);
    auto h = boost::json::parse(hello_frame("s1", 5, {"admin", "reviewer"}, 150, 77)->text).as_object();
    EXPECT_EQ(h.at("type").as_string(), "hello");
    EXPECT_EQ(h.at("last_id").as_int64(), 77);
    EXPECT_EQ(h.at("roles").as_array().size(), 2u);
    EXPECT_EQ(boost::json::parse(replay_done_frame(12)->text).at("last_id").as_int64(), 12);
    EXPECT_EQ(boost::json::parse(error_frame("rate_limited", "slow down")->text).at("code").as_string(),
              "rate_limited");
}

TEST(ReplayGate, LiveFramesPassInOrderAndDuplicatesAreDropped) {
    ReplayGate g;
    g.begin(0);
    EXPECT_TRUE(g.finish().empty());
    EXPECT_EQ(g.offer(live(1))->id, 1);
    EXPECT_EQ(g.offer(live(2))->id, 2);
    EXPECT_EQ(g.offer(live(2)), nullptr);
    EXPECT_EQ(g.offer(live(1)), nullptr);
}

TEST(ReplayGate, HeldFramesAlsoReplayedAreNotSentTwice) {
    ReplayGate g;
    g.begin(10);                       // the client has everything up to 10
    EXPECT_EQ(g.offer(live(12)), nullptr);  // committed while replaying: held
    EXPECT_EQ(g.offer(live(13)), nullptr);
    g.sent(11);                        // the replay read 11 and 12 from the database
    g.sent(12);
    EXPECT_EQ(ids(g.finish()), (std::vector<std::int64_t>{13}));
    EXPECT_EQ(g.last_id(), 13);
    EXPECT_FALSE(g.replaying());
    EXPECT_EQ(g.offer(live(14))->id, 14);
}

TEST(ReplayGate, FramesWithoutIdsAlwaysPass) {
    ReplayGate g;
    g.begin(5);
    EXPECT_NE(g.offer(pong_frame()), nullptr);
    EXPECT_EQ(g.held(), 0u);
}

TEST(ReplayGate, ResumingAgainAfterGoingLiveKeepsTheWatermark) {
    ReplayGate g;
    g.begin(0);
    g.finish();
    g.offer(live(3));
    g.begin(1);  // a resume from an older id: what was sent stays sent
    g.sent(2);
    g.sent(3);
    g.offer(live(4));
    EXPECT_EQ(ids(g.finish()), (std::vector<std::int64_t>{4}));
}

}  // namespace

namespace {

TEST(ProfilesChanged, ListsWhoActedAndCapsTheList) {
    std::vector<app::ProfileChange> changes{
        {12, core::Stage::documents, core::StageStatus::draft, "approve", 5, "Zoë \"Z\" Ångström"},
        {13, core::Stage::details, core::StageStatus::submitted, "", 0, ""}};
    auto v = boost::json::parse(profiles_changed_frame(changes)->text).as_object();
    EXPECT_EQ(v.at("type").as_string(), "profiles_changed");
    EXPECT_EQ(v.at("more").as_int64(), 0);
    auto const& list = v.at("changes").as_array();
    ASSERT_EQ(list.size(), 2u);
    auto const& a = list[0].as_object();
    EXPECT_EQ(a.at("profile_id").as_int64(), 12);
    EXPECT_EQ(a.at("stage").as_string(), "documents");
    EXPECT_EQ(a.at("event").as_string(), "stage");
    EXPECT_TRUE(a.at("document_id").is_null());
    EXPECT_EQ(a.at("status").as_string(), "draft");
    EXPECT_EQ(a.at("decision").as_string(), "approve");
    EXPECT_EQ(a.at("actor_id").as_int64(), 5);
    EXPECT_EQ(a.at("actor_name").as_string(), "Zoë \"Z\" Ångström");
    auto const& b = list[1].as_object();
    EXPECT_TRUE(b.at("decision").is_null());
    EXPECT_TRUE(b.at("actor_id").is_null());
    EXPECT_TRUE(b.at("actor_name").is_null());

    std::vector<app::ProfileChange> docs{{7, std::nullopt, std::nullopt, "", 3, "Ada", 41, "document_uploaded"}};
    auto d = boost::json::parse(profiles_changed_frame(docs)->text).as_object().at("changes").as_array()[0].as_object();
    EXPECT_TRUE(d.at("stage").is_null());
    EXPECT_TRUE(d.at("status").is_null());
    EXPECT_EQ(d.at("document_id").as_int64(), 41);
    EXPECT_EQ(d.at("event").as_string(), "document_uploaded");
    EXPECT_TRUE(d.at("decision").is_null());

    std::vector<app::ProfileChange> many(250, changes[0]);
    auto m = boost::json::parse(profiles_changed_frame(many, 40)->text).as_object();
    EXPECT_EQ(m.at("changes").as_array().size(), kMaxListedChanges);
    EXPECT_EQ(m.at("more").as_int64(), 150 + 40);
}

}  // namespace
