#include "hrms/app/auth.hpp"

#include <algorithm>
#include <cmath>

#include "hrms/app/audit.hpp"
#include "hrms/app/security.hpp"
#include "hrms/app/crypto.hpp"
#include "hrms/app/log.hpp"
#include "hrms/core/accounts.hpp"
#include "hrms/core/text.hpp"

namespace hrms::app {

namespace {
std::unexpected<Error> bad_credentials() {
    return fail(ErrorCode::unauthenticated, "invalid email or password");
}
std::unexpected<Error> retry_later(std::string message, double seconds) {
    return fail(ErrorCode::rate_limited, std::move(message),
                "{\"retry_after_s\":" + std::to_string(static_cast<long long>(std::max(1.0, std::ceil(seconds)))) +
                    "}");
}
// One answer for every email while it is throttled, known or not.
std::unexpected<Error> too_many_failures(double seconds) {
    return retry_later("too many failed logins; try again later", seconds);
}
}  // namespace

Auth::Auth(Store& store, Clock const& clock, AuthPolicy const& policy, RoleCatalog& roles,
           LoginThrottle& throttle, SecurityMonitor* security, Mailer const* mailer)
    : security_(security), mailer_(mailer), store_(store), clock_(clock), policy_(policy), roles_(roles), throttle_(throttle),
      dummy_hash_(hash_password(random_token())) {}

void Auth::report_failure(LoginInput const& input, std::string const& email, std::optional<UserId> user) {
    if (!security_) return;
    // A security event: repeated failures from this address or against this email raise its
    // level (and a critical one alerts the admins).
    SecuritySignal s{SecurityEvent::login_failed, email, {}};
    auto& r = s.request;
    r.ip = input.ip;
    r.request_id = input.request_id;
    r.user_agent = core::clip_utf8(input.user_agent, 512);
    r.method = "POST";
    r.route = r.path = "/api/v1/auth/login";
    r.status = 401;
    if (user) {
        r.target_type = "user";
        r.target_id = std::to_string(*user);
    }
    security_->report(s);
}

Result<LoginResult> Auth::login(LoginInput const& input) {
    auto const now = clock_.now();
    if (double wait = throttle_.admit(input.ip, now); wait > 0)
        return retry_later("too many login attempts from this address", wait);
    auto const email = TRY(core::normalize_email(input.email));
    if (input.password.empty()) return invalid_field("password", "password is required");

    // Everything below treats known and unknown emails alike (the same reads, one password
    // verification, the same writes and answers), so that no answer tells whether an account
    // exists. Failures are counted per email and address: an attacker elsewhere slows only
    // themselves, and only failures from many addresses lock the email everywhere.
    auto const key = sha256_hex("login:" + email);
    auto const since = now.plus_seconds(-policy_.login_lockout_s);
    std::optional<UserRecord> user;
    bool failed_before = false;  // from this address, within the window: forgotten on success
    {
        auto tx = store_.begin(TxMode::read);
        user = tx->users().by_email(email);
        if (tx->users().login_failure_addresses(key, since) >= policy_.login_lock_addresses)
            return too_many_failures(policy_.login_lockout_s);
        auto const f = tx->users().login_failures(key, input.ip, since);
        failed_before = f.has_value();
        if (f && f->failures >= policy_.login_max_failures) {
            double delay = policy_.login_backoff_s *
                           std::pow(2.0, std::min(f->failures - policy_.login_max_failures, 40));
            delay = std::min(delay, policy_.login_lockout_s);
            double const left = delay - static_cast<double>(now.ms - f->last_at.ms) / 1000;
            if (left > 0) return too_many_failures(left);
        }
    }
    // The hash takes tens of milliseconds: never while holding a transaction.
    bool const has_password = user && user->password_hash;
    bool const ok = verify_password(input.password, has_password ? *user->password_hash : dummy_hash_);
    // A suspended (or invited) account answers like a wrong password: a right one is not confirmed.
    if (!ok || !has_password || user->status != core::UserStatus::active) {
        auto tx = store_.begin(TxMode::write);
        tx->users().record_login_failure(key, input.ip, now, since);
        notify_if_locked(*tx, user, key, since);
        tx->commit();
        tx.reset();  // report() may write an alert: never while holding the writer
        report_failure(input, email, user ? std::optional<UserId>(user->id) : std::nullopt);
        throttle_.record_failure(input.ip, now);
        return bad_credentials();
    }

    auto tx = store_.begin(TxMode::write);
    auto fresh = tx->users().by_id(user->id);
    if (!fresh || fresh->status != core::UserStatus::active) return bad_credentials();
    if (failed_before) tx->users().clear_login_failures(key, input.ip);

    LoginResult result;
    result.token = random_token();
    result.csrf = random_token(24);
    result.expires_at = now.plus_seconds(policy_.session_ttl_s);
    SessionRecord s;
    s.token_hash = sha256_hex(result.token);
    s.user_id = fresh->id;
    s.csrf = result.csrf;
    s.created_at = s.last_seen_at = now;
    s.expires_at = result.expires_at;
    s.ip = input.ip;
    s.user_agent = core::clip_utf8(input.user_agent, 512);  // stored as text: valid UTF-8 only
    tx->sessions().insert(s);
    tx->commit();
    result.user = std::move(*fresh);
    return result;
}

Result<Actor> Auth::authenticate(std::string const& token) {
    if (token.empty() || token.size() > 256)
        return fail(ErrorCode::unauthenticated, "invalid or expired token");
    auto const hash = sha256_hex(token);
    auto const now = clock_.now();
    auto tx = store_.begin(TxMode::read);
    auto view = tx->sessions().by_hash(hash);
    auto const created = view ? created_if_unexpired(view->session, now) : std::nullopt;
    if (!created) return fail(ErrorCode::unauthenticated, "invalid or expired token");
    if (view->user.status != core::UserStatus::active)
        return fail(ErrorCode::unauthenticated, "account is not active");

    Actor actor;
    actor.permissions = roles_.permissions_for(view->user.roles, view->roles_version, *tx);
    tx.reset();
    actor.id = view->user.id;
    actor.email = std::move(view->user.email);
    actor.name = std::move(view->user.name);
    actor.roles = std::move(view->user.roles);
    actor.token_hash = hash;
    actor.csrf = std::move(view->session.csrf);

    // Sliding renewal, written rarely so that reads stay reads.
    if (view->session.last_seen_at.plus_seconds(policy_.session_renew_after_s) <= now) {
        auto renewed = now.plus_seconds(policy_.session_ttl_s);
        auto const cap = created->plus_seconds(policy_.session_max_age_s);
        if (cap < renewed) renewed = cap;
        auto wtx = store_.begin(TxMode::write);
        wtx->sessions().touch(hash, renewed, now);
        wtx->commit();
    }
    return actor;
}

std::optional<Instant> Auth::created_if_unexpired(SessionRecord const& s, Instant now) const {
    if (s.expires_at <= now || s.created_at.plus_seconds(policy_.session_max_age_s) <= now) return std::nullopt;
    return s.created_at;
}

std::vector<Auth::Ended> Auth::ended_sessions(std::vector<std::string> const& token_hashes) {
    std::vector<Ended> out;
    if (token_hashes.empty()) return out;
    auto const now = clock_.now();
    auto tx = store_.begin(TxMode::read);
    for (auto const& hash : token_hashes) {
        auto view = tx->sessions().by_hash(hash);
        if (!view || !created_if_unexpired(view->session, now)) {
            out.push_back({hash, false});
        } else if (view->user.status != core::UserStatus::active) {
            out.push_back({hash, true});
        }
    }
    return out;
}

Result<void> Auth::logout(Actor const& actor) {
    auto tx = store_.begin(TxMode::write, context_of(actor));
    tx->sessions().remove(actor.token_hash);
    tx->commit();
    return {};
}

Result<std::int64_t> Auth::logout_everywhere(Actor const& actor) {
    auto tx = store_.begin(TxMode::write, context_of(actor));
    auto const ended = tx->sessions().end_all(actor.id);
    auto entry = domain_entry(clock_.now(), core::AuditCategory::security, "user.sessions_ended", "user",
                              std::to_string(actor.id));
    entry.details = json_members({{"sessions", std::to_string(ended)}, {"by", "\"self\""}});
    tx->audit().record(std::move(entry));
    tx->commit();
    return ended;
}

// The owner of an account that this failure just locked (the HRMS_LOGIN_LOCK_ADDRESSES-th
// failing address) hears of it by mail, once per lock: essential mail.
void Auth::notify_if_locked(Tx& tx, std::optional<UserRecord> const& user, std::string const& key, Instant since) {
    if (!mailer_ || !user || user->status != core::UserStatus::active) return;
    if (tx.users().login_failure_addresses(key, since) != policy_.login_lock_addresses) return;
    auto const minutes = std::to_string(static_cast<long long>(std::ceil(policy_.login_lockout_s / 60)));
    auto queued = mailer_->queue(tx, "account_locked", {user->email, user->name, user->id}, {{"lock_minutes", minutes}},
                                 /*essential=*/true);
    if (!queued) log::error("email.notice_not_queued", {log::str("kind", "account_locked"), log::str("why", queued.error().message)});
}

Result<void> Auth::request_password_reset(std::string const& email_in, std::string const& ip) {
    auto const now = clock_.now();
    if (double wait = throttle_.admit(ip, now); wait > 0)
        return retry_later("too many requests from this address", wait);
    auto const email = TRY(core::normalize_email(email_in));
    if (!mailer_) return {};
    auto tx = store_.begin(TxMode::write);
    auto const user = tx->users().by_email(email);
    if (!user || user->status != core::UserStatus::active) return {};  // the same answer: nothing tells
    auto const token = random_token();
    InviteRecord reset{sha256_hex(token), user->id, now.plus_seconds(policy_.password_reset_ttl_s), std::nullopt};
    tx->sessions().insert_invite(reset, now);
    TRY(mailer_->queue(*tx, "password_reset", {user->email, user->name, user->id},
                       {{"reset_url", mailer_->identity().public_url + "/reset-password#token=" + token},
                        {"expires_at", to_rfc3339(reset.expires_at)}},
                       /*essential=*/true));
    auto entry = domain_entry(now, core::AuditCategory::security, "user.password_reset_requested", "user",
                              std::to_string(user->id));
    entry.ip = ip;
    tx->audit().record(std::move(entry));
    tx->commit();
    return {};
}

Result<void> Auth::accept_invite(std::string const& token, std::string const& new_password) {
    if (token.empty()) return invalid_field("token", "token is required");
    auto const hash = sha256_hex(token);
    auto const now = clock_.now();
    std::optional<UserRecord> user;
    {
        auto tx = store_.begin(TxMode::read);
        auto invite = tx->sessions().invite_by_hash(hash);
        if (!invite || invite->used_at)
            return fail(ErrorCode::unauthenticated, "invite token is invalid or already used");
        if (invite->expires_at <= now)
            return fail(ErrorCode::unauthenticated, "invite token has expired");
        user = tx->users().by_id(invite->user_id);
        if (!user) return fail(ErrorCode::unauthenticated, "invite token is invalid");
    }
    TRY_VOID(core::check_password_policy(new_password, user->email, "new_password"));
    auto const phc = hash_password(new_password);

    auto tx = store_.begin(TxMode::write);
    auto invite = tx->sessions().invite_by_hash(hash);  // re-checked: single use even under a race
    if (!invite || invite->used_at)
        return fail(ErrorCode::unauthenticated, "invite token is invalid or already used");
    tx->sessions().mark_invite_used(hash, now);
    tx->users().set_password(user->id, phc, now);
    bool const reset = user->status != core::UserStatus::invited;
    if (!reset) tx->users().set_status(user->id, core::UserStatus::active, now);
    // A password reset ends every session: whoever knew the old password is signed out.
    if (reset) tx->sessions().end_all(user->id);
    auto entry = domain_entry(now, core::AuditCategory::security, reset ? "user.password_reset" : "user.invite_accepted",
                              "user", std::to_string(user->id));
    entry.actor_id = user->id;
    entry.before = json_members({{"status", json_quote(core::to_string(user->status))}});
    entry.after = json_members({{"status", json_quote(reset ? core::to_string(user->status) : "active")}});
    tx->audit().record(std::move(entry));
    tx->commit();
    return {};
}

}  // namespace hrms::app
