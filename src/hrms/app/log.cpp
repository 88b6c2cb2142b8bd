#include "hrms/app/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>

#include "hrms/core/error.hpp"
#include "hrms/core/time.hpp"
#include "hrms/app/ports.hpp"

namespace hrms::log {

namespace {
std::atomic<int> g_threshold{static_cast<int>(Level::info)};
thread_local std::string t_request_id;

spdlog::logger& logger() {
    // spdlog only moves the finished line to stderr; we build the JSON ourselves because its %v
    // is not escaped.
    static auto instance = [] {
        auto l = std::make_shared<spdlog::logger>("hrms",
                                                  std::make_shared<spdlog::sinks::stderr_sink_mt>());
        l->set_pattern("%v");
        l->set_level(spdlog::level::trace);
        l->flush_on(spdlog::level::trace);
        return l;
    }();
    return *instance;
}

char const* level_name(Level l) {
    switch (l) {
        case Level::debug: return "debug";
        case Level::info: return "info";
        case Level::warn: return "warn";
        case Level::error: return "error";
    }
    return "info";
}
}  // namespace

std::string what(std::exception const& e) {
    std::string_view msg = e.what();
    for (std::string_view marker : {" while executing", " while preparing", " while fetching"}) {
        if (auto const at = msg.find(marker); at != std::string_view::npos) msg = msg.substr(0, at);
    }
    return std::string(msg);
}

RequestScope::RequestScope(std::string_view request_id) : previous_(std::move(t_request_id)) {
    t_request_id.assign(request_id);
}

RequestScope::~RequestScope() { t_request_id = std::move(previous_); }

std::string_view current_request_id() { return t_request_id; }

bool init(std::string const& level) {
    for (auto l : {Level::debug, Level::info, Level::warn, Level::error}) {
        if (level == level_name(l)) {
            g_threshold = static_cast<int>(l);
            logger();
            return true;
        }
    }
    return false;
}

bool enabled(Level level) { return static_cast<int>(level) >= g_threshold.load(std::memory_order_relaxed); }

void write(Level level, std::string_view event, std::initializer_list<Field> fields) {
    if (!enabled(level)) return;
    std::string line = "{\"ts\":\"" + to_rfc3339(app::SystemClock().now()) + "\",\"level\":\"" +
                       level_name(level) + "\",\"event\":" + json_quote(event);
    bool named = false;
    for (auto const& f : fields) {
        line += ',';
        line += json_quote(f.key);
        line += ':';
        line += f.number ? f.value : json_quote(f.value);
        named = named || f.key == "request_id";
    }
    if (!named && !t_request_id.empty()) {
        line += ",\"request_id\":";
        line += json_quote(t_request_id);
    }
    line += '}';
    logger().info(line);
}

}  // namespace hrms::log
