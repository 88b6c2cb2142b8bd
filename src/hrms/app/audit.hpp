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

// A JSON object whose members are given as already serialized JSON values (json_quote,
// json_quote_list, numbers).
std::string json_members(std::initializer_list<std::pair<std::string_view, std::string>> members);

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
    std::int64_t checked = 0;      // entries whose hash matched
    std::int64_t checkpoints = 0;  // signed checkpoints that matched their entry
    std::optional<std::int64_t> first_bad_seq;
    std::string problem;  // what is wrong at first_bad_seq
};

// The walk itself, fed entries by ascending seq from the first: names the first entry that does
// not match: an edited entry (its hash), a deleted one (a gap in the sequence numbers), an
// inserted or reordered one (the hash of it or of the next), a chain rewritten with fresh hashes
// (it differs from a signed checkpoint) or cut short (a checkpoint names an entry past its end).
// A checkpoint whose signature does not verify, or that another key than `trusted_key` (hex,
// when given) signed, is named too.
class ChainVerifier {
public:
    ChainVerifier(std::vector<AuditCheckpoint> checkpoints, std::optional<std::string> trusted_key = std::nullopt);
    // False once something did not match: stop feeding.
    bool add(AuditEntry const& e);
    ChainCheck finish();

private:
    void fail(std::int64_t seq, std::string problem);
    std::vector<AuditCheckpoint> checkpoints_;
    std::size_t next_checkpoint_ = 0;
    std::string prev_;
    std::int64_t expected_ = 1;
    ChainCheck check_;
};

// Walks the database's chain (and its checkpoints).
ChainCheck verify_chain(Store& store, std::optional<std::string> trusted_key = std::nullopt);

class AuditKey;

// Signs the chain's head as a new checkpoint when it moved since the last one; false when it
// did not, or when another process holds the sealer's lock (it is tried again next time).
bool checkpoint_chain(Store& store, AuditKey const& key, Instant now);

struct AuditPage {
    std::vector<AuditEntry> items;
    std::optional<std::int64_t> next_before;  // cursor: pass as before_seq
};

class AuditTrail {
public:
    // `trusted_key`: the public key checkpoints must be signed with (this server's).
    explicit AuditTrail(Store& store, std::optional<std::string> trusted_key = std::nullopt)
        : store_(store), trusted_key_(std::move(trusted_key)) {}
    // Newest first. validation_failed for an inverted or oversized time range.
    Result<AuditPage> search(Actor const& actor, AuditQuery query);
    // What search() refuses `query` for, without running it (an export checks before it streams).
    Result<void> check(Actor const& actor, AuditQuery const& query) const;
    Result<AuditEntry> get(Actor const& actor, std::int64_t seq);
    Result<ChainCheck> verify(Actor const& actor);

private:
    Store& store_;
    std::optional<std::string> trusted_key_;
};

// The longest time range one search may span.
inline constexpr std::int64_t kMaxAuditRangeDays = 366;

}  // namespace hrms::app
