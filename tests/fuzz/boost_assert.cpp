// Boost's assertions, routed here (BOOST_ENABLE_ASSERT_HANDLER, set for the whole fuzz build) so
// that a failed one aborts like any other finding, except for known false alarms in the Boost
// 1.81 that Debian ships.
#include <boost/assert.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace {

struct FalseAlarm {
    std::string_view file_suffix;
    std::string_view expr;
};

constexpr FalseAlarm kFalseAlarms[] = {
    // Beast's chunked parser asserts it is handed at least 5 bytes when it resumes after the
    // final chunk "0\r\n", but a client may send the rest a byte at a time ("0\r\n", "\r", "\n"):
    // 4 bytes, which the code after the assertion handles (it asks for more). Release builds
    // (NDEBUG) never see it. Fixed upstream in 2024: boostorg/beast#2861.
    {"boost/beast/http/impl/basic_parser.ipp", "n >= 5"},
};

}  // namespace

namespace boost {

void assertion_failed_msg(char const* expr, char const* msg, char const* function, char const* file, long line) {
    std::string_view const f(file), e(expr);
    for (auto const& alarm : kFalseAlarms) {
        if (f.ends_with(alarm.file_suffix) && e == alarm.expr) return;
    }
    std::fprintf(stderr, "\n*** Boost assertion failed: %s%s%s%s\n  in %s\n  at %s:%ld\n", expr, msg ? " (" : "",
                 msg ? msg : "", msg ? ")" : "", function, file, line);
    std::abort();
}

void assertion_failed(char const* expr, char const* function, char const* file, long line) {
    assertion_failed_msg(expr, nullptr, function, file, line);
}

}  // namespace boost
