#include "hrms/realtime/hub.hpp"

#include "hrms/app/notices.hpp"

#include <chrono>
#include <unordered_set>

#include "hrms/app/log.hpp"
#include "hrms/core/time.hpp"
#include "hrms/core/accounts.hpp"

namespace hrms::realtime {

namespace {
// Buckets of the commit-to-socket latency and of session durations (seconds).
constexpr std::array<double, 12> kLatencyBounds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2,
                                                0.5,   1,      2.5,   5};
constexpr std::array<double, 10> kDurationBounds{1,    10,   60,       300,       900,
                                                 1800, 3600, 4 * 3600, 12 * 3600, 24 * 3600};
// Sessions a broadcast serves on a lane before it lets other work of that lane run, and the
// longest pause between two slices.
constexpr std::size_t kBroadcastSlice = 256;
constexpr double kMaxSliceGapS = 0.05;
}  // namespace

Hub::Shard::Shard() : latency(kLatencyBounds) {}

Hub::Hub() : duration_(kDurationBounds) {}

void Hub::set_lanes(std::vector<LanePost> lanes) {
    std::unique_lock lock(mutex_);
    while (shards_.size() < lanes.size()) shards_.push_back(std::make_unique<Shard>());
    lanes_ = std::move(lanes);
}

void Hub::post(std::size_t lane, double delay_s, std::function<void()> fn) const {
    std::shared_lock lock(mutex_);
    if (lane < lanes_.size()) lanes_[lane](delay_s, std::move(fn));
}

void Hub::attach(std::shared_ptr<Outlet> outlet, std::shared_ptr<WsSessionInfo const> info,
                 std::shared_ptr<WsCounters> counters, std::size_t lane) {
    auto& shard = *shards_.at(lane);  // this lane's thread: no lock
    for (auto const& c : info->channels) shard.channels[c].push_back(outlet);
    std::unique_lock lock(mutex_);
    auto id = info->id;
    sessions_.emplace(std::move(id), Entry{std::move(outlet), std::move(info), std::move(counters), lane});
    connects_.fetch_add(1, std::memory_order_relaxed);
}

void Hub::detach(std::string const& session_id) {
    Entry gone;
    {
        std::unique_lock lock(mutex_);
        auto it = sessions_.find(session_id);
        if (it == sessions_.end()) return;
        gone = std::move(it->second);
        sessions_.erase(it);
        retired_sent_ += gone.counters->sent.load(std::memory_order_relaxed);
        retired_dropped_ += gone.counters->dropped.load(std::memory_order_relaxed);
    }
    auto& shard = *shards_[gone.lane];  // this lane's thread: no lock
    for (auto const& c : gone.info->channels) {
        auto ch = shard.channels.find(c);
        if (ch == shard.channels.end()) continue;
        auto& v = ch->second;
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (v[i] == gone.outlet) {
                v[i] = std::move(v.back());
                v.pop_back();
                break;
            }
        }
        if (v.empty()) shard.channels.erase(ch);
    }
    disconnects_.fetch_add(1, std::memory_order_relaxed);
    duration_.observe(monotonic_seconds() - gone.info->connected_mono);
}

void Hub::to_channels(std::shared_ptr<ChannelFrames const> frames) {
    std::shared_lock lock(mutex_);
    for (std::size_t lane = 0; lane < lanes_.size(); ++lane) {
        lanes_[lane](0, [this, lane, frames] {
            auto& shard = *shards_[lane];
            for (auto const& [channel, frame] : *frames) {
                auto ch = shard.channels.find(channel);
                if (ch == shard.channels.end()) continue;
                for (auto const& outlet : ch->second) outlet->deliver(frame);
            }
        });
    }
}

void Hub::committed(app::LiveBatch const& batch) {
    double const now = monotonic_seconds();
    // A bulk job's progress first: its last frame (done = total) then precedes bulk.completed.
    if (!batch.progress.empty()) {
        auto frames = std::make_shared<ChannelFrames>();
        for (auto const& p : batch.progress) frames->emplace_back(app::user_channel(p.user), bulk_progress_frame(p));
        to_channels(frames);
    }
    if (!batch.changes.empty() || batch.changes_unlisted > 0) {
        // One frame per commit, to the reviewers: a bulk batch is one frame, not one per item.
        auto frames = std::make_shared<ChannelFrames>();
        frames->emplace_back(app::kAdminsChannel, profiles_changed_frame(batch.changes, batch.changes_unlisted));
        to_channels(frames);
        dashboard_dirty_ = true;
    }
    if (!batch.notifications.empty()) {
        // Serialized once here; each lane then walks its own subscribers of each channel in one
        // handler: two posts for any number of recipients, in commit order on every lane.
        auto frames = std::make_shared<ChannelFrames>();
        frames->reserve(batch.notifications.size());
        for (auto const& n : batch.notifications) frames->emplace_back(n.channel, notification_frame(n, now));
        to_channels(frames);
        dashboard_dirty_ = true;
    }
    // One pass over the sessions per kind of change, whatever the number of tokens or users (a
    // bulk suspension ends thousands at once).
    close_tokens(batch.ended_sessions, kCloseLoggedOut, "logged out");
    close_users(batch.blocked_users, kCloseSuspended, "account suspended");
    close_users(batch.changed_users, kClosePermissions, "permissions changed; reconnect");
    if (!batch.changed_roles.empty()) {
        // A custom role may inherit the changed one: every holder of a custom role reconnects.
        close_where(
            [&](Entry const& e) {
                for (auto const& r : e.info->roles) {
                    if (!core::is_builtin_role(r)) return true;
                    for (auto const& changed : batch.changed_roles)
                        if (r == changed) return true;
                }
                return false;
            },
            kClosePermissions, "permissions changed; reconnect");
    }
}

std::size_t Hub::close_where(std::function<bool(Entry const&)> const& pred, int code, std::string const& reason) {
    std::vector<std::shared_ptr<Outlet>> victims;
    {
        std::shared_lock lock(mutex_);
        for (auto const& [id, e] : sessions_)
            if (pred(e)) victims.push_back(e.outlet);
    }
    for (auto& v : victims) v->close(code, reason);
    return victims.size();
}

std::size_t Hub::close_users(std::vector<app::UserId> const& ids, int code, std::string const& reason) {
    if (ids.empty()) return 0;
    std::unordered_set<app::UserId> const users(ids.begin(), ids.end());
    return close_where([&](Entry const& e) { return users.contains(e.info->user_id); }, code, reason);
}

std::vector<std::string> Hub::token_hashes() const {
    std::unordered_set<std::string> seen;
    {
        std::shared_lock lock(mutex_);
        for (auto const& [id, e] : sessions_) seen.insert(e.info->token_hash);
    }
    return {seen.begin(), seen.end()};
}

std::size_t Hub::close_tokens(std::vector<std::string> const& hashes, int code, std::string const& reason) {
    if (hashes.empty()) return 0;
    std::unordered_set<std::string> const ended(hashes.begin(), hashes.end());
    return close_where([&](Entry const& e) { return ended.contains(e.info->token_hash); }, code, reason);
}

void Hub::drop_all() {
    std::unordered_map<std::string, Entry> sessions;
    std::vector<LanePost> lanes;
    {
        std::unique_lock lock(mutex_);
        sessions.swap(sessions_);
        lanes.swap(lanes_);  // nothing is posted to lanes that are gone
    }
    for (auto& shard : shards_) shard->channels.clear();  // the lanes' threads have returned
}

std::size_t Hub::cleanup(double now_mono, double idle_s) {
    std::vector<std::shared_ptr<Outlet>> silent;
    {
        std::shared_lock lock(mutex_);
        for (auto const& [id, e] : sessions_) {
            if (!e.counters->closing.load(std::memory_order_relaxed) &&
                now_mono - e.counters->last_seen_mono.load(std::memory_order_relaxed) > idle_s)
                silent.push_back(e.outlet);
        }
    }
    for (auto& s : silent) s->close(1001, "idle timeout");
    cleanup_runs_.fetch_add(1, std::memory_order_relaxed);
    cleaned_.fetch_add(silent.size(), std::memory_order_relaxed);
    if (!silent.empty()) log::info("ws.cleanup", {log::num("closed", static_cast<long long>(silent.size()))});
    return silent.size();
}

void Hub::broadcast_admins(FramePtr frame, double spread_s) {
    std::shared_lock lock(mutex_);
    for (std::size_t lane = 0; lane < lanes_.size(); ++lane) {
        lanes_[lane](0, [this, lane, frame, spread_s] {
            auto& shard = *shards_[lane];
            auto ch = shard.channels.find(app::kAdminsChannel);
            if (ch == shard.channels.end()) return;
            std::size_t const slices = (ch->second.size() + kBroadcastSlice - 1) / kBroadcastSlice;
            double const gap = slices > 1 ? std::min(kMaxSliceGapS, spread_s / static_cast<double>(slices)) : 0;
            // A copy: sessions may come and go between slices.
            deliver_slice(lane, std::make_shared<Outlets const>(ch->second), 0, frame, gap);
        });
    }
}

void Hub::deliver_slice(std::size_t lane, std::shared_ptr<Outlets const> to, std::size_t from, FramePtr frame,
                        double gap_s) {
    std::size_t const end = std::min(to->size(), from + kBroadcastSlice);
    for (std::size_t i = from; i < end; ++i) (*to)[i]->deliver(frame);
    if (end < to->size()) {
        // Behind whatever reaches this lane meanwhile (a notification goes first).
        post(lane, gap_s, [this, lane, to = std::move(to), end, frame = std::move(frame), gap_s]() mutable {
            deliver_slice(lane, std::move(to), end, std::move(frame), gap_s);
        });
    }
}

HubStats Hub::stats() const {
    HubStats s;
    {
        std::shared_lock lock(mutex_);
        s.open = sessions_.size();
        s.messages_sent = retired_sent_;
        s.messages_dropped = retired_dropped_;
        for (auto const& [id, e] : sessions_) {
            for (auto const& r : e.info->roles) ++s.by_role[r];
            s.messages_sent += e.counters->sent.load(std::memory_order_relaxed);
            s.messages_dropped += e.counters->dropped.load(std::memory_order_relaxed);
        }
    }
    s.connects = connects_.load();
    s.disconnects = disconnects_.load();
    s.cleanup_runs = cleanup_runs_.load();
    s.cleaned = cleaned_.load();
    return s;
}

std::vector<SessionSnapshot> Hub::sessions() const {
    std::vector<SessionSnapshot> out;
    std::shared_lock lock(mutex_);
    out.reserve(sessions_.size());
    for (auto const& [id, e] : sessions_) {
        out.push_back({*e.info, e.counters->sent.load(), e.counters->dropped.load(), e.counters->queue_depth.load(),
                       e.counters->last_seen_ms.load()});
    }
    return out;
}

std::string Hub::render_metrics() const {
    auto const s = stats();
    std::string out;
    out += "# HELP hrms_ws_sessions Open WebSocket sessions by role held (a session counts once per role).\n";
    out += "# TYPE hrms_ws_sessions gauge\n";
    for (auto const& [role, n] : s.by_role)
        out += "hrms_ws_sessions" + core::render_labels({{"role", role}}) + " " +
               std::to_string(n) + "\n";
    out += "# HELP hrms_ws_sessions_open Open WebSocket sessions.\n# TYPE hrms_ws_sessions_open gauge\n";
    out += "hrms_ws_sessions_open " + std::to_string(s.open) + "\n";
    auto counter = [&](char const* name, char const* help, std::uint64_t v) {
        out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n" + name + " " +
               std::to_string(v) + "\n";
    };
    counter("hrms_ws_connects_total", "WebSocket sessions authenticated and subscribed.", s.connects);
    counter("hrms_ws_disconnects_total", "WebSocket sessions ended.", s.disconnects);
    counter("hrms_ws_messages_sent_total", "Frames written to WebSocket sessions.", s.messages_sent);
    counter("hrms_ws_messages_dropped_total", "Frames dropped because a session's queue was full.",
            s.messages_dropped);
    counter("hrms_ws_cleanup_runs_total", "Runs of the WebSocket cleanup task.", s.cleanup_runs);
    counter("hrms_ws_cleanup_closed_total", "Sessions the cleanup task closed as silent.", s.cleaned);
    out += duration_.render("hrms_ws_session_duration_seconds", "How long WebSocket sessions lasted.");
    core::Histogram latency(kLatencyBounds);
    {
        std::shared_lock lock(mutex_);
        for (auto const& shard : shards_) latency.add(shard->latency);
    }
    out += latency.render("hrms_ws_delivery_latency_seconds",
                          "From the commit of a notification to its write on a session's socket.");
    return out;
}

}  // namespace hrms::realtime
