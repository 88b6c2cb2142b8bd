#pragma once
// The notifications port: the feed every channel's live sessions replay from.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hrms/app/ports/users.hpp"

namespace hrms::app {

struct NotificationRecord {
    std::int64_t id = 0;
    std::string channel;  // user:<id> | admins | role:<name>
    std::string kind;
    std::string title;
    std::string body;
    std::string data_json = "{}";
    Instant created_at;
    bool read = false;
};

// Notifications on one transaction.
class NotificationRepo {
public:
    virtual ~NotificationRepo() = default;
    virtual std::int64_t insert(NotificationRecord const& n) = 0;
    // Rows on any of `channels` with id > after, ascending, at most `limit`, with read flags
    // for `reader`.
    virtual std::vector<NotificationRecord> list(std::vector<std::string> const& channels, std::int64_t after,
                                                 int limit, UserId reader) = 0;
    virtual std::optional<NotificationRecord> by_id(std::int64_t id) = 0;
    virtual void mark_read(UserId reader, std::int64_t id) = 0;
    // Everything on `channels` up to now becomes read; returns the new watermark.
    virtual std::int64_t mark_all_read(UserId reader, std::vector<std::string> const& channels) = 0;
    virtual std::int64_t unread_count(UserId reader, std::vector<std::string> const& channels) = 0;
    // Notifications (any channel) with first <= id <= last, by ascending id (descending when
    // `newest_first`), at most `limit`; read flags unset.
    virtual std::vector<NotificationRecord> between(std::int64_t first, std::int64_t last, int limit,
                                                    bool newest_first) = 0;
    // The newest notification id on any of `channels` (0 when none).
    virtual std::int64_t last_id(std::vector<std::string> const& channels) = 0;
};

}  // namespace hrms::app
