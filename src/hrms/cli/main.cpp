// hrms: the only place that wires adapters together.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <cstdio>
#include <iostream>
#include <thread>

#include "hrms/app/audit.hpp"
#include "hrms/app/auth.hpp"
#include "hrms/app/crypto.hpp"
#include "hrms/app/demo.hpp"
#include "hrms/app/log.hpp"
#include "hrms/app/roles.hpp"
#include "hrms/app/services.hpp"
#include "hrms/app/users.hpp"
#include "hrms/app/clock.hpp"
#include "hrms/cli/audit_cli.hpp"
#include "hrms/cli/config.hpp"
#include "hrms/app/audit_key.hpp"
#include "hrms/core/net.hpp"
#include "hrms/core/text.hpp"
#include "hrms/email/providers.hpp"
#include "hrms/email/templates.hpp"
#include "hrms/email/webhook_verifier.hpp"
#include "hrms/http/metrics.hpp"
#include "hrms/http/routes.hpp"
#include "hrms/http/server.hpp"
#include "hrms/jobs/runner.hpp"
#include "hrms/realtime/routes.hpp"
#include "hrms/realtime/ws_service.hpp"
#include "hrms/reports/export.hpp"
#include "hrms/store/blob_store.hpp"
#include "hrms/store/open.hpp"

namespace hrms::cli {
std::string_view openapi_yaml();
}

using namespace hrms;

namespace {

// The local part of committed effects. Invites go to the log until email exists; the token
// itself only in dev mode.
class LogEffects final : public app::EffectSink {
public:
    explicit LogEffects(bool dev_mode) : dev_mode_(dev_mode) {}
    void committed(app::TxContext const& context, app::Effects const& effects) override {
        for (auto const& invite : effects.invites) {
            auto const id = static_cast<long long>(invite.user.id);
            if (dev_mode_) {
                log::info("invite.created",
                          {log::num("user_id", id), log::str("email", invite.user.email), log::str("token", invite.token),
                           log::str("expires_at", to_rfc3339(invite.expires_at)),
                           log::str("request_id", context.request_id)});
            } else {
                log::info("invite.created", {log::num("user_id", id), log::str("email", invite.user.email),
                                             log::str("expires_at", to_rfc3339(invite.expires_at)),
                                             log::str("request_id", context.request_id)});
            }
        }
    }

private:
    bool dev_mode_;
};

reports::ExportOptions export_options(cli::Config const& config) {
    reports::ExportOptions o;
    o.font_path = config.report_font;
    o.bold_font_path = config.report_bold_font;
    o.brand_name = config.email.from_name;
    o.brand_color = config.email.brand_color;
    return o;
}

app::ReportPolicy report_policy(cli::Config const& config) {
    auto p = config.reports;
    // Absolute: run files are attached to mail by path, and read later by the sender.
    p.dir = std::filesystem::absolute(std::filesystem::path(config.data_dir) / "reports").string();
    return p;
}

app::MailIdentity mail_identity(cli::Config const& config) {
    auto const& e = config.email;
    return {e.from, e.from_name, e.public_url.empty() ? "http://" + config.http.listen : e.public_url};
}

std::vector<std::unique_ptr<app::EmailProvider>> make_email_providers(cli::Config const& config) {
    auto const& e = config.email;
    email::ProviderSettings s;
    s.order = e.providers;
    s.mail_dir = (std::filesystem::path(config.data_dir) / "mail").string();
    s.smtp = {e.smtp_url, e.smtp_username, e.smtp_password, e.smtp_require_tls, e.from, e.smtp_timeout_s};
    s.ses.region = e.ses_region;
    s.ses.access_key_id = e.ses_access_key_id;
    s.ses.secret_access_key = e.ses_secret_access_key;
    s.ses.endpoint = e.ses_endpoint;
    s.ses.from = e.from;
    s.ses.timeout_s = e.smtp_timeout_s;
    s.sendgrid.api_key = e.sendgrid_api_key;
    s.sendgrid.base_url = e.sendgrid_base_url;
    s.sendgrid.from = e.from;
    s.sendgrid.from_name = e.from_name;
    s.sendgrid.timeout_s = e.smtp_timeout_s;
    return email::make_providers(s);
}

email::WebhookSettings webhook_settings(cli::Config const& config) {
    email::WebhookSettings s;
    auto const& e = config.email;
    s.sendgrid_public_key = e.sendgrid_webhook_public_key;
    if (!e.ses_sns_cert_file.empty()) {
        std::ifstream in(e.ses_sns_cert_file);
        std::stringstream pem;
        pem << in.rdbuf();
        if (!in) throw std::runtime_error("setting HRMS_SES_SNS_CERT_FILE: cannot read " + e.ses_sns_cert_file);
        s.sns_certificate_pem = pem.str();
    }
    for (auto const topic : core::split_trimmed(e.ses_sns_topic_arns, ','))
        if (!topic.empty()) s.sns_topics.emplace_back(topic);
    s.allow_local_confirm = config.dev_mode;
    return s;
}

// This process's name on the outbox's claims.
std::string sender_name() {
    char host[256] = "";
    ::gethostname(host, sizeof host - 1);
    return std::string(host) + ":" + std::to_string(::getpid()) + ":" + app::random_token(4);
}

std::unique_ptr<app::Store> open_and_migrate(cli::Config const& config) {
    auto store = store::open_store(config.effective_database_url(), config.effective_db_pool_size());
    store::migrate(*store, [](int version, std::string const& name) {
        log::info("db.migrate", {log::num("version", static_cast<long long>(version)), log::str("name", name)});
    });
    return store;
}

// The wall clock, or in tests one they can move (HRMS_TEST_CLOCK_FILE).
std::unique_ptr<app::Clock> make_clock(cli::Config const& config) {
    if (config.test_clock_file.empty()) return std::make_unique<app::SystemClock>();
    log::warn("clock.test_file", {log::str("path", config.test_clock_file)});
    return std::make_unique<app::FileOffsetClock>(config.test_clock_file);
}

app::AuditKey load_audit_key(cli::Config const& config) {
    auto key = app::AuditKey::load_or_create(cli::audit_key_path(config));
    if (!key) throw std::runtime_error(key.error().message);
    return std::move(*key);
}

// Everything serve and the user commands share.
struct World {
    cli::Config config;
    std::unique_ptr<app::Store> store;
    std::unique_ptr<app::Clock> clock_impl;
    app::Clock const& clock;
    app::RoleCatalog role_catalog;
    app::LoginThrottle throttle;
    LogEffects effects;
    email::Templates email_templates;
    app::Mailer mailer;
    app::EmailSender email_sender;
    audit::Writer audit_writer;
    app::SecurityMonitor security;
    app::Auth auth;
    app::Users users;
    app::Roles roles;
    std::unique_ptr<app::BlobStore> blobs;
    app::Profiles profiles;
    app::Documents documents;
    app::Notifications notifications;
    app::JobAdmin job_admin;
    app::AuditKey audit_key;
    app::AuditTrail audit_trail;
    app::EmailAdmin email_admin;
    email::WebhookVerifier webhook_verifier;
    app::EmailTracking email_tracking;
    app::Bulk bulk;
    reports::Renderer report_renderer;
    app::Reports reports;
    app::Services services;

    explicit World(cli::Config c)
        : config(std::move(c)),
          store(open_and_migrate(config)),
          clock_impl(make_clock(config)),
          clock(*clock_impl),
          throttle(config.throttle),
          effects(config.dev_mode),
          email_templates(config.email.template_dir,
                          {config.email.brand_color, config.email.brand_logo_url, config.email.brand_footer}),
          mailer(email_templates, clock, mail_identity(config)),
          email_sender(*store, clock, mail_identity(config), config.email.sender, make_email_providers(config),
                       sender_name()),
          audit_writer(*store, config.audit),
          security(*store, clock, audit_writer),
          auth(*store, clock, config.auth, role_catalog, throttle, &security, &mailer),
          users(*store, clock, config.invites, &mailer),
          roles(*store, clock),
          blobs(store::open_blob_store(config.data_dir)),
          profiles(*store, clock, config.review, role_catalog, &mailer),
          documents(*store, clock, config.review.self_review, *blobs, &mailer),
          notifications(*store, clock),
          job_admin(*store, clock),
          audit_key(load_audit_key(config)),
          audit_trail(*store, audit_key.public_key()),
          email_admin(*store, clock, mailer, email_templates, &email_sender),
          webhook_verifier(webhook_settings(config)),
          email_tracking(*store, clock, webhook_verifier),
          bulk(*store, clock, config.bulk, role_catalog, profiles, users, documents, *blobs, &mailer),
          report_renderer(export_options(config)),
          reports(*store, clock, config.review.sla, report_policy(config), report_renderer, &mailer),
          services{*store,    clock,         auth,   users,     roles,       profiles,     documents,
                   notifications, *blobs,    job_admin, audit_trail, audit_writer, security, email_admin, email_tracking,
                   bulk, reports} {
        store->set_effect_sink(&effects);
    }
    ~World() { store->set_effect_sink(nullptr); }
    World(World const&) = delete;
    World& operator=(World const&) = delete;
};

// Every periodic job of the server.
void add_jobs(jobs::Runner& runner, World& w) {
    runner.add({.name = "email.send",
                .description = "Sends the outbox's due messages through HRMS_EMAIL_PROVIDERS (every process; claims never overlap).",
                .interval_s = w.config.email.poll_interval_s,
                .jitter = 0.1,
                .single_instance = false,
                .run = [&w](jobs::JobContext& ctx) -> std::int64_t { return w.email_sender.run_once(ctx.stopping); },
                .record_idle = false});
    runner.add({.name = "bulk.run",
                .description = "Runs bulk jobs too large to answer in their request, and resumes those whose runner died.",
                .interval_s = w.config.bulk_interval_s,
                .jitter = 0.1,
                .single_instance = false,
                .run = [&w](jobs::JobContext& ctx) -> std::int64_t { return w.bulk.run_pending(ctx.stopping); },
                .record_idle = false});
    runner.add({.name = "sla.escalate",
                .description = "Alerts reviewers to reviews past HRMS_ESCALATE_AFTER of their SLA budget (once each), and the admins once per sweep.",
                .interval_s = w.config.sla_scan_interval_s,
                .jitter = 0.1,
                .single_instance = true,
                .run = [&w](jobs::JobContext&) -> std::int64_t { return w.profiles.escalate_due(); }});
    runner.add({.name = "sla.remind",
                .description = "Reminds the assignee (else every reviewer) of reviews past HRMS_REMINDER_AFTER of their SLA budget, at most once per HRMS_REMINDER_QUIET_HOURS.",
                .interval_s = w.config.reminder_interval_s,
                .jitter = 0.1,
                .single_instance = true,
                .run = [&w](jobs::JobContext&) -> std::int64_t {
                    return static_cast<std::int64_t>(w.profiles.remind_due({}).profile_ids.size());
                }});
    runner.add({.name = "reports.schedule",
                .description = "Runs due report schedules (once across processes), redoes runs whose process died, and deletes runs past HRMS_REPORT_RETENTION_DAYS.",
                .interval_s = w.config.report_interval_s,
                .jitter = 0.1,
                .single_instance = false,
                .run = [&w](jobs::JobContext& ctx) -> std::int64_t { return w.reports.run_due(ctx.stopping); },
                .record_idle = false});
    runner.add({.name = "audit.retention",
                .description = "Archives and then deletes audit entries older than HRMS_AUDIT_RETENTION_DAYS.",
                .interval_s = w.config.audit_retention_interval_s,
                .jitter = 0.1,
                .single_instance = true,
                .run = [&w](jobs::JobContext& ctx) -> std::int64_t {
                    return cli::audit_retention(*w.store, w.config, w.audit_key.public_key(), ctx.clock.now());
                }});
    runner.add({.name = "audit.checkpoint",
                .description = "Signs the audit chain's head (HRMS_AUDIT_KEY_FILE) when it moved since the last checkpoint.",
                .interval_s = w.config.audit_checkpoint_interval_s,
                .jitter = 0.1,
                .single_instance = true,
                .run = [&w](jobs::JobContext& ctx) -> std::int64_t {
                    return app::checkpoint_chain(*w.store, w.audit_key, ctx.clock.now()) ? 1 : 0;
                }});
}

int cmd_serve(cli::Config config) {
    World w(std::move(config));
    if (!w.config.admin_email.empty()) {
        auto made = w.users.ensure_admin(w.config.admin_email, w.config.admin_password);
        if (!made) {
            log::error("admin.bootstrap_failed", {log::str("message", made.error().message)});
            return 2;
        }
        if (*made) log::info("admin.created", {log::str("email", w.config.admin_email)});
    }
    http::Metrics metrics;
    realtime::Hub hub;
    // Both lists were checked when the settings were read.
    auto metrics_allow = core::parse_cidr_list(w.config.effective_metrics_allow(), "HRMS_METRICS_ALLOW").value();
    auto router = http::build_router(std::string(cli::openapi_yaml()), metrics, std::move(metrics_allow),
                                     [&hub](http::Router& r) { realtime::add_ws_routes(r, hub); });
    metrics.add_source([&hub] { return hub.render_metrics(); });
    w.reports.set_session_counter([&hub] { return static_cast<std::int64_t>(hub.stats().open); });
    auto ws = realtime::make_ws_service(w.services, hub, w.config.ws);
    w.store->set_live_sink(&hub);  // committed notifications go live from here on
    jobs::Runner runner(*w.store, w.clock, {.instance = {}, .lease_s = w.config.job_lease_s});
    add_jobs(runner, w);
    w.job_admin.attach(&runner);
    w.bulk.attach(&runner);
    // On SQLite this is the only process on the file: jobs it finds unfinished were left by a
    // process that died, and resume now.
    if (w.store->backend() == "sqlite") w.bulk.release_stale_claims();
    metrics.add_source([&runner] { return runner.render_metrics(); });
    metrics.add_source([&w] { return w.audit_writer.render_metrics(); });
    metrics.add_source([&w] { return w.email_sender.render_metrics(); });
    w.audit_writer.start();
    cli::record_settings(*w.store, w.config, w.clock.now());
    log::info("hrms.start", {log::str("version", HRMS_VERSION), log::str("database", w.store->backend()),
                             log::str("data_dir", w.config.data_dir), log::str("instance", runner.instance())});
    runner.start();
    runner.trigger("bulk.run");  // unfinished jobs resume now, not one interval later
    int const rc = http::serve(w.services, w.config.http, router, metrics, ws.get());
    runner.stop();  // lets runs in progress finish, then gives the leases up
    w.reports.stop_refresher();  // it counts the hub's sessions, and the hub goes first
    w.reports.set_session_counter({});
    w.audit_writer.stop();  // seals every buffered access entry
    w.job_admin.attach(nullptr);
    w.bulk.attach(nullptr);
    w.store->set_live_sink(nullptr);
    return rc;
}

// The router's table as the server builds it, for checking it against docs/openapi.yaml.
int cmd_routes() {
    http::Metrics metrics;
    realtime::Hub hub;
    auto router = http::build_router(std::string(cli::openapi_yaml()), metrics, {},
                                     [&hub](http::Router& r) { realtime::add_ws_routes(r, hub); });
    for (auto const& route : router.routes()) {
        boost::json::object line{{"method", route.method},
                                 {"path", route.pattern},
                                 {"access", route.access == http::Access::anyone ? "anyone" : "user"},
                                 {"body", route.body == http::Body::upload ? "upload" : "whole"}};
        std::cout << boost::json::serialize(line) << "\n";
    }
    return 0;
}

int cmd_user_create(cli::Config config, std::string const& email, std::string const& name,
                    std::vector<std::string> const& roles, bool password_stdin) {
    World w(std::move(config));
    app::CreateUserInput in{email, name, roles, std::nullopt};
    if (password_stdin) {
        std::string pw;
        std::getline(std::cin, pw);
        in.password = pw;
    }
    auto created = w.users.create_as_system(in);
    if (!created) {
        std::cerr << "error: " << created.error().message << "\n";
        return 1;
    }
    std::cout << "created user " << created->user.id << " <" << created->user.email << ">";
    if (created->invite_expires_at) std::cout << " (invited until " << to_rfc3339(*created->invite_expires_at) << ")";
    std::cout << "\n";
    return 0;
}

int cmd_demo_seed(cli::Config config, int employees, unsigned seed, bool awaiting_review) {
    World w(std::move(config));
    auto const started = std::chrono::steady_clock::now();
    bool const tty = ::isatty(2);
    auto stats = app::seed_demo(*w.store, *w.blobs, w.clock, w.config.review.sla, employees, seed, [&](int done, int total) {
        int const width = 40;
        int const filled = total ? done * width / total : width;
        double const secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        std::fprintf(stderr, "%s[%s%s] %3d%% %d/%d employees %.1fs%s", tty ? "\r" : "",
                     std::string(filled, '#').c_str(), std::string(width - filled, ' ').c_str(),
                     total ? done * 100 / total : 100, done, total, secs, tty ? "" : "\n");
    }, awaiting_review);
    double const secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::fprintf(stderr, "%s", tty ? "\n" : "");
    std::printf("seeded %d employees, %d reviewers, %d documents, %d history rows, %d notifications in %.1f s\n"
                "demo accounts share the password %s\n",
                stats.employees, stats.reviewers, stats.documents, stats.history_rows, stats.notifications, secs,
                app::kDemoPassword);
    return 0;
}

struct ReportArgs {
    std::string kind, date, from, to, tz, out;
    std::vector<std::string> formats, emails;
};

// hrms report KIND: the report built, rendered into HRMS_DATA_DIR/reports as a run (listed at
// GET /api/v1/reports/runs), mailed to --email recipients through the outbox, and copied to --out.
int cmd_report(cli::Config config, ReportArgs const& a) {
    auto const kind = core::parse_report_kind(a.kind);
    if (!kind) {
        std::fprintf(stderr, "error: unknown report kind '%s' (daily, weekly, efficiency, sla, admin-performance)\n",
                     a.kind.c_str());
        return 2;
    }
    std::vector<core::ReportFormat> formats;
    for (auto const& list : a.formats.empty() ? std::vector<std::string>{"pdf"} : a.formats) {
        for (auto part : core::split_trimmed(list, ',')) {
            auto f = core::parse_report_format(part);
            if (!f) {
                std::fprintf(stderr, "error: unknown format '%s' (json, csv, html, pdf, xlsx)\n", std::string(part).c_str());
                return 2;
            }
            if (std::find(formats.begin(), formats.end(), *f) == formats.end()) formats.push_back(*f);
        }
    }
    World w(std::move(config));
    app::ReportRequest req{*kind, a.date, a.from, a.to, a.tz};
    bool const tty = ::isatty(2);
    auto const started = std::chrono::steady_clock::now();
    auto run = w.reports.run_now(req, formats, a.emails, [&](int done, int total) {
        int const width = 30;
        int const filled = total ? done * width / total : width;
        double const secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        std::fprintf(stderr, "%s[%s%s] %d/%d %s %.1fs%s", tty ? "\r" : "", std::string(filled, '#').c_str(),
                     std::string(width - filled, ' ').c_str(), done, total, done <= 3 ? "building" : "rendering", secs,
                     tty ? "" : "\n");
    });
    std::fprintf(stderr, "%s", tty ? "\n" : "");
    if (!run) {
        auto const& e = run.error();
        std::fprintf(stderr, "error: %s%s%s\n", e.message.c_str(), e.details_json.empty() ? "" : " ",
                     e.details_json.c_str());
        return e.code == ErrorCode::validation_failed ? 2 : 1;
    }
    namespace fs = std::filesystem;
    for (auto const& f : run->files) {
        auto const path = fs::path(w.reports.policy().dir) / f.file;
        if (a.out == "-") {
            std::ifstream in(path, std::ios::binary);
            std::cout << in.rdbuf();
            continue;
        }
        std::string where = path.string();
        if (!a.out.empty()) {
            fs::path dest = a.out;
            if (run->files.size() > 1 || fs::is_directory(dest)) {
                fs::create_directories(dest);
                dest /= f.file;
            }
            std::error_code ec;
            fs::copy_file(path, dest, fs::copy_options::overwrite_existing, ec);
            if (ec) {
                std::fprintf(stderr, "error: could not write %s: %s\n", dest.string().c_str(), ec.message().c_str());
                return 1;
            }
            where = dest.string();
        }
        std::fprintf(stderr, "%s report %s..%s (%s): %s, %lld bytes\n", a.kind.c_str(), run->period_from.c_str(),
                     run->period_to.c_str(), run->time_zone.c_str(), where.c_str(), static_cast<long long>(f.size));
    }
    std::fprintf(stderr, "run %lld%s\n", static_cast<long long>(run->id),
                 run->recipients.empty() ? "" : ", mail queued for the recipients");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"hrms: employee onboarding server"};
    cli.require_subcommand(1);
    std::string config_path;
    cli.add_option("--config", config_path, "path to hrms.toml (default: ./hrms.toml if present)");

    auto* serve = cli.add_subcommand("serve", "run the HTTP server");
    auto* migrate = cli.add_subcommand("migrate", "bring the database schema up to date");
    auto* version = cli.add_subcommand("version", "print the version");
    auto* config_cmd = cli.add_subcommand("config", "show the settings this binary reads");
    auto* routes_cmd = cli.add_subcommand("routes", "print the route table, one JSON object a line");
    auto* user = cli.add_subcommand("user", "manage users");
    user->require_subcommand(1);
    auto* user_create = user->add_subcommand("create", "create a user");
    std::string email, name;
    std::vector<std::string> roles;
    bool password_stdin = false;
    user_create->add_option("--email", email, "email address")->required();
    user_create->add_option("--name", name, "display name")->required();
    user_create->add_option("--role", roles, "role (repeatable; default employee)");
    user_create->add_flag("--password-stdin", password_stdin,
                          "read the password from standard input (otherwise an invite is made)");

    auto* demo = cli.add_subcommand("demo", "demo data");
    demo->require_subcommand(1);
    auto* demo_seed = demo->add_subcommand("seed", "create realistic employees over every stage");
    int demo_employees = 200;
    unsigned demo_rng_seed = 42;
    demo_seed->add_option("--employees", demo_employees, "how many employees")->check(CLI::Range(1, 1'000'000));
    demo_seed->add_option("--seed", demo_rng_seed, "random seed (same seed, same data)");
    bool demo_awaiting = false;
    demo_seed->add_flag("--awaiting-review", demo_awaiting,
                        "every employee has submitted details that await review (a full queue)");

    auto* report = cli.add_subcommand("report", "build a report into HRMS_DATA_DIR/reports (and mail or copy it)");
    ReportArgs report_args;
    report->add_option("kind", report_args.kind, "daily, weekly, efficiency, sla or admin-performance")->required();
    report->add_option("--date", report_args.date, "a day in the period (daily, weekly; default today)");
    report->add_option("--from", report_args.from, "first day (efficiency, sla, admin-performance)");
    report->add_option("--to", report_args.to, "last day, inclusive (default today)");
    report->add_option("--tz", report_args.tz, "IANA time zone for day boundaries (default HRMS_REPORT_TIMEZONE)");
    report->add_option("--format", report_args.formats, "json, csv, html, pdf or xlsx (repeatable or comma-separated; default pdf)");
    report->add_option("--out", report_args.out, "copy the file here (a directory for several formats; - for stdout)");
    report->add_option("--email", report_args.emails, "mail the files to this address (repeatable)");

    cli::AuditCommands audit;
    audit.add_to(cli);

    CLI11_PARSE(cli, argc, argv);

    if (*version) {
        std::cout << "hrms " << HRMS_VERSION << "\n";
        return 0;
    }
    if (*routes_cmd) return cmd_routes();
    try {
        auto config = cli::load_config(config_path);
        if (*config_cmd) {
            for (auto const& s : cli::setting_names()) std::cout << s.env << "\n";
            return 0;
        }
        if (!log::init(config.log_level)) {
            std::cerr << "error: HRMS_LOG_LEVEL must be debug, info, warn or error\n";
            return 2;
        }
        if (!app::crypto_init()) {
            std::cerr << "error: libsodium failed to initialise\n";
            return 2;
        }
        if (*migrate) {
            auto store = store::open_store(config.effective_database_url(), 1);
            int const n = store::migrate(*store, [](int v, std::string const& nm) {
                std::cout << "applying " << v << " " << nm << "\n";
            });
            std::cout << "schema at version " << store->schema_version() << " (" << n << " applied)\n";
            return 0;
        }
        if (*serve) return cmd_serve(std::move(config));
        if (audit.chosen()) return audit.run(config, [&] { return open_and_migrate(config); });
        if (*report) return cmd_report(std::move(config), report_args);
        if (*demo_seed) return cmd_demo_seed(std::move(config), demo_employees, demo_rng_seed, demo_awaiting);
        if (*user_create) {
            if (roles.empty()) roles.push_back("employee");
            return cmd_user_create(std::move(config), email, name, roles, password_stdin);
        }
    } catch (std::exception const& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
