#pragma once
// The hub: which live sessions listen on which channel, and delivery of committed notifications
// to them. A notification is serialized once and the same bytes are queued on every recipient
// session; each session sends from its own queue, so a slow one never holds up the others.
// Beast-free: sessions are Outlets.
#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "hrms/app/actor.hpp"
#include "hrms/app/ports.hpp"
#include "hrms/core/metrics.hpp"
#include "hrms/realtime/frames.hpp"

namespace hrms::realtime {

// Close codes besides the standard ones (1000 normal, 1001 going away, 1008 policy, 1009 too
// big, 1013 try again later).
inline constexpr int kCloseLoggedOut = 4001;       // the session's token was logged out
inline constexpr int kCloseSuspended = 4003;       // the account was suspended
inline constexpr int kClosePermissions = 4002;     // roles changed: reconnect to get new channels

// What a session counts as it runs; the session writes, the hub and monitoring read.
struct WsCounters {
    std::atomic<std::uint64_t> sent{0};
    std::atomic<std::uint64_t> dropped{0};
    std::atomic<std::uint32_t> queue_depth{0};
    std::atomic<std::int64_t> last_seen_ms{0};  // wall clock, ms since the epoch
    std::atomic<double> last_seen_mono{0};      // monotonic seconds
    std::atomic<bool> closing{false};           // a close has begun: the cleanup leaves it be
};

// A live connection as the hub sees it; the WebSocket session implements it. A session lives on
// one lane (an I/O thread of its own); the hub calls deliver() only on that lane's thread.
class Outlet {
public:
    virtual ~Outlet() = default;
    // Queues a frame; on the session's lane only, never blocks (the session applies its own
    // bounds).
    virtual void deliver(FramePtr const& frame) = 0;
    // Closes the connection; thread-safe.
    virtual void close(int code, std::string reason) = 0;
};

// Runs a function on one lane's thread: after `delay_s` seconds, or at once (0) behind what is
// already queued there, in the order given.
using LanePost = std::function<void(double delay_s, std::function<void()>)>;

struct WsSessionInfo {
    std::string id;
    app::UserId user_id = 0;
    std::vector<std::string> roles;
    std::string token_hash;
    std::string remote_addr;
    std::string user_agent;
    std::string connected_at;   // RFC 3339
    double connected_mono = 0;  // monotonic seconds
    std::vector<std::string> channels;
    bool admin = false;         // listens on the admins channel (gets dashboards)
};

struct HubStats {
    std::size_t open = 0;
    std::unordered_map<std::string, std::size_t> by_role;
    std::uint64_t connects = 0, disconnects = 0, messages_sent = 0, messages_dropped = 0,
                  cleanup_runs = 0, cleaned = 0;
};

struct SessionSnapshot {
    WsSessionInfo info;
    std::uint64_t sent = 0, dropped = 0;
    std::uint32_t queue_depth = 0;
    std::int64_t last_seen_ms = 0;
};

class Hub final : public app::LiveSink {
public:
    Hub();

    // The lanes sessions live on; once, before the first attach.
    void set_lanes(std::vector<LanePost> lanes);

    // Subscribes a session living on `lane` to info.channels; called on that lane's thread.
    // Live frames reach it from now on. `info` must not change once attached.
    void attach(std::shared_ptr<Outlet> outlet, std::shared_ptr<WsSessionInfo const> info,
                std::shared_ptr<WsCounters> counters, std::size_t lane);
    // Unsubscribes; records the session's duration. On the session's lane. Idempotent.
    void detach(std::string const& session_id);

    // app::LiveSink: routes notifications to their channel's sessions; closes the sessions of
    // ended tokens, suspended users and users whose permissions changed.
    void committed(app::LiveBatch const& batch) override;

    // Forgets every session and lane without closing anything (the server is gone).
    void drop_all();
    // Closes sessions silent for longer than idle_s (no frame, not even a pong); returns how
    // many. Counts a cleanup run.
    std::size_t cleanup(double now_mono, double idle_s);
    // The distinct session tokens (hashes) the open sessions authenticated with.
    std::vector<std::string> token_hashes() const;
    // Closes every session opened with one of `hashes`; returns how many.
    std::size_t close_tokens(std::vector<std::string> const& hashes, int code, std::string const& reason);
    // Sends `frame` to every admin session, a slice at a time on each lane, the slices spread
    // over `spread_s` seconds: a notification committed meanwhile is never queued behind the
    // whole broadcast, and competes with a trickle of it rather than all of it.
    void broadcast_admins(FramePtr frame, double spread_s);
    // True once since the last call when a notification went out (the dashboard may differ).
    bool take_dashboard_dirty() { return dashboard_dirty_.exchange(false); }

    HubStats stats() const;
    std::vector<SessionSnapshot> sessions() const;
    // Prometheus text for the WebSocket metrics.
    std::string render_metrics() const;

    // A live frame reached the socket of a session on `lane` `latency_s` after its commit.
    // (Frames sent and dropped are counted by each session; the hub sums them.)
    void observe_delivery(std::size_t lane, double latency_s) { shards_[lane]->latency.observe(latency_s); }

private:
    struct Entry {
        std::shared_ptr<Outlet> outlet;
        std::shared_ptr<WsSessionInfo const> info;
        std::shared_ptr<WsCounters> counters;
        std::size_t lane = 0;
    };
    using Outlets = std::vector<std::shared_ptr<Outlet>>;
    // What one lane knows: touched only on that lane's thread (the latency histogram excepted,
    // which /metrics reads).
    struct Shard {
        std::unordered_map<std::string, Outlets> channels;
        core::Histogram latency;
        Shard();
    };
    using ChannelFrames = std::vector<std::pair<std::string, FramePtr>>;
    // Each frame to the subscribers of its channel: one post per lane, in order.
    void to_channels(std::shared_ptr<ChannelFrames const> frames);
    std::size_t close_where(std::function<bool(Entry const&)> const& pred, int code, std::string const& reason);
    std::size_t close_users(std::vector<app::UserId> const& ids, int code, std::string const& reason);
    void post(std::size_t lane, double delay_s, std::function<void()> fn) const;
    void deliver_slice(std::size_t lane, std::shared_ptr<Outlets const> to, std::size_t from, FramePtr frame,
                       double gap_s);

    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string, Entry> sessions_;
    std::vector<LanePost> lanes_;                  // under mutex_
    std::vector<std::unique_ptr<Shard>> shards_;   // sized with lanes_, never shrinks

    std::atomic<bool> dashboard_dirty_{false};
    std::atomic<std::uint64_t> connects_{0}, disconnects_{0}, cleanup_runs_{0}, cleaned_{0};
    // Frames of sessions that have ended (under mutex_).
    std::uint64_t retired_sent_ = 0, retired_dropped_ = 0;
    core::Histogram duration_;
};

}  // namespace hrms::realtime
