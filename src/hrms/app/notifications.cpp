#include "hrms/app/notifications.hpp"

#include <algorithm>

#include "hrms/app/notices.hpp"

namespace hrms::app {

std::vector<std::string> channels_of(Actor const& actor) {
    std::vector<std::string> out{user_channel(actor.id)};
    if (actor.can(core::perm::profiles_review)) out.emplace_back(kAdminsChannel);
    for (auto const& role : actor.roles) out.push_back(role_channel(role));
    return out;
}

Notifications::Notifications(Store& store, Clock const& clock) : store_(store), clock_(clock) {}

Result<std::vector<NotificationRecord>> Notifications::feed(Actor const& actor, std::int64_t after, int limit) {
    if (limit < 1 || limit > kMaxFeedPage) return invalid_field("limit", "limit must be between 1 and 200");
    if (after < 0) return invalid_field("after", "after must be a notification id (>= 0)");
    auto tx = store_.begin(TxMode::read);
    return tx->notifications().list(channels_of(actor), after, limit, actor.id);
}

Result<void> Notifications::read(Actor const& actor, std::int64_t id) {
    auto tx = store_.begin(TxMode::write, context_of(actor));
    auto n = tx->notifications().by_id(id);
    auto const channels = channels_of(actor);
    if (!n || std::find(channels.begin(), channels.end(), n->channel) == channels.end())
        return fail(ErrorCode::not_found, "notification not found");
    tx->notifications().mark_read(actor.id, id);
    tx->commit();
    return {};
}

Result<void> Notifications::read_all(Actor const& actor) {
    auto tx = store_.begin(TxMode::write, context_of(actor));
    tx->notifications().mark_all_read(actor.id, channels_of(actor));
    tx->commit();
    return {};
}

Result<std::int64_t> Notifications::unread_count(Actor const& actor) {
    auto tx = store_.begin(TxMode::read);
    return tx->notifications().unread_count(actor.id, channels_of(actor));
}

}  // namespace hrms::app
