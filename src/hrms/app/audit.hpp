#pragma once
// The audit trail as the use cases and the HTTP layer see it: the chain's hash rule, the sink
// that access entries go to (audit/writer buffers and seals them), and the administration of
// the trail (permission audit.read): search, one entry, and the walk that verifies the chain.
#include <cstdint>
#include <initializer_list>
#include <utility>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hrms/app/ports.hpp"
#include "hrms/core/error.hpp"

namespace hrms::app {

struct Actor;

// The hash before the first entry: 64 zeros.
std::string const& genesis_hash();
// hex SHA-256(prev_hash || canonical_form(entry)): what `entry.hash` must be.
std::string chain_hash(std::string const& prev_hash, AuditEntry const& entry);

// A domain entry about a `target_type` (profile, document, user, role) at `now`, to record with
// tx->audit().record: actor and request id come from the transaction.
AuditEntry domain_entry(Instant now, core::AuditCategory category, std::string action, std::string target_type,
                        std::string target_id);

// A JSON object whose members are given as already serialized JSON values.
std::string json_members(std::initializer_list<std::pair<std::string_view, std::string>> members);
// A JSON string (quoted and escaped) and a JSON array of strings.
std::string json_text(std::string_view s);
std::string json_texts(std::vector<std::string> const& items);

// The public id of a sign-in session: derived from its token hash, useless for signing in.
std::string session_public_id(std::string const& token_hash);

// Where access entries go (HTTP requests, WebSocket connects and disconnects). Never blocks on
// the database: entries are buffered and written in batches.
class AccessLog {
public:
    virtual ~AccessLog() = default;
    // False when access entries are switched off (HRMS_AUDIT_ACCESS=0): callers skip building
    // them. Other entries (security events) are recorded either way.
    virtual bool enabled() const = 0;
    virtual void record(AuditEntry entry) = 0;
};

// The outcome of a walk over the chain.
struct ChainCheck {
    bool ok = true;
    std::int64_t checked = 0;  // entries whose hash matched
    std::optional<std::int64_t> first_bad_seq;
    std::string problem;  // what is wrong at first_bad_seq
};

// Walks the sealed chain from its first entry and names the first entry that does not match:
// an edited entry (its hash), a deleted one (a gap in the sequence numbers) and an inserted or
// reordered one (the hash of it or of the next).
ChainCheck verify_chain(Store& store);

struct AuditPage {
    std::vector<AuditEntry> items;
    std::optional<std::int64_t> next_before;  // cursor: pass as before_seq
};

class AuditTrail {
public:
    explicit AuditTrail(Store& store) : store_(store) {}
    // Newest first. validation_failed for an inverted or oversized time range.
    Result<AuditPage> search(Actor const& actor, AuditQuery query);
    Result<AuditEntry> get(Actor const& actor, std::int64_t seq);
    Result<ChainCheck> verify(Actor const& actor);

private:
    Store& store_;
};

// The longest time range one search may span.
inline constexpr std::int64_t kMaxAuditRangeDays = 366;

}  // namespace hrms::app
