#include "hrms/http/server.hpp"

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/url/parse.hpp>

#include <atomic>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <unistd.h>

#include "hrms/app/log.hpp"
#include "hrms/core/text.hpp"
#include "hrms/http/blocking.hpp"
#include "hrms/http/multipart.hpp"
#include "hrms/http/pipeline.hpp"
#include "hrms/http/upgrade.hpp"
#include "hrms/http/upload_sink.hpp"

namespace hrms::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
constexpr auto kTuple = asio::as_tuple(use_awaitable);
// Multipart framing (boundaries, part headers, small fields) allowed on top of the file itself.
constexpr std::uint64_t kUploadFraming = 64 * 1024;
// The most of a body held in the read buffer at once, beyond the headers (Beast moves body
// bytes out of it as it parses; only chunk framing it cannot consume accumulates).
constexpr std::size_t kMaxBufferedBody = 64 * 1024;

namespace {

struct Conn {
    beast::tcp_stream* stream = nullptr;
    bool idle = true;
};

class Server {
public:
    Server(app::Services& services, HttpConfig const& config, Router const& router, Metrics& metrics,
           UpgradeHandler* upgrade)
        : config_(config),
          upgrade_(upgrade),
          pipeline_(services, config, router, metrics),
          pool_(static_cast<std::size_t>(worker_threads(config))),
          lanes_(make_lanes(config, upgrade != nullptr)),
          acceptor_(ioc_) {}

    int run();

private:
    static int io_threads(HttpConfig const& c) { return c.effective_io_threads(); }
    // Upgraded connections (WebSockets) leave the shared event loop for a "lane": an io_context
    // of their own run by one thread, as many as I/O threads. A WebSocket session stays on its lane for
    // its whole life, so its handlers never race and need no strand, and the hub hands a lane
    // all of its recipients of a notification in one post instead of one post each. Plain
    // HTTP stays on the shared loop, where any free thread takes the next request.
    static std::vector<std::unique_ptr<asio::io_context>> make_lanes(HttpConfig const& c, bool upgrades) {
        std::vector<std::unique_ptr<asio::io_context>> lanes;
        for (int i = 0; upgrades && i < io_threads(c); ++i) lanes.push_back(std::make_unique<asio::io_context>(1));
        return lanes;
    }
    static int worker_threads(HttpConfig const& c) { return c.effective_worker_threads(); }
    void bind();
    awaitable<void> accept_loop();
    using Parser = bhttp::request_parser<bhttp::string_body>;
    awaitable<void> connection(tcp::socket socket);
    // The steps of a connection (each answers the client itself when it fails and says so).
    std::uint64_t track(Conn& conn);
    void untrack(std::uint64_t id);
    awaitable<bool> await_request(beast::tcp_stream& stream, beast::flat_buffer& buffer, bool first);
    awaitable<bool> read_head(beast::tcp_stream& stream, beast::flat_buffer& buffer, Parser& parser, Request& req);
    // True once the connection belongs to the upgrade handler.
    awaitable<bool> hand_off(beast::tcp_stream& stream, Parser& parser, Request& req, std::uint64_t id);
    awaitable<bool> read_body(beast::tcp_stream& stream, beast::flat_buffer& buffer, Parser& parser, Request& req,
                              bool upload);
    awaitable<bool> respond(beast::tcp_stream& stream, Request& req, bool inline_io, bool keep_alive,
                            unsigned version);
    awaitable<void> shutdown_watch();
    void begin_shutdown();
    awaitable<bool> write(beast::tcp_stream& stream, Response res, bool head, bool keep_alive,
                          unsigned version);
    // A Response::stream body: the header, then each piece as it is made, chunked.
    awaitable<bool> write_stream(beast::tcp_stream& stream, Response& res, bool head, bool keep_alive,
                                 unsigned version);
    // Streams a multipart body into an UploadSink; fills req.upload and req.form.
    awaitable<Result<void>> read_upload(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                        bhttp::request_parser<bhttp::string_body>& parser, Request& req);

    HttpConfig const& config_;
    UpgradeHandler* upgrade_;
    Pipeline pipeline_;
    asio::thread_pool pool_;
    asio::io_context ioc_;  // HTTP connections (a strand each), the acceptor, signals
    std::vector<std::unique_ptr<asio::io_context>> lanes_;  // upgraded connections
    // Keep the lanes running while idle; let go at shutdown once every HTTP connection is done.
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_;
    std::atomic<std::size_t> next_lane_{0};
    tcp::acceptor acceptor_;
    std::atomic<bool> stopping_{false};
    std::mutex conns_mutex_;
    std::unordered_map<std::uint64_t, Conn*> conns_;
    std::uint64_t next_conn_ = 0;
};

std::pair<std::string, unsigned short> split_listen(std::string const& listen) {
    auto const colon = listen.rfind(':');
    if (colon == std::string::npos) throw std::runtime_error("HRMS_LISTEN must be host:port");
    std::string host = listen.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host.empty()) host = "0.0.0.0";
    int const port = std::stoi(listen.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::runtime_error("HRMS_LISTEN port out of range");
    return {host, static_cast<unsigned short>(port)};
}

// True for errors that leave nobody to answer: the peer left, timed out or we are stopping.
bool peer_gone(boost::system::error_code const& ec) {
    return ec == beast::error::timeout || ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
           ec == bhttp::error::partial_message || ec == asio::error::broken_pipe;
}

Response to_error(Pipeline& p, Request const& req, ErrorCode code, std::string msg) {
    return p.reject(req, Error{code, std::move(msg), {}});
}

}  // namespace

void Server::bind() {
    auto [host, port] = split_listen(config_.listen);
    tcp::endpoint ep(asio::ip::make_address(host), port);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    auto const bound = acceptor_.local_endpoint();
    log::info("http.listening", {log::str("address", bound.address().to_string()),
                                 log::num("port", static_cast<long long>(bound.port()))});
    if (pipeline_.web().available()) {
        log::info("web.serving", {log::str("dir", pipeline_.web().dir().string())});
    } else {
        log::warn("web.missing", {log::str("dir", pipeline_.web().dir().string()),
                                  log::str("hint", "no index.html there: build the interface with "
                                                   "'cd web && npm ci && npm run build' or set HRMS_WEB_DIR; "
                                                   "the API is served, / answers 503 saying so")});
    }
}

int Server::run() {
    bind();
    asio::signal_set signals(ioc_, SIGINT, SIGTERM);
    signals.async_wait([this](boost::system::error_code ec, int sig) {
        if (ec) return;
        log::info("http.shutdown", {log::num("signal", static_cast<long long>(sig))});
        begin_shutdown();
    });
    if (upgrade_) {
        std::vector<asio::io_context*> lanes;
        for (auto& l : lanes_) lanes.push_back(l.get());
        upgrade_->start(lanes, pool_);
    }
    asio::co_spawn(ioc_, accept_loop(), asio::detached);

    for (auto& l : lanes_) keep_.push_back(asio::make_work_guard(*l));
    std::vector<std::thread> threads;
    for (auto& l : lanes_) threads.emplace_back([lane = l.get()] { lane->run(); });
    for (int i = 1; i < io_threads(config_); ++i) threads.emplace_back([this] { ioc_.run(); });
    ioc_.run();
    for (auto& t : threads) t.join();
    pool_.join();
    if (upgrade_) upgrade_->release();
    log::info("http.stopped");
    return 0;
}

void Server::begin_shutdown() {
    if (stopping_.exchange(true)) return;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    if (upgrade_) upgrade_->shutdown();
    // Idle keep-alive connections are closed now; busy ones finish their request first.
    {
        std::lock_guard lock(conns_mutex_);
        for (auto const& [id, conn] : conns_) {
            asio::post(conn->stream->get_executor(), [this, id = id] {
                std::lock_guard inner(conns_mutex_);
                auto it = conns_.find(id);
                if (it != conns_.end() && it->second->idle) it->second->stream->cancel();
            });
        }
    }
    // Outside the lock: co_spawn may start the watcher inline, and it takes the lock too.
    asio::co_spawn(ioc_, shutdown_watch(), asio::detached);
}

awaitable<void> Server::shutdown_watch() {
    asio::steady_timer timer(ioc_);
    double const deadline = monotonic_seconds() + config_.shutdown_grace_s;
    for (;;) {
        {
            std::lock_guard lock(conns_mutex_);
            if (conns_.empty()) break;
        }
        if (monotonic_seconds() >= deadline) {
            log::warn("http.shutdown_timeout");
            ioc_.stop();
            for (auto& l : lanes_) l->stop();
            break;
        }
        timer.expires_after(std::chrono::milliseconds(20));
        co_await timer.async_wait(kTuple);
    }
    // Nothing else holds the event loops now: run() returns in every thread once its work (a
    // WebSocket saying goodbye) is done.
    for (auto& k : keep_) k.reset();
}

awaitable<void> Server::accept_loop() {
    for (;;) {
        auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(ioc_), kTuple);
        if (ec) {
            if (stopping_ || ec == asio::error::operation_aborted) co_return;
            log::warn("http.accept_error", {log::str("error", ec.message())});
            // Out of descriptors: back off instead of spinning.
            asio::steady_timer t(ioc_, std::chrono::milliseconds(50));
            co_await t.async_wait(kTuple);
            continue;
        }
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto ex = socket.get_executor();
        asio::co_spawn(ex, connection(std::move(socket)), asio::detached);
    }
}

awaitable<bool> Server::write_stream(beast::tcp_stream& stream, Response& res, bool head, bool keep_alive,
                                     unsigned version) {
    // An export: the header now, then each piece as the producer makes it (on the blocking
    // pool: it reads the database), in constant memory.
    bhttp::response<bhttp::empty_body> out{static_cast<bhttp::status>(res.status), version};
    out.set(bhttp::field::server, "hrms");
    out.set(bhttp::field::content_type, res.content_type);
    for (auto& [k, v] : res.headers) out.insert(k, v);
    out.keep_alive(keep_alive);
    out.chunked(true);
    stream.expires_after(std::chrono::milliseconds(static_cast<long>(config_.http_read_timeout_s * 1000)));
    bhttp::response_serializer<bhttp::empty_body> sr{out};
    auto [hec, hn] = co_await bhttp::async_write_header(stream, sr, kTuple);
    if (hec) co_return false;
    if (head) co_return keep_alive;
    // Two buffers: while one is written to the client, the producer fills the other on the
    // blocking pool (reading a file and hashing it overlap with the network).
    using namespace asio::experimental::awaitable_operators;
    auto& produce = res.stream;
    std::string sending, filling;
    auto const next = [&produce, &filling] {
        filling.clear();
        return produce(filling);
    };
    bool more = false;
    try {
        more = co_await blocking(pool_, next);
    } catch (std::exception const& e) {
        log::error("http.stream_failed", {log::str("what", log::what(e))});
        co_return false;  // closed without the last chunk: the client sees it incomplete
    }
    for (;;) {
        std::swap(sending, filling);
        bool const last = !more;
        stream.expires_after(std::chrono::milliseconds(static_cast<long>(config_.http_read_timeout_s * 1000)));
        if (last) {
            if (!sending.empty()) {
                auto [cec, cn] = co_await asio::async_write(stream, bhttp::make_chunk(asio::buffer(sending)), kTuple);
                if (cec) co_return false;
            }
            break;
        }
        boost::system::error_code written;
        try {
            if (sending.empty()) {
                more = co_await blocking(pool_, next);
                continue;
            }
            auto [wec, wn, m] = co_await (
                asio::async_write(stream, bhttp::make_chunk(asio::buffer(sending)), kTuple) && blocking(pool_, next));
            written = wec;
            more = m;
        } catch (std::exception const& e) {
            log::error("http.stream_failed", {log::str("what", log::what(e))});
            co_return false;
        }
        if (written) co_return false;
    }
    auto [lec, ln] = co_await asio::async_write(stream, bhttp::make_chunk_last(), kTuple);
    co_return !lec && keep_alive;
}

awaitable<bool> Server::write(beast::tcp_stream& stream, Response res, bool head, bool keep_alive,
                              unsigned version) {
    if (res.stream) co_return co_await write_stream(stream, res, head, keep_alive, version);
    if (!res.file_path.empty()) {
        // Documents go out from disk in chunks, never loaded whole.
        bhttp::file_body::value_type file;
        beast::error_code fec;
        file.open(res.file_path.c_str(), beast::file_mode::scan, fec);
        if (!fec) {
            bhttp::response<bhttp::file_body> out{static_cast<bhttp::status>(res.status), version};
            out.set(bhttp::field::server, "hrms");
            out.set(bhttp::field::content_type, res.content_type);
            for (auto& [k, v] : res.headers) out.insert(k, v);
            out.keep_alive(keep_alive);
            auto const size = file.size();
            out.body() = std::move(file);
            out.content_length(size);
            stream.expires_after(std::chrono::milliseconds(static_cast<long>(config_.http_read_timeout_s * 1000)));
            if (head) {
                bhttp::response_serializer<bhttp::file_body> sr{out};
                co_await bhttp::async_write_header(stream, sr, kTuple);
                co_return keep_alive;
            }
            auto [ec, n] = co_await bhttp::async_write(stream, out, kTuple);
            co_return !ec && keep_alive;
        }
        // The pipeline has set the request id already: the error quotes it like any other.
        std::string rid;
        for (auto const& [k, v] : res.headers) {
            if (k == "X-Request-Id") rid = v;
        }
        log::error("http.file_missing",
                   {log::str("request_id", rid), log::str("path", res.file_path), log::str("error", fec.message())});
        auto err = error_response({ErrorCode::internal, "stored file is missing; quote request id " + rid, {}}, rid);
        res.status = err.status;
        res.content_type = err.content_type;
        res.body = std::move(err.body);
        std::erase_if(res.headers, [](auto const& h) { return h.first == "Content-Disposition"; });
    }
    bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), version};
    out.set(bhttp::field::server, "hrms");
    out.set(bhttp::field::content_type, res.content_type);
    for (auto& [k, v] : res.headers) out.insert(k, v);
    auto const size = res.body.size();
    if (!head) out.body() = std::move(res.body);
    out.keep_alive(keep_alive);
    out.content_length(size);
    stream.expires_after(std::chrono::milliseconds(static_cast<long>(config_.http_read_timeout_s * 1000)));
    bhttp::serializer<false, bhttp::string_body> sr{out};
    if (head) {
        co_await bhttp::async_write_header(stream, sr, kTuple);
        co_return keep_alive;
    }
    auto [ec, n] = co_await bhttp::async_write(stream, out, kTuple);
    co_return !ec && keep_alive;
}

namespace {
std::chrono::milliseconds ms(double s) { return std::chrono::milliseconds(static_cast<long>(s * 1000)); }

std::string remote_ip(beast::tcp_stream& stream) {
    boost::system::error_code ec;
    auto ep = stream.socket().remote_endpoint(ec);
    return ec ? std::string{} : ep.address().to_string();
}
}  // namespace

// One HTTP/1.1 connection, in the steps of Beast's own do_session: wait for a request, read its
// head, hand an upgrade off or read the body, answer; until the client leaves, a limit is hit
// or the server stops.
awaitable<void> Server::connection(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    Conn conn{&stream, true};
    std::uint64_t const id = track(conn);
    struct Untrack {
        Server* s;
        std::uint64_t id;
        ~Untrack() { s->untrack(id); }
    } untrack{this, id};

    std::string const ip = remote_ip(stream);
    // Bounded: Beast 1.81 counts neither chunk extensions nor trailers against any limit, so an
    // unbounded buffer would grow with whatever a client sends there; past this the read fails
    // and the client gets a 400.
    beast::flat_buffer buffer(config_.max_header_bytes + kMaxBufferedBody);
    for (bool first = true;; first = false) {
        conn.idle = true;
        if (stopping_) break;
        bool const arrived = co_await await_request(stream, buffer, first);
        if (!arrived) break;
        conn.idle = false;
        stream.expires_after(ms(config_.http_read_timeout_s));

        bhttp::request_parser<bhttp::string_body> parser;
        Request req;
        req.client_ip = ip;
        bool const head_ok = co_await read_head(stream, buffer, parser, req);
        if (!head_ok) break;
        if (upgrade_ && beast::websocket::is_upgrade(parser.get()) && upgrade_->wants(req)) {
            bool const gone = co_await hand_off(stream, parser, req, id);
            if (gone) co_return;  // the socket is the WebSocket session's now
            break;
        }
        auto const traits = pipeline_.traits(req);  // one route lookup for both decisions
        bool const body_ok = co_await read_body(stream, buffer, parser, req, traits.upload);
        if (!body_ok) break;
        bool const again = co_await respond(stream, req, traits.inline_io, parser.get().keep_alive(),
                                            parser.get().version());
        if (!again) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.socket().close(ignored);
}

std::uint64_t Server::track(Conn& conn) {
    std::lock_guard lock(conns_mutex_);
    auto const id = next_conn_++;
    conns_[id] = &conn;
    return id;
}

void Server::untrack(std::uint64_t id) {
    std::lock_guard lock(conns_mutex_);
    conns_.erase(id);
}

awaitable<bool> Server::await_request(beast::tcp_stream& stream, beast::flat_buffer& buffer, bool first) {
    // The next request's first bytes come under the idle timeout (the read timeout for the
    // first request); the whole request then gets the read timeout, so a client trickling bytes
    // (slow loris) is dropped when it runs out.
    if (buffer.size() > 0) co_return true;  // pipelined: already here
    stream.expires_after(ms(first ? config_.http_read_timeout_s : config_.http_idle_timeout_s));
    auto [ec, n] = co_await stream.async_read_some(buffer.prepare(8192), kTuple);
    if (ec) co_return false;
    buffer.commit(n);
    co_return true;
}

awaitable<bool> Server::read_head(beast::tcp_stream& stream, beast::flat_buffer& buffer, Parser& parser,
                                  Request& req) {
    parser.header_limit(static_cast<std::uint32_t>(config_.max_header_bytes));
    // The largest body any route takes; lowered once the route is known.
    parser.body_limit(std::max<std::uint64_t>(config_.max_body_bytes, config_.max_upload_bytes + kUploadFraming));
    auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
    if (ec) {
        std::optional<Response> answer;
        if (ec == bhttp::error::body_limit) {
            // Content-Length alone is over every limit: refused before any body byte is read.
            answer = to_error(pipeline_, req, ErrorCode::payload_too_large, "request body is too large");
        } else if (ec == bhttp::error::header_limit) {
            answer = to_error(pipeline_, req, ErrorCode::payload_too_large, "request headers are too large");
        } else if (!peer_gone(ec)) {
            answer = to_error(pipeline_, req, ErrorCode::bad_request, "malformed HTTP request: " + ec.message());
        }
        if (answer) co_await write(stream, std::move(*answer), false, false, 11);
        co_return false;
    }
    auto const& head = parser.get();
    req.method = std::string(head.method_string());
    req.target = std::string(head.target());
    auto parsed = boost::urls::parse_origin_form(req.target);
    if (!parsed) {
        co_await write(stream, to_error(pipeline_, req, ErrorCode::bad_request, "malformed request target"), false,
                       false, head.version());
        co_return false;
    }
    req.path = parsed->path();
    for (auto const& p : parsed->params()) req.query.emplace_back(p.key, p.value);
    req.headers.reserve(16);
    for (auto const& f : head) {
        req.headers.emplace_back(core::ascii_lower(f.name_string()), std::string(f.value()));
    }
    pipeline_.resolve_client(req);
    co_return true;
}

awaitable<bool> Server::hand_off(beast::tcp_stream& stream, Parser& parser, Request& req, std::uint64_t id) {
    // The connection leaves HTTP. Credentials sent with the request are checked first: a bad one
    // is an HTTP 401 (no upgrade); none at all lets the client authenticate with its first
    // message.
    auto who = co_await blocking(pool_, [this, &req] { return pipeline_.identify(req); });
    if (!who) {
        co_await write(stream, pipeline_.reject(req, who.error()), false, false, parser.get().version());
        co_return false;
    }
    Upgrade up;
    up.request_id = request_id_for(req);
    up.actor = std::move(*who);
    up.raw = parser.release();
    up.req = std::move(req);
    // The WebSocket side closes its sessions on shutdown itself; the HTTP shutdown must not
    // touch the moved-from stream.
    untrack(id);
    // Onto a lane (in turn), in a coroutine of its own: the HTTP one ends now and frees its read
    // buffer and parser, which would otherwise stay with every idle WebSocket.
    auto& lane = *lanes_[next_lane_.fetch_add(1, std::memory_order_relaxed) % lanes_.size()];
    boost::system::error_code ec;
    auto const protocol = stream.socket().local_endpoint(ec).protocol();
    tcp::socket moved(lane);
    if (!ec) {
        auto const fd = stream.socket().release(ec);
        if (!ec) {
            moved.assign(protocol, fd, ec);
            if (ec) ::close(fd);
        }
    }
    if (ec) {
        log::warn("http.upgrade_failed", {log::str("error", ec.message())});
        co_return true;  // the descriptor is released or closed: nothing left to close here
    }
    asio::co_spawn(lane, upgrade_->run(std::move(moved), std::move(up)), asio::detached);
    co_return true;
}

awaitable<bool> Server::read_body(beast::tcp_stream& stream, beast::flat_buffer& buffer, Parser& parser,
                                  Request& req, bool upload) {
    unsigned const version = parser.get().version();
    std::uint64_t const limit = upload ? config_.max_upload_bytes + kUploadFraming : config_.max_body_bytes;
    if (auto len = parser.content_length(); len && *len > limit) {
        // Refused from the headers alone: the body is never read.
        co_await write(stream, to_error(pipeline_, req, ErrorCode::payload_too_large,
                                        "request body is larger than " + std::to_string(limit) + " bytes"),
                       false, false, version);
        co_return false;
    }
    parser.body_limit(limit);
    if (upload) {
        // Who is uploading is checked before a single body byte is accepted.
        double const t0 = monotonic_seconds();
        std::optional<Response> denied;
        denied = co_await blocking(pool_, [this, &req, t0] { return pipeline_.precheck(req, t0); });
        if (denied) {
            denied->close = true;
            co_await write(stream, std::move(*denied), false, false, version);
            co_return false;
        }
    }
    if (beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
        bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, version};
        co_await bhttp::async_write(stream, cont, kTuple);
    }
    if (upload) {
        auto staged = co_await read_upload(stream, buffer, parser, req);
        if (!staged) {
            co_await write(stream, pipeline_.reject(req, staged.error()), false, false, version);
            co_return false;
        }
        co_return true;
    }
    auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
    if (ec) {
        std::optional<Response> answer;
        if (ec == bhttp::error::body_limit) {
            answer = to_error(pipeline_, req, ErrorCode::payload_too_large, "request body is too large");
        } else if (!peer_gone(ec)) {
            // Bad framing (a chunk size that is not hex, or too long) gets an answer too.
            answer = to_error(pipeline_, req, ErrorCode::bad_request, "malformed request body: " + ec.message());
        }
        if (answer) co_await write(stream, std::move(*answer), false, false, version);
        co_return false;
    }
    req.body = std::move(parser.get().body());
    co_return true;
}

awaitable<bool> Server::respond(beast::tcp_stream& stream, Request& req, bool inline_io, bool keep_alive,
                                unsigned version) {
    double const started = monotonic_seconds();
    // No co_await inside ?: here: g++ 12 miscompiles it in coroutines.
    Response res;
    if (inline_io) {
        res = pipeline_.handle(req, started);
    } else {
        res = co_await blocking(pool_, [this, &req, started] { return pipeline_.handle(req, started); });
    }
    // An upload the handler did not take (refused, or never reached) leaves no file behind.
    if (req.upload) pipeline_.discard_upload(*req.upload);
    bool const keep = keep_alive && !res.close && !stopping_;
    co_return co_await write(stream, std::move(res), req.method == "HEAD", keep, version);
}

awaitable<Result<void>> Server::read_upload(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                            bhttp::request_parser<bhttp::string_body>& parser,
                                            Request& req) {
    auto boundary = MultipartParser::boundary_of(req.header("content-type"));
    if (!boundary) co_return std::unexpected(boundary.error());
    UploadSink sink(pipeline_.blobs(), config_.max_upload_bytes);
    MultipartParser multipart(*boundary, sink.handler());
    // The same parser, now handing the body over in pieces instead of collecting it.
    bhttp::request_parser<bhttp::buffer_body> body_parser{std::move(parser)};
    std::vector<char> chunk(64 * 1024);
    while (!body_parser.is_done()) {
        body_parser.get().body().data = chunk.data();
        body_parser.get().body().size = chunk.size();
        auto [ec, n] = co_await bhttp::async_read(stream, buffer, body_parser, kTuple);
        if (ec == bhttp::error::need_buffer) ec = {};
        if (ec) {
            if (ec == bhttp::error::body_limit)
                co_return fail(ErrorCode::payload_too_large, "upload is larger than the limit");
            co_return fail(ErrorCode::bad_request, "upload interrupted: " + ec.message());
        }
        auto const got = chunk.size() - body_parser.get().body().size;
        auto fed = multipart.feed(std::string_view(chunk.data(), got));
        if (!fed) co_return std::unexpected(fed.error());
    }
    if (auto r = multipart.finish(); !r) co_return std::unexpected(r.error());
    if (auto r = sink.finish(); !r) co_return std::unexpected(r.error());
    req.form = sink.fields();
    req.upload = sink.release();
    co_return Result<void>{};
}

int serve(app::Services& services, HttpConfig const& config, Router const& router, Metrics& metrics,
          UpgradeHandler* upgrade) {
    Server server(services, config, router, metrics, upgrade);
    return server.run();
}

}  // namespace hrms::http
