#pragma once
// Every setting of the server, in sections: each section's type lives beside what it configures
// (http::HttpConfig, app::AuthPolicy, app::ReviewPolicy, realtime::WsConfig, ...) and each use
// case receives only its own. Loaded here: defaults, then hrms.toml (if any), then HRMS_*
// environment variables; each setting is documented in docs/operations.md.
#include <optional>
#include <map>
#include <string>
#include <vector>

#include "hrms/app/auth.hpp"
#include "hrms/app/bulk.hpp"
#include "hrms/app/reports.hpp"
#include "hrms/app/email.hpp"
#include "hrms/app/login_throttle.hpp"
#include "hrms/app/profiles.hpp"
#include "hrms/app/users.hpp"
#include "hrms/audit/writer.hpp"
#include "hrms/http/config.hpp"
#include "hrms/realtime/ws_service.hpp"

namespace hrms::cli {

// Email (app/email.hpp, email/): providers, sender identity, templates, the sender's policy.
struct EmailConfig {
    std::string providers = "file";  // the order they are tried in
    std::string smtp_url;            // smtp://host:port or smtps://host:port
    std::string smtp_username;
    std::string smtp_password;
    bool smtp_require_tls = false;  // smtp_starttls = "required" (default "try")
    double smtp_timeout_s = 30;
    std::string sendgrid_api_key;
    std::string sendgrid_base_url = "https://api.sendgrid.com";
    std::string ses_region;
    std::string ses_access_key_id;
    std::string ses_secret_access_key;
    std::string ses_endpoint;  // default https://email.<region>.amazonaws.com
    std::string sendgrid_webhook_public_key;  // base64 DER of SendGrid's P-256 verification key
    std::string ses_sns_cert_file;            // PEM of the SNS signing certificate
    std::string ses_sns_topic_arns;           // comma-separated topics whose notifications are accepted
    std::string from = "noreply@hrms.localhost";
    std::string from_name = "hrms";
    std::string public_url;    // links in mail; default http://<listen>
    std::string template_dir;  // overrides of templates/email/*.mustache
    std::string brand_color = "#2563eb";
    std::string brand_logo_url;
    std::string brand_footer = "You receive this message because of your account with us.";
    double poll_interval_s = 1;  // how often the outbox is looked at
    app::SenderPolicy sender;
};

struct Config {
    // The settings given (hrms.toml, then the environment), by environment name, as written;
    // the rest are at their defaults. Secrets among them: secret_setting().
    std::map<std::string, std::string> given;
    std::string data_dir = "./var";
    std::string database_url;  // default sqlite://$data_dir/hrms.db
    int db_pool_size = 0;      // readers (SQLite) or connections (PostgreSQL); 0: worker_threads
    std::string admin_email;
    std::string admin_password;
    bool dev_mode = false;
    std::string log_level = "info";
    // Addresses that may read /metrics without a token (CIDR list); unset: loopback when no
    // proxy is trusted, nobody when one is (every request would look like the proxy's).
    std::optional<std::string> metrics_allow;
    double sla_scan_interval_s = 60;  // how often reviews past escalate_after are looked for
    double reminder_interval_s = 300;  // how often reviews past reminder_after are looked for
    double job_lease_s = 30;          // a cluster-wide job's lease: max(this, 2 x its interval)
    std::string test_clock_file;      // dev mode only: the clock is moved by the seconds it holds
    std::string audit_key_file;       // the audit chain's signing key; default data_dir/audit-signing.key
    double audit_checkpoint_interval_s = 60;  // how often the chain's head is signed
    double audit_retention_days = 0;          // 0: keep the audit trail forever
    double audit_retention_interval_s = 3600;  // how often the retention job looks
    double bulk_interval_s = 5;  // how often bulk.run looks for jobs without a live claim
    double report_interval_s = 60;  // how often reports.schedule looks for due schedules
    // TrueType fonts PDF reports embed (regular and bold): DejaVu Sans from fonts-dejavu-core.
    std::string report_font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    std::string report_bold_font = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

    http::HttpConfig http;
    app::AuthPolicy auth;
    app::LoginThrottle::Limits throttle;  // its window is auth.login_lockout_s
    app::InvitePolicy invites;
    app::ReviewPolicy review;
    realtime::WsConfig ws;
    audit::WriterOptions audit;
    EmailConfig email;
    app::BulkPolicy bulk;
    app::ReportPolicy reports;

    // The configured SQLite URL for the data dir when none was given.
    std::string effective_database_url() const {
        return database_url.empty() ? "sqlite://" + data_dir + "/hrms.db" : database_url;
    }
    int effective_db_pool_size() const { return db_pool_size > 0 ? db_pool_size : http.effective_worker_threads(); }
    // The CIDR list of addresses that may read /metrics without a token.
    std::string effective_metrics_allow() const {
        if (metrics_allow) return *metrics_allow;
        return http.trusted_proxies.empty() ? "127.0.0.0/8,::1/128" : "";
    }
};

struct SettingDoc {
    std::string env;   // HRMS_LISTEN
    std::string toml;  // listen
};

// Reads `toml_path` when it is non-empty (or ./hrms.toml when that exists), then the
// environment. Throws std::runtime_error naming the setting for any bad value or unknown key.
Config load_config(std::string const& toml_path);

// True for a setting whose value must never be shown or logged (passwords, keys, a database
// URL that may carry a password).
bool secret_setting(std::string_view env_name);

// Every setting's environment name, in documentation order (checked against
// docs/operations.md by a test).
std::vector<SettingDoc> setting_names();

}  // namespace hrms::cli
