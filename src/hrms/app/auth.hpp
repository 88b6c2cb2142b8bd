#pragma once
// Login, token authentication with sliding expiry, logout and invite acceptance.
#include <string>

#include "hrms/app/actor.hpp"
#include "hrms/app/email.hpp"
#include "hrms/app/login_throttle.hpp"
#include "hrms/app/ports.hpp"
#include "hrms/app/role_catalog.hpp"
#include "hrms/core/error.hpp"

namespace hrms::app {

// Sign-in sessions and login failures (HRMS_SESSION_*, HRMS_LOGIN_*).
struct AuthPolicy {
    double session_ttl_s = 8 * 3600;           // idle lifetime, renewed on use
    double session_max_age_s = 7 * 24 * 3600;  // absolute lifetime
    double session_renew_after_s = 60;         // write the renewal at most this often
    int login_max_failures = 5;                // per email and address, then growing delays
    double login_backoff_s = 1;                // the first delay; doubles with each further failure
    double login_lockout_s = 900;              // the longest delay, and how long a lock lasts
    int login_lock_addresses = 10;             // distinct failing addresses that lock an email
    double password_reset_ttl_s = 3600;        // how long a password reset link works
};

class SecurityMonitor;

struct LoginInput {
    std::string email;
    std::string password;
    std::string ip;
    std::string user_agent;
    std::string request_id;  // for the security entry of a failure
};

struct LoginResult {
    std::string token;  // shown once; only its SHA-256 is stored
    std::string csrf;
    Instant expires_at;
    UserRecord user;
};

class Auth {
public:
    // `security` (may be null) hears of every failed login; `mailer` (may be null) sends
    // password reset links and tells an account's owner when it is locked.
    Auth(Store& store, Clock const& clock, AuthPolicy const& policy, RoleCatalog& roles, LoginThrottle& throttle,
         SecurityMonitor* security = nullptr, Mailer const* mailer = nullptr);

    AuthPolicy const& policy() const { return policy_; }

    // A new session, or unauthenticated (wrong email or password, or an account that is not
    // active: the same answer), rate_limited (this address is throttled, or failures for this
    // email from this address or from HRMS_LOGIN_LOCK_ADDRESSES addresses; details carry
    // retry_after_s). Known and unknown emails get the same answers.
    Result<LoginResult> login(LoginInput const& input);

    // The actor behind a bearer or cookie token, renewing the session's idle expiry at most
    // once per renew interval; unauthenticated for unknown, expired or logged-out tokens.
    Result<Actor> authenticate(std::string const& token);

    // Ends the actor's current session.
    Result<void> logout(Actor const& actor);
    // Ends every session of the actor's account ("sign out everywhere"): their sockets close
    // with 4001. Returns how many ended (the current one included).
    Result<std::int64_t> logout_everywhere(Actor const& actor);

    // Of the given session token hashes, those that no longer authenticate: logged out, expired
    // (idle or absolute) or of an account that is not active (`inactive` then). For long-lived
    // connections, which authenticated once. Reads only (renews nothing).
    struct Ended {
        std::string token_hash;
        bool inactive = false;
    };
    std::vector<Ended> ended_sessions(std::vector<std::string> const& token_hashes);

    // Sets the password of an invited user from a single-use invite token; unauthenticated
    // when the token is unknown, used or expired; validation_failed for a weak password.
    Result<void> accept_invite(std::string const& token, std::string const& new_password);

    // Mails a single-use link that sets a new password (through accept_invite, which then ends
    // every session of the account) to an active account with this email. The same answer
    // whether or not there is one; rate_limited per address like logins; validation_failed
    // for a malformed email.
    Result<void> request_password_reset(std::string const& email, std::string const& ip);

private:
    void notify_if_locked(Tx& tx, std::optional<UserRecord> const& user, std::string const& key, Instant since);
    // Tells the security monitor of a failed login (never while holding a transaction).
    void report_failure(LoginInput const& input, std::string const& email, std::optional<UserId> user);
    // When the stored session was created, if it still authenticates at `now` (neither its idle
    // nor its absolute lifetime is over; its account's status is not looked at); else nullopt.
    std::optional<Instant> created_if_unexpired(SessionRecord const& s, Instant now) const;

    SecurityMonitor* security_;
    Mailer const* mailer_;
    Store& store_;
    Clock const& clock_;
    AuthPolicy const& policy_;
    RoleCatalog& roles_;
    LoginThrottle& throttle_;
    std::string dummy_hash_;  // verified against for unknown emails, so timing does not tell
};

}  // namespace hrms::app
