// app::EmailRepo: the outbox, its events and the suppression list.
#include "hrms/store/soci_repos.hpp"

namespace hrms::store {

using soci::into;
using soci::use;

namespace {

constexpr char const* kColumns =
    "id, created_at, updated_at, request_id, template, essential, user_id, to_email, to_name, subject, "
    "text_body, html_body, message_id, status, attempts, next_attempt_at, provider, provider_message_id, "
    "last_error, sent_at, attachments";

// One row read into plain variables (SOCI binds by address), then into an OutboxMessage.
struct MessageRow {
    app::OutboxMessage m;
    long long id = 0, user = 0;
    int essential = 0, attempts = 0;
    std::string sent_at, attachments;
    soci::indicator user_ind = soci::i_null;

    template <class Prep>
    void bind(Prep& p) {
        p, into(id), into(m.created_at), into(m.updated_at), into(m.request_id), into(m.template_name),
            into(essential), into(user, user_ind), into(m.to_email), into(m.to_name), into(m.subject), into(m.text),
            into(m.html), into(m.message_id), into(m.status), into(attempts), into(m.next_attempt_at),
            into(m.provider), into(m.provider_message_id), into(m.last_error), into(sent_at), into(attachments);
    }
    app::OutboxMessage take() {
        auto out = m;
        out.id = id;
        out.essential = essential != 0;
        out.attempts = attempts;
        if (user_ind == soci::i_ok) out.user_id = user;
        if (!sent_at.empty()) out.sent_at = parse_rfc3339(sent_at);
        out.attachments = app::attachments_from_json(attachments);
        user_ind = soci::i_null;
        return out;
    }
};

template <class Prep>
std::vector<app::OutboxMessage> fetch_all(Prep&& prep, MessageRow& row) {
    soci::statement st(prep);
    st.execute();
    std::vector<app::OutboxMessage> out;
    while (st.fetch()) out.push_back(row.take());
    return out;
}

}  // namespace

void SociEmail::event(std::int64_t message, Instant at, app::EmailStatus type, std::string const& provider,
                      std::string const& detail) {
    long long m = message;
    write("INSERT INTO email_events (message, at, type, provider, detail) VALUES (:m, :at, :t, :p, :d)", false, m,
          at, type, provider, detail);
}

std::int64_t SociEmail::enqueue(app::OutboxMessage const& m) {
    return guard([&] {
        long long id = 0, user = m.user_id.value_or(0);
        int essential = m.essential ? 1 : 0;
        soci::indicator user_ind = m.user_id ? soci::i_ok : soci::i_null;
        auto const status = app::EmailStatus::queued;
        std::string const& rid = m.request_id.empty() ? context_.request_id : m.request_id;
        id = write("INSERT INTO email_messages (created_at, updated_at, request_id, template, essential, user_id, "
                   "to_email, to_name, subject, text_body, html_body, message_id, status, next_attempt_at, attachments) "
                   "VALUES (:c, :u, :rid, :tpl, :e, :uid, :to, :name, :s, :txt, :html, :mid, :st, :next, :att) RETURNING id",
                   true, m.created_at, m.created_at, rid, m.template_name, essential,
                   Nullable<long long>{user, user_ind}, m.to_email, m.to_name, m.subject, m.text, m.html, m.message_id,
                   status, m.next_attempt_at, app::attachments_to_json(m.attachments));
        event(id, m.created_at, status, "", "");
        return static_cast<std::int64_t>(id);
    });
}

std::vector<app::OutboxMessage> SociEmail::claim(Instant now, Instant lease_until, std::string const& owner,
                                                 int limit) {
    return guard([&] {
        // Due: queued or deferred whose time came, or sending whose claim lapsed (the sender
        // died mid-send: sent again, with the same Message-ID). While claimed, next_attempt_at
        // is the claim's end, so one comparison covers all three.
        std::string sql = "SELECT id FROM email_messages WHERE status IN ('queued', 'deferred', 'sending') "
                          "AND next_attempt_at <= :now ORDER BY next_attempt_at, id LIMIT :lim";
        if (dialect_ == Dialect::postgresql) sql += " FOR UPDATE SKIP LOCKED";
        std::vector<long long> ids(static_cast<std::size_t>(std::max(limit, 1)));
        long long lim = limit;
        soci::statement pick = (sql_->prepare << sql, use(now), use(lim), into(ids));
        pick.execute(true);
        std::vector<app::OutboxMessage> out;
        auto const sending = app::EmailStatus::sending;
        for (auto id : ids) {
            *sql_ << "UPDATE email_messages SET status = :s, next_attempt_at = :lease, lease_owner = :o, "
                     "updated_at = :now WHERE id = :id",
                use(sending), use(lease_until), use(owner), use(now), use(id);
            event(id, now, sending, "", owner);
            MessageRow row;
            auto prep = (sql_->prepare << std::string("SELECT ") + kColumns + " FROM email_messages WHERE id = :id",
                         use(id));
            row.bind(prep);
            auto got = fetch_all(prep, row);
            if (!got.empty()) out.push_back(std::move(got.front()));
        }
        return out;
    });
}

bool SociEmail::finish(std::int64_t id, std::string const& owner, app::EmailOutcome const& o, Instant now) {
    return guard([&] {
        long long mid = id;
        int const tried = o.counts_as_attempt ? 1 : 0;
        auto const sending = app::EmailStatus::sending;
        std::string const sent_at = o.status == app::EmailStatus::sent ? to_rfc3339(now) : std::string();
        std::string const error = o.status == app::EmailStatus::sent ? std::string() : o.detail;
        // Only the holder of a live claim records: a sender whose claim lapsed and was taken
        // over changes nothing.
        soci::statement st =
            (sql_->prepare << "UPDATE email_messages SET status = :st, attempts = attempts + :t, next_attempt_at = :n, "
                              "lease_owner = '', provider = :p, provider_message_id = :pm, last_error = :e, "
                              "sent_at = :sa, updated_at = :now WHERE id = :id AND status = :sending AND lease_owner = :o",
             use(o.status), use(tried), use(o.next_attempt_at), use(o.provider), use(o.provider_message_id),
             use(error), use(sent_at), use(now), use(mid),
             use(sending), use(owner));
        st.execute(true);
        if (st.get_affected_rows() != 1) return false;
        event(id, now, o.status, o.provider, o.detail);
        return true;
    });
}

bool SociEmail::suppressed(std::string const& email) {
    return guard([&] {
        int n = 0;
        *sql_ << "SELECT COUNT(*) FROM email_suppressions WHERE email = :e", use(email), into(n);
        return n > 0;
    });
}

std::optional<app::OutboxMessage> SociEmail::get(std::int64_t id) {
    return guard([&]() -> std::optional<app::OutboxMessage> {
        long long mid = id;
        MessageRow row;
        auto prep = (sql_->prepare << std::string("SELECT ") + kColumns + " FROM email_messages WHERE id = :id", use(mid));
        row.bind(prep);
        auto got = fetch_all(prep, row);
        if (got.empty()) return std::nullopt;
        return std::move(got.front());
    });
}

std::vector<app::OutboxMessage> SociEmail::list(app::EmailQuery const& q) {
    return guard([&] {
        std::string sql = std::string("SELECT ") + kColumns + " FROM email_messages WHERE 1 = 1";
        if (q.status) sql += " AND status = :st";
        if (q.to) sql += " AND to_email = :to";
        if (q.before_id) sql += " AND id < :before";
        sql += " ORDER BY id DESC LIMIT :lim";
        long long before = q.before_id.value_or(0), lim = q.limit;
        MessageRow row;
        auto prep = (sql_->prepare << sql);
        row.bind(prep);
        if (q.status) prep, use(*q.status);
        if (q.to) prep, use(*q.to);
        if (q.before_id) prep, use(before);
        prep, use(lim);
        return fetch_all(prep, row);
    });
}

std::vector<app::EmailEvent> SociEmail::events(std::int64_t message) {
    return guard([&] {
        long long m = message, id = 0;
        app::EmailEvent e;
        soci::statement st = (sql_->prepare << "SELECT id, at, type, provider, detail FROM email_events "
                                               "WHERE message = :m ORDER BY id",
                              use(m), into(id), into(e.at), into(e.type), into(e.provider), into(e.detail));
        st.execute();
        std::vector<app::EmailEvent> out;
        while (st.fetch()) {
            e.id = id;
            e.message = message;
            out.push_back(e);
        }
        return out;
    });
}

// ---- tracking

bool SociEmail::first_time(std::string const& key, std::string const& provider, app::EmailStatus type, Instant at) {
    return guard([&] {
        soci::statement st = (sql_->prepare << "INSERT INTO email_provider_events (event_key, provider, type, at) "
                                               "VALUES (:k, :p, :t, :at) ON CONFLICT (event_key) DO NOTHING",
                              use(key), use(provider), use(type), use(at));
        st.execute(true);
        return st.get_affected_rows() == 1;
    });
}

std::optional<std::int64_t> SociEmail::find(app::DeliveryEvent const& e) {
    return guard([&]() -> std::optional<std::int64_t> {
        long long id = 0;
        soci::indicator ind = soci::i_null;
        if (e.outbox_id) {
            long long want = *e.outbox_id;
            *sql_ << "SELECT id FROM email_messages WHERE id = :id", use(want), into(id, ind);
            if (sql_->got_data() && ind == soci::i_ok) return id;
        }
        if (!e.message_id.empty()) {
            *sql_ << "SELECT id FROM email_messages WHERE message_id = :m", use(e.message_id), into(id, ind);
            if (sql_->got_data() && ind == soci::i_ok) return id;
        }
        if (!e.provider_message_id.empty()) {
            *sql_ << "SELECT id FROM email_messages WHERE provider_message_id = :p AND provider_message_id <> '' "
                     "ORDER BY id DESC LIMIT 1",
                use(e.provider_message_id), into(id, ind);
            if (sql_->got_data() && ind == soci::i_ok) return id;
        }
        return std::nullopt;
    });
}

void SociEmail::track(std::int64_t id, app::EmailStatus status, std::string const& provider, std::string const& detail,
                      Instant at) {
    guard([&] {
        long long mid = id;
        *sql_ << "UPDATE email_messages SET status = :s, updated_at = :at WHERE id = :id", use(status), use(at), use(mid);
        event(id, at, status, provider, detail);
    });
}

void SociEmail::suppress(std::string const& email, std::string const& reason, Instant at) {
    guard([&] {
        *sql_ << "INSERT INTO email_suppressions (email, reason, at) VALUES (:e, :r, :at) ON CONFLICT (email) DO NOTHING",
            use(email), use(reason), use(at);
    });
}

int SociEmail::soft_bounce(std::string const& email, Instant at) {
    return guard([&] {
        *sql_ << "INSERT INTO email_soft_bounces (email, count, last_at) VALUES (:e, 1, :at) "
                 "ON CONFLICT (email) DO UPDATE SET count = email_soft_bounces.count + 1, last_at = :at2",
            use(email), use(at), use(at);
        int n = 0;
        *sql_ << "SELECT count FROM email_soft_bounces WHERE email = :e", use(email), into(n);
        return n;
    });
}

std::vector<app::Suppression> SociEmail::suppressions(int limit, std::optional<Instant> before) {
    return guard([&] {
        std::string sql = "SELECT email, reason, at FROM email_suppressions";
        if (before) sql += " WHERE at < :b";
        sql += " ORDER BY at DESC, email LIMIT :lim";
        app::Suppression row;
        long long lim = limit;
        auto prep = (sql_->prepare << sql, into(row.email), into(row.reason), into(row.at));
        if (before) prep, use(*before);
        prep, use(lim);
        soci::statement st(prep);
        st.execute();
        std::vector<app::Suppression> out;
        while (st.fetch()) out.push_back(row);
        return out;
    });
}

std::vector<app::EmailStatRow> SociEmail::stats(Instant from, Instant to) {
    return guard([&] {
        app::EmailStatRow row;
        long long n = 0;
        soci::statement st =
            (sql_->prepare << "SELECT substr(created_at, 1, 10) AS day, provider, status, COUNT(*) FROM email_messages "
                              "WHERE created_at >= :f AND created_at < :t GROUP BY substr(created_at, 1, 10), provider, "
                              "status ORDER BY day, provider, status",
             use(from), use(to), into(row.day), into(row.provider), into(row.status), into(n));
        st.execute();
        std::vector<app::EmailStatRow> out;
        while (st.fetch()) {
            row.count = n;
            out.push_back(row);
        }
        return out;
    });
}

namespace {
struct CountRow {
    long long n = 0;
    template <class Prep>
    void bind(Prep& p) {
        p, into(n);
    }
};
}  // namespace

bool SociEmail::opted_out(std::int64_t user) {
    return guard([&] {
        long long u = user;
        // Every mail a notice sends asks: prepared once per connection.
        return read_cached<CountRow>(*sql_, sql_->writes, dialect_ == Dialect::sqlite,
                                     "SELECT COUNT(*) FROM email_opt_outs WHERE user_id = :u",
                                     [](CountRow& row) { return row.n > 0; }, u)
            .value_or(false);
    });
}

void SociEmail::set_opted_out(std::int64_t user, bool out, Instant at) {
    guard([&] {
        long long u = user;
        if (out)
            *sql_ << "INSERT INTO email_opt_outs (user_id, at) VALUES (:u, :at) ON CONFLICT (user_id) DO NOTHING", use(u),
                use(at);
        else
            *sql_ << "DELETE FROM email_opt_outs WHERE user_id = :u", use(u);
    });
}

}  // namespace hrms::store
