#include "hrms/app/security.hpp"

#include "hrms/app/log.hpp"
#include "hrms/app/notices.hpp"

namespace hrms::app {

char const* to_string(SecurityEvent e) {
    switch (e) {
        case SecurityEvent::login_failed: return "auth.login_failed";
        case SecurityEvent::invalid_token: return "auth.invalid_token";
        case SecurityEvent::permission_denied: return "authz.denied";
        case SecurityEvent::csrf_failed: return "auth.csrf_failed";
        case SecurityEvent::rate_limited: return "http.rate_limited";
        case SecurityEvent::upload_refused: return "upload.refused";
        case SecurityEvent::invalid_utf8: return "input.invalid_utf8";
        case SecurityEvent::self_review: return "decision.self_review";
        case SecurityEvent::webhook_signature: return "webhook.bad_signature";
    }
    return "security";
}

namespace {
// Keys kept at most; beyond, expired ones are swept, and if that is not enough (a flood from
// very many addresses) the counts start over rather than grow without bound.
constexpr std::size_t kMaxKeys = 50'000;
}  // namespace

SecurityMonitor::SecurityMonitor(Store& store, Clock const& clock, AccessLog& log, SecurityPolicy policy)
    : store_(store), clock_(clock), log_(log), policy_(policy) {}

int SecurityMonitor::count(std::string const& key, Instant now) {
    auto const since = now.plus_seconds(-policy_.window_s);
    if (hits_.size() >= kMaxKeys && !hits_.contains(key)) {
        for (auto it = hits_.begin(); it != hits_.end();) {
            it = (it->second.empty() || it->second.back() < since) ? hits_.erase(it) : std::next(it);
        }
        if (hits_.size() >= kMaxKeys) {
            log::warn("security.counts_reset", {log::num("keys", static_cast<long long>(hits_.size()))});
            hits_.clear();
        }
    }
    auto& q = hits_[key];
    while (!q.empty() && q.front() < since) q.pop_front();
    q.push_back(now);
    // Only the threshold matters beyond it: keep the deque short.
    while (static_cast<int>(q.size()) > policy_.critical_after * 2) q.pop_front();
    return static_cast<int>(q.size());
}

core::AuditLevel SecurityMonitor::report(SecuritySignal const& s) {
    auto const now = clock_.now();
    int by_ip = 0, by_account = 0;
    std::string source;
    bool alert_now = false;
    core::AuditLevel level = core::AuditLevel::info;
    {
        std::lock_guard lock(mutex_);
        auto const& ip = s.request.ip;
        if (!ip.empty()) by_ip = count("ip:" + ip, now);
        if (!s.account.empty()) by_account = count("account:" + s.account, now);
        int const worst = std::max(by_ip, by_account);
        source = by_account > by_ip ? "account " + s.account : "address " + ip;
        if (worst > policy_.critical_after) level = core::AuditLevel::critical;
        else if (worst > policy_.warning_after) level = core::AuditLevel::warning;
        if (level == core::AuditLevel::critical) {
            auto it = alerted_.find(source);
            if (it == alerted_.end() || now.ms - it->second.ms >= static_cast<std::int64_t>(policy_.alert_every_s * 1000)) {
                if (alerted_.size() >= kMaxKeys) alerted_.clear();
                alerted_[source] = now;
                alert_now = true;
                ++alerts_;
            }
        }
    }
    AuditEntry e = s.request;
    e.time = now;
    e.category = core::AuditCategory::security;
    e.level = level;
    e.action = to_string(s.event);
    e.outcome = e.status == 401 || e.status == 403 || s.event == SecurityEvent::login_failed
                    ? core::AuditOutcome::denied
                    : core::AuditOutcome::failure;
    e.latency_us = e.bytes_in = e.bytes_out = 0;
    e.slow = false;
    e.details = json_members({{"from_address", std::to_string(by_ip)},
                              {"against_account", std::to_string(by_account)},
                              {"window_s", std::to_string(static_cast<long long>(policy_.window_s))},
                              {"account", s.account.empty() ? "null" : json_quote(s.account)}});
    log_.record(std::move(e));
    if (alert_now) alert(s, source, std::max(by_ip, by_account), now);
    return level;
}

void SecurityMonitor::alert(SecuritySignal const& s, std::string const& source, int hits, Instant now) {
    try {
        auto tx = store_.begin(TxMode::write);
        notify(*tx, security_alert(to_string(s.event), source, hits, policy_.window_s, s.request.ip), now);
        tx->commit();
        log::warn("security.alert", {log::str("security_event", to_string(s.event)), log::str("source", source),
                                     log::num("count", static_cast<long long>(hits))});
    } catch (std::exception const& e) {
        log::error("security.alert_failed", {log::str("what", log::what(e))});
    }
}

std::int64_t SecurityMonitor::alerts() const {
    std::lock_guard lock(mutex_);
    return alerts_;
}

}  // namespace hrms::app
