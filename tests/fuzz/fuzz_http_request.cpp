// Fuzzes HTTP request parsing as the server does it (src/hrms/http/server.cpp, Server::session and
// read_upload): Beast's request_parser with the server's header and body limits, the target
// through boost::urls::parse_origin_form and its decoded query, header and cookie lookups, and
// for the upload route the body handed to MultipartParser piece by piece. Keep-alive
// connections carry several requests, so the input is a whole connection.
//
// Input: a ChunkPlan (fuzz_support.hpp): [head][k chunk sizes][bytes the client sends]; the
// chunks are what each socket read returns. Option bit 1 (head >> 3): the client half-closes
// after its last byte (the parser sees end of stream) instead of just stopping.
#include <boost/beast/core/buffer_traits.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "fuzz_json.hpp"
#include "fuzz_support.hpp"
#include "hrms/http/multipart.hpp"
#include "hrms/http/types.hpp"

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using hrms::ErrorCode;
using hrms::Result;

namespace {

// The server's defaults (http::HttpConfig): header and JSON body limits, uploads plus framing.
constexpr std::uint32_t kMaxHeaderBytes = 16 * 1024;
constexpr std::uint64_t kMaxBodyBytes = 1024 * 1024;
constexpr std::uint64_t kMaxUploadBytes = 10 * 1024 * 1024;
constexpr std::uint64_t kUploadFraming = 64 * 1024;
constexpr std::uint64_t kUploadLimit = kMaxUploadBytes + kUploadFraming;
constexpr std::string_view kUploadRoute = "/api/v1/profiles/me/documents";
constexpr int kMaxRequestsPerConnection = 16;

// The client's side of the socket: the planned pieces, handed over as reads ask for them.
class Connection {
public:
    explicit Connection(hrms::fuzz::ChunkPlan const& plan) {
        plan.for_each_chunk([this](std::string_view piece) {
            pieces_.push_back(piece);
            return true;
        });
    }
    std::string buffer;  // received, not yet consumed by a parser

    // One more read into the buffer; false at end of stream.
    bool read_some() {
        if (next_ == pieces_.size()) return false;
        buffer.append(pieces_[next_++]);
        return true;
    }
    void consume(std::size_t n) { buffer.erase(0, n); }

private:
    std::vector<std::string_view> pieces_;
    std::size_t next_ = 0;
};

// One turn of Beast's read loop (http::read_some): read when nothing is buffered or the parser
// asked for more, then put. At end of stream the parser is told so if the client half-closed
// (`eof`); otherwise need_more stands for the server's read timeout.
template <class Parser>
beast::error_code step(Connection& conn, Parser& parser, bool eof, bool& want_read) {
    beast::error_code ec;
    if (want_read || conn.buffer.empty()) {
        if (!conn.read_some()) {
            if (!eof) return bhttp::error::need_more;
            if (!parser.got_some()) return bhttp::error::end_of_stream;
            parser.put_eof(ec);
            if (!ec && !parser.is_done()) ec = bhttp::error::partial_message;
            return ec;
        }
        want_read = false;
    }
    auto const n = parser.put(boost::asio::buffer(conn.buffer), ec);
    FUZZ_TRACE("http_request: put %zu bytes: used %zu, %s", conn.buffer.size(), n, ec.message().c_str());
    FUZZ_CHECK(n <= conn.buffer.size(), conn.buffer);
    conn.consume(n);
    if (ec == bhttp::error::need_more || (!ec && n == 0)) {
        want_read = true;  // (nothing used and no error: the parser waits for bytes too)
        ec = {};
    }
    return ec;
}

// Runs `parser` until `done(parser)`; the error that stopped it, if any.
template <class Parser, class Done>
beast::error_code pump(Connection& conn, Parser& parser, bool eof, Done done) {
    bool want_read = false;
    while (!done(parser)) {
        if (auto ec = step(conn, parser, eof, want_read)) return ec;
    }
    return {};
}

// Errors that leave nobody to answer (server.cpp's peer_gone): here the client stopped sending
// (the server's timeout) or closed mid-message.
bool peer_gone(beast::error_code const& ec) {
    return ec == bhttp::error::need_more || ec == bhttp::error::partial_message || ec == bhttp::error::end_of_stream;
}

// The server's answer to a malformed request: the error envelope must be valid JSON.
void reject(ErrorCode code, std::string message) {
    FUZZ_TRACE("http_request: rejected: %s", message.c_str());
    auto const res = hrms::http::error_response(hrms::Error{code, std::move(message), {}}, "req-1");
    hrms::fuzz::check_error_envelope(res.body);
}

// Streams the body into a MultipartParser, as read_upload does; ok when the upload was whole.
Result<void> read_upload(Connection& conn, bhttp::request_parser<bhttp::string_body>& parser,
                         hrms::http::Request const& req, bool eof) {
    auto boundary = TRY(hrms::http::MultipartParser::boundary_of(req.header("content-type")));
    std::uint64_t received = 0;
    hrms::http::MultipartParser multipart(
        boundary, {[](hrms::http::PartHeaders const&) -> Result<void> { return {}; },
                   [&](std::string_view bytes) -> Result<void> {
                       received += bytes.size();
                       return {};
                   },
                   []() -> Result<void> { return {}; }});
    bhttp::request_parser<bhttp::buffer_body> body_parser{std::move(parser)};
    std::vector<char> chunk(4096);  // the server's is 64 KiB; smaller pieces stress feed() more
    std::uint64_t body_bytes = 0;
    bool want_read = false;
    while (!body_parser.is_done()) {
        body_parser.get().body().data = chunk.data();
        body_parser.get().body().size = chunk.size();
        auto ec = step(conn, body_parser, eof, want_read);
        if (ec == bhttp::error::need_buffer) ec = {};
        auto const got = chunk.size() - body_parser.get().body().size;
        body_bytes += got;
        FUZZ_CHECK(body_bytes <= kUploadLimit, req.target);
        if (ec) {
            if (ec == bhttp::error::body_limit)
                return hrms::fail(ErrorCode::payload_too_large, "upload is larger than the limit");
            return hrms::fail(ErrorCode::bad_request, "upload interrupted: " + ec.message());
        }
        if (got > 0) TRY_VOID(multipart.feed(std::string_view(chunk.data(), got)));
    }
    TRY_VOID(multipart.finish());
    FUZZ_CHECK(received <= body_bytes, req.target);
    FUZZ_TRACE("http_request: upload of %llu body bytes, %llu file and field bytes",
               static_cast<unsigned long long>(body_bytes), static_cast<unsigned long long>(received));
    return {};
}

// One request off the connection; false when the server would close the connection after it.
bool one_request(Connection& conn, bool eof) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(kMaxHeaderBytes);
    parser.body_limit(std::max(kMaxBodyBytes, kUploadLimit));
    hrms::http::Request req;

    auto hec = pump(conn, parser, eof, [](auto const& p) { return p.is_header_done(); });
    if (hec) {
        if (peer_gone(hec)) return false;
        reject(hec == bhttp::error::body_limit || hec == bhttp::error::header_limit ? ErrorCode::payload_too_large
                                                                                      : ErrorCode::bad_request,
               "malformed HTTP request: " + hec.message());
        return false;
    }
    auto& head = parser.get();
    bool const keep_alive = head.keep_alive();
    req.method = std::string(head.method_string());
    req.target = std::string(head.target());
    FUZZ_CHECK(!req.method.empty() && !req.target.empty(), req.target);
    auto parsed = boost::urls::parse_origin_form(req.target);
    if (!parsed) {
        reject(ErrorCode::bad_request, "malformed request target");
        return false;
    }
    req.path = parsed->path();
    FUZZ_CHECK(!req.path.empty() && req.path.front() == '/', req.target);
    for (auto const& p : parsed->params()) req.query.emplace_back(p.key, p.value);
    for (auto const& f : head) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        req.headers.emplace_back(std::move(name), std::string(f.value()));
    }
    // What the pipeline and handlers look up.
    (void)beast::websocket::is_upgrade(head);
    (void)req.header("authorization");
    (void)req.query_param("limit");
    if (auto c = req.cookie("hrms_session")) FUZZ_CHECK(c->find(';') == std::string::npos, *c);
    (void)req.cookie("hrms_csrf");

    bool const upload = req.method == "POST" && req.path == kUploadRoute;
    std::uint64_t const limit = upload ? kUploadLimit : kMaxBodyBytes;
    if (auto len = parser.content_length(); len && *len > limit) {
        reject(ErrorCode::payload_too_large, "request body is larger than " + std::to_string(limit) + " bytes");
        return false;
    }
    parser.body_limit(limit);
    (void)beast::iequals(head[bhttp::field::expect], "100-continue");

    if (upload) {
        auto staged = read_upload(conn, parser, req, eof);
        if (!staged) {
            reject(staged.error().code, staged.error().message);
            return false;
        }
        return keep_alive;
    }
    auto const content_length = parser.content_length();
    auto bec = pump(conn, parser, eof, [](auto const& p) { return p.is_done(); });
    if (bec) {
        if (bec == bhttp::error::body_limit) {
            reject(ErrorCode::payload_too_large, "request body is too large");
        } else if (!peer_gone(bec)) {
            reject(ErrorCode::bad_request, "malformed request body: " + bec.message());
        }
        return false;
    }
    auto const& body = parser.get().body();
    FUZZ_CHECK(body.size() <= kMaxBodyBytes, req.target);
    if (content_length) FUZZ_CHECK(body.size() == *content_length, req.target);
    FUZZ_TRACE("http_request: %s %s, %zu query parameters, %zu headers, %zu body bytes, keep-alive %d",
               req.method.c_str(), req.path.c_str(), req.query.size(), req.headers.size(), body.size(), keep_alive);
    return keep_alive;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    auto const plan = hrms::fuzz::ChunkPlan::from(data, size);
    bool const eof = (plan.options & 1) != 0;
    Connection conn(plan);
    for (int i = 0; i < kMaxRequestsPerConnection; ++i) {
        // The next request starts with the bytes already buffered, or waits for a read.
        if (conn.buffer.empty() && !conn.read_some()) break;
        if (!one_request(conn, eof)) break;
    }
    return 0;
}
