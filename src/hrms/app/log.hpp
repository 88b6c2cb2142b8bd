#pragma once
// JSON-line logging: one object per line on stderr, every value escaped. Never log secrets,
// tokens or document contents.
#include <initializer_list>
#include <exception>
#include <string>
#include <string_view>

namespace hrms::log {

enum class Level { debug, info, warn, error };

struct Field {
    std::string_view key;
    std::string value;
    bool number = false;  // emit unquoted
};

inline Field num(std::string_view key, double v) {
    auto s = std::to_string(v);
    if (auto dot = s.find('.'); dot != std::string::npos) {
        while (s.back() == '0') s.pop_back();
        if (s.back() == '.') s.pop_back();
    }
    return {key, s, true};
}
inline Field num(std::string_view key, long long v) { return {key, std::to_string(v), true}; }
inline Field str(std::string_view key, std::string v) { return {key, std::move(v), false}; }

// Sets the threshold ("debug", "info", "warn", "error"); false for an unknown name.
// An exception's message fit for the log: a database driver's message quotes the statement
// with its bound values (personal data, tokens' hashes), so everything from " while executing"
// or " while preparing" on is cut.
std::string what(std::exception const& e);

// While one lives, every line this thread writes carries "request_id" (unless it names one
// itself): a request's handling, a job run a request caused, a WebSocket message. Scopes nest;
// the outer id is back when the inner one ends.
class RequestScope {
public:
    explicit RequestScope(std::string_view request_id);
    ~RequestScope();
    RequestScope(RequestScope const&) = delete;
    RequestScope& operator=(RequestScope const&) = delete;

private:
    std::string previous_;
};
// The id of this thread's innermost scope ("" outside any).
std::string_view current_request_id();

bool init(std::string const& level);
bool enabled(Level level);
void write(Level level, std::string_view event, std::initializer_list<Field> fields = {});

inline void debug(std::string_view e, std::initializer_list<Field> f = {}) { write(Level::debug, e, f); }
inline void info(std::string_view e, std::initializer_list<Field> f = {}) { write(Level::info, e, f); }
inline void warn(std::string_view e, std::initializer_list<Field> f = {}) { write(Level::warn, e, f); }
inline void error(std::string_view e, std::initializer_list<Field> f = {}) { write(Level::error, e, f); }

}  // namespace hrms::log
