#include "hrms/realtime/hub.hpp"

#include <chrono>
#include <cmath>

#include "hrms/app/log.hpp"
#include "hrms/http/pipeline.hpp"
#include "hrms/core/accounts.hpp"

namespace hrms::realtime {

namespace {
std::string format_double(double v) {
    if (std::isinf(v)) return "+Inf";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}
}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<std::uint64_t>[bounds_.size()]) {
    for (std::size_t i = 0; i < bounds_.size(); ++i) counts_[i] = 0;
}

void Histogram::observe(double seconds) {
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
        if (seconds <= bounds_[i]) {
            counts_[i].fetch_add(1, std::memory_order_relaxed);
            break;
        }
    }
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_us_.fetch_add(static_cast<std::uint64_t>(std::max(0.0, seconds) * 1e6), std::memory_order_relaxed);
}

std::string Histogram::render(std::string const& name, std::string const& help) const {
    std::string out = "# HELP " + name + " " + help + "\n# TYPE " + name + " histogram\n";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
        cumulative += counts_[i].load(std::memory_order_relaxed);
        out += name + "_bucket{le=\"" + format_double(bounds_[i]) + "\"} " + std::to_string(cumulative) + "\n";
    }
    auto const count = count_.load(std::memory_order_relaxed);
    out += name + "_bucket{le=\"+Inf\"} " + std::to_string(count) + "\n";
    out += name + "_sum " + format_double(static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1e6) + "\n";
    out += name + "_count " + std::to_string(count) + "\n";
    return out;
}

Hub::Hub()
    : duration_({1, 10, 60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600, 24 * 3600}),
      latency_({0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5}) {}

void Hub::attach(std::shared_ptr<Outlet> outlet, std::shared_ptr<SessionInfo const> info,
                 std::shared_ptr<SessionCounters> counters) {
    std::unique_lock lock(mutex_);
    for (auto const& c : info->channels) channels_[c].insert(outlet);
    auto id = info->id;
    sessions_.emplace(std::move(id), Entry{std::move(outlet), std::move(info), std::move(counters)});
    connects_.fetch_add(1, std::memory_order_relaxed);
}

void Hub::detach(std::string const& session_id) {
    double connected = 0;
    {
        std::unique_lock lock(mutex_);
        auto it = sessions_.find(session_id);
        if (it == sessions_.end()) return;
        for (auto const& c : it->second.info->channels) {
            auto ch = channels_.find(c);
            if (ch == channels_.end()) continue;
            ch->second.erase(it->second.outlet);
            if (ch->second.empty()) channels_.erase(ch);
        }
        connected = it->second.info->connected_mono;
        retired_sent_ += it->second.counters->sent.load(std::memory_order_relaxed);
        retired_dropped_ += it->second.counters->dropped.load(std::memory_order_relaxed);
        sessions_.erase(it);
    }
    disconnects_.fetch_add(1, std::memory_order_relaxed);
    duration_.observe(http::monotonic_seconds() - connected);
}

void Hub::committed(app::LiveBatch const& batch) {
    double const now = http::monotonic_seconds();
    if (!batch.notifications.empty()) {
        std::shared_lock lock(mutex_);
        for (auto const& n : batch.notifications) {
            auto ch = channels_.find(n.channel);
            if (ch == channels_.end()) continue;
            auto frame = notification_frame(n, now);  // once, shared by every recipient
            for (auto const& outlet : ch->second) outlet->push(frame);
        }
        dashboard_dirty_ = true;
    }
    for (auto const& hash : batch.ended_sessions) {
        close_where([&](Entry const& e) { return e.info->token_hash == hash; }, kCloseLoggedOut, "logged out");
    }
    for (auto const id : batch.blocked_users) {
        close_where([&](Entry const& e) { return e.info->user_id == id; }, kCloseSuspended, "account suspended");
    }
    for (auto const id : batch.changed_users) {
        close_where([&](Entry const& e) { return e.info->user_id == id; }, kClosePermissions,
                    "permissions changed; reconnect");
    }
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

void Hub::close_where(std::function<bool(Entry const&)> const& pred, int code, std::string const& reason) {
    std::vector<std::shared_ptr<Outlet>> victims;
    {
        std::shared_lock lock(mutex_);
        for (auto const& [id, e] : sessions_)
            if (pred(e)) victims.push_back(e.outlet);
    }
    for (auto& v : victims) v->close(code, reason);
}

void Hub::drop_all() {
    std::unordered_map<std::string, Entry> sessions;
    std::unordered_map<std::string, std::unordered_set<std::shared_ptr<Outlet>>> channels;
    {
        std::unique_lock lock(mutex_);
        sessions.swap(sessions_);
        channels.swap(channels_);
    }
}

std::size_t Hub::cleanup(double now_mono, double idle_s) {
    std::vector<std::shared_ptr<Outlet>> silent;
    {
        std::shared_lock lock(mutex_);
        for (auto const& [id, e] : sessions_) {
            if (now_mono - e.counters->last_seen_mono.load(std::memory_order_relaxed) > idle_s)
                silent.push_back(e.outlet);
        }
    }
    for (auto& s : silent) s->close(1001, "idle timeout");
    cleanup_runs_.fetch_add(1, std::memory_order_relaxed);
    cleaned_.fetch_add(silent.size(), std::memory_order_relaxed);
    if (!silent.empty()) log::info("ws.cleanup", {log::num("closed", static_cast<long long>(silent.size()))});
    return silent.size();
}

void Hub::broadcast_admins(FramePtr frame) {
    std::shared_lock lock(mutex_);
    auto ch = channels_.find("admins");
    if (ch == channels_.end()) return;
    for (auto const& outlet : ch->second) outlet->push(frame);
}

std::size_t Hub::admin_sessions() const {
    std::shared_lock lock(mutex_);
    auto ch = channels_.find("admins");
    return ch == channels_.end() ? 0 : ch->second.size();
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
        out += "hrms_ws_sessions{role=" + json_quote(role) + "} " + std::to_string(n) + "\n";
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
    out += latency_.render("hrms_ws_delivery_latency_seconds",
                           "From the commit of a notification to its write on a session's socket.");
    return out;
}

}  // namespace hrms::realtime
