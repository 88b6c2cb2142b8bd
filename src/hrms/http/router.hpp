#pragma once
// Method + path-template routing: "/api/v1/users/{id}" matches "/api/v1/users/42".
#include <string>
#include <string_view>
#include <vector>

#include "hrms/http/types.hpp"

namespace hrms::http {

enum class Access { anyone, user };

// Where a handler runs: on the blocking pool (the default: anything touching the database or a
// hash), or straight on the I/O thread for handlers that only build a response from memory.
enum class Exec { pool, io };

// How the body arrives: read whole (JSON, up to HRMS_MAX_BODY_BYTES) or streamed to disk as a
// multipart upload (up to HRMS_MAX_UPLOAD_BYTES), after authentication.
enum class Body { whole, upload };

struct Route {
    std::string method;
    std::string pattern;  // also the metrics label
    Handler handler;
    Access access = Access::user;
    Exec exec = Exec::pool;
    Body body = Body::whole;
    std::vector<std::string> segments;
    std::size_t index = 0;  // position in the router, for per-route metrics
};

class Router {
public:
    // Registers a route; throws std::logic_error on a duplicate method + pattern.
    void add(std::string method, std::string pattern, Handler handler, Access access = Access::user,
             Exec exec = Exec::pool);
    // An authenticated route whose multipart body is streamed to disk.
    void add_upload(std::string method, std::string pattern, Handler handler);

    struct Match {
        Route const* route = nullptr;  // null: no route
        std::vector<std::pair<std::string, std::string>> params;
        std::string allow;  // when the path exists under other methods: "GET, POST"
    };
    // The route for method and path; with route null and `allow` set, the path exists but not
    // for this method (405); with both empty, nothing matches (404).
    Match match(std::string_view method, std::string_view path) const;

    std::vector<Route> const& routes() const { return routes_; }

private:
    std::vector<Route> routes_;
};

}  // namespace hrms::http
