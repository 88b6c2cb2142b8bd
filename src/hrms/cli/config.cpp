#include "hrms/cli/config.hpp"

#include "hrms/core/time_zone.hpp"

#include <toml.hpp>

#include "hrms/core/mime.hpp"
#include "hrms/core/net.hpp"
#include "hrms/core/text.hpp"

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <stdexcept>

namespace hrms::cli {

namespace {

using Setter = std::function<void(Config&, std::string const&)>;

struct Setting {
    char const* key;  // toml key; the variable is HRMS_ + upper(key)
    Setter set;
};

// The environment variable of a setting: HRMS_ + upper(key).
std::string env_name(char const* key) {
    std::string out = "HRMS_";
    for (char const* p = key; *p; ++p) out.push_back(static_cast<char>(std::toupper(*p)));
    return out;
}

[[noreturn]] void bad(std::string const& key, std::string const& why) {
    throw std::runtime_error("setting " + key + ": " + why);
}

double to_double(std::string const& key, std::string const& v, double min) {
    double out = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc{} || p != v.data() + v.size()) bad(key, "'" + v + "' is not a number");
    if (out < min) bad(key, "must be at least " + std::to_string(min));
    return out;
}

long long to_int(std::string const& key, std::string const& v, long long min) {
    long long out = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc{} || p != v.data() + v.size()) bad(key, "'" + v + "' is not an integer");
    if (out < min) bad(key, "must be at least " + std::to_string(min));
    return out;
}

bool to_bool(std::string const& key, std::string const& v) {
    if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
    if (v == "0" || v == "false" || v == "no" || v == "off" || v.empty()) return false;
    bad(key, "'" + v + "' is not a boolean (use 1 or 0)");
}

// "name:number,name:number" (per-provider limits): each name once, each number above 0.
std::map<std::string, double> provider_numbers(std::string const& key, std::string const& v) {
    std::map<std::string, double> out;
    for (auto const piece : core::split_trimmed(v, ',')) {
        if (piece.empty()) continue;
        std::string const item(piece);
        auto const colon = item.find(':');
        if (colon == std::string::npos) bad(key, "'" + item + "' is not provider:number");
        std::string const name(core::trim(std::string_view(item).substr(0, colon)));
        if (name.empty() || out.contains(name)) bad(key, "'" + item + "' names no provider or one named before");
        auto const n = to_double(key, item.substr(colon + 1), 0);
        if (n <= 0) bad(key, "'" + item + "' must be above 0");
        out[name] = n;
    }
    return out;
}

// A setting's field, reached from the whole Config: FIELD(http.listen).
#define FIELD(path) [](Config& c) -> auto& { return c.path; }

template <class F>
Setting str(char const* key, F field) {
    return {key, [field](Config& c, std::string const& v) { field(c) = v; }};
}
template <class F>
Setting dbl(char const* key, F field, double min = 0) {
    return {key, [key, field, min](Config& c, std::string const& v) { field(c) = to_double(key, v, min); }};
}
template <class F>
Setting integer(char const* key, F field, long long min = 0) {
    return {key, [key, field, min](Config& c, std::string const& v) {
                field(c) = static_cast<int>(to_int(key, v, min));
            }};
}
template <class F>
Setting size(char const* key, F field, long long min = 1) {
    return {key, [key, field, min](Config& c, std::string const& v) {
                field(c) = static_cast<std::size_t>(to_int(key, v, min));
            }};
}
template <class F>
Setting boolean(char const* key, F field) {
    return {key, [key, field](Config& c, std::string const& v) { field(c) = to_bool(key, v); }};
}

// A CIDR list, checked when it is read so that a typo stops the server instead of silently
// trusting nobody (or everybody).
Setting cidrs(char const* key, std::function<void(Config&, std::string const&)> assign) {
    return {key, [key, assign](Config& c, std::string const& v) {
                if (auto r = core::parse_cidr_list(v, env_name(key)); !r) bad(key, r.error().message);
                assign(c, v);
            }};
}

std::vector<Setting> const& settings() {
    using C = Config;
    static std::vector<Setting> const kAll{
        str("listen", FIELD(http.listen)),
        str("data_dir", FIELD(data_dir)),
        str("database_url", FIELD(database_url)),
        str("admin_email", FIELD(admin_email)),
        str("admin_password", FIELD(admin_password)),
        boolean("dev_mode", FIELD(dev_mode)),
        str("log_level", FIELD(log_level)),
        integer("io_threads", FIELD(http.io_threads)),
        integer("worker_threads", FIELD(http.worker_threads)),
        integer("db_pool_size", FIELD(db_pool_size)),
        size("max_header_bytes", FIELD(http.max_header_bytes), 1024),
        size("max_body_bytes", FIELD(http.max_body_bytes), 1024),
        size("max_upload_bytes", FIELD(http.max_upload_bytes), 1024),
        dbl("http_read_timeout_s", FIELD(http.http_read_timeout_s), 0.1),
        dbl("http_idle_timeout_s", FIELD(http.http_idle_timeout_s), 0.1),
        dbl("shutdown_grace_s", FIELD(http.shutdown_grace_s), 0),
        dbl("slow_request_ms", FIELD(http.slow_request_ms), 0),
        dbl("session_ttl_s", FIELD(auth.session_ttl_s), 1),
        dbl("session_max_age_s", FIELD(auth.session_max_age_s), 1),
        dbl("session_renew_after_s", FIELD(auth.session_renew_after_s), 0),
        boolean("cookie_secure", FIELD(http.cookie_secure)),
        integer("login_max_failures", FIELD(auth.login_max_failures), 1),
        dbl("login_backoff_s", FIELD(auth.login_backoff_s), 0.001),
        dbl("login_lockout_s", FIELD(auth.login_lockout_s), 1),
        integer("login_lock_addresses", FIELD(auth.login_lock_addresses), 2),
        dbl("password_reset_ttl_s", FIELD(auth.password_reset_ttl_s), 1),
        integer("login_ip_max_failures", FIELD(throttle.max_failures), 1),
        dbl("login_rate_per_ip", FIELD(throttle.rate_per_s), 0.001),
        dbl("login_burst_per_ip", FIELD(throttle.burst), 1),
        dbl("invite_ttl_hours", FIELD(invites.invite_ttl_hours), 0.001),
        str("web_dir", FIELD(http.web_dir)),
        cidrs("trusted_proxies", [](C& c, std::string const& v) { c.http.trusted_proxies = v; }),
        cidrs("metrics_allow", [](C& c, std::string const& v) { c.metrics_allow = v; }),
        {"allow_self_review",
         [](C& c, std::string const& v) {
             c.review.self_review = to_bool("allow_self_review", v) ? app::SelfReview::allowed : app::SelfReview::refused;
         }},
        dbl("sla_hours_details", FIELD(review.sla.hours_details), 0.0001),
        dbl("sla_hours_documents", FIELD(review.sla.hours_documents), 0.0001),
        dbl("sla_hours_final", FIELD(review.sla.hours_final), 0.0001),
        dbl("reminder_after", FIELD(review.sla.reminder_after), 0),
        dbl("escalate_after", FIELD(review.sla.escalate_after), 0),
        dbl("sla_scan_interval_s", FIELD(sla_scan_interval_s), 0.05),
        dbl("reminder_interval_s", FIELD(reminder_interval_s), 0.05),
        dbl("reminder_quiet_hours", FIELD(review.reminder_quiet_hours), 0),
        dbl("job_lease_s", FIELD(job_lease_s), 0.5),
        str("test_clock_file", FIELD(test_clock_file)),
        dbl("ws_idle_timeout_s", FIELD(ws.ws_idle_timeout_s), 0.1),
        dbl("ws_cleanup_interval_s", FIELD(ws.ws_cleanup_interval_s), 0.05),
        dbl("ws_auth_timeout_s", FIELD(ws.ws_auth_timeout_s), 0.05),
        size("ws_max_message_bytes", FIELD(ws.ws_max_message_bytes), 128),
        size("ws_queue_messages", FIELD(ws.ws_queue_messages), 16),
        size("ws_queue_bytes", FIELD(ws.ws_queue_bytes), 4096),
        dbl("ws_rate_per_s", FIELD(ws.ws_rate_per_s), 0.1),
        dbl("ws_dashboard_interval_s", FIELD(ws.ws_dashboard_interval_s), 0.05),
        boolean("audit_access", FIELD(audit.access)),
        integer("audit_flush_ms", FIELD(audit.flush_interval_ms), 1),
        integer("audit_batch", FIELD(audit.batch), 1),
        integer("audit_buffer", FIELD(audit.buffer), 1),
        str("audit_key_file", FIELD(audit_key_file)),
        dbl("audit_checkpoint_interval_s", FIELD(audit_checkpoint_interval_s), 0.05),
        dbl("audit_retention_days", FIELD(audit_retention_days), 0),
        dbl("audit_retention_interval_s", FIELD(audit_retention_interval_s), 0.05),
        integer("bulk_batch_size", FIELD(bulk.batch_size), 1),
        integer("bulk_sync_limit", FIELD(bulk.sync_limit), 0),
        dbl("bulk_lease_s", FIELD(bulk.lease_s), 1),
        dbl("bulk_interval_s", FIELD(bulk_interval_s), 0.05),
        dbl("bulk_progress_interval_s", FIELD(bulk.progress_interval_s), 0),
        dbl("bulk_batch_pause_ms", FIELD(bulk.batch_pause_ms), 0),
        str("email_providers", FIELD(email.providers)),
        str("smtp_url", FIELD(email.smtp_url)),
        str("smtp_username", FIELD(email.smtp_username)),
        str("smtp_password", FIELD(email.smtp_password)),
        {"smtp_starttls",
         [](C& c, std::string const& v) {
             if (v != "try" && v != "required") bad("smtp_starttls", "'" + v + "' is neither try nor required");
             c.email.smtp_require_tls = v == "required";
         }},
        dbl("smtp_timeout_s", FIELD(email.smtp_timeout_s), 0.1),
        str("sendgrid_api_key", FIELD(email.sendgrid_api_key)),
        str("sendgrid_base_url", FIELD(email.sendgrid_base_url)),
        str("ses_region", FIELD(email.ses_region)),
        str("ses_access_key_id", FIELD(email.ses_access_key_id)),
        str("ses_secret_access_key", FIELD(email.ses_secret_access_key)),
        str("ses_endpoint", FIELD(email.ses_endpoint)),
        str("sendgrid_webhook_public_key", FIELD(email.sendgrid_webhook_public_key)),
        str("ses_sns_cert_file", FIELD(email.ses_sns_cert_file)),
        str("ses_sns_topic_arns", FIELD(email.ses_sns_topic_arns)),
        str("email_from", FIELD(email.from)),
        str("email_from_name", FIELD(email.from_name)),
        str("public_url", FIELD(email.public_url)),
        str("email_template_dir", FIELD(email.template_dir)),
        str("brand_color", FIELD(email.brand_color)),
        str("brand_logo_url", FIELD(email.brand_logo_url)),
        str("brand_footer", FIELD(email.brand_footer)),
        dbl("email_poll_interval_s", FIELD(email.poll_interval_s), 0.01),
        integer("email_batch", FIELD(email.sender.batch), 1),
        dbl("email_lease_s", FIELD(email.sender.lease_s), 1),
        integer("email_max_attempts", FIELD(email.sender.max_attempts), 1),
        dbl("email_backoff_s", FIELD(email.sender.backoff_base_s), 0.01),
        dbl("email_backoff_max_s", FIELD(email.sender.backoff_max_s), 0.01),
        dbl("email_circuit_open_s", FIELD(email.sender.circuit_open_s), 0.01),
        integer("email_circuit_failures", FIELD(email.sender.circuit_failures), 1),
        {"email_rate_limits",
         [](C& c, std::string const& v) { c.email.sender.rate_per_s = provider_numbers("email_rate_limits", v); }},
        {"report_timezone",
         [](C& c, std::string const& v) {
             if (!core::TimeZone::find(v)) bad("report_timezone", "unknown time zone '" + v + "' (an IANA name)");
             c.reports.time_zone = v;
         }},
        {"report_goal_completions_per_week",
         [](C& c, std::string const& v) {
             c.reports.goal_completions_per_week = to_double("report_goal_completions_per_week", v, 0);
         }},
        {"report_goal_median_days",
         [](C& c, std::string const& v) { c.reports.goal_median_days_to_complete = to_double("report_goal_median_days", v, 0); }},
        dbl("report_retention_days", FIELD(reports.retention_days), 0),
        integer("report_max_range_days", FIELD(reports.max_range_days), 1),
        dbl("report_interval_s", FIELD(report_interval_s), 0.05),
        dbl("report_run_lease_s", FIELD(reports.run_lease_s), 1),
        dbl("dashboard_max_age_s", FIELD(reports.dashboard_max_age_s), 0),
        str("report_font", FIELD(report_font)),
        str("report_bold_font", FIELD(report_bold_font)),
        {"email_daily_quotas",
         [](C& c, std::string const& v) {
             c.email.sender.daily_quota.clear();
             for (auto const& [name, n] : provider_numbers("email_daily_quotas", v))
                 c.email.sender.daily_quota[name] = static_cast<std::int64_t>(n);
         }},
    };
    return kAll;
}

#undef FIELD

std::string toml_text(toml::value const& v, std::string const& key) {
    if (v.is_string()) return v.as_string();
    if (v.is_integer()) return std::to_string(v.as_integer());
    if (v.is_floating()) return std::to_string(v.as_floating());
    if (v.is_boolean()) return v.as_boolean() ? "1" : "0";
    bad(key, "must be a string, number or boolean");
}

}  // namespace

Config load_config(std::string const& toml_path) {
    Config c;
    std::string path = toml_path;
    if (path.empty() && std::filesystem::exists("hrms.toml")) path = "hrms.toml";
    if (!path.empty()) {
        toml::value data;
        try {
            data = toml::parse(path);
        } catch (std::exception const& e) {
            throw std::runtime_error("cannot read " + path + ": " + e.what());
        }
        for (auto const& [key, value] : data.as_table()) {
            auto const& all = settings();
            auto it = std::find_if(all.begin(), all.end(), [&](auto const& s) { return key == s.key; });
            if (it == all.end()) throw std::runtime_error(path + ": unknown setting '" + key + "'");
            auto text = toml_text(value, key);
            it->set(c, text);
            c.given[env_name(it->key)] = std::move(text);
        }
    }
    for (auto const& s : settings()) {
        if (char const* v = std::getenv(env_name(s.key).c_str())) {
            s.set(c, v);
            c.given[env_name(s.key)] = v;
        }
    }
    if (c.auth.session_max_age_s < c.auth.session_ttl_s) c.auth.session_max_age_s = c.auth.session_ttl_s;
    c.throttle.failure_window_s = c.auth.login_lockout_s;
    // A movable clock would let anyone who can write the file expire sessions or skip login
    // delays: tests only.
    if (!c.test_clock_file.empty() && !c.dev_mode) bad("test_clock_file", "is allowed only with dev_mode");
    if (!core::valid_mail_address(c.email.from)) bad("email_from", "'" + c.email.from + "' is not an address mail can come from");
    return c;
}

bool secret_setting(std::string_view env) {
    for (std::string_view word : {"PASSWORD", "SECRET", "KEY", "TOKEN", "DATABASE_URL", "SMTP_URL"})
        if (env.find(word) != std::string_view::npos) return true;
    return false;
}

std::vector<SettingDoc> setting_names() {
    std::vector<SettingDoc> out;
    for (auto const& s : settings()) out.push_back({env_name(s.key), s.key});
    return out;
}

}  // namespace hrms::cli
