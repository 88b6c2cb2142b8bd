#include "hrms/store/pg_bus.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <charconv>
#include <chrono>

#include "hrms/app/log.hpp"
#include "hrms/core/onboarding.hpp"

namespace hrms::store {

namespace {

constexpr std::size_t kMaxPayload = 7900;
constexpr int kCatchUpPage = 500;

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    while (!s.empty()) {
        auto const i = s.find(sep);
        out.push_back(s.substr(0, i));
        if (i == std::string_view::npos) break;
        s.remove_prefix(i + 1);
    }
    return out;
}

// Every field, empty ones included (a change's decision and name may be empty).
std::vector<std::string_view> fields(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    for (;;) {
        auto const i = s.find(sep);
        out.push_back(s.substr(0, i));
        if (i == std::string_view::npos) return out;
        s.remove_prefix(i + 1);
    }
}

std::optional<std::int64_t> to_int(std::string_view s) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
}

// A display name inside a payload item: the separators (, ; :), '%' and control bytes as %XX.
std::string escape(std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (c == ',' || c == ';' || c == ':' || c == '%' || c < 0x20) {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

std::optional<std::string> unescape(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        if (i + 2 >= s.size()) return std::nullopt;
        unsigned v = 0;
        auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
        if (ec != std::errc{} || p != s.data() + i + 3) return std::nullopt;
        out += static_cast<char>(v);
        i += 2;
    }
    return out;
}

}  // namespace

// Payload: "v1" then ";key=item,item" sections: n=<first>,<last>; s=<token hash>...; b=<user>...;
// u=<user>...; r=<role>... (role names are [a-z0-9_], hashes hex: no separator can occur).
std::vector<std::string> encode_live_payloads(app::LiveBatch const& batch) {
    std::vector<std::string> out;
    std::string current = "v1";
    if (!batch.notifications.empty()) {
        current += ";n=" + std::to_string(batch.notifications.front().id) + "," +
                   std::to_string(batch.notifications.back().id);
    }
    auto section = [&](char key, std::vector<std::string> const& items) {
        bool open = false;
        for (auto const& item : items) {
            if (current.size() + item.size() + 4 > kMaxPayload) {
                out.push_back(std::move(current));
                current = "v1";
                open = false;
            }
            if (!open) {
                current += ';';
                current += key;
                current += '=';
                open = true;
            } else {
                current += ',';
            }
            current += item;
        }
    };
    auto ids = [](std::vector<app::UserId> const& v) {
        std::vector<std::string> s;
        for (auto id : v) s.push_back(std::to_string(id));
        return s;
    };
    section('s', batch.ended_sessions);
    section('b', ids(batch.blocked_users));
    section('u', ids(batch.changed_users));
    section('r', batch.changed_roles);
    // Progress is counts only: "user:job:done:total:succeeded:failed".
    std::vector<std::string> progress;
    for (auto const& g : batch.progress)
        progress.push_back(std::to_string(g.user) + ':' + std::to_string(g.job_id) + ':' + std::to_string(g.done) +
                           ':' + std::to_string(g.total) + ':' + std::to_string(g.succeeded) + ':' +
                           std::to_string(g.failed));
    section('p', progress);
    // Profile changes: "profile:actor:stage:status:decision:document:event:name" (stage and status
    // empty for document events, name %-escaped), at most
    // kMaxBusChanges; m=<count> of the rest.
    std::vector<std::string> changes;
    auto const listed = std::min(batch.changes.size(), kMaxBusChanges);
    for (std::size_t i = 0; i < listed; ++i) {
        auto const& c = batch.changes[i];
        changes.push_back(std::to_string(c.profile_id) + ':' + std::to_string(c.actor) + ':' +
                          (c.stage ? core::to_string(*c.stage) : "") + ':' + (c.status ? core::to_string(*c.status) : "") +
                          ':' + c.decision + ':' + std::to_string(c.document) + ':' + c.event + ':' + escape(c.actor_name));
    }
    section('c', changes);
    auto const unlisted = static_cast<std::int64_t>(batch.changes.size() - listed) + batch.changes_unlisted;
    if (unlisted > 0) section('m', {std::to_string(unlisted)});
    if (current != "v1" || out.empty()) out.push_back(std::move(current));
    return out;
}

std::optional<LivePayload> decode_live_payload(std::string_view text) {
    auto parts = split(text, ';');
    if (parts.empty() || parts[0] != "v1") return std::nullopt;
    LivePayload p;
    for (std::size_t i = 1; i < parts.size(); ++i) {
        auto const part = parts[i];
        if (part.size() < 2 || part[1] != '=') return std::nullopt;
        auto items = split(part.substr(2), ',');
        switch (part[0]) {
            case 'n': {
                if (items.size() != 2) return std::nullopt;
                auto a = to_int(items[0]), b = to_int(items[1]);
                if (!a || !b || *a > *b) return std::nullopt;
                p.first = *a;
                p.last = *b;
                break;
            }
            case 's':
                for (auto s : items) p.ended_sessions.emplace_back(s);
                break;
            case 'b':
            case 'u':
                for (auto s : items) {
                    auto id = to_int(s);
                    if (!id) return std::nullopt;
                    (part[0] == 'b' ? p.blocked_users : p.changed_users).push_back(*id);
                }
                break;
            case 'r':
                for (auto s : items) p.changed_roles.emplace_back(s);
                break;
            case 'p':
                for (auto s : items) {
                    auto f = split(s, ':');
                    if (f.size() != 6) return std::nullopt;
                    std::int64_t v[6];
                    for (std::size_t k = 0; k < 6; ++k) {
                        auto n = to_int(f[k]);
                        if (!n) return std::nullopt;
                        v[k] = *n;
                    }
                    p.progress.push_back({v[0], v[1], v[2], v[3], v[4], v[5]});
                }
                break;
            case 'c':
                for (auto s : items) {
                    auto f = fields(s, ':');
                    if (f.size() != 8) return std::nullopt;
                    auto id = to_int(f[0]), actor = to_int(f[1]), doc = to_int(f[5]);
                    auto stage = f[2].empty() ? std::optional<core::Stage>() : core::parse_stage(f[2]);
                    auto status = f[3].empty() ? std::optional<core::StageStatus>() : core::parse_stage_status(f[3]);
                    auto name = unescape(f[7]);
                    if (!id || !actor || !doc || (!f[2].empty() && !stage) || (!f[3].empty() && !status) || !name ||
                        f[6].empty())
                        return std::nullopt;
                    p.changes.push_back({*id, stage, status, std::string(f[4]), *actor, std::move(*name), *doc,
                                         std::string(f[6])});
                }
                break;
            case 'm': {
                if (items.size() != 1) return std::nullopt;
                auto n = to_int(items[0]);
                if (!n || *n < 0) return std::nullopt;
                p.changes_unlisted += *n;
                break;
            }
            default:
                return std::nullopt;
        }
    }
    return p;
}

PgListener::PgListener(std::string conninfo, app::Store& store, app::LiveSink& sink)
    : conninfo_(std::move(conninfo) + " application_name=hrms-listener"), store_(store), sink_(sink) {
    {
        // Live delivery starts with what commits from now on.
        auto tx = store_.begin(app::TxMode::read);
        auto rows = tx->notifications().between(1, INT64_MAX, 1, true);
        last_id_ = rows.empty() ? 0 : rows.front().id;
    }
    thread_ = std::thread([this] { run(); });
}

PgListener::~PgListener() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
}

void PgListener::deliver(LivePayload const& p) {
    app::LiveBatch batch;
    if (p.last > last_id_) {
        auto tx = store_.begin(app::TxMode::read);
        batch.notifications = tx->notifications().between(std::max(p.first, last_id_ + 1), p.last, kCatchUpPage * 4, false);
        if (!batch.notifications.empty()) last_id_ = batch.notifications.back().id;
    }
    batch.ended_sessions = p.ended_sessions;
    batch.blocked_users = p.blocked_users;
    batch.changed_users = p.changed_users;
    batch.changed_roles = p.changed_roles;
    batch.progress = p.progress;
    batch.changes = p.changes;
    batch.changes_unlisted = p.changes_unlisted;
    if (!batch.empty()) sink_.committed(batch);
}

void PgListener::catch_up() {
    for (;;) {
        app::LiveBatch batch;
        {
            auto tx = store_.begin(app::TxMode::read);
            batch.notifications = tx->notifications().between(last_id_ + 1, INT64_MAX, kCatchUpPage, false);
        }
        if (batch.notifications.empty()) return;
        last_id_ = batch.notifications.back().id;
        sink_.committed(batch);
        if (static_cast<int>(batch.notifications.size()) < kCatchUpPage) return;
    }
}

void PgListener::run() {
    double backoff = 0.05;
    bool lost = false;
    while (!stop_) {
        PGconn* conn = PQconnectdb(conninfo_.c_str());
        if (PQstatus(conn) != CONNECTION_OK) {
            if (!lost) log::warn("live.listener_connect_failed", {log::str("error", PQerrorMessage(conn))});
            lost = true;
            PQfinish(conn);
            std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int>(backoff * 1000)));
            backoff = std::min(backoff * 2, 2.0);
            continue;
        }
        PGresult* res = PQexec(conn, (std::string("LISTEN ") + kLiveChannel).c_str());
        bool const listening = PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
        if (!listening) {
            PQfinish(conn);
            continue;
        }
        if (lost) log::info("live.listener_reconnected");
        backoff = 0.05;
        try {
            catch_up();  // whatever committed while nobody listened
            while (!stop_) {
                pollfd pfd{PQsocket(conn), POLLIN, 0};
                int const ready = ::poll(&pfd, 1, 200);
                if (ready < 0) continue;
                if (ready > 0 && !PQconsumeInput(conn)) break;
                while (PGnotify* n = PQnotifies(conn)) {
                    auto payload = decode_live_payload(n->extra);
                    if (payload) {
                        deliver(*payload);
                    } else {
                        log::warn("live.bad_payload", {log::str("payload", std::string(n->extra).substr(0, 100))});
                    }
                    PQfreemem(n);
                }
                if (PQstatus(conn) != CONNECTION_OK) break;
            }
        } catch (std::exception const& e) {
            log::error("live.listener_error", {log::str("what", log::what(e))});
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        PQfinish(conn);
        if (!stop_) {
            log::warn("live.listener_lost");
            lost = true;
        }
    }
}

}  // namespace hrms::store
