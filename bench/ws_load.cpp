// WebSocket load client for hrms's realtime endpoint (GET /api/v1/ws).
//
// Phases (one process, one run):
//   0. Setup over HTTP with the admin token: create EVENTS + MISSED employees, log each in, save
//      complete details (not yet submitted). Each later "event" is one employee's submit, which
//      commits an admin.new_submission notification (data.profile_id) to the admins channel.
//   1. Open SESSIONS admin WebSockets (at most CONCURRENCY handshakes in flight), each waits for
//      its hello. Server VmRSS is read after one warm-up session and again after all sockets
//      have been open and idle for IDLE seconds: (after - before) / SESSIONS = KiB per session.
//   2. Broadcast latency: EVENTS times, t0 = just before the submit request is written; every
//      session stamps the moment it reads the notification whose data.profile_id is that
//      employee's profile. Latency of one delivery = stamp - t0.
//   3. Reconnect storm (MISSED > 0): every session remembers the last notification id it saw,
//      all sessions close, MISSED submits happen while they are away, then all reconnect with
//      ?after=<last id>; each must get exactly the MISSED notifications, then replay_done.
// Prints a readable summary and a final "RESULT key=value ..." line. Exit status 1 when any
// check failed (failed opens, missing or duplicate deliveries, wrong replays), 2 on bad usage
// or setup failure.
//
// Build: g++ -std=c++20 -O2 -Wall -Wextra -pthread bench/ws_load.cpp -o ws_load -lboost_json
// Run:   ws_load --port 18185 --token ADMIN_TOKEN --sessions 10000 --events 20
//                --reconnect-missed 10 --server-pid PID      (or bench/ws.sh, which does it all)
//
// Memory per session is kept small: one websocket stream (Beast keeps a 1.5 KB read buffer
// inside it), one flat_buffer for the current message, a strand and ~100 bytes of state.
// Sessions are driven by C++20 coroutines on 1-2 io threads; the main thread only drives the
// phases (its HTTP calls run on a private io_context so they never wait behind socket work).
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/json.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <bit>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;
using error_code = boost::system::error_code;

namespace {

using SteadyClock = std::chrono::steady_clock;

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now().time_since_epoch())
        .count();
}
double ms_between(std::int64_t from_ns, std::int64_t to_ns) { return static_cast<double>(to_ns - from_ns) / 1e6; }
void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// ---------------------------------------------------------------- options

struct Options {
    std::string host = "127.0.0.1";
    unsigned short port = 0;
    std::string token;             // admin bearer token: WebSocket sessions and employee creation
    int sessions = 1000;
    int events = 20;
    int missed = 0;                // --reconnect-missed
    int server_pid = 0;
    int concurrency = 500;         // handshakes in flight
    int threads = 1;               // io threads for the sockets
    std::string path = "/api/v1/ws";
    std::string password = "ws-bench-password-123";  // for the employees the tool creates
    double event_timeout_s = 30;
    double open_timeout_s = 120;
    double replay_timeout_s = 120;
    double idle_s = 2;             // idle time before the second RSS sample
    int gap_ms = 250;              // pause before each timed event
    double ping_s = 0;             // > 0: every session sends {"type":"ping"} this often
    bool no_hello = false;         // debug: a session counts as open once the handshake is done
};

[[noreturn]] void usage(char const* why) {
    if (why) std::fprintf(stderr, "ws_load: %s\n", why);
    std::fprintf(stderr,
        "usage: ws_load --port P --token T [--host 127.0.0.1] [--sessions N=1000] [--events E=20]\n"
        "               [--reconnect-missed M=0 (at most 64)] [--server-pid PID] [--concurrency C=500]\n"
        "               [--threads 1|2] [--path /api/v1/ws] [--password PW] [--gap-ms 250]\n"
        "               [--event-timeout-s 30] [--open-timeout-s 120] [--replay-timeout-s 120]\n"
        "               [--idle-s 2] [--ping-s 0] [--no-hello]\n");
    std::exit(2);
}

Options parse_options(int argc, char** argv) {
    Options o;
    auto num = [](char const* flag, char const* v) {
        char* end = nullptr;
        double d = std::strtod(v, &end);
        if (end == v || *end != '\0') {
            std::fprintf(stderr, "ws_load: %s: '%s' is not a number\n", flag, v);
            std::exit(2);
        }
        return d;
    };
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "--no-hello") { o.no_hello = true; continue; }
        if (a == "-h" || a == "--help") usage(nullptr);
        if (i + 1 >= argc) usage(("missing value for " + std::string(a)).c_str());
        char const* v = argv[++i];
        if (a == "--host") o.host = v;
        else if (a == "--port") o.port = static_cast<unsigned short>(num(argv[i - 1], v));
        else if (a == "--token") o.token = v;
        else if (a == "--sessions") o.sessions = static_cast<int>(num(argv[i - 1], v));
        else if (a == "--events") o.events = static_cast<int>(num(argv[i - 1], v));
        else if (a == "--reconnect-missed") o.missed = static_cast<int>(num(argv[i - 1], v));
        else if (a == "--server-pid") o.server_pid = static_cast<int>(num(argv[i - 1], v));
        else if (a == "--concurrency") o.concurrency = static_cast<int>(num(argv[i - 1], v));
        else if (a == "--threads") o.threads = static_cast<int>(num(argv[i - 1], v));
        else if (a == "--path") o.path = v;
        else if (a == "--password") o.password = v;
        else if (a == "--gap-ms") o.gap_ms = static_cast<int>(num(argv[i - 1], v));
        else if (a == "--event-timeout-s") o.event_timeout_s = num(argv[i - 1], v);
        else if (a == "--open-timeout-s") o.open_timeout_s = num(argv[i - 1], v);
        else if (a == "--replay-timeout-s") o.replay_timeout_s = num(argv[i - 1], v);
        else if (a == "--idle-s") o.idle_s = num(argv[i - 1], v);
        else if (a == "--ping-s") o.ping_s = num(argv[i - 1], v);
        else usage(("unknown option " + std::string(a)).c_str());
    }
    if (o.port == 0) usage("--port is required");
    if (o.token.empty()) usage("--token is required");
    if (o.sessions < 1) usage("--sessions must be at least 1");
    if (o.events < 0 || o.missed < 0) usage("--events and --reconnect-missed must not be negative");
    if (o.missed > 64) usage("--reconnect-missed is at most 64");
    if (o.concurrency < 1) o.concurrency = 1;
    if (o.threads < 1) o.threads = 1;
    return o;
}

// ---------------------------------------------------------------- small helpers

long vmrss_kib(std::string const& pid) {  // pid "self" or a number; -1 when unreadable
    std::ifstream f("/proc/" + pid + "/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    return -1;
}

void raise_nofile(int want) {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur != RLIM_INFINITY && static_cast<long long>(rl.rlim_cur) < want)
        std::fprintf(stderr, "warning: RLIMIT_NOFILE is %llu, fewer than the %d descriptors this run needs\n",
                     static_cast<unsigned long long>(rl.rlim_cur), want);
}

// Nearest-rank percentile of a sorted vector.
double pct(std::vector<double> const& sorted, double p) {
    if (sorted.empty()) return 0;
    auto k = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
    if (k == 0) k = 1;
    return sorted[std::min(k, sorted.size()) - 1];
}
double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return pct(v, 50);
}

std::optional<std::int64_t> int_field(json::object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
    if (v->is_double()) return static_cast<std::int64_t>(v->get_double());
    return std::nullopt;
}

// ---------------------------------------------------------------- shared run state

using Ws = websocket::stream<tcp::socket>;
// A session's executor: a strand with two io threads; with one, the io_context itself (a strand
// would only add a queue and a lock to every read).
using Strand = net::any_io_executor;

// Everything but the counters is touched only on the session's strand (or by the main thread
// while no operation of that session can run: before it is opened, or after `alive` says it is
// gone).
struct Session {
    explicit Session(Strand s) : strand(std::move(s)) {}
    Strand strand;
    std::unique_ptr<Ws> ws;
    beast::flat_buffer buf{1 << 20};  // the one read buffer; keeps its capacity between messages
    std::int64_t last_id = 0;         // highest notification id seen (hello.last_id to start)
    std::int64_t after = 0;           // the after= of the current connection (replay phase)
    std::int64_t replay_prev = 0;     // last notification id read during the replay
    std::int64_t replay_done_ns = 0;
    std::int64_t replay_done_last_id = -1;
    std::uint64_t replay_mask = 0;    // bit k: missed event k was replayed
    std::int32_t replay_count = 0;    // notifications between hello and replay_done
    std::int32_t late = 0;            // missed events that came after replay_done
    std::int16_t replay_dups = 0;     // replayed notifications seen twice
    std::int16_t replay_catchup = 0;  // timed events replayed because they were missed live
    bool reading = false, write_busy = false, close_pending = false;
    bool closing = false, close_after_write = false;
    bool open = false, connected = false, was_open = false, replaying = false, replay_bad = false;
};

struct Run {
    Options opt;
    tcp::endpoint ep;
    std::string host_header;
    std::string auth_header;
    net::io_context ioc;
    std::deque<Session> sessions;  // sessions[0..N-1]; sessions[N] is the warm-up socket

    // Events: 0..E-1 timed, E..E+M-1 submitted while the sessions are away.
    std::unordered_map<std::int64_t, int> event_of_profile;
    std::unique_ptr<std::atomic<std::int64_t>[]> rx;          // [event * N + session] receive stamp
    std::unique_ptr<std::atomic<int>[]> ev_count;             // sessions that got event e
    std::unique_ptr<std::atomic<std::int64_t>[]> ev_notif_id; // notification id first seen for e

    std::atomic<int> alive{0};        // sessions with a stream object
    std::atomic<int> opened{0}, open_failed{0}, dropped{0};
    std::atomic<long> duplicates{0}, stray{0}, id_mismatch{0}, bad_messages{0};
    std::atomic<long> dashboards{0}, pongs{0}, other{0}, pings_sent{0};
    std::atomic<int> replay_done{0};
    std::atomic<bool> pinging{false};

    std::mutex err_mu;
    std::map<std::string, int> errors;

    Session& s(int i) { return sessions[static_cast<std::size_t>(i)]; }
    int n() const { return opt.sessions; }
};

Run* g = nullptr;

void note_error(std::string const& what) {
    std::lock_guard lk(g->err_mu);
    ++g->errors[what];
}

std::string take_errors() {
    std::lock_guard lk(g->err_mu);
    std::string out;
    for (auto const& [what, count] : g->errors) out += "    " + std::to_string(count) + "x " + what + "\n";
    g->errors.clear();
    return out;
}

// ---------------------------------------------------------------- session coroutines

void maybe_reset(Session& s) {  // on strand: drop the stream once nothing of it is pending
    if (s.ws && !s.reading && !s.close_pending && !s.write_busy) {
        s.ws.reset();
        g->alive.fetch_sub(1, std::memory_order_acq_rel);
    }
}

void start_close(Session& s) {
    s.close_pending = true;
    s.ws->async_close(websocket::close_code::normal, [&s](error_code) {
        s.close_pending = false;
        maybe_reset(s);
    });
}

void request_close(Session& s) {  // on strand
    if (!s.ws || s.closing) return;
    s.closing = true;
    if (!s.open && !s.reading) {  // never got to read: just drop the socket
        error_code ec;
        s.ws->next_layer().close(ec);
        return;
    }
    if (s.write_busy) s.close_after_write = true;
    else start_close(s);
}

void force_close(Session& s) {  // on strand: abort whatever is pending
    if (!s.ws) return;
    s.closing = true;
    error_code ec;
    s.ws->next_layer().close(ec);
}

constexpr std::string_view kPing = R"({"type":"ping"})";

void try_ping(Session& s) {  // on strand
    if (!s.ws || !s.open || s.closing || s.write_busy) return;
    s.write_busy = true;
    s.ws->async_write(net::buffer(kPing.data(), kPing.size()), [&s](error_code, std::size_t) {
        s.write_busy = false;
        g->pings_sent.fetch_add(1, std::memory_order_relaxed);
        if (s.close_after_write) {
            s.close_after_write = false;
            if (s.ws) start_close(s);
        } else {
            maybe_reset(s);
        }
    });
}

// A number right after `key` in text (no spaces: how hrms writes JSON).
std::optional<std::int64_t> number_after(std::string_view text, std::string_view key, std::size_t from = 0) {
    auto const at = text.find(key, from);
    if (at == std::string_view::npos) return std::nullopt;
    std::int64_t v = 0;
    auto const* p = text.data() + at + key.size();
    auto [end, ec] = std::from_chars(p, text.data() + text.size(), v);
    if (ec != std::errc{} || end == p) return std::nullopt;
    return v;
}

void on_notification(int i, Session& s, std::int64_t id, std::optional<std::int64_t> profile_id, std::int64_t t);

// One message read by session i at time t (on its strand).
void handle_message(int i, Session& s, std::string_view text, std::int64_t t) {
    // hrms writes "type" first and compact JSON: a dashboard (one a second to every admin
    // session) is only counted and a notification read for its id and data.profile_id by a
    // scan, so the client spends its time reading sockets rather than building JSON trees it does
    // not need. Anything else, or a notification the scan cannot read, is parsed in full.
    if (text.starts_with(R"({"type":"dashboard",)")) {
        g->dashboards.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    constexpr std::string_view kNotification = R"({"type":"notification","id":)";
    if (text.starts_with(kNotification) && text.ends_with("}")) {
        auto const id = number_after(text, kNotification);
        auto const data = text.find(R"(,"data":{)");
        if (id && data != std::string_view::npos) {
            on_notification(i, s, *id, number_after(text, R"("profile_id":)", data), t);
            return;
        }
    }
    unsigned char scratch[4096];
    json::monotonic_resource mr(scratch, sizeof scratch);
    error_code ec;
    json::value v = json::parse(text, ec, &mr);
    json::object const* o = ec ? nullptr : v.if_object();
    json::string const* type = nullptr;
    if (o)
        if (auto const* tv = o->if_contains("type")) type = tv->if_string();
    if (!type) {
        g->bad_messages.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    if (*type == "notification") {
        auto const id = int_field(*o, "id");
        if (!id) {
            g->bad_messages.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        std::optional<std::int64_t> pid;
        if (auto const* d = o->if_contains("data"); d && d->is_object()) pid = int_field(d->get_object(), "profile_id");
        on_notification(i, s, *id, pid, t);
    } else if (*type == "replay_done") {
        if (s.replaying) {
            s.replaying = false;
            s.replay_done_ns = t;
            s.replay_done_last_id = int_field(*o, "last_id").value_or(-1);
            g->replay_done.fetch_add(1, std::memory_order_acq_rel);
        } else {
            g->bad_messages.fetch_add(1, std::memory_order_relaxed);  // replay_done without ?after
        }
    } else if (*type == "dashboard") {
        g->dashboards.fetch_add(1, std::memory_order_relaxed);
    } else if (*type == "pong") {
        g->pongs.fetch_add(1, std::memory_order_relaxed);
    } else {
        g->other.fetch_add(1, std::memory_order_relaxed);
    }
}

void on_notification(int i, Session& s, std::int64_t id, std::optional<std::int64_t> profile_id, std::int64_t t) {
    int event = -1;
    if (profile_id) {
        auto it = g->event_of_profile.find(*profile_id);
        if (it != g->event_of_profile.end()) event = it->second;
    }
    int const n = g->n(), e_timed = g->opt.events;
    if (s.replaying) {
        // Between hello and replay_done: the missed events, each once, ids ascending. A timed
        // event this session never got live is replayed too (its id is above `after`): that
        // is catch-up, counted apart and expected by the check in main.
        ++s.replay_count;
        bool const seen = event >= e_timed && (s.replay_mask & (std::uint64_t{1} << (event - e_timed)));
        if (seen || id == s.replay_prev) ++s.replay_dups;
        if (seen || id <= s.replay_prev || id <= s.after || event < 0) s.replay_bad = true;
        if (event >= e_timed) s.replay_mask |= std::uint64_t{1} << (event - e_timed);
        else if (event >= 0) ++s.replay_catchup;
        s.replay_prev = std::max(s.replay_prev, id);
    } else if (event >= e_timed) {
        ++s.late;  // a missed event delivered live after replay_done (or without a replay)
    } else if (event >= 0 && i < n) {
        auto& slot = g->rx[static_cast<std::size_t>(event) * static_cast<std::size_t>(n) + static_cast<std::size_t>(i)];
        if (slot.load(std::memory_order_relaxed) != 0) {
            g->duplicates.fetch_add(1, std::memory_order_relaxed);
        } else {
            slot.store(t, std::memory_order_relaxed);
            std::int64_t expected = 0;
            if (!g->ev_notif_id[event].compare_exchange_strong(expected, id) && expected != id)
                g->id_mismatch.fetch_add(1, std::memory_order_relaxed);
            g->ev_count[event].fetch_add(1, std::memory_order_release);
        }
    } else if (i < n) {
        g->stray.fetch_add(1, std::memory_order_relaxed);
    }
    if (id > s.last_id) s.last_id = id;
}

awaitable<void> read_loop(int i) {
    Session& s = g->s(i);
    error_code ec;
    for (;;) {
        co_await s.ws->async_read(s.buf, net::redirect_error(use_awaitable, ec));
        if (ec) break;
        auto const t = now_ns();
        auto const d = s.buf.data();
        handle_message(i, s, std::string_view(static_cast<char const*>(d.data()), d.size()), t);
        s.buf.consume(s.buf.size());
    }
    s.reading = false;
    s.open = false;
    if (!s.closing) {
        g->dropped.fetch_add(1, std::memory_order_acq_rel);
        note_error("connection dropped by the server: " + ec.message());
    }
    maybe_reset(s);
}

// Connects, upgrades and reads the hello. On success the session is open and `reading` is set
// (read_loop is started by the caller); on failure the stream is gone again.
awaitable<bool> open_session(int i, bool replay) {
    Session& s = g->s(i);
    std::string target = g->opt.path;
    if (replay) target += (target.find('?') == std::string::npos ? "?after=" : "&after=") + std::to_string(s.after);
    s.ws = std::make_unique<Ws>(s.strand);
    g->alive.fetch_add(1, std::memory_order_acq_rel);
    s.closing = s.close_after_write = s.open = s.reading = s.connected = false;
    s.replaying = replay;
    s.replay_bad = false;
    s.replay_count = s.late = 0;
    s.replay_dups = s.replay_catchup = 0;
    s.replay_mask = 0;
    s.replay_prev = 0;
    s.replay_done_ns = 0;
    s.replay_done_last_id = -1;
    Ws& ws = *s.ws;
    websocket::stream_base::timeout to{};
    to.handshake_timeout = std::chrono::seconds(30);  // also bounds the close handshake
    to.idle_timeout = websocket::stream_base::none();
    to.keep_alive_pings = false;
    ws.set_option(to);
    ws.set_option(websocket::stream_base::decorator([h = &g->auth_header](websocket::request_type& req) {
        req.set(http::field::authorization, *h);
    }));
    ws.read_message_max(1 << 20);
    ws.write_buffer_bytes(256);
    ws.auto_fragment(false);
    ws.text(true);
    std::string failure;
    try {
        co_await ws.next_layer().async_connect(g->ep, use_awaitable);
        ws.next_layer().set_option(tcp::no_delay(true));
        websocket::response_type res;
        error_code ec;
        co_await ws.async_handshake(res, g->host_header, target, net::redirect_error(use_awaitable, ec));
        if (ec == websocket::error::upgrade_declined) {  // an HTTP answer that is not 101
            failure = "upgrade declined: HTTP " + std::to_string(res.result_int());
        } else if (ec) {  // (Beast presets `res` to 500 before it reads anything: not an answer)
            failure = "handshake: " + ec.message();
        } else if (!g->opt.no_hello) {
            co_await ws.async_read(s.buf, use_awaitable);
            auto const d = s.buf.data();
            std::string_view text(static_cast<char const*>(d.data()), d.size());
            error_code pec;
            json::value v = json::parse(text, pec);
            json::object const* o = pec ? nullptr : v.if_object();
            json::string const* type = nullptr;
            if (o)
                if (auto const* tv = o->if_contains("type")) type = tv->if_string();
            if (!type || *type != "hello") {
                failure = "first message is not a hello: " + std::string(text.substr(0, 120));
            } else if (!replay) {
                s.last_id = std::max(s.last_id, int_field(*o, "last_id").value_or(0));
            }
            s.buf.consume(s.buf.size());
        }
    } catch (boost::system::system_error const& e) {
        failure = "connect/read: " + e.code().message();
    } catch (std::exception const& e) {
        failure = std::string("connect/read: ") + e.what();
    }
    if (!failure.empty()) {
        if (s.closing) failure = "aborted (timeout)";
        note_error(failure);
        s.ws.reset();
        g->alive.fetch_sub(1, std::memory_order_acq_rel);
        co_return false;
    }
    s.open = s.connected = true;
    s.reading = true;
    co_return true;
}

// One of CONCURRENCY workers: opens sessions from the shared list until it is used up.
awaitable<void> opener(std::shared_ptr<std::vector<int>> list, std::shared_ptr<std::atomic<std::size_t>> next,
                       bool replay) {
    for (;;) {
        std::size_t const k = next->fetch_add(1);
        if (k >= list->size()) co_return;
        int const i = (*list)[k];
        Session& s = g->s(i);
        bool const ok = co_await net::co_spawn(s.strand, open_session(i, replay), use_awaitable);
        if (ok) {
            net::co_spawn(s.strand, read_loop(i), net::detached);
            g->opened.fetch_add(1, std::memory_order_acq_rel);
        } else {
            g->open_failed.fetch_add(1, std::memory_order_acq_rel);
        }
    }
}

awaitable<void> pinger() {
    net::steady_timer timer(co_await net::this_coro::executor);
    for (;;) {
        timer.expires_after(std::chrono::milliseconds(static_cast<long>(g->opt.ping_s * 1000)));
        co_await timer.async_wait(use_awaitable);
        if (!g->pinging.load()) continue;
        for (auto& s : g->sessions) net::post(s.strand, [&s] { try_ping(s); });
    }
}

// ---------------------------------------------------------------- main-thread helpers

bool wait_until(std::function<bool()> const& done, double timeout_s) {
    auto const deadline = SteadyClock::now() + std::chrono::duration<double>(timeout_s);
    while (!done()) {
        if (SteadyClock::now() >= deadline) return false;
        sleep_ms(1);
    }
    return true;
}

// Runs fn on every listed session's strand; returns once all have run.
void on_strands(std::vector<int> const& list, std::function<void(Session&)> fn) {
    auto left = std::make_shared<std::atomic<std::size_t>>(list.size());
    auto f = std::make_shared<std::function<void(Session&)>>(std::move(fn));
    for (int i : list) {
        Session& s = g->s(i);
        net::post(s.strand, [&s, left, f] {
            (*f)(s);
            left->fetch_sub(1, std::memory_order_acq_rel);
        });
    }
    wait_until([&] { return left->load(std::memory_order_acquire) == 0; }, 1e9);
}

// Opens the listed sessions; returns the seconds until the last one was open (or failed).
double open_all(std::vector<int> const& list, bool replay) {
    g->opened = 0;
    g->open_failed = 0;
    auto shared = std::make_shared<std::vector<int>>(list);
    auto next = std::make_shared<std::atomic<std::size_t>>(0);
    auto const t0 = now_ns();
    int const workers = std::min<int>(g->opt.concurrency, static_cast<int>(list.size()));
    for (int w = 0; w < workers; ++w) net::co_spawn(g->ioc, opener(shared, next, replay), net::detached);
    int const total = static_cast<int>(list.size());
    bool const all = wait_until([&] { return g->opened.load() + g->open_failed.load() >= total; },
                                g->opt.open_timeout_s);
    if (!all) {
        // Stop the workers taking more sessions, count those never tried as failed, abort the
        // handshakes in flight.
        std::size_t const taken = std::min(next->exchange(list.size()), list.size());
        int const untried = total - static_cast<int>(taken);
        std::printf("  open timed out after %.0f s: %d open, %d failed, %d in flight, %d not tried; aborting\n",
                    g->opt.open_timeout_s, g->opened.load(), g->open_failed.load(),
                    static_cast<int>(taken) - g->opened.load() - g->open_failed.load(), untried);
        if (untried > 0) {
            g->open_failed.fetch_add(untried);
            std::lock_guard lk(g->err_mu);
            g->errors["not tried (open phase timed out)"] += untried;
        }
        on_strands(list, [](Session& s) { if (!s.open) force_close(s); });
        wait_until([&] { return g->opened.load() + g->open_failed.load() >= total; }, 40);
    }
    return ms_between(t0, now_ns()) / 1000.0;
}

// Closes every open session in the list (close handshake) and waits until no stream is left.
void close_all(std::vector<int> const& list) {
    on_strands(list, [](Session& s) { request_close(s); });
    if (!wait_until([] { return g->alive.load(std::memory_order_acquire) == 0; }, 40)) {
        std::printf("  %d sockets did not finish the close handshake; aborting them\n", g->alive.load());
        on_strands(list, [](Session& s) { force_close(s); });
        wait_until([] { return g->alive.load(std::memory_order_acquire) == 0; }, 10);
    }
}

// ---------------------------------------------------------------- HTTP (setup and triggers)

struct HttpResponse {
    int status = 0;
    std::string body;
    double retry_after_s = 0;
    std::string error;  // transport failure
};

// Keep-alive HTTP/1.1 client on its own io_context, called synchronously from the main thread.
class HttpClient {
public:
    HttpClient(tcp::endpoint ep, std::string host) : ep_(ep), host_(std::move(host)) {}

    HttpResponse call(http::verb verb, std::string const& target, std::string const& token,
                      std::string const& body) {
        for (int attempt = 0;; ++attempt) {
            bool const reused = conn_ != nullptr;
            auto fut = net::co_spawn(io_, exchange(verb, target, token, body), net::use_future);
            io_.restart();
            io_.run();
            HttpResponse r = fut.get();
            // A kept-alive connection the server had closed: the request never got there.
            if (!r.error.empty() && reused && attempt == 0) continue;
            return r;
        }
    }

private:
    awaitable<HttpResponse> exchange(http::verb verb, std::string target, std::string token, std::string body) {
        HttpResponse out;
        error_code ec;
        auto fail = [&](char const* what) {
            out.error = std::string(what) + ": " + ec.message();
            conn_.reset();
            buf_.clear();
            return out;
        };
        if (!conn_) {
            conn_ = std::make_unique<beast::tcp_stream>(io_);
            conn_->expires_after(std::chrono::seconds(10));
            co_await conn_->async_connect(ep_, net::redirect_error(use_awaitable, ec));
            if (ec) co_return fail("connect");
            conn_->socket().set_option(tcp::no_delay(true));
        }
        http::request<http::string_body> req{verb, target, 11};
        req.set(http::field::host, host_);
        req.set(http::field::user_agent, "hrms-ws-load");
        if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
        if (!body.empty()) req.set(http::field::content_type, "application/json");
        req.body() = std::move(body);
        req.keep_alive(true);
        req.prepare_payload();
        conn_->expires_after(std::chrono::seconds(60));
        co_await http::async_write(*conn_, req, net::redirect_error(use_awaitable, ec));
        if (ec) co_return fail("write");
        http::response_parser<http::string_body> parser;
        parser.body_limit(64 << 20);
        co_await http::async_read(*conn_, buf_, parser, net::redirect_error(use_awaitable, ec));
        if (ec) co_return fail("read");
        auto& res = parser.get();
        out.status = res.result_int();
        out.body = std::move(res.body());
        if (auto it = res.find(http::field::retry_after); it != res.end())
            out.retry_after_s = std::atof(std::string(it->value()).c_str());
        if (!res.keep_alive()) conn_.reset();
        co_return out;
    }

    net::io_context io_;
    tcp::endpoint ep_;
    std::string host_;
    std::unique_ptr<beast::tcp_stream> conn_;
    beast::flat_buffer buf_;
};

std::optional<json::object> parse_object(std::string const& body) {
    error_code ec;
    auto v = json::parse(body, ec);
    if (ec || !v.is_object()) return std::nullopt;
    return v.get_object();
}

[[noreturn]] void setup_failed(std::string const& what, HttpResponse const& r) {
    std::fprintf(stderr, "setup failed: %s: %s\n", what.c_str(),
                 r.error.empty() ? ("HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 300)).c_str()
                                 : r.error.c_str());
    std::fflush(stdout);
    std::_Exit(2);
}

struct Employee {
    std::string email;
    std::string token;
    std::int64_t profile_id = 0;
};

std::string login(HttpClient& http, std::string const& email, std::string const& password) {
    std::string const body = json::serialize(json::object{{"email", email}, {"password", password}});
    for (int attempt = 0; attempt < 60; ++attempt) {
        auto r = http.call(http::verb::post, "/api/v1/auth/login", "", body);
        if (r.status == 429) {  // login throttle: wait as told
            double wait = r.retry_after_s > 0 ? r.retry_after_s : 1;
            sleep_ms(static_cast<int>(std::min(wait, 30.0) * 1000));
            continue;
        }
        auto o = r.status == 200 ? parse_object(r.body) : std::nullopt;
        if (!o || !o->contains("token") || !o->at("token").is_string()) setup_failed("login " + email, r);
        return std::string(o->at("token").get_string());
    }
    setup_failed("login " + email + " (still throttled)", {});
}

// Employees whose details are saved and complete, ready to submit once each.
std::vector<Employee> prepare_employees(HttpClient& http, Options const& opt, int count) {
    json::object const details{
        {"first_name", "Ada"},
        {"last_name", "Lovelace"},
        {"date_of_birth", "1990-12-10"},
        {"phone", "+44 20 7946 0958"},
        {"address", json::object{{"line1", "12 St James's Square"}, {"city", "London"}, {"country", "GB"}}},
        {"emergency_contact", json::object{{"name", "Mary"}, {"phone", "+44 20 7946 0000"}}},
    };
    std::string const details_body = json::serialize(details);
    std::string const tag = std::to_string(::getpid()) + "x" +
                            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                               std::chrono::system_clock::now().time_since_epoch()).count());
    std::vector<Employee> out;
    for (int k = 0; k < count; ++k) {
        Employee e;
        e.email = "wsbench" + tag + "n" + std::to_string(k) + "@example.com";
        json::object user{{"email", e.email}, {"name", "WS Bench " + std::to_string(k)},
                          {"roles", json::array{"employee"}}, {"password", opt.password}};
        auto r = http.call(http::verb::post, "/api/v1/users", opt.token, json::serialize(user));
        if (r.status != 201 && r.status != 200) setup_failed("create user " + e.email, r);
        e.token = login(http, e.email, opt.password);
        r = http.call(http::verb::put, "/api/v1/profiles/me/details", e.token, details_body);
        auto o = r.status == 200 ? parse_object(r.body) : std::nullopt;
        auto id = o ? int_field(*o, "id") : std::nullopt;
        if (!id) setup_failed("save details for " + e.email, r);
        e.profile_id = *id;
        out.push_back(std::move(e));
        if ((k + 1) % 10 == 0 || k + 1 == count) {
            std::printf("  %d/%d employees ready\n", k + 1, count);
            std::fflush(stdout);
        }
    }
    return out;
}

// One submit; returns the profile id from the response (0 when it failed).
std::int64_t submit(HttpClient& http, Employee const& e, std::string& error) {
    auto r = http.call(http::verb::post, "/api/v1/profiles/me/submit", e.token, "");
    auto o = r.status == 200 ? parse_object(r.body) : std::nullopt;
    auto id = o ? int_field(*o, "id") : std::nullopt;
    if (!id) {
        error = r.error.empty() ? "HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 200) : r.error;
        return 0;
    }
    if (*id != e.profile_id) error = "submit answered profile " + std::to_string(*id) + ", expected " +
                                     std::to_string(e.profile_id);
    return *id;
}

}  // namespace

// ---------------------------------------------------------------- main

int main(int argc, char** argv) {
    auto run = std::make_unique<Run>();
    g = run.get();
    Options& opt = g->opt;
    opt = parse_options(argc, argv);
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    raise_nofile(opt.sessions + 64);

    error_code aec;
    auto const addr = net::ip::make_address(opt.host, aec);
    if (aec) usage("--host must be an IP address");
    g->ep = tcp::endpoint(addr, opt.port);
    g->host_header = opt.host + ":" + std::to_string(opt.port);
    g->auth_header = "Bearer " + opt.token;
    int const n = opt.sessions, E = opt.events, M = opt.missed;
    std::string const spid = std::to_string(opt.server_pid);
    auto server_rss = [&] { return opt.server_pid > 0 ? vmrss_kib(spid) : -1L; };
    bool ok = true;

    std::printf("ws_load: %s%s sessions=%d events=%d missed=%d concurrency=%d threads=%d\n",
                g->host_header.c_str(), opt.path.c_str(), n, E, M, opt.concurrency, opt.threads);

    // ---- 0. employees (before any socket, so their argon2 logins are not in the RSS figures)
    HttpClient http(g->ep, g->host_header);
    std::vector<Employee> employees;
    if (E + M > 0) {
        std::printf("setup: preparing %d employees (details saved, not submitted)\n", E + M);
        employees = prepare_employees(http, opt, E + M);
    }
    for (int k = 0; k < E + M; ++k) g->event_of_profile[employees[static_cast<std::size_t>(k)].profile_id] = k;
    g->rx = std::make_unique<std::atomic<std::int64_t>[]>(static_cast<std::size_t>(std::max(E, 1)) *
                                                          static_cast<std::size_t>(n));
    g->ev_count = std::make_unique<std::atomic<int>[]>(static_cast<std::size_t>(E + M + 1));
    g->ev_notif_id = std::make_unique<std::atomic<std::int64_t>[]>(static_cast<std::size_t>(E + M + 1));

    for (int i = 0; i <= n; ++i) {
        g->sessions.emplace_back(opt.threads == 1 ? Strand(g->ioc.get_executor()) : Strand(net::make_strand(g->ioc)));
    }
    auto guard = net::make_work_guard(g->ioc);
    std::vector<std::thread> io_threads;
    for (int t = 0; t < opt.threads; ++t) io_threads.emplace_back([] { g->ioc.run(); });
    if (opt.ping_s > 0) net::co_spawn(g->ioc, pinger(), net::detached);

    // ---- 1. open
    std::vector<int> all(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) all[static_cast<std::size_t>(i)] = i;
    std::vector<int> const warm{n};
    open_all(warm, false);
    bool const warm_ok = g->opened.load() == 1;
    std::printf("warm-up session: %s\n", warm_ok ? "open" : "FAILED");
    if (!warm_ok) std::printf("%s", take_errors().c_str());
    close_all(warm);
    g->dropped = 0;
    sleep_ms(500);
    long const rss_before = server_rss();

    std::printf("opening %d sessions...\n", n);
    double const open_s = open_all(all, false);
    int const opened = g->opened.load(), open_failed = g->open_failed.load();
    std::printf("open: %d/%d sessions open in %.2f s (%.0f/s), %d failed\n", opened, n, open_s,
                open_s > 0 ? opened / open_s : 0.0, open_failed);
    if (open_failed) {
        ok = false;
        std::printf("%s", take_errors().c_str());
    }
    g->pinging = true;
    sleep_ms(static_cast<int>(opt.idle_s * 1000));
    long const rss_after = server_rss();
    long const client_rss = vmrss_kib("self");
    double const kib_per_session = (rss_before > 0 && rss_after > 0 && opened > 0)
                                       ? static_cast<double>(rss_after - rss_before) / opened : -1;
    if (kib_per_session >= 0)
        std::printf("memory: server VmRSS %ld KiB before, %ld KiB with %d idle sessions -> %.1f KiB/session; ",
                    rss_before, rss_after, opened, kib_per_session);
    else
        std::printf("memory: server VmRSS not read (%s); ", opt.server_pid > 0 ? "no sessions" : "no --server-pid");
    std::printf("client VmRSS %ld KiB (%.1f KiB/session)\n", client_rss,
                opened ? static_cast<double>(client_rss) / opened : 0.0);

    // ---- 2. broadcast latency
    std::vector<double> all_lat;  // ms, every delivery of every event
    all_lat.reserve(static_cast<std::size_t>(E) * static_cast<std::size_t>(n));
    std::vector<double> last_lat, first_lat, submit_ms;
    long missing_total = 0;
    int events_done = 0;
    if (E > 0 && opened > 0) std::printf("broadcast: %d events to %d sessions\n", E, opened);
    for (int e = 0; e < E && opened > 0; ++e) {
        sleep_ms(opt.gap_ms);
        auto const& emp = employees[static_cast<std::size_t>(e)];
        std::string err;
        auto const t0 = now_ns();
        submit(http, emp, err);
        auto const t_reply = now_ns();
        if (!err.empty()) {
            std::printf("  event %2d: submit failed: %s\n", e + 1, err.c_str());
            ok = false;
            if (g->ev_count[e].load() == 0) continue;
        }
        bool const all_got = wait_until(
            [&] { return g->ev_count[e].load(std::memory_order_acquire) >= opened - g->dropped.load(); },
            opt.event_timeout_s);
        std::vector<double> lat;
        lat.reserve(static_cast<std::size_t>(opened));
        int missing = 0;
        for (int i = 0; i < n; ++i) {
            auto const t = g->rx[static_cast<std::size_t>(e) * static_cast<std::size_t>(n) + static_cast<std::size_t>(i)]
                               .load(std::memory_order_relaxed);
            if (t) lat.push_back(ms_between(t0, t));
        }
        missing = opened - static_cast<int>(lat.size());
        missing_total += missing;
        if (missing > 0) ok = false;
        std::sort(lat.begin(), lat.end());
        ++events_done;
        submit_ms.push_back(ms_between(t0, t_reply));
        if (!lat.empty()) {
            first_lat.push_back(lat.front());
            last_lat.push_back(lat.back());
            all_lat.insert(all_lat.end(), lat.begin(), lat.end());
        }
        std::printf("  event %2d: notification %lld to %zu/%d sessions%s; first %.2f ms, p50 %.2f ms, last %.2f ms; "
                    "submit answered in %.2f ms\n",
                    e + 1, static_cast<long long>(g->ev_notif_id[e].load()), lat.size(), opened,
                    all_got ? "" : " (TIMED OUT)", lat.empty() ? 0 : lat.front(), pct(lat, 50),
                    lat.empty() ? 0 : lat.back(), ms_between(t0, t_reply));
    }
    if (E > 0) sleep_ms(300);  // late duplicates
    std::sort(all_lat.begin(), all_lat.end());
    // Per event, the time to the last socket; p99 by nearest rank like ../shared/peers/ws_load.cpp
    // (over 20 events: the slowest).
    std::vector<double> last_sorted = last_lat;
    std::sort(last_sorted.begin(), last_sorted.end());
    double const last_socket_p99 = pct(last_sorted, 99);
    long const rss_after_events = server_rss();
    long const duplicates = g->duplicates.load(), stray = g->stray.load(), id_mismatch = g->id_mismatch.load();
    if (duplicates || id_mismatch) ok = false;
    if (E > 0 && opened > 0) {
        std::printf("latency over %zu deliveries: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
                    all_lat.size(), pct(all_lat, 50), pct(all_lat, 90), pct(all_lat, 99),
                    all_lat.empty() ? 0 : all_lat.back());
        std::printf("per event: last socket median %.2f ms (p99 %.2f ms, max %.2f ms), first socket median %.2f ms, "
                    "submit reply median %.2f ms\n",
                    last_lat.empty() ? 0 : median(last_lat), last_socket_p99,
                    last_lat.empty() ? 0 : *std::max_element(last_lat.begin(), last_lat.end()),
                    first_lat.empty() ? 0 : median(first_lat), submit_ms.empty() ? 0 : median(submit_ms));
        std::printf("checks: %ld missing, %ld duplicate, %ld with a different notification id, %ld other "
                    "notifications; server VmRSS after events %ld KiB\n",
                    missing_total, duplicates, id_mismatch, stray, rss_after_events);
    }

    // ---- 3. reconnect storm
    int rc_n = 0, rc_failed = 0, rc_no_done = 0, rc_wrong = 0, rc_dup = 0, rc_late = 0, rc_catchup = 0;
    double rc_all_s = 0, rc_p50_s = 0, rc_p99_s = 0, rc_open_s = 0;
    if (M > 0 && opened > 0) {
        std::printf("reconnect: closing %d sessions, %d submits while they are away\n",
                    opened - g->dropped.load(), M);
        g->pinging = false;
        on_strands(all, [](Session& s) {
            s.was_open = s.open;
            s.connected = false;  // set again by a successful reopen
            s.after = s.last_id;
        });
        close_all(all);
        std::vector<int> again;
        std::int64_t min_after = INT64_MAX, max_after = 0;
        for (int i = 0; i < n; ++i)
            if (g->s(i).was_open) {
                again.push_back(i);
                min_after = std::min(min_after, g->s(i).after);
                max_after = std::max(max_after, g->s(i).after);
            }
        rc_n = static_cast<int>(again.size());
        for (int k = 0; k < M; ++k) {
            std::string err;
            submit(http, employees[static_cast<std::size_t>(E + k)], err);
            if (!err.empty()) {
                std::printf("  missed event %d: submit failed: %s\n", k + 1, err.c_str());
                ok = false;
            }
        }
        g->replay_done = 0;
        int const dropped_before = g->dropped.load();
        std::printf("reconnecting %d sessions with ?after= (%lld..%lld)\n", rc_n,
                    static_cast<long long>(min_after), static_cast<long long>(max_after));
        auto const t_rc = now_ns();
        rc_open_s = open_all(again, true);
        rc_failed = g->open_failed.load();
        int const rc_open = g->opened.load();
        bool const all_done = wait_until(
            [&] { return g->replay_done.load() >= rc_open - (g->dropped.load() - dropped_before); },
            opt.replay_timeout_s);
        g->pinging = true;
        sleep_ms(300);  // anything arriving after replay_done
        std::vector<double> done_s;
        std::uint64_t const full_mask = M == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << M) - 1;
        std::map<std::string, int> wrong_kinds;
        // Read the records on the sessions' strands (they are still open) to stay race-free.
        std::mutex mu;
        on_strands(again, [&](Session& s) {
            std::lock_guard lk(mu);
            if (!s.connected) return;  // failed to reopen: counted in rc_failed
            if (s.replay_dups) ++rc_dup;
            rc_late += s.late;
            if (s.replay_done_ns == 0) {
                ++rc_no_done;
                return;
            }
            done_s.push_back(ms_between(t_rc, s.replay_done_ns) / 1000.0);
            // Timed events whose notification is newer than what this session had seen.
            int catchup_expected = 0;
            for (int e = 0; e < E; ++e)
                if (g->ev_notif_id[e].load() > s.after) ++catchup_expected;
            rc_catchup += s.replay_catchup;
            if (s.replay_count != M + catchup_expected || s.replay_catchup != catchup_expected ||
                s.replay_mask != full_mask || s.replay_bad) {
                ++rc_wrong;
                ++wrong_kinds["got " + std::to_string(s.replay_count) + " notifications (" +
                              std::to_string(std::popcount(s.replay_mask)) + " of the " + std::to_string(M) +
                              " missed events, " + std::to_string(s.replay_catchup) + " of " +
                              std::to_string(catchup_expected) + " to catch up)" +
                              (s.replay_bad ? ", with duplicates, ids out of order or foreign notifications" : "")];
            }
        });
        std::sort(done_s.begin(), done_s.end());
        rc_all_s = done_s.empty() ? 0 : done_s.back();
        rc_p50_s = pct(done_s, 50);
        rc_p99_s = pct(done_s, 99);
        if (rc_failed || rc_no_done || rc_wrong || rc_late) ok = false;
        std::printf("reconnect: %d/%d reopened in %.2f s, %d failed%s\n", rc_open, rc_n, rc_open_s, rc_failed,
                    all_done ? "" : " (replay TIMED OUT)");
        if (rc_failed) std::printf("%s", take_errors().c_str());
        std::printf("replay: last replay_done %.2f s after the reconnect began (p50 %.2f s, p99 %.2f s); "
                    "%d without replay_done, %d with a wrong replay, %d with duplicates, %d missed events "
                    "delivered live instead; %d notifications missed live came with the replay\n",
                    rc_all_s, rc_p50_s, rc_p99_s, rc_no_done, rc_wrong, rc_dup, rc_late, rc_catchup);
        for (auto const& [what, count] : wrong_kinds) std::printf("    %dx %s\n", count, what.c_str());
    }

    long const rss_end = server_rss();
    std::string const late_errors = take_errors();
    if (!late_errors.empty()) std::printf("errors:\n%s", late_errors.c_str());
    long const dropped = g->dropped.load();
    if (dropped) ok = false;
    std::printf("messages: %ld dashboard, %ld pong, %ld other types, %ld unparsable; %ld pings sent; "
                "%ld dropped connections\n",
                g->dashboards.load(), g->pongs.load(), g->other.load(), g->bad_messages.load(),
                g->pings_sent.load(), dropped);

    std::printf("RESULT sessions=%d opened=%d open_failed=%d open_s=%.2f rss_before_kib=%ld rss_after_kib=%ld "
                "kib_per_session=%.2f client_rss_kib=%ld events=%d deliveries=%zu missing=%ld duplicates=%ld "
                "stray=%ld lat_p50_ms=%.2f lat_p90_ms=%.2f lat_p99_ms=%.2f lat_max_ms=%.2f "
                "last_socket_p50_ms=%.2f last_socket_p99_ms=%.2f last_socket_max_ms=%.2f first_socket_p50_ms=%.2f submit_p50_ms=%.2f "
                "rss_after_events_kib=%ld missed=%d reconnect_sessions=%d reconnect_failed=%d reconnect_open_s=%.2f "
                "replay_all_s=%.3f replay_p50_s=%.3f replay_p99_s=%.3f replay_no_done=%d replay_wrong=%d "
                "replay_dup=%d replay_late=%d replay_catchup=%d dropped=%ld rss_end_kib=%ld ok=%d\n",
                n, opened, open_failed, open_s, rss_before, rss_after, kib_per_session, client_rss, events_done,
                all_lat.size(), missing_total, duplicates, stray, pct(all_lat, 50), pct(all_lat, 90),
                pct(all_lat, 99), all_lat.empty() ? 0 : all_lat.back(), last_lat.empty() ? 0 : median(last_lat), last_socket_p99,
                last_lat.empty() ? 0 : *std::max_element(last_lat.begin(), last_lat.end()),
                first_lat.empty() ? 0 : median(first_lat), submit_ms.empty() ? 0 : median(submit_ms),
                rss_after_events, M, rc_n, rc_failed, rc_open_s, rc_all_s, rc_p50_s, rc_p99_s, rc_no_done,
                rc_wrong, rc_dup, rc_late, rc_catchup, dropped, rss_end, ok ? 1 : 0);
    std::fflush(stdout);
    std::_Exit(ok ? 0 : 1);  // drop every socket at once; no orderly teardown of 10,000 sessions
}
