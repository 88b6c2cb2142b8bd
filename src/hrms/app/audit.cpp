#include "hrms/app/audit.hpp"

#include "hrms/app/actor.hpp"
#include "hrms/app/crypto.hpp"

#include <boost/json.hpp>

namespace hrms::app {

std::string const& genesis_hash() {
    static std::string const kZeros(64, '0');
    return kZeros;
}

std::string chain_hash(std::string const& prev_hash, AuditEntry const& entry) {
    return sha256_hex(prev_hash + core::canonical_form(entry));
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
        out += json_text(k);
        out += ':';
        out += v;
    }
    return out + "}";
}

std::string json_text(std::string_view s) { return boost::json::serialize(boost::json::string(s)); }

std::string json_texts(std::vector<std::string> const& items) {
    std::string out = "[";
    for (auto const& i : items) {
        if (out.size() > 1) out += ',';
        out += json_text(i);
    }
    return out + "]";
}

std::string session_public_id(std::string const& token_hash) {
    if (token_hash.empty()) return {};
    return sha256_hex("session-id:" + token_hash).substr(0, 16);
}

ChainCheck verify_chain(Store& store) {
    ChainCheck check;
    std::string prev = genesis_hash();
    std::int64_t expected = 1;
    auto tx = store.begin(TxMode::read);
    tx->audit().scan(1, [&](AuditEntry const& e) {
        if (e.seq != expected) {
            check.ok = false;
            check.first_bad_seq = expected;
            check.problem = e.seq > expected ? "entry missing (sequence jumps to " + std::to_string(e.seq) + ")"
                                             : "sequence out of order";
            return false;
        }
        auto const want = chain_hash(prev, e);
        if (want != e.hash) {
            check.ok = false;
            check.first_bad_seq = e.seq;
            check.problem = "hash does not match the entry and its predecessor";
            return false;
        }
        prev = e.hash;
        ++expected;
        ++check.checked;
        return true;
    });
    return check;
}

namespace {
constexpr char const* kPermission = core::perm::audit_read;
}

Result<AuditPage> AuditTrail::search(Actor const& actor, AuditQuery query) {
    TRY_VOID(require(actor, kPermission));
    if (query.from && query.to) {
        if (*query.to <= *query.from) return invalid_field("to", "must be after from");
        if (query.to->ms - query.from->ms > kMaxAuditRangeDays * 86'400'000)
            return invalid_field("to", "a search may span at most " + std::to_string(kMaxAuditRangeDays) + " days");
    }
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
    return verify_chain(store_);
}

}  // namespace hrms::app
