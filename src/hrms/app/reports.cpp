#include "hrms/app/reports.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "hrms/app/audit.hpp"
#include "hrms/app/crypto.hpp"
#include "hrms/app/log.hpp"
#include "hrms/app/report_builders.hpp"
#include "hrms/core/accounts.hpp"
#include "hrms/core/text.hpp"

namespace hrms::app {

namespace fs = std::filesystem;
using core::ReportKind;
using core::Stage;

namespace {
constexpr std::size_t kMaxSchedules = 50;
constexpr std::size_t kMaxRecipients = 50;
}  // namespace


Reports::Reports(Store& store, Clock const& clock, core::SlaPolicy sla, ReportPolicy policy,
                 ReportRenderer const& renderer, Mailer const* mailer)
    : store_(store), clock_(clock), sla_(sla), policy_(std::move(policy)),
      zone_(core::TimeZone::find(policy_.time_zone).value_or(core::TimeZone::utc())), renderer_(renderer),
      mailer_(mailer), owner_("reports-" + random_token(9)) {}

Result<Reports::Period> Reports::period_of(ReportRequest const& req) const {
    auto zone = zone_;
    if (!req.time_zone.empty()) {
        auto z = core::TimeZone::find(req.time_zone);
        if (!z) return invalid_field("tz", "unknown time zone \"" + core::clip_utf8(req.time_zone, 64) +
                                                         "\" (an IANA name such as Europe/Berlin)");
        zone = *z;
    }
    auto const today = zone.date_of(clock_.now());
    auto parse = [](std::string const& text, char const* field) -> Result<core::LocalDate> {
        auto d = core::parse_local_date(text);
        if (!d || d->year < 1970 || d->year > 9999)
            return invalid_field(field, std::string(field) + " must be a date, YYYY-MM-DD");
        return *d;
    };
    core::LocalDate from, to;
    bool const single = req.kind == ReportKind::daily || req.kind == ReportKind::weekly;
    if (single) {
        if (!req.from.empty() || !req.to.empty())
            return invalid_field(req.from.empty() ? "to" : "from",
                                           std::string(core::to_string(req.kind)) +
                                               " reports cover one period: give date, not from and to");
        auto const d = req.date.empty() ? today : TRY(parse(req.date, "date"));
        if (req.kind == ReportKind::daily) {
            from = to = d;
        } else {
            from = core::add_days(d, -core::weekday(d));
            to = core::add_days(from, 6);
        }
    } else {
        if (!req.date.empty() && req.from.empty() && req.to.empty()) {
            from = to = TRY(parse(req.date, "date"));
        } else {
            if (!req.date.empty())
                return invalid_field("date", "give either date or from and to, not both");
            to = req.to.empty() ? today : TRY(parse(req.to, "to"));
            from = req.from.empty() ? core::add_days(to, -29) : TRY(parse(req.from, "from"));
        }
        if (from > to) return invalid_field("from", "from must not be after to");
        if (core::days_between(from, to) + 1 > policy_.max_range_days)
            return invalid_field("to", "a report covers at most " + std::to_string(policy_.max_range_days) + " days");
    }
    int const days = core::days_between(from, to) + 1;
    auto make = [&](core::LocalDate f, core::LocalDate t) {
        core::ReportPeriod p;
        p.from_date = core::to_string(f);
        p.to_date = core::to_string(t);
        p.from = zone.start_of(f);
        p.to = zone.start_of(core::add_days(t, 1));
        p.time_zone = zone.name();
        return p;
    };
    return Period{make(from, to), make(core::add_days(from, -days), core::add_days(from, -1))};
}

Result<core::Report> Reports::build(Actor const& actor, ReportRequest const& req) const {
    TRY_VOID(require(actor, core::perm::reports_read));
    return build_system(req);
}

core::Report Reports::assemble(ReportKind kind, Period const& p, std::function<void(int, int)> const& progress) const {
    auto tx = store_.begin(TxMode::read);
    return build_report(tx->reports(), kind, {p.current, p.previous}, sla_, policy_, clock_.now(), progress);
}

Result<core::Report> Reports::build_system(ReportRequest const& req) const {
    auto const p = TRY(period_of(req));
    return assemble(req.kind, p, {});
}

// ---- dashboard

Result<Dashboard> Reports::dashboard(Actor const& actor) {
    TRY_VOID(require(actor, core::perm::profiles_read));
    return snapshot();
}

Dashboard Reports::snapshot() {
    {
        std::lock_guard lock(dashboard_mu_);
        double const age = monotonic_seconds() - dashboard_at_;
        double const max_age = policy_.dashboard_max_age_s;
        if (dashboard_ && age < max_age) return *dashboard_;
        // Just stale (under steady use): the refresher thread recomputes it while callers keep
        // getting this one, so no request waits for the queries. Older than that (nobody looked
        // for a while): the caller computes a fresh one rather than show an old one.
        if (dashboard_ && age < max_age + std::max(1.0, max_age)) {
            if (!refresh_wanted_) {
                refresh_wanted_ = true;
                if (!refresher_.joinable() && !stopping_) refresher_ = std::thread([this] { refresher(); });
                refresh_cv_.notify_one();
            }
            return *dashboard_;
        }
    }
    return refresh();
}

void Reports::refresher() {
    std::unique_lock lock(dashboard_mu_);
    for (;;) {
        refresh_cv_.wait(lock, [this] { return refresh_wanted_ || stopping_; });
        if (stopping_) return;
        lock.unlock();
        try {
            refresh();
        } catch (std::exception const& e) {
            log::warn("reports.dashboard_failed", {log::str("what", e.what())});
        }
        lock.lock();
        refresh_wanted_ = false;
    }
}

void Reports::stop_refresher() {
    {
        std::lock_guard lock(dashboard_mu_);
        stopping_ = true;
    }
    refresh_cv_.notify_one();
    if (refresher_.joinable()) refresher_.join();
}

Reports::~Reports() { stop_refresher(); }

Dashboard Reports::refresh() {
    double const t = monotonic_seconds();
    auto d = dashboard_now();
    std::lock_guard lock(dashboard_mu_);
    dashboard_ = d;
    dashboard_at_ = t;
    return d;
}

Dashboard Reports::dashboard_now() {
    Dashboard d;
    d.as_of = clock_.now();
    d.time_zone = zone_.name();
    auto const today = zone_.date_of(d.as_of);
    auto const midnight = zone_.start_of(today);
    auto const monday = zone_.start_of(core::add_days(today, -core::weekday(today)));
    auto const end = Instant{d.as_of.ms + 1};
    auto tx = store_.begin(TxMode::read);
    auto& repo = tx->reports();
    d.counts = tx->profiles().counts();
    for (auto const& c : d.counts) {
        d.total += c.count;
        (c.stage == Stage::completed ? d.completed : d.in_progress) += c.count;
    }
    d.overdue = repo.overdue(d.as_of);
    d.urgent = repo.urgent();
    for (auto const& t : repo.transitions(midnight, end)) {
        if (t.decision.empty() && t.to_status == core::StageStatus::submitted) d.submissions_today += t.count;
        if (t.decision == "approve") d.approvals_today += t.count;
        if (t.decision == "reject") d.rejections_today += t.count;
        if (t.decision == "approve" && t.from_stage == Stage::final) d.completions_today += t.count;
    }
    d.documents_uploaded_today = repo.documents(midnight, end).uploaded;
    auto const ages = repo.completion_ages(monday, end);
    d.completions_this_week = static_cast<std::int64_t>(ages.size());
    d.median_days_to_complete_this_week = median(ages, kDayMs);
    d.email_queue = repo.email_queue();
    d.bulk_jobs_running = repo.bulk_running();
    d.open_sessions = sessions_ ? sessions_() : 0;
    return d;
}

// ---- schedules

namespace {
ReportSchedule schedule_view(ReportScheduleRecord const& r) {
    ReportSchedule s;
    s.id = r.id;
    s.name = r.name;
    s.kind = core::parse_report_kind(r.kind).value_or(ReportKind::daily);
    s.cadence = r.cadence;
    s.weekday = r.weekday;
    s.at_time = r.at_time;
    s.time_zone = r.time_zone;
    s.formats.clear();
    for (auto const& f : r.formats)
        if (auto x = core::parse_report_format(f)) s.formats.push_back(*x);
    s.recipients = r.recipients;
    s.enabled = r.enabled;
    s.next_run_at = r.next_run_at;
    return s;
}

// "07:30" -> minutes after midnight.
std::optional<int> minutes_of(std::string const& hhmm) {
    int h = 0, m = 0;
    if (hhmm.size() != 5 || hhmm[2] != ':' || !read_fixed_digits(hhmm, 0, 2, h) || !read_fixed_digits(hhmm, 3, 2, m) ||
        h > 23 || m > 59)
        return std::nullopt;
    return h * 60 + m;
}
}  // namespace

Result<std::vector<ReportSchedule>> Reports::schedules(Actor const& actor) const {
    TRY_VOID(require(actor, core::perm::reports_read));
    auto tx = store_.begin(TxMode::read);
    std::vector<ReportSchedule> out;
    for (auto const& r : tx->reports().schedules()) out.push_back(schedule_view(r));
    return out;
}

Result<ReportSchedule> Reports::check_schedule(ReportSchedule s, std::string const& field) const {
    s.name = std::string(core::trim(s.name));
    if (s.name.empty() || core::utf8_length(s.name) > 100 || core::has_control_chars(s.name))
        return invalid_field(field + ".name", "name must be 1 to 100 characters without control characters");
    if (s.cadence != "daily" && s.cadence != "weekly")
        return invalid_field(field + ".cadence", "cadence must be daily or weekly");
    if (s.weekday < 0 || s.weekday > 6)
        return invalid_field(field + ".weekday", "weekday must be 0 (Monday) to 6 (Sunday)");
    if (!minutes_of(s.at_time))
        return invalid_field(field + ".at", "at must be a time of day, HH:MM (00:00 to 23:59)");
    if (s.time_zone.empty()) s.time_zone = zone_.name();
    if (!core::TimeZone::find(s.time_zone))
        return invalid_field(field + ".time_zone", "unknown time zone (an IANA name such as Europe/Berlin)");
    if (s.formats.empty()) return invalid_field(field + ".formats", "give at least one format");
    std::sort(s.formats.begin(), s.formats.end());
    s.formats.erase(std::unique(s.formats.begin(), s.formats.end()), s.formats.end());
    if (s.recipients.empty() || s.recipients.size() > kMaxRecipients)
        return invalid_field(field + ".recipients", "give 1 to " + std::to_string(kMaxRecipients) + " recipients");
    std::vector<std::string> emails;
    for (std::size_t i = 0; i < s.recipients.size(); ++i) {
        auto const e = core::normalize_email(s.recipients[i], field + ".recipients[" + std::to_string(i) + "]");
        if (!e) return std::unexpected(e.error());
        if (!core::valid_mail_address(*e))
            return invalid_field(field + ".recipients[" + std::to_string(i) + "]", "not an address mail can go to");
        if (std::find(emails.begin(), emails.end(), *e) == emails.end()) emails.push_back(*e);
    }
    s.recipients = std::move(emails);
    return s;
}

Instant Reports::next_run(ReportScheduleRecord const& s, Instant after) const {
    auto const zone = core::TimeZone::find(s.time_zone).value_or(zone_);
    int const minutes = minutes_of(s.at_time).value_or(0);
    auto at = [&](core::LocalDate d) { return Instant{zone.start_of(d).ms + minutes * 60'000LL}; };
    auto d = zone.date_of(after);
    if (s.cadence == "weekly") d = core::add_days(d, ((s.weekday - core::weekday(d)) % 7 + 7) % 7);
    int const step = s.cadence == "weekly" ? 7 : 1;
    while (at(d) <= after) d = core::add_days(d, step);
    return at(d);
}

Result<std::vector<ReportSchedule>> Reports::put_schedules(Actor const& actor, std::vector<ReportSchedule> list) {
    TRY_VOID(require(actor, core::perm::reports_manage));
    if (list.size() > kMaxSchedules)
        return invalid_field("schedules", "at most " + std::to_string(kMaxSchedules) + " schedules");
    auto const now = clock_.now();
    std::vector<ReportScheduleRecord> records;
    for (std::size_t i = 0; i < list.size(); ++i) {
        auto const s = TRY(check_schedule(std::move(list[i]), "schedules[" + std::to_string(i) + "]"));
        ReportScheduleRecord r;
        r.name = s.name;
        r.kind = core::to_string(s.kind);
        r.cadence = s.cadence;
        r.weekday = s.weekday;
        r.at_time = s.at_time;
        r.time_zone = s.time_zone;
        for (auto f : s.formats) r.formats.emplace_back(core::to_string(f));
        r.recipients = s.recipients;
        r.enabled = s.enabled;
        r.created_by = actor.id;
        r.created_at = r.updated_at = now;
        r.next_run_at = next_run(r, now);
        records.push_back(std::move(r));
    }
    auto tx = store_.begin(TxMode::write, context_of(actor));
    auto const before = tx->reports().schedules();
    tx->reports().replace_schedules(records);
    AuditEntry entry = domain_entry(now, core::AuditCategory::admin, "reports.schedules", "report_schedules", "");
    entry.before = json_members({{"schedules", std::to_string(before.size())}});
    entry.after = json_members({{"schedules", std::to_string(records.size())}});
    tx->audit().record(std::move(entry));
    std::vector<ReportSchedule> out;
    for (auto const& r : tx->reports().schedules()) out.push_back(schedule_view(r));
    tx->commit();
    return out;
}

Result<ReportRunPage> Reports::runs(Actor const& actor, std::optional<std::int64_t> before, int limit) const {
    TRY_VOID(require(actor, core::perm::reports_read));
    auto tx = store_.begin(TxMode::read);
    ReportRunPage page;
    page.items = tx->reports().runs(before, limit + 1);
    if (static_cast<int>(page.items.size()) > limit) {
        page.items.resize(static_cast<std::size_t>(limit));
        page.next_before = page.items.back().id;
    }
    return page;
}

Result<ReportRunRecord> Reports::run(Actor const& actor, std::int64_t id) const {
    TRY_VOID(require(actor, core::perm::reports_read));
    auto tx = store_.begin(TxMode::read);
    auto r = tx->reports().run(id);
    if (!r) return fail(ErrorCode::not_found, "no such report run");
    return *r;
}

Result<ReportFileRef> Reports::run_file(Actor const& actor, std::int64_t id, std::string const& format) const {
    auto const r = TRY(run(actor, id));
    for (auto const& f : r.files) {
        if (f.format != format || f.file.empty()) continue;
        auto const fmt = core::parse_report_format(f.format);
        ReportFileRef ref;
        ref.path = (fs::path(policy_.dir) / f.file).string();
        ref.filename = f.file;
        ref.content_type = fmt ? core::content_type(*fmt) : "application/octet-stream";
        ref.size = f.size;
        std::error_code ec;
        if (!fs::exists(ref.path, ec)) return fail(ErrorCode::not_found, "the report file is gone (past retention?)");
        return ref;
    }
    return fail(ErrorCode::not_found, "this run has no " + format + " file");
}

// ---- runs

namespace {
// The period a scheduled run covers: the day or ISO week before the one it runs on.
ReportRequest scheduled_request(ReportScheduleRecord const& s, Instant due, core::TimeZone const& zone) {
    ReportRequest req;
    req.kind = core::parse_report_kind(s.kind).value_or(ReportKind::daily);
    req.time_zone = zone.name();
    auto const day = zone.date_of(due);
    core::LocalDate from, to;
    if (s.cadence == "weekly") {
        auto const monday = core::add_days(day, -core::weekday(day));
        from = core::add_days(monday, -7);
        to = core::add_days(monday, -1);
    } else {
        from = to = core::add_days(day, -1);
    }
    if (req.kind == ReportKind::daily || req.kind == ReportKind::weekly) {
        req.date = core::to_string(req.kind == ReportKind::daily ? to : from);
    } else {
        req.from = core::to_string(from);
        req.to = core::to_string(to);
    }
    return req;
}

ReportRequest run_request(ReportRunRecord const& run) {
    ReportRequest req;
    req.kind = core::parse_report_kind(run.kind).value_or(ReportKind::daily);
    req.time_zone = run.time_zone;
    if (req.kind == ReportKind::daily || req.kind == ReportKind::weekly)
        req.date = run.period_from;
    else {
        req.from = run.period_from;
        req.to = run.period_to;
    }
    return req;
}

bool write_file(fs::path const& path, std::string const& bytes) {
    auto const tmp = path.string() + ".part";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) return false;
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out) return false;
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    return !ec;
}

std::string format_names(std::vector<ReportFile> const& files) {
    std::string out;
    for (auto const& f : files) {
        if (!out.empty()) out += ", ";
        std::string up = f.format;
        for (auto& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        out += up;
    }
    return out;
}
}  // namespace

Result<ReportRunRecord> Reports::execute(ReportRunRecord run, std::vector<core::ReportFormat> const& formats,
                                         std::function<void(int, int)> const& progress) {
    auto const req = run_request(run);
    int const steps = 3 + static_cast<int>(formats.size());
    auto const built = [&]() -> Result<core::Report> {
        auto const p = TRY(period_of(req));
        return assemble(req.kind, p, [&](int done, int) {
            if (progress) progress(done, steps);
        });
    }();
    std::vector<ReportFile> files;
    std::string error;
    if (!built) {
        error = built.error().message;
    } else {
        std::error_code ec;
        fs::create_directories(policy_.dir, ec);
        int step = 3;
        for (auto f : formats) {
            auto bytes = renderer_.render(*built, f);
            if (progress) progress(++step, steps);
            if (!bytes) {
                error = std::string(core::to_string(f)) + ": " + bytes.error().message;
                break;
            }
            ReportFile file;
            file.format = core::to_string(f);
            file.file = "run-" + std::to_string(run.id) + "-" + run.kind + "-" + run.period_from +
                        (run.period_to != run.period_from ? "_" + run.period_to : std::string()) + "." +
                        core::file_extension(f);
            file.size = static_cast<std::int64_t>(bytes->size());
            file.sha256 = sha256_hex(*bytes);
            if (!write_file(fs::path(policy_.dir) / file.file, *bytes)) {
                error = "could not write " + (fs::path(policy_.dir) / file.file).string();
                break;
            }
            files.push_back(std::move(file));
        }
    }
    run.files = files;
    run.error = error;
    run.status = error.empty() ? "succeeded" : "failed";
    run.finished_at = clock_.now();
    auto tx = store_.begin(TxMode::write);
    if (!tx->reports().finish_run(run, owner_)) return fail(ErrorCode::conflict, "another process took this run over");
    if (error.empty() && mailer_) {
        std::vector<EmailAttachment> attachments;
        for (auto const& f : files) {
            auto const fmt = core::parse_report_format(f.format);
            attachments.push_back({f.file, fmt ? core::content_type(*fmt) : "application/octet-stream",
                                   (fs::path(policy_.dir) / f.file).string()});
        }
        std::string const period = run.period_from + (run.period_to != run.period_from ? " \xE2\x80\x93 " + run.period_to : "") +
                                   " (" + run.time_zone + ")";
        for (auto const& to : run.recipients) {
            EmailVars vars{{"report_title", built->title},
                           {"period", period},
                           {"formats", format_names(files)},
                           {"runs_url", mailer_->identity().public_url + "/api/v1/reports/runs/" + std::to_string(run.id) + "/file"}};
            auto const queued = mailer_->queue(*tx, "report", Recipient{to, "", std::nullopt}, vars, false, attachments);
            if (!queued)
                log::warn("reports.mail_refused", {log::num("run", static_cast<long long>(run.id)), log::str("code", to_string(queued.error().code))});
        }
    }
    tx->commit();
    if (!error.empty())
        log::warn("reports.run_failed", {log::num("run", static_cast<long long>(run.id)), log::str("kind", run.kind), log::str("error", error)});
    return run;
}

std::int64_t Reports::run_due(std::function<bool()> const& stopping) {
    std::int64_t done = 0;
    auto const now = clock_.now();
    std::vector<ReportScheduleRecord> due;
    {
        auto tx = store_.begin(TxMode::read);
        due = tx->reports().due_schedules(now);
    }
    for (auto const& s : due) {
        if (stopping && stopping()) return done;
        auto const zone = core::TimeZone::find(s.time_zone).value_or(zone_);
        auto const req = scheduled_request(s, s.next_run_at, zone);
        auto const period = period_of(req);
        ReportRunRecord run;
        run.schedule_id = s.id;
        run.source = "schedule";
        run.kind = s.kind;
        run.time_zone = zone.name();
        run.status = "running";
        run.recipients = s.recipients;
        run.lease_owner = owner_;
        run.lease_until = now.plus_seconds(policy_.run_lease_s);
        run.started_at = now;
        for (auto const& f : s.formats) run.files.push_back({f, "", 0, ""});
        if (period) {
            run.period_from = period->current.from_date;
            run.period_to = period->current.to_date;
        }
        {
            // Exactly once: the process that moves next_run_at on from what it read runs it.
            auto tx = store_.begin(TxMode::write);
            if (!tx->reports().advance_schedule(s.id, s.next_run_at, next_run(s, now))) continue;
            run.id = tx->reports().insert_run(run);
            tx->commit();
        }
        std::vector<core::ReportFormat> formats;
        for (auto const& f : s.formats)
            if (auto x = core::parse_report_format(f)) formats.push_back(*x);
        if (execute(run, formats, {})) ++done;
    }
    // Runs whose process died: taken over once their lease lapses.
    std::vector<ReportRunRecord> stale;
    {
        auto tx = store_.begin(TxMode::read);
        stale = tx->reports().stale_runs(now, 10);
    }
    for (auto run : stale) {
        if (stopping && stopping()) return done;
        {
            auto tx = store_.begin(TxMode::write);
            if (!tx->reports().claim_run(run.id, owner_, now, now.plus_seconds(policy_.run_lease_s))) continue;
            tx->commit();
        }
        std::vector<core::ReportFormat> formats;
        for (auto const& f : run.files)
            if (auto x = core::parse_report_format(f.format)) formats.push_back(*x);
        if (execute(run, formats, {})) ++done;
    }
    // Retention: old runs go with their files.
    if (policy_.retention_days > 0) {
        auto tx = store_.begin(TxMode::write);
        for (auto const& run : tx->reports().runs_before(now.plus_seconds(-policy_.retention_days * 86400), 200)) {
            for (auto const& f : run.files) {
                if (f.file.empty()) continue;
                std::error_code ec;
                fs::remove(fs::path(policy_.dir) / f.file, ec);
            }
            tx->reports().delete_run(run.id);
        }
        tx->commit();
    }
    return done;
}

Result<ReportRunRecord> Reports::run_now(ReportRequest const& req, std::vector<core::ReportFormat> const& formats,
                                         std::vector<std::string> const& recipients,
                                         std::function<void(int, int)> const& progress) {
    auto const period = TRY(period_of(req));
    if (formats.empty()) return invalid_field("format", "give at least one format");
    std::vector<std::string> emails;
    for (std::size_t i = 0; i < recipients.size(); ++i) {
        auto const e = TRY(core::normalize_email(recipients[i], "email"));
        emails.push_back(e);
    }
    auto const now = clock_.now();
    ReportRunRecord run;
    run.source = "cli";
    run.kind = core::to_string(req.kind);
    run.period_from = period.current.from_date;
    run.period_to = period.current.to_date;
    run.time_zone = period.current.time_zone;
    run.status = "running";
    run.recipients = emails;
    run.lease_owner = owner_;
    run.lease_until = now.plus_seconds(policy_.run_lease_s);
    run.started_at = now;
    for (auto f : formats) run.files.push_back({core::to_string(f), "", 0, ""});
    {
        auto tx = store_.begin(TxMode::write);
        run.id = tx->reports().insert_run(run);
        tx->commit();
    }
    auto out = TRY(execute(run, formats, progress));
    if (out.status != "succeeded") return fail(ErrorCode::internal, out.error);
    return out;
}

}  // namespace hrms::app
