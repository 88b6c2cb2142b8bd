// app::NotificationRepo: notifications and their read state.
#include <algorithm>
#include <cctype>

#include "hrms/store/locks.hpp"
#include "hrms/store/soci_repos.hpp"
#include "hrms/store/sql_text.hpp"

namespace hrms::store {

using soci::into;
using soci::use;

namespace {

// ":c0, :c1, ..." for an IN list of n bound values.
std::string placeholders(std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += (i ? ", :c" : ":c") + std::to_string(i);
    return out;
}

}  // namespace

std::int64_t SociNotifications::insert(app::NotificationRecord const& n) {
    return guard([&] {
        if (dialect_ == Dialect::postgresql && live_.notifications.empty()) {
            // Notification writers take turns until COMMIT, so ids grow in commit order and a
            // live session that skips ids it has sent never skips one committed late.
            long long k = key(PgLock::notifications);
            *sql_ << "SELECT pg_advisory_xact_lock(:k)", use(k);
        }
        long long id = 0, actor = context_.actor.value_or(0);
        soci::indicator actor_ind = context_.actor ? soci::i_ok : soci::i_null,
                        rid_ind = context_.request_id.empty() ? soci::i_null : soci::i_ok;
        id = write("INSERT INTO notifications (channel, kind, title, body, data, created_at, actor_id, request_id) "
                   "VALUES (:c, :k, :t, :b, :d, :at, :a, :rid) RETURNING id",
                   true, n.channel, n.kind, n.title, n.body, n.data_json, n.created_at,
                   Nullable<long long>{actor, actor_ind}, Nullable<std::string>{context_.request_id, rid_ind});
        live_.notifications.push_back(n);
        live_.notifications.back().id = id;
        return static_cast<std::int64_t>(id);
    });
}

std::vector<app::NotificationRecord> SociNotifications::list(std::vector<std::string> const& channels,
                                                           std::int64_t after, int limit, app::UserId reader) {
    return guard([&] {
        std::vector<app::NotificationRecord> out;
        if (channels.empty()) return out;
        long long r1 = reader, r2 = reader, from = after;
        app::NotificationRecord n;
        long long id = 0;
        int read = 0;
        auto prep = (sql_->prepare << "SELECT n.id, n.channel, n.kind, n.title, n.body, n.data, n.created_at, "
                                      "CASE WHEN n.id <= (SELECT notifications_read_through FROM users WHERE id = :r1) "
                                      "OR EXISTS (SELECT 1 FROM notification_reads x WHERE x.user_id = :r2 "
                                      "AND x.notification_id = n.id) THEN 1 ELSE 0 END "
                                      "FROM notifications n WHERE n.channel IN (" +
                                          placeholders(channels.size()) +
                                          ") AND n.id > :after ORDER BY n.id LIMIT :lim");
        prep, into(id), into(n.channel), into(n.kind), into(n.title), into(n.body), into(n.data_json),
            into(n.created_at), into(read), use(r1), use(r2);
        for (auto const& c : channels) prep, use(c);
        prep, use(from), use(limit);
        soci::statement st(prep);
        st.execute();
        while (st.fetch()) {
            auto row = n;
            row.id = id;
            row.read = read != 0;
            out.push_back(std::move(row));
        }
        return out;
    });
}

std::optional<app::NotificationRecord> SociNotifications::by_id(std::int64_t id) {
    return guard([&]() -> std::optional<app::NotificationRecord> {
        app::NotificationRecord n;
        long long key = id;
        soci::statement st = (sql_->prepare << "SELECT channel, kind, title, body, data, created_at "
                                               "FROM notifications WHERE id = :id",
                              into(n.channel), into(n.kind), into(n.title), into(n.body), into(n.data_json),
                              into(n.created_at), use(key));
        if (!st.execute(true)) return std::nullopt;
        n.id = id;
        return n;
    });
}

void SociNotifications::mark_read(app::UserId reader, std::int64_t id) {
    guard([&] {
        long long u = reader, n = id;
        *sql_ << "INSERT INTO notification_reads (user_id, notification_id) VALUES (:u, :n) "
                 "ON CONFLICT DO NOTHING",
            use(u), use(n);
    });
}

std::int64_t SociNotifications::mark_all_read(app::UserId reader, std::vector<std::string> const& channels) {
    return guard([&] {
        long long top = 0, u = reader;
        soci::indicator ind = soci::i_null;
        if (!channels.empty()) {
            auto prep = (sql_->prepare << "SELECT MAX(id) FROM notifications WHERE channel IN (" +
                                              placeholders(channels.size()) + ")");
            prep, into(top, ind);
            for (auto const& c : channels) prep, use(c);
            soci::statement st(prep);
            st.execute(true);
        }
        if (ind != soci::i_ok) top = 0;
        *sql_ << "UPDATE users SET notifications_read_through = :t WHERE id = :u AND "
                 "notifications_read_through < :t2",
            use(top), use(u), use(top);
        *sql_ << "DELETE FROM notification_reads WHERE user_id = :u AND notification_id <= :t", use(u),
            use(top);
        return static_cast<std::int64_t>(top);
    });
}

std::int64_t SociNotifications::unread_count(app::UserId reader, std::vector<std::string> const& channels) {
    return guard([&] {
        if (channels.empty()) return std::int64_t{0};
        long long n = 0, r1 = reader, r2 = reader;
        auto prep = (sql_->prepare << "SELECT COUNT(*) FROM notifications n WHERE n.channel IN (" +
                                          placeholders(channels.size()) +
                                          ") AND n.id > (SELECT notifications_read_through FROM users WHERE id = :r1) "
                                          "AND NOT EXISTS (SELECT 1 FROM notification_reads x WHERE x.user_id = :r2 "
                                          "AND x.notification_id = n.id)");
        prep, into(n);
        for (auto const& c : channels) prep, use(c);
        prep, use(r1), use(r2);
        soci::statement st(prep);
        st.execute(true);
        return static_cast<std::int64_t>(n);
    });
}

std::vector<app::NotificationRecord> SociNotifications::between(std::int64_t first, std::int64_t last,
                                                                   int limit, bool newest_first) {
    return guard([&] {
        std::vector<app::NotificationRecord> out;
        long long a = first, b = last, id = 0;
        app::NotificationRecord n;
        soci::statement st = (sql_->prepare << std::string("SELECT id, channel, kind, title, body, data, created_at "
                                                           "FROM notifications WHERE id >= :a AND id <= :b ORDER BY id ") +
                                                   (newest_first ? "DESC" : "ASC") + " LIMIT :lim",
                              into(id), into(n.channel), into(n.kind), into(n.title), into(n.body), into(n.data_json),
                              into(n.created_at), use(a), use(b), use(limit));
        st.execute();
        while (st.fetch()) {
            n.id = id;
            out.push_back(n);
        }
        return out;
    });
}

std::int64_t SociNotifications::last_id(std::vector<std::string> const& channels) {
    return guard([&] {
        if (channels.empty()) return std::int64_t{0};
        long long id = 0;
        soci::indicator ind = soci::i_null;
        auto prep = (sql_->prepare << "SELECT MAX(id) FROM notifications WHERE channel IN (" +
                                          placeholders(channels.size()) + ")",
                     into(id, ind));
        for (auto const& c : channels) prep, use(c);
        soci::statement st(prep);
        st.execute(true);
        return ind == soci::i_ok ? static_cast<std::int64_t>(id) : std::int64_t{0};
    });
}

}  // namespace hrms::store
