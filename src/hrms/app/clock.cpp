#include "hrms/app/clock.hpp"

#include <charconv>
#include <chrono>
#include <fstream>
#include <iterator>

namespace hrms::app {

Instant SystemClock::now() const {
    using namespace std::chrono;
    return Instant{duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()};
}

Instant FileOffsetClock::now() const {
    std::ifstream in(path_);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    double seconds = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec != std::errc{} || p != text.data() + text.size()) seconds = 0;
    return SystemClock().now().plus_seconds(seconds);
}

}  // namespace hrms::app
