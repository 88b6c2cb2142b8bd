#include "hrms/http/router.hpp"

#include <stdexcept>

namespace hrms::http {

namespace {
std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < path.size()) {
        if (path[i] == '/') {
            ++i;
            continue;
        }
        auto const j = path.find('/', i);
        auto const end = j == std::string_view::npos ? path.size() : j;
        out.push_back(path.substr(i, end - i));
        i = end;
    }
    return out;
}

bool is_param(std::string const& seg) {
    return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}
}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler, Access access,
                 Exec exec) {
    if (exec == Exec::io && access != Access::anyone)
        throw std::logic_error("authenticated routes read the database: they run on the pool");
    for (auto const& r : routes_) {
        if (r.method == method && r.pattern == pattern)
            throw std::logic_error("duplicate route " + method + " " + pattern);
    }
    Route r{std::move(method), std::move(pattern), std::move(handler), access, exec, Body::whole, {}, routes_.size()};
    for (auto seg : split_path(r.pattern)) r.segments.emplace_back(seg);
    routes_.push_back(std::move(r));
}

void Router::add_upload(std::string method, std::string pattern, Handler handler) {
    add(std::move(method), std::move(pattern), std::move(handler), Access::user, Exec::pool);
    routes_.back().body = Body::upload;
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
    Match m;
    auto const segs = split_path(path);
    bool const trailing_slash = path.size() > 1 && path.back() == '/';
    for (auto const& r : routes_) {
        if (r.segments.size() != segs.size() || trailing_slash) continue;
        std::vector<std::pair<std::string, std::string>> params;
        bool ok = true;
        for (std::size_t i = 0; i < segs.size() && ok; ++i) {
            if (is_param(r.segments[i])) {
                params.emplace_back(r.segments[i].substr(1, r.segments[i].size() - 2),
                                    std::string(segs[i]));
            } else {
                ok = r.segments[i] == segs[i];
            }
        }
        if (!ok) continue;
        if (r.method == method || (method == "HEAD" && r.method == "GET")) {
            m.route = &r;
            m.params = std::move(params);
            return m;
        }
        if (m.allow.find(r.method) == std::string::npos) {
            if (!m.allow.empty()) m.allow += ", ";
            m.allow += r.method;
        }
    }
    return m;
}

}  // namespace hrms::http
