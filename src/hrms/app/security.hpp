#pragma once
// Security events: every refusal that may be an attack becomes a `security` audit entry whose
// level rises with repetition, from one address or against one account, within a window; a
// `critical` one alerts the admins live (admin.security_alert on the role:admin channel),
// at most once per source per minute.
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "hrms/app/audit.hpp"

namespace hrms::app {

enum class SecurityEvent {
    login_failed,       // a wrong email or password (auth.login_failed)
    invalid_token,      // a bearer token or session cookie that is unknown, expired or logged out
    permission_denied,  // 403 for lack of a permission (authz.denied)
    csrf_failed,        // a cookie session's unsafe request without the right X-CSRF-Token
    rate_limited,       // 429 (login throttling, WebSocket message rate)
    upload_refused,     // an upload refused for its size or sniffed type
    invalid_utf8,       // a query parameter or form field that is not valid UTF-8
    self_review,        // someone deciding their own profile or documents
    webhook_signature,  // a provider webhook whose signature, timestamp or topic does not check out
};

// The entry's action: "auth.login_failed", "auth.invalid_token", "authz.denied", ...
char const* to_string(SecurityEvent e);

// What happened, against which account, and where it came from: `request` is the request (or
// WebSocket session) as its access entry records it (actor, session, request id, IP, user agent,
// method, route, path, status, target); the monitor makes the security entry from it.
struct SecuritySignal {
    SecurityEvent event = SecurityEvent::invalid_token;
    std::string account;  // the account aimed at: a login's email, or a user id
    AuditEntry request;
};

// When repetition raises the level: within `window_s`, `warning_after` events from one address
// (or against one account) make the next ones `warning`, `critical_after` make them `critical`.
struct SecurityPolicy {
    double window_s = 600;
    int warning_after = 5;
    int critical_after = 20;
    double alert_every_s = 60;  // per source
};

class SecurityMonitor {
public:
    SecurityMonitor(Store& store, Clock const& clock, AccessLog& log, SecurityPolicy policy = {});

    // Records `signal` as a security entry (through the audit writer) with the level its
    // repetition earns, and alerts the admins when it is critical: that writes a transaction, so
    // never call this while holding one. Returns the level given.
    core::AuditLevel report(SecuritySignal const& signal);

    // Alerts sent since start (for tests and metrics).
    std::int64_t alerts() const;

private:
    // Counts the event for `key` at `now`; how many fell within the window.
    int count(std::string const& key, Instant now);
    void alert(SecuritySignal const& s, std::string const& source, int hits, Instant now);

    Store& store_;
    Clock const& clock_;
    AccessLog& log_;
    SecurityPolicy policy_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::deque<Instant>> hits_;  // "ip:..." / "account:..."
    std::unordered_map<std::string, Instant> alerted_;           // source -> last alert
    std::int64_t alerts_ = 0;
};

}  // namespace hrms::app
