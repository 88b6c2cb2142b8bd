#pragma once
// Connections that leave HTTP: the server hands a request asking for a WebSocket to an
// UpgradeHandler, which owns the connection from then on. Beast types: include only from
// server.cpp and realtime/.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <optional>
#include <vector>

#include "hrms/app/actor.hpp"
#include "hrms/http/types.hpp"

namespace hrms::http {

struct Upgrade {
    Request req;  // path, query, headers (lower-cased), client address
    boost::beast::http::request<boost::beast::http::string_body> raw;
    std::optional<app::Actor> actor;  // from the Authorization header or cookie; none given: nullopt
    std::string token_hash;           // of that credential
    std::string request_id;
};

class UpgradeHandler {
public:
    virtual ~UpgradeHandler() = default;
    // True for the paths this handler serves.
    virtual bool wants(Request const& req) const = 0;
    // Called once before serving with the lanes (io_contexts run by one thread each; the server
    // moves every upgraded connection to one of them, in turn, for good) and the pool for
    // blocking work. Background tasks run on the first lane.
    virtual void start(std::vector<boost::asio::io_context*> const& lanes, boost::asio::thread_pool& pool) = 0;
    // Serves the connection until it ends (on the connection's lane, one thread: no strand).
    virtual boost::asio::awaitable<void> run(boost::asio::ip::tcp::socket socket, Upgrade upgrade) = 0;
    // The server is stopping: close every connection (1001) and stop background tasks.
    virtual void shutdown() = 0;
    // The I/O threads have returned and the lanes are about to go: let go of every object
    // bound to it (timers, sockets) now.
    virtual void release() = 0;
};

}  // namespace hrms::http
