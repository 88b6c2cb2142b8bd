#include "hrms/realtime/ws_service.hpp"

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <charconv>
#include <chrono>
#include <mutex>
#include <unordered_map>

#include "hrms/app/audit.hpp"
#include "hrms/app/crypto.hpp"
#include "hrms/app/log.hpp"
#include "hrms/core/time.hpp"
#include "hrms/app/notifications.hpp"
#include "hrms/core/text.hpp"
#include "hrms/core/time.hpp"
#include "hrms/http/blocking.hpp"
#include "hrms/http/upgrade.hpp"
#include "hrms/realtime/gate.hpp"

namespace hrms::realtime {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using asio::awaitable;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

class WsService final : public http::UpgradeHandler {
public:
    WsService(app::Services& services, Hub& hub, WsConfig const& config);
    ~WsService() override;

    bool wants(http::Request const& req) const override;
    void start(std::vector<boost::asio::io_context*> const& lanes, boost::asio::thread_pool& pool) override;
    boost::asio::awaitable<void> run(boost::asio::ip::tcp::socket socket, http::Upgrade upgrade) override;
    void shutdown() override;
    void release() override;

    struct State;  // shared with sessions

private:
    std::shared_ptr<State> state_;
};

namespace {

std::int64_t wall_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::chrono::milliseconds ms(double seconds) {
    return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

// Rows per replay query; the replay waits for the queue to drain below half between pages.
constexpr int kReplayPage = 200;
// How long a closing session may take to say goodbye before its socket is simply closed.
constexpr double kCloseGraceS = 10;

class WsSession;

}  // namespace

struct WsService::State {
    app::Services& services;
    Hub& hub;
    WsConfig const& config;
    std::vector<asio::io_context*> lanes;  // the first runs the background tasks
    asio::thread_pool* pool = nullptr;
    std::atomic<bool> stopping{false};

    std::mutex mutex;  // guards everything below
    std::unordered_map<WsSession*, std::weak_ptr<WsSession>> sessions;  // attached or not
    FramePtr dashboard;  // the latest, for admins who connect
    std::vector<std::shared_ptr<asio::steady_timer>> timers;

    State(app::Services& s, Hub& h, WsConfig const& c) : services(s), hub(h), config(c) {}
};

namespace {

class WsSession final : public Outlet, public std::enable_shared_from_this<WsSession> {
public:
    WsSession(std::shared_ptr<WsService::State> state, asio::ip::tcp::socket socket, std::size_t lane)
        : state_(std::move(state)),
          lane_(lane),
          ws_(std::move(socket)),
          close_timer_(ws_.get_executor()),
          drain_timer_(ws_.get_executor()),
          counters_(std::make_shared<WsCounters>()) {}

    awaitable<void> run(http::Upgrade up);

    void deliver(FramePtr const& frame) override { on_live(frame); }

    void close(int code, std::string reason) override {
        asio::post(ws_.get_executor(), [self = shared_from_this(), code, r = std::move(reason)]() mutable {
            self->start_close(code, std::move(r));
        });
    }

private:
    struct Text {
        std::string data;
        bool binary = false;
    };

    auto const& cfg() const { return state_->config; }
    void touch() {
        counters_->last_seen_mono.store(monotonic_seconds(), std::memory_order_relaxed);
        counters_->last_seen_ms.store(wall_ms(), std::memory_order_relaxed);
    }

    awaitable<std::optional<Text>> read_message();
    awaitable<bool> authenticate(std::optional<app::Actor>& actor);
    // The steps of run(): the stream's options, who this session is, and its start: subscribe,
    // hello, dashboard, replay, then serve until it ends.
    void configure(std::string const& request_id);
    void describe(app::Actor const& who);
    awaitable<void> live(std::optional<std::int64_t> after);
    awaitable<void> replay(std::int64_t after);
    awaitable<void> wait_drained(std::size_t below);
    awaitable<void> serve();
    bool admit_message();

    // This socket as an audit entry records it (who, from where, which upgrade request).
    core::AuditEntry session_entry() const;
    // The session's connect or disconnect entry in the audit trail (`seconds`: how long it lasted).
    void audit(char const* action, double seconds);
    // A security event of this socket (a bad token in its auth message, its message rate).
    awaitable<void> report(app::SecurityEvent event, int status);

    void on_live(FramePtr f);
    void enqueue(FramePtr f);
    void write_next();
    void on_written(boost::system::error_code ec);
    void start_close(int code, std::string reason);
    void fail(std::string_view code, std::string message, int close_code, std::string close_reason) {
        enqueue(error_frame(code, message));
        start_close(close_code, std::move(close_reason));
    }

    std::shared_ptr<WsService::State> state_;
    std::size_t lane_;
    // On the bare socket: the websocket stream keeps its own timer for the handshake and idle
    // timeouts, and every write skips the tcp_stream layer (its timeout bookkeeping per op).
    websocket::stream<asio::ip::tcp::socket> ws_;
    beast::flat_buffer buffer_;
    asio::steady_timer close_timer_;
    asio::steady_timer drain_timer_;
    std::shared_ptr<WsCounters> counters_;

    std::shared_ptr<WsSessionInfo> info_ = std::make_shared<WsSessionInfo>();  // shared with the hub
    std::string request_id_;  // the upgrade request's, for the audit trail
    bool attached_ = false;
    ReplayGate gate_;

    // The outgoing queue: frames [head_, end); a vector rather than a deque, which allocates
    // half a kilobyte for every idle session.
    std::vector<FramePtr> queue_;
    FramePtr latest_;  // a latest_only frame waiting for the queue to empty
    std::size_t head_ = 0;
    std::size_t queued_bytes_ = 0;
    std::size_t queued() const { return queue_.size() - head_; }
    FramePtr const& front() const { return queue_[head_]; }
    void pop_front() {
        queued_bytes_ -= queue_[head_]->text.size();
        queue_[head_++].reset();
        if (head_ == queue_.size()) {
            queue_.clear();
            head_ = 0;
            if (queue_.capacity() > 64) queue_.shrink_to_fit();
        }
    }
    bool writing_ = false;
    bool closing_ = false;
    bool greeted_ = false;  // the hello is queued: nothing may be written before it
    // Frames without an id (profiles_changed, bulk_progress) that arrived before the hello: they
    // follow it (the replay gate lets id-less frames through at once, which would put them first).
    std::vector<FramePtr> early_;

    // Token bucket for client messages.
    double tokens_ = 0;
    double refilled_at_ = 0;
    int refused_in_a_row_ = 0;
};

awaitable<std::optional<WsSession::Text>> WsSession::read_message() {
    buffer_.clear();
    auto [ec, n] = co_await ws_.async_read(buffer_, kTuple);
    if (ec) co_return std::nullopt;
    touch();
    Text t{beast::buffers_to_string(buffer_.data()), !ws_.got_text()};
    buffer_.consume(buffer_.size());
    if (buffer_.capacity() > 1024) buffer_.shrink_to_fit();
    co_return t;
}

bool WsSession::admit_message() {
    double const now = monotonic_seconds();
    double const rate = cfg().ws_rate_per_s, burst = 2 * rate;
    if (refilled_at_ == 0) tokens_ = burst;
    tokens_ = std::min(burst, tokens_ + (now - refilled_at_) * rate);
    refilled_at_ = now;
    if (tokens_ >= 1) {
        tokens_ -= 1;
        refused_in_a_row_ = 0;
        return true;
    }
    return false;
}

awaitable<bool> WsSession::authenticate(std::optional<app::Actor>& actor) {
    if (actor) co_return true;
    // The client has ws_auth_timeout_s to send {"type":"auth","token":...}.
    asio::steady_timer deadline(ws_.get_executor());
    deadline.expires_after(ms(cfg().ws_auth_timeout_s));
    deadline.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec && !self->attached_) {
            self->fail("unauthenticated", "no auth message in time", 1008, "authentication timeout");
        }
    });
    auto msg = co_await read_message();
    if (!msg || closing_) co_return false;
    if (msg->binary) {
        fail("unauthenticated", "authenticate first with a text frame {\"type\":\"auth\",\"token\":\"...\"}", 1008,
             "authentication required");
        co_return false;
    }
    auto m = parse_client_message(msg->data);
    if (!m || m->type != ClientMessage::Type::auth) {
        fail("unauthenticated", "authenticate first: send {\"type\":\"auth\",\"token\":\"...\"}", 1008,
             "authentication required");
        co_return false;
    }
    std::string const token = m->token;
    auto who = co_await http::blocking(*state_->pool, [this, &token] {
        return state_->services.auth.authenticate(token);
    });
    if (closing_) co_return false;
    if (!who) {
        fail("unauthenticated", who.error().message, 1008, "invalid or expired token");
        co_await report(app::SecurityEvent::invalid_token, 401);
        co_return false;
    }
    deadline.cancel();
    actor = std::move(*who);
    co_return true;
}

awaitable<void> WsSession::wait_drained(std::size_t below) {
    while (queued() > below && !closing_) {
        drain_timer_.expires_at(asio::steady_timer::time_point::max());
        co_await drain_timer_.async_wait(kTuple);
    }
}

awaitable<void> WsSession::replay(std::int64_t after) {
    gate_.begin(after);
    std::int64_t cursor = after;
    auto const channels = info_->channels;
    auto const reader = info_->user_id;
    for (;;) {
        auto rows = co_await http::blocking(*state_->pool, [this, &channels, cursor, reader] {
            auto tx = state_->services.store.begin(app::TxMode::read);
            return tx->notifications().list(channels, cursor, kReplayPage, reader);
        });
        if (closing_) co_return;
        for (auto const& n : rows) {
            enqueue(notification_frame(n, 0));
            gate_.sent(n.id);
            cursor = n.id;
        }
        if (static_cast<int>(rows.size()) < kReplayPage) break;
        co_await wait_drained(cfg().ws_queue_messages / 2);
        if (closing_) co_return;
    }
    enqueue(replay_done_frame(gate_.last_id()));
    for (auto& f : gate_.finish()) enqueue(std::move(f));
}

awaitable<void> WsSession::serve() {
    for (;;) {
        auto msg = co_await read_message();
        if (!msg || closing_) co_return;
        if (!admit_message()) {
            // Refused messages are answered until the client has ignored a full burst of
            // answers; then it is cut off.
            if (++refused_in_a_row_ > 2 * cfg().ws_rate_per_s) {
                fail("rate_limited", "too many messages", 1008, "message rate limit exceeded");
                co_await report(app::SecurityEvent::rate_limited, 429);
                co_return;
            }
            enqueue(error_frame("rate_limited", "too many messages; slow down"));
            continue;
        }
        if (msg->binary) {
            enqueue(error_frame("bad_request", "binary frames are not supported; send JSON text"));
            continue;
        }
        auto m = parse_client_message(msg->data);
        if (!m) {
            enqueue(error_frame(m.error().code, m.error().message));
            continue;
        }
        switch (m->type) {
            case ClientMessage::Type::ping:
                enqueue(pong_frame());
                break;
            case ClientMessage::Type::auth:
                enqueue(error_frame("bad_request", "already authenticated"));
                break;
            case ClientMessage::Type::resume:
                co_await replay(m->after);
                break;
        }
    }
}

void WsSession::configure(std::string const& request_id) {
    auto const& c = cfg();
    websocket::stream_base::timeout to{};
    to.handshake_timeout = std::chrono::seconds(10);
    to.idle_timeout = ms(c.ws_idle_timeout_s);
    to.keep_alive_pings = true;  // a ping at half the idle time; silence for all of it closes
    ws_.set_option(to);
    ws_.read_message_max(c.ws_max_message_bytes);
    // Frames go out whole from the shared text (no masking on the server side): no fragmenting
    // and only a small per-session write buffer (Beast allocates it on the first write).
    ws_.auto_fragment(false);
    ws_.write_buffer_bytes(512);
    // Every answer carries the request id, the handshake's own included (101, and Beast's 400
    // or 426 for a malformed one).
    ws_.set_option(websocket::stream_base::decorator([rid = request_id](websocket::response_type& res) {
        res.set(beast::http::field::server, "hrms");
        res.set("X-Request-Id", rid);
    }));
    ws_.control_callback([this](websocket::frame_type, beast::string_view) { touch(); });
    boost::system::error_code ignored;
    ws_.next_layer().set_option(asio::socket_base::send_buffer_size(64 * 1024), ignored);
}

namespace {
// The upgrade request's ?after=: nullopt when absent, -1 when it is not an id (>= 0).
std::optional<std::int64_t> after_param(http::Request const& req) {
    auto a = req.query_param("after");
    if (!a) return std::nullopt;
    long long v = -1;
    auto [p, ec] = std::from_chars(a->data(), a->data() + a->size(), v);
    if (ec != std::errc{} || p != a->data() + a->size() || v < 0) return -1;
    return v;
}
}  // namespace

awaitable<void> WsSession::report(app::SecurityEvent event, int status) {
    app::SecuritySignal s;
    s.event = event;
    s.request = session_entry();
    s.request.method = "GET";
    s.request.status = status;
    if (info_->user_id) s.account = std::to_string(info_->user_id);
    // On the pool: a critical event writes an alert.
    co_await http::blocking(*state_->pool, [this, &s] {
        state_->services.security.report(s);
        return 0;
    });
}

core::AuditEntry WsSession::session_entry() const {
    core::AuditEntry e;
    if (info_->user_id) e.actor_id = info_->user_id;
    e.session_id = app::session_public_id(info_->token_hash);
    e.request_id = request_id_;
    e.ip = info_->remote_addr;
    e.user_agent = info_->user_agent;
    e.route = e.path = "/api/v1/ws";
    if (!info_->id.empty()) e.details = app::json_members({{"ws_session_id", json_quote(info_->id)}});
    return e;
}

void WsSession::audit(char const* action, double seconds) {
    auto& log = state_->services.access_log;
    if (!log.enabled()) return;
    auto e = session_entry();
    e.time = state_->services.clock.now();
    e.category = core::AuditCategory::access;
    e.action = action;
    e.latency_us = static_cast<std::int64_t>(seconds * 1e6);
    log.record(std::move(e));
}

void WsSession::describe(app::Actor const& who) {
    info_->id = app::random_token(8);
    info_->user_id = who.id;
    info_->roles = who.roles;
    info_->token_hash = who.token_hash;
    info_->connected_at = to_rfc3339(app::SystemClock().now());
    info_->connected_mono = monotonic_seconds();
    info_->channels = app::channels_of(who);
    info_->admin = who.can(core::perm::profiles_review);
}

awaitable<void> WsSession::run(http::Upgrade up) {
    auto self = shared_from_this();
    configure(up.request_id);
    request_id_ = up.request_id;
    // Where it comes from, known before it authenticates (a bad token is a security event).
    info_->remote_addr = up.req.client_ip;
    info_->user_agent = core::clip_utf8(up.req.header("user-agent"), 256);
    auto [aec] = co_await ws_.async_accept(up.raw, kTuple);
    if (aec) co_return;
    touch();
    up.raw = {};  // the handshake's headers are not needed any more: free them now

    auto const after = after_param(up.req);
    if (after && *after < 0) {
        fail("bad_request", "after must be a notification id (an integer >= 0)", 1008, "bad after");
        co_await read_message();  // until the close completes
        co_return;
    }
    std::optional<app::Actor> actor = std::move(up.actor);
    bool const authenticated = co_await authenticate(actor);
    if (!authenticated) {
        while (co_await read_message()) {
        }
        co_return;
    }
    describe(*actor);
    audit("ws.connect", 0);
    up.req = {};
    actor.reset();  // the permissions and CSRF token are not needed past this point
    try {
        co_await live(after);
    } catch (std::exception const& e) {
        log::error("ws.session_error", {log::str("session_id", info_->id), log::str("request_id", request_id_), log::str("what", log::what(e))});
        start_close(1011, "internal error");
    }
    while (closing_ && co_await read_message()) {
        // until the close handshake completes or the socket is closed
    }
    state_->hub.detach(info_->id);
    audit("ws.disconnect", monotonic_seconds() - info_->connected_mono);
    log::debug("ws.closed", {log::str("session_id", info_->id), log::str("request_id", request_id_)});
}

awaitable<void> WsSession::live(std::optional<std::int64_t> after) {
    gate_.begin(0);  // live frames are held from the moment the session subscribes
    state_->hub.attach(shared_from_this(), info_, counters_, lane_);
    attached_ = true;
    auto const channels = info_->channels;
    auto last = co_await http::blocking(*state_->pool, [this, &channels] {
        auto tx = state_->services.store.begin(app::TxMode::read);
        return tx->notifications().last_id(channels);
    });
    greeted_ = true;  // from here on a dashboard may follow the hello
    enqueue(hello_frame(info_->id, info_->user_id, info_->roles, cfg().ws_idle_timeout_s / 2, last));
    for (auto& f : early_) enqueue(std::move(f));
    early_.clear();
    if (info_->admin && !latest_) {
        // The latest dashboard, unless a newer one arrived while the hello was prepared; it goes
        // out once the replay (if any) has drained the queue.
        std::lock_guard lock(state_->mutex);
        latest_ = state_->dashboard;
    }
    if (after) {
        co_await replay(*after);
    } else {
        gate_.sent(last);  // live from here on
        for (auto& f : gate_.finish()) enqueue(std::move(f));
    }
    log::debug("ws.open", {log::str("session_id", info_->id), log::str("request_id", request_id_), log::num("user_id", static_cast<long long>(info_->user_id))});
    co_await serve();
}

void WsSession::on_live(FramePtr f) {
    if (closing_) return;
    if (f->latest_only) {
        latest_ = std::move(f);  // written once the queue is empty (and never before the hello)
        if (!writing_) write_next();
        return;
    }
    if (f->id == 0 && !greeted_) {
        if (early_.size() < cfg().ws_queue_messages) early_.push_back(std::move(f));  // else dropped: ephemeral
        return;
    }
    auto out = gate_.offer(std::move(f));
    if (out) {
        enqueue(std::move(out));
    } else if (gate_.held() > cfg().ws_queue_messages) {
        counters_->dropped.fetch_add(1, std::memory_order_relaxed);
        start_close(1013, "too slow: outgoing queue full");
    }
}

void WsSession::enqueue(FramePtr f) {
    if (closing_) return;
    if (queued() >= cfg().ws_queue_messages || queued_bytes_ + f->text.size() > cfg().ws_queue_bytes) {
        // A client that stops reading is cut off; everyone else goes on unaffected.
        counters_->dropped.fetch_add(1, std::memory_order_relaxed);
        log::warn("ws.slow_client", {log::str("session_id", info_->id), log::str("request_id", request_id_),
                                     log::num("queued", static_cast<long long>(queued()))});
        start_close(1013, "too slow: outgoing queue full");
        return;
    }
    queued_bytes_ += f->text.size();
    queue_.push_back(std::move(f));
    counters_->queue_depth.store(static_cast<std::uint32_t>(queued()), std::memory_order_relaxed);
    if (!writing_) write_next();
}

void WsSession::write_next() {
    if (queued() == 0 && latest_ && greeted_ && !closing_) {
        queued_bytes_ += latest_->text.size();
        queue_.push_back(std::move(latest_));
        latest_.reset();
    }
    if (queued() == 0) {
        writing_ = false;
        drain_timer_.cancel();
        return;
    }
    writing_ = true;
    auto const& f = front();
    ws_.text(true);
    ws_.async_write(asio::buffer(f->text), [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
        self->on_written(ec);
    });
}

void WsSession::on_written(boost::system::error_code ec) {
    if (ec || queued() == 0) {
        writing_ = false;
        queue_.clear();
        head_ = 0;
        queued_bytes_ = 0;
        drain_timer_.cancel();
        return;
    }
    double const committed = front()->committed_at;
    pop_front();
    counters_->queue_depth.store(static_cast<std::uint32_t>(queued()), std::memory_order_relaxed);
    counters_->sent.fetch_add(1, std::memory_order_relaxed);
    if (committed > 0) state_->hub.observe_delivery(lane_, monotonic_seconds() - committed);
    if (queued() <= cfg().ws_queue_messages / 2) drain_timer_.cancel();
    write_next();
}

void WsSession::start_close(int code, std::string reason) {
    if (closing_) return;
    closing_ = true;
    counters_->closing.store(true, std::memory_order_relaxed);
    // What is queued but not yet on the wire is dropped; the frame being written finishes first.
    while (queued() > (writing_ ? 1u : 0u)) {
        queued_bytes_ -= queue_.back()->text.size();
        queue_.pop_back();
    }
    drain_timer_.cancel();
    close_timer_.expires_after(ms(kCloseGraceS));
    close_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec) return;
        boost::system::error_code ignored;
        self->ws_.next_layer().close(ignored);
    });
    websocket::close_reason why(static_cast<websocket::close_code>(code), reason);
    // Done (answered, or cut off by the timer): the timer goes too, or the session and its
    // event loop would wait out the grace (a shutdown with browsers connected took 10 s).
    ws_.async_close(why, [self = shared_from_this()](boost::system::error_code) { self->close_timer_.cancel(); });
}

}  // namespace

WsService::WsService(app::Services& services, Hub& hub, WsConfig const& config)
    : state_(std::make_shared<State>(services, hub, config)) {}

WsService::~WsService() = default;

bool WsService::wants(http::Request const& req) const { return req.path == "/api/v1/ws"; }

namespace {

awaitable<void> cleanup_loop(std::shared_ptr<WsService::State> st, std::shared_ptr<asio::steady_timer> timer) {
    while (!st->stopping) {
        timer->expires_after(ms(st->config.ws_cleanup_interval_s));
        co_await timer->async_wait(kTuple);
        if (st->stopping) break;
        st->hub.cleanup(monotonic_seconds(), st->config.ws_idle_timeout_s);
        // A socket authenticated once; its session may since have expired (idle or absolute
        // lifetime), or a logout or suspension may have been missed (a PostgreSQL listener
        // reconnecting): each run checks the tokens of the open sessions again.
        try {
            auto const hashes = st->hub.token_hashes();
            auto* state = st.get();
            auto ended = co_await http::blocking(*st->pool, [state, &hashes] {
                return state->services.auth.ended_sessions(hashes);
            });
            std::vector<std::string> expired, inactive;
            for (auto& e : ended) (e.inactive ? inactive : expired).push_back(std::move(e.token_hash));
            std::size_t const closed = st->hub.close_tokens(expired, kCloseLoggedOut, "session expired") +
                                       st->hub.close_tokens(inactive, kCloseSuspended, "account not active");
            if (closed > 0) log::info("ws.sessions_ended", {log::num("closed", static_cast<long long>(closed))});
        } catch (std::exception const& e) {
            log::warn("ws.session_check_failed", {log::str("what", log::what(e))});
        }
    }
}

awaitable<void> dashboard_loop(std::shared_ptr<WsService::State> st, std::shared_ptr<asio::steady_timer> timer) {
    bool first = true;
    while (!st->stopping) {
        timer->expires_after(ms(st->config.ws_dashboard_interval_s));
        co_await timer->async_wait(kTuple);
        if (st->stopping) break;
        // Coalesced: however many changes happened in the interval, one dashboard goes out.
        if (!st->hub.take_dashboard_dirty() && !first) continue;
        first = false;
        try {
            auto* state = st.get();
            auto snapshot = co_await http::blocking(*st->pool, [state] { return state->services.reports.refresh(); });
            auto frame = dashboard_frame(snapshot);
            {
                std::lock_guard lock(st->mutex);
                st->dashboard = frame;
            }
            // Background traffic: spread over most of the interval (a session still gets one per
            // interval, the slices go out in the same order every time).
            st->hub.broadcast_admins(frame, st->config.ws_dashboard_interval_s * 0.8);
        } catch (std::exception const& e) {
            log::warn("ws.dashboard_failed", {log::str("what", log::what(e))});
        }
    }
}

}  // namespace

void WsService::start(std::vector<asio::io_context*> const& lanes, asio::thread_pool& pool) {
    state_->lanes = lanes;
    state_->pool = &pool;
    std::vector<LanePost> posts;
    for (auto* lane : lanes) {
        posts.emplace_back([lane](double delay_s, std::function<void()> fn) {
            if (delay_s <= 0) {
                asio::post(*lane, std::move(fn));
                return;
            }
            auto timer = std::make_shared<asio::steady_timer>(*lane, ms(delay_s));
            timer->async_wait([timer, fn = std::move(fn)](boost::system::error_code ec) {
                if (!ec) fn();
            });
        });
    }
    state_->hub.set_lanes(std::move(posts));
    auto& ioc = *lanes.front();
    auto cleanup = std::make_shared<asio::steady_timer>(ioc);
    auto dash = std::make_shared<asio::steady_timer>(ioc);
    {
        std::lock_guard lock(state_->mutex);
        state_->timers = {cleanup, dash};
    }
    asio::co_spawn(ioc, cleanup_loop(state_, cleanup), asio::detached);
    asio::co_spawn(ioc, dashboard_loop(state_, dash), asio::detached);
}

awaitable<void> WsService::run(asio::ip::tcp::socket socket, http::Upgrade upgrade) {
    // The lane whose thread runs this connection (the hub delivers to it there).
    auto const* context = &asio::query(socket.get_executor(), asio::execution::context);
    std::size_t lane = 0;
    while (lane < state_->lanes.size() && state_->lanes[lane] != context) ++lane;
    if (lane == state_->lanes.size()) throw std::logic_error("WebSocket connection on an unknown lane");
    auto session = std::make_shared<WsSession>(state_, std::move(socket), lane);
    {
        std::lock_guard lock(state_->mutex);
        state_->sessions.emplace(session.get(), session);
    }
    if (state_->stopping) session->close(1001, "server shutting down");
    try {
        co_await session->run(std::move(upgrade));
    } catch (std::exception const& e) {
        log::error("ws.exception", {log::str("what", log::what(e))});
    }
    std::lock_guard lock(state_->mutex);
    state_->sessions.erase(session.get());
}

void WsService::shutdown() {
    state_->stopping = true;
    std::vector<std::shared_ptr<WsSession>> open;
    {
        std::lock_guard lock(state_->mutex);
        for (auto const& t : state_->timers) asio::post(t->get_executor(), [t] { t->cancel(); });
        for (auto const& [p, weak] : state_->sessions)
            if (auto s = weak.lock()) open.push_back(std::move(s));
    }
    for (auto& s : open) s->close(1001, "server shutting down");
}

void WsService::release() {
    std::vector<std::shared_ptr<asio::steady_timer>> timers;
    {
        std::lock_guard lock(state_->mutex);
        timers.swap(state_->timers);
        state_->sessions.clear();
        state_->dashboard.reset();
    }
    timers.clear();
    state_->hub.drop_all();
}

std::shared_ptr<http::UpgradeHandler> make_ws_service(app::Services& services, Hub& hub, WsConfig const& config) {
    return std::make_shared<WsService>(services, hub, config);
}

}  // namespace hrms::realtime
