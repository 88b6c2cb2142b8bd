#pragma once
// Clocks besides the wall clock (SystemClock, in ports.hpp).
#include <string>

#include "hrms/app/ports.hpp"

namespace hrms::app {

// The wall clock moved by the seconds a file holds (HRMS_TEST_CLOCK_FILE, dev mode only), so
// that end-to-end tests move time forward by writing the file instead of sleeping: session and
// invite expiry, login delays and SLA budgets all read this clock. The file is read on every
// call, so no write is missed however quickly tests write; a missing, empty or unreadable file
// is an offset of zero. Timeouts and intervals (monotonic) are not moved.
class FileOffsetClock final : public Clock {
public:
    explicit FileOffsetClock(std::string path) : path_(std::move(path)) {}
    Instant now() const override;

private:
    std::string path_;
};

}  // namespace hrms::app
