#pragma once
// The audit entry and its vocabulary, and the canonical form the hash chain covers. Pure: the
// hash itself (SHA-256) is app/audit_chain.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hrms/core/time.hpp"

namespace hrms::core {

// What kind of fact an entry records: a request or WebSocket connection (access), a decision on
// a profile or document, an administrative change, a security event, the server itself, or a
// background job.
enum class AuditCategory { access, decision, admin, security, system, job };
enum class AuditLevel { info, warning, critical };
// success: done; failure: refused for a reason of the request (4xx); denied: refused for who is
// asking (401, 403); error: the server failed (5xx, an exception).
enum class AuditOutcome { success, failure, denied, error };

char const* to_string(AuditCategory c);
char const* to_string(AuditLevel l);
char const* to_string(AuditOutcome o);
std::optional<AuditCategory> parse_audit_category(std::string_view text);
std::optional<AuditLevel> parse_audit_level(std::string_view text);
std::optional<AuditOutcome> parse_audit_outcome(std::string_view text);

// The outcome an HTTP status stands for.
AuditOutcome outcome_for_status(int status);

// One entry. Empty strings are "not given"; before/after/details hold JSON text or nothing.
struct AuditEntry {
    std::int64_t seq = 0;  // its place in the chain; 0 until sealed
    Instant time;
    AuditCategory category = AuditCategory::access;
    AuditLevel level = AuditLevel::info;
    std::string action;  // "http.request", "ws.connect", "profile.approve", "user.suspend", ...
    AuditOutcome outcome = AuditOutcome::success;
    std::optional<std::int64_t> actor_id;
    std::string session_id;  // a sign-in session's public id, never its token
    std::string request_id;
    std::string ip;
    std::string user_agent;
    std::string method;
    std::string route;  // the route template: /api/v1/profiles/{id}
    std::string path;   // the path as requested, without the query
    int status = 0;
    std::int64_t latency_us = 0;
    std::int64_t bytes_in = 0;
    std::int64_t bytes_out = 0;
    bool slow = false;  // slower than HRMS_SLOW_REQUEST_MS
    std::string target_type;  // "profile", "document", "user", "role"
    std::string target_id;
    std::string reason;
    std::string before;   // JSON
    std::string after;    // JSON
    std::string details;  // JSON
    std::string hash;     // hex SHA-256(prev hash || canonical form); empty until sealed
    std::int64_t pending_id = 0;  // the domain entry's row before it was sealed (0: access)
};

// The bytes the chain hashes for `e`: every field but the hash, in a fixed order, each as
// "<length>:<bytes>" (and "-" for an absent actor), so no two entries share a form.
std::string canonical_form(AuditEntry const& e);
// The same, appended to `out`.
void canonical_form_into(std::string& out, AuditEntry const& e);

}  // namespace hrms::core
