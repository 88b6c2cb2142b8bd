#pragma once
// Internal to app/: the builders behind Reports (one per kind: aggregate reads into the report
// model, with insights and rule-based recommendations), and the statistics they share with the
// dashboard.
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "hrms/app/reports.hpp"

namespace hrms::app {

inline constexpr double kHourMs = 3'600'000.0;
inline constexpr double kDayMs = 86'400'000.0;

// The median of `v` (the mean of the two middle values for an even count), divided by `scale`;
// nothing for no values.
std::optional<double> median(std::vector<std::int64_t> v, double scale);
// The 90th percentile by nearest rank (the smallest value at least 90% do not exceed), divided
// by `scale`; nothing for no values.
std::optional<double> p90(std::vector<std::int64_t> v, double scale);

struct ReportPeriods {
    core::ReportPeriod current;
    core::ReportPeriod previous;
};

// The report of `kind` over `p`, read through `repo` (one read transaction), generated at `now`;
// `progress(done, total)` after each step.
core::Report build_report(ReportRepo& repo, core::ReportKind kind, ReportPeriods const& p, core::SlaPolicy const& sla,
                          ReportPolicy const& policy, Instant now, std::function<void(int, int)> const& progress);

}  // namespace hrms::app
