#pragma once
// Live batches across processes on PostgreSQL. A write Tx that produced a LiveBatch sends
// NOTIFY hrms_live with ids only (never a notification's body, so the 8000-byte payload limit
// never bites) before it commits; PostgreSQL delivers it at COMMIT, in commit order, to every
// process listening, the sender included. Each process has one dedicated listener connection
// that reads the rows by id and hands the batch to its LiveSink (the hub). A lost listener
// connection reconnects and catches up from the notifications table.
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "hrms/app/ports.hpp"

namespace hrms::store {

inline constexpr char const* kLiveChannel = "hrms_live";

// A committed batch as NOTIFY payloads, each under 7,900 bytes: the notifications as their id
// range (ids of one Tx are consecutive: notification writers take turns until COMMIT), the
// other events as lists split across payloads as needed.
std::vector<std::string> encode_live_payloads(app::LiveBatch const& batch);

struct LivePayload {
    std::int64_t first = 0, last = 0;  // notification ids, inclusive; 0, 0: none
    std::vector<std::string> ended_sessions;
    std::vector<app::UserId> blocked_users, changed_users;
    std::vector<std::string> changed_roles;
    std::vector<app::BulkProgress> progress;
    std::vector<app::ProfileChange> changes;  // the first kMaxBusChanges of the commit
    std::int64_t changes_unlisted = 0;        // and how many more there were
};
inline constexpr std::size_t kMaxBusChanges = 100;
// nullopt for a payload this version cannot read (it is skipped and logged).
std::optional<LivePayload> decode_live_payload(std::string_view text);

class PgListener {
public:
    // Listens on `conninfo` (libpq keywords) from a thread of its own until destroyed.
    PgListener(std::string conninfo, app::Store& store, app::LiveSink& sink);
    ~PgListener();
    PgListener(PgListener const&) = delete;
    PgListener& operator=(PgListener const&) = delete;

private:
    void run();
    void deliver(LivePayload const& p);
    // Everything committed after last_id_ (after a reconnect: what the lost connection missed).
    void catch_up();

    std::string conninfo_;
    app::Store& store_;
    app::LiveSink& sink_;
    std::atomic<bool> stop_{false};
    std::int64_t last_id_ = 0;
    std::thread thread_;
};

}  // namespace hrms::store
