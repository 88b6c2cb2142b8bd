#pragma once
// Realistic demo data: employees spread over every stage and status, with details, documents,
// stage history and timestamps over the past weeks.
#include <functional>

#include "hrms/app/ports.hpp"

namespace hrms::app {

struct DemoStats {
    int employees = 0;
    int reviewers = 0;
    int documents = 0;
    int history_rows = 0;
    int notifications = 0;
};

inline constexpr char const* kDemoPassword = "demo-password-123";

// Creates `employees` employees (and a few reviewers) in batches of 500 per transaction,
// calling `progress(done, total)` after each batch. Deterministic for a given `seed`; emails
// are unique per run (they carry the first new user id), so seeding twice adds more. With
// `awaiting_review` every employee has submitted complete details that await review (a full
// review queue: what bulk decisions and their benchmark start from).
DemoStats seed_demo(Store& store, BlobStore& blobs, Clock const& clock, core::SlaPolicy const& policy, int employees,
                    unsigned seed, std::function<void(int, int)> const& progress, bool awaiting_review = false);

}  // namespace hrms::app
