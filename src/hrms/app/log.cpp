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
    for (auto const& f : fields) {
        line += ',';
        line += json_quote(f.key);
        line += ':';
        line += f.number ? f.value : json_quote(f.value);
    }
    line += '}';
    logger().info(line);
}

}  // namespace hrms::log
