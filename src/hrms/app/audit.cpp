#include "hrms/app/audit.hpp"

#include <algorithm>

#include "hrms/app/actor.hpp"
#include "hrms/app/audit_key.hpp"
#include "hrms/app/crypto.hpp"


namespace hrms::app {

std::string const& genesis_hash() {
    static std::string const kZeros(64, '0');
    return kZeros;
}

std::string chain_hash(std::string const& prev_hash, AuditEntry const& entry) {
    thread_local std::string text;  // one buffer per thread, reused: no allocation per entry
    text.assign(prev_hash);
    core::canonical_form_into(text, entry);
    return sha256_hex(text);
}

AuditEntry domain_entry(Instant now, core::AuditCategory category, std::string action, std::string target_type,
                        std::string target_id) {
    AuditEntry e;
    e.time = now;
    e.category = category;
    e.action = std::move(action);
    e.target_type = std::move(target_type);
    e.target_id = std::move(target_id);
    return e;
}

std::string json_members(std::initializer_list<std::pair<std::string_view, std::string>> members) {
    std::string out = "{";
    for (auto const& [k, v] : members) {
        if (out.size() > 1) out += ',';
        out += json_quote(k);
        out += ':';
        out += v;
    }
    return out + "}";
}

std::string session_public_id(std::string const& token_hash) {
    if (token_hash.empty()) return {};
    return sha256_hex("session-id:" + token_hash).substr(0, 16);
}

ChainVerifier::ChainVerifier(std::vector<AuditCheckpoint> checkpoints, std::optional<std::string> trusted_key)
    : checkpoints_(std::move(checkpoints)), prev_(genesis_hash()) {
    for (auto const& c : checkpoints_) {
        if (!checkpoint_signed(c)) {
            fail(c.seq, "the checkpoint at this entry has a signature that does not verify");
            return;
        }
        if (trusted_key && c.public_key != *trusted_key) {
            fail(c.seq, "the checkpoint at this entry was signed by another key (" + c.public_key + ")");
            return;
        }
    }
}

void ChainVerifier::fail(std::int64_t seq, std::string problem) {
    if (!check_.ok) return;
    check_.ok = false;
    check_.first_bad_seq = seq;
    check_.problem = std::move(problem);
}

bool ChainVerifier::add(AuditEntry const& e) {
    if (!check_.ok) return false;
    if (expected_ == 1 && e.seq > 1) {
        // Entries before this one were archived and deleted (retention): the checkpoint signed
        // at the last deleted one vouches for the hash this one must follow.
        auto const it = std::find_if(checkpoints_.begin(), checkpoints_.end(),
                                     [&](AuditCheckpoint const& c) { return c.seq == e.seq - 1; });
        if (it == checkpoints_.end()) {
            fail(1, "entries 1 to " + std::to_string(e.seq - 1) + " are missing and no checkpoint vouches for them");
            return false;
        }
        prev_ = it->hash;
        expected_ = e.seq;
        ++check_.checkpoints;
    }
    if (e.seq != expected_) {
        fail(expected_, e.seq > expected_ ? "entry missing (sequence jumps to " + std::to_string(e.seq) + ")"
                                          : "sequence out of order");
        return false;
    }
    if (chain_hash(prev_, e) != e.hash) {
        fail(e.seq, "hash does not match the entry and its predecessor");
        return false;
    }
    while (next_checkpoint_ < checkpoints_.size() && checkpoints_[next_checkpoint_].seq < e.seq) ++next_checkpoint_;
    if (next_checkpoint_ < checkpoints_.size() && checkpoints_[next_checkpoint_].seq == e.seq) {
        if (checkpoints_[next_checkpoint_].hash != e.hash) {
            fail(e.seq, "the entry differs from what the checkpoint signed (the chain was rewritten from here or before)");
            return false;
        }
        ++check_.checkpoints;
        ++next_checkpoint_;
    }
    prev_ = e.hash;
    ++expected_;
    ++check_.checked;
    return true;
}

ChainCheck ChainVerifier::finish() {
    if (check_.ok && !checkpoints_.empty() && checkpoints_.back().seq >= expected_)
        fail(expected_, "entries missing: a checkpoint signed entry " + std::to_string(checkpoints_.back().seq) +
                            " but the chain ends at " + std::to_string(expected_ - 1));
    return check_;
}

ChainCheck verify_chain(Store& store, std::optional<std::string> trusted_key) {
    auto tx = store.begin(TxMode::read);
    ChainVerifier v(tx->audit().checkpoints(), std::move(trusted_key));
    tx->audit().scan(1, [&](AuditEntry const& e) { return v.add(e); });
    return v.finish();
}

bool checkpoint_chain(Store& store, AuditKey const& key, Instant now) {
    auto seal = store.audit_log().begin_seal();
    if (!seal->sealer()) return false;
    auto const head = seal->head();
    if (head.seq == 0 || head.seq <= seal->last_checkpoint()) return false;
    AuditCheckpoint c{head.seq, head.hash, now, {}, {}};
    key.sign(c);
    seal->add_checkpoint(c);
    seal->commit();
    return true;
}

namespace {
constexpr char const* kPermission = core::perm::audit_read;
}

Result<void> AuditTrail::check(Actor const& actor, AuditQuery const& query) const {
    TRY_VOID(require(actor, kPermission));
    if (query.from && query.to) {
        if (*query.to <= *query.from) return invalid_field("to", "must be after from");
        if (query.to->ms - query.from->ms > kMaxAuditRangeDays * 86'400'000)
            return invalid_field("to", "a search may span at most " + std::to_string(kMaxAuditRangeDays) + " days");
    }
    return {};
}

Result<AuditPage> AuditTrail::search(Actor const& actor, AuditQuery query) {
    TRY_VOID(check(actor, query));
    int const want = query.limit;
    query.limit = want + 1;
    auto tx = store_.begin(TxMode::read);
    AuditPage page;
    page.items = tx->audit().search(query);
    if (static_cast<int>(page.items.size()) > want) {
        page.items.resize(static_cast<std::size_t>(want));
        page.next_before = page.items.back().seq;
    }
    return page;
}

Result<AuditEntry> AuditTrail::get(Actor const& actor, std::int64_t seq) {
    TRY_VOID(require(actor, kPermission));
    auto tx = store_.begin(TxMode::read);
    auto e = tx->audit().by_seq(seq);
    if (!e) return fail(ErrorCode::not_found, "no such audit entry");
    return *e;
}

Result<ChainCheck> AuditTrail::verify(Actor const& actor) {
    TRY_VOID(require(actor, kPermission));
    return verify_chain(store_, trusted_key_);
}

}  // namespace hrms::app
