#include "hrms/realtime/hub.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>

using namespace hrms;
using namespace hrms::realtime;

namespace {

// Lanes run by hand: what the hub posts waits in a queue until the test runs it, with the delay
// it asked for.
struct FakeLanes {
    struct Job {
        double delay;
        std::function<void()> fn;
    };
    std::vector<std::deque<Job>> queues;

    explicit FakeLanes(std::size_t n) : queues(n) {}
    std::vector<LanePost> posts() {
        std::vector<LanePost> out;
        for (std::size_t i = 0; i < queues.size(); ++i) {
            out.emplace_back([this, i](double delay, std::function<void()> fn) {
                queues[i].push_back({delay, std::move(fn)});
            });
        }
        return out;
    }
    // Runs the next job of a lane; returns its delay (or -1 when there was none).
    double step(std::size_t lane) {
        if (queues[lane].empty()) return -1;
        auto job = std::move(queues[lane].front());
        queues[lane].pop_front();
        job.fn();
        return job.delay;
    }
    void drain() {
        for (bool any = true; any;) {
            any = false;
            for (std::size_t i = 0; i < queues.size(); ++i) any = step(i) >= 0 || any;
        }
    }
};

// A hub whose lanes the test runs by hand.
struct Rig {
    FakeLanes lanes;
    Hub hub;
    explicit Rig(std::size_t n) : lanes(n) { hub.set_lanes(lanes.posts()); }
};

struct Recorder final : Outlet {
    std::vector<std::string> got;
    std::vector<int> closed;
    void deliver(FramePtr const& f) override { got.push_back(f->text); }
    void close(int code, std::string) override { closed.push_back(code); }
};

struct Attached {
    std::shared_ptr<Recorder> outlet = std::make_shared<Recorder>();
    std::shared_ptr<WsSessionInfo> info = std::make_shared<WsSessionInfo>();
};

Attached attach(Hub& hub, std::string id, app::UserId user, std::vector<std::string> channels, std::size_t lane,
                std::string token_hash = "") {
    Attached a;
    a.info->id = std::move(id);
    a.info->user_id = user;
    a.info->roles = {"employee"};
    a.info->channels = std::move(channels);
    a.info->token_hash = std::move(token_hash);
    hub.attach(a.outlet, a.info, std::make_shared<WsCounters>(), lane);
    return a;
}

app::LiveBatch notify(std::int64_t id, std::string channel) {
    app::LiveBatch b;
    app::NotificationRecord n;
    n.id = id;
    n.channel = std::move(channel);
    n.kind = "test";
    b.notifications.push_back(n);
    return b;
}

TEST(Hub, EachSessionOfAChannelGetsANotificationOnceOnItsOwnLane) {
    Rig rig(2);
    auto& [lanes, hub] = rig;
    auto a = attach(hub, "a", 1, {"user:1", "admins"}, 0);
    auto b = attach(hub, "b", 1, {"user:1", "admins"}, 1);  // the same user in another tab
    auto c = attach(hub, "c", 2, {"user:2"}, 1);            // a bystander

    hub.committed(notify(7, "user:1"));
    // Nothing is delivered from the committing thread: one job per lane, whatever the count.
    EXPECT_TRUE(a.outlet->got.empty());
    EXPECT_EQ(lanes.queues[0].size(), 1u);
    EXPECT_EQ(lanes.queues[1].size(), 1u);
    lanes.drain();
    ASSERT_EQ(a.outlet->got.size(), 1u);
    EXPECT_NE(a.outlet->got[0].find("\"id\":7"), std::string::npos);
    EXPECT_EQ(b.outlet->got.size(), 1u);
    EXPECT_TRUE(c.outlet->got.empty());
    EXPECT_EQ(a.outlet->got[0], b.outlet->got[0]);
}

TEST(Hub, BatchesKeepCommitOrderOnEveryLane) {
    Rig rig(2);
    auto& [lanes, hub] = rig;
    auto a = attach(hub, "a", 1, {"admins"}, 0);
    auto b = attach(hub, "b", 2, {"admins"}, 1);
    for (int id = 1; id <= 5; ++id) hub.committed(notify(id, "admins"));
    lanes.drain();
    ASSERT_EQ(a.outlet->got.size(), 5u);
    for (int id = 1; id <= 5; ++id) {
        EXPECT_NE(a.outlet->got[id - 1].find("\"id\":" + std::to_string(id) + ","), std::string::npos);
        EXPECT_EQ(a.outlet->got[id - 1], b.outlet->got[id - 1]);
    }
}

TEST(Hub, DetachedSessionsGetNothingAndAreCounted) {
    Rig rig(1);
    auto& [lanes, hub] = rig;
    auto a = attach(hub, "a", 1, {"admins"}, 0);
    auto b = attach(hub, "b", 2, {"admins"}, 0);
    hub.detach("a");
    hub.detach("a");  // idempotent
    hub.committed(notify(1, "admins"));
    lanes.drain();
    EXPECT_TRUE(a.outlet->got.empty());
    EXPECT_EQ(b.outlet->got.size(), 1u);
    auto const s = hub.stats();
    EXPECT_EQ(s.open, 1u);
    EXPECT_EQ(s.connects, 2u);
    EXPECT_EQ(s.disconnects, 1u);
}

TEST(Hub, ABroadcastGoesOutInSpacedSlicesAndANotificationOvertakesIt) {
    Rig rig(1);
    auto& [lanes, hub] = rig;
    std::vector<Attached> admins;
    for (int i = 0; i < 600; ++i) admins.push_back(attach(hub, "s" + std::to_string(i), i + 1, {"admins"}, 0));
    auto dash = std::make_shared<Frame const>(Frame{"dash", 0, 0, true});
    hub.broadcast_admins(dash, 0.3);

    EXPECT_EQ(lanes.step(0), 0);  // the first slice at once
    std::size_t served = 0;
    for (auto const& a : admins) served += a.outlet->got.size();
    EXPECT_EQ(served, 256u);
    // A notification committed now is queued before the next slice, which waits its turn.
    hub.committed(notify(9, "admins"));
    ASSERT_EQ(lanes.queues[0].size(), 2u);
    EXPECT_GT(lanes.queues[0][0].delay, 0);  // the next slice: 3 slices over 0.3 s
    EXPECT_LE(lanes.queues[0][0].delay, 0.1);
    lanes.drain();
    for (auto const& a : admins) {
        ASSERT_EQ(a.outlet->got.size(), 2u);  // one dashboard and the notification each
        EXPECT_EQ(std::count(a.outlet->got.begin(), a.outlet->got.end(), "dash"), 1);
    }
}

TEST(Hub, ABroadcastSurvivesSessionsLeavingBetweenSlices) {
    Rig rig(1);
    auto& [lanes, hub] = rig;
    std::vector<Attached> admins;
    for (int i = 0; i < 300; ++i) admins.push_back(attach(hub, "s" + std::to_string(i), i + 1, {"admins"}, 0));
    hub.broadcast_admins(std::make_shared<Frame const>(Frame{"dash", 0, 0, true}), 1);
    lanes.step(0);
    for (int i = 0; i < 300; ++i) hub.detach("s" + std::to_string(i));
    lanes.drain();  // the rest of the slices still reach live objects (they close themselves)
    std::size_t served = 0;
    for (auto const& a : admins) served += a.outlet->got.size();
    EXPECT_EQ(served, 300u);
}

TEST(Hub, LogoutSuspensionAndRoleChangesCloseTheRightSessions) {
    Rig rig(2);
    auto& [lanes, hub] = rig;
    auto a = attach(hub, "a", 1, {"user:1"}, 0, "hash-a");
    auto a2 = attach(hub, "a2", 1, {"user:1"}, 1, "hash-a2");
    auto b = attach(hub, "b", 2, {"user:2"}, 1, "hash-b");
    app::LiveBatch logout;
    logout.ended_sessions = {"hash-a"};
    hub.committed(logout);
    EXPECT_EQ(a.outlet->closed, std::vector<int>{kCloseLoggedOut});
    EXPECT_TRUE(a2.outlet->closed.empty());
    app::LiveBatch suspend;
    suspend.blocked_users = {2};
    hub.committed(suspend);
    EXPECT_EQ(b.outlet->closed, std::vector<int>{kCloseSuspended});
    EXPECT_TRUE(a2.outlet->closed.empty());
}

TEST(Hub, NothingIsPostedOnceTheLanesAreGone) {
    Rig rig(1);
    auto& [lanes, hub] = rig;
    auto a = attach(hub, "a", 1, {"admins"}, 0);
    hub.drop_all();
    hub.committed(notify(1, "admins"));
    hub.broadcast_admins(std::make_shared<Frame const>(Frame{"dash", 0, 0, true}), 1);
    EXPECT_TRUE(lanes.queues[0].empty());
    EXPECT_EQ(hub.stats().open, 0u);
}

TEST(Hub, DeliveryLatencyIsSummedOverLanes) {
    Rig rig(2);
    auto& [lanes, hub] = rig;
    hub.observe_delivery(0, 0.002);
    hub.observe_delivery(1, 0.3);
    auto const text = hub.render_metrics();
    EXPECT_NE(text.find("hrms_ws_delivery_latency_seconds_count 2"), std::string::npos);
    EXPECT_NE(text.find("hrms_ws_delivery_latency_seconds_bucket{le=\"0.0025\"} 1"), std::string::npos);
    EXPECT_NE(text.find("hrms_ws_delivery_latency_seconds_bucket{le=\"0.5\"} 2"), std::string::npos);
}

}  // namespace
