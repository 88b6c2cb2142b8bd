#include <chrono>

#include "hrms/app/ports.hpp"

namespace hrms::app {

Instant SystemClock::now() const {
    using namespace std::chrono;
    return Instant{duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()};
}

}  // namespace hrms::app
