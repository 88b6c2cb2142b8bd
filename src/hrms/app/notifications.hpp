#pragma once
// The persisted notification feed of a user: their own channel, the admin channel when their
// roles grant review or admin power, and one channel per role.
#include <string>
#include <vector>

#include "hrms/app/actor.hpp"
#include "hrms/app/ports.hpp"

namespace hrms::app {

inline constexpr int kMaxFeedPage = 200;

// The channels `actor` listens on: user:<id>, role:<name> for each role, and admins when the
// actor may review profiles (or holds *).
std::vector<std::string> channels_of(Actor const& actor);

class Notifications {
public:
    Notifications(Store& store, Clock const& clock);

    // Rows after `after` (exclusive), oldest first, at most `limit` (1..200).
    Result<std::vector<NotificationRecord>> feed(Actor const& actor, std::int64_t after, int limit);
    // Marks one of the actor's notifications read; not_found for anyone else's.
    Result<void> read(Actor const& actor, std::int64_t id);
    // Marks everything up to now read.
    Result<void> read_all(Actor const& actor);
    Result<std::int64_t> unread_count(Actor const& actor);

private:
    Store& store_;
    Clock const& clock_;
};

}  // namespace hrms::app
