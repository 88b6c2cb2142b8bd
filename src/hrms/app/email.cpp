#include "hrms/app/email.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cmath>
#include <expected>
#include <system_error>

#include "hrms/app/crypto.hpp"
#include "hrms/app/log.hpp"
#include "hrms/core/enum_text.hpp"
#include "hrms/core/text.hpp"

namespace hrms::app {

namespace json = boost::json;

char const* to_string(EmailStatus s) {
    switch (s) {
        case EmailStatus::queued: return "queued";
        case EmailStatus::sending: return "sending";
        case EmailStatus::sent: return "sent";
        case EmailStatus::deferred: return "deferred";
        case EmailStatus::delivered: return "delivered";
        case EmailStatus::bounced: return "bounced";
        case EmailStatus::complained: return "complained";
        case EmailStatus::rejected: return "rejected";
        case EmailStatus::failed: return "failed";
    }
    return "queued";
}

std::optional<EmailStatus> parse_email_status(std::string_view text) {
    return core::parse_enum(text, EmailStatus::failed);
}

// ---- attachments

std::string attachments_to_json(std::vector<EmailAttachment> const& attachments) {
    json::array out;
    for (auto const& a : attachments)
        out.push_back(json::object{{"filename", a.filename}, {"content_type", a.content_type}, {"path", a.path}});
    return json::serialize(out);
}

std::vector<EmailAttachment> attachments_from_json(std::string const& text) {
    if (text.empty()) return {};
    std::error_code ec;
    auto const v = json::parse(text, ec);
    if (ec || !v.is_array()) return {EmailAttachment{}};
    auto const string_at = [](json::object const& o, std::string_view key) {
        auto const* s = o.if_contains(key);
        return s && s->is_string() ? std::string(s->get_string()) : std::string();
    };
    std::vector<EmailAttachment> out;
    for (auto const& item : v.get_array()) {
        EmailAttachment a;
        if (auto const* o = item.if_object()) {
            a.filename = string_at(*o, "filename");
            a.content_type = string_at(*o, "content_type");
            a.path = string_at(*o, "path");
        }
        out.push_back(std::move(a));
    }
    return out;
}

namespace {

bool absolute_path(std::string const& path) {
    return !path.empty() && path.front() == '/' && !path.contains('\0');
}

// `in` with safe names and canonical types, or validation_failed naming the attachment's field.
Result<std::vector<EmailAttachment>> checked_attachments(std::vector<EmailAttachment> in) {
    if (in.size() > kMaxEmailAttachments)
        return invalid_field("attachments",
                             "at most " + std::to_string(kMaxEmailAttachments) + " files can be attached to a message");
    for (std::size_t i = 0; i < in.size(); ++i) {
        auto& a = in[i];
        auto const field = "attachments[" + std::to_string(i) + "]";
        if (core::trim(a.filename).empty()) return invalid_field(field + ".filename", "an attachment needs a file name");
        a.filename = core::safe_attachment_filename(a.filename);
        auto type = core::attachment_content_type(a.content_type);
        if (!type)
            return invalid_field(field + ".content_type", "must be a media type such as application/pdf or text/csv");
        a.content_type = std::move(*type);
        if (!absolute_path(a.path)) return invalid_field(field + ".path", "must be an absolute path on this server");
    }
    return in;
}

// The bytes of the regular file at `path`, at most `budget` of them; otherwise why not.
std::expected<std::string, std::string> read_attachment(std::string const& path, std::int64_t budget) {
    auto const why = [](int err) { return std::unexpected(std::error_code(err, std::generic_category()).message()); };
    if (!absolute_path(path)) return std::unexpected(std::string("not an absolute path"));
    // O_NONBLOCK: a FIFO put where a report should be must not hang the sender.
    int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return why(errno);
    struct Close {
        int fd;
        ~Close() { ::close(fd); }
    } const close_it{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) return why(errno);
    if (!S_ISREG(st.st_mode)) return std::unexpected(std::string("not a regular file"));
    auto const too_big = std::unexpected("larger than the " + std::to_string(kMaxEmailAttachmentBytes) +
                                         " bytes one message's attachments may hold together");
    if (st.st_size > budget) return too_big;
    std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t done = 0;
    char more[65536];  // past the size seen: a file still growing is read whole, not cut short
    for (;;) {
        bool const sized = done < bytes.size();
        auto const n = sized ? ::read(fd, bytes.data() + done, bytes.size() - done) : ::read(fd, more, sizeof more);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return why(errno);
        if (n == 0) break;
        if (!sized) bytes.append(more, static_cast<std::size_t>(n));
        done += static_cast<std::size_t>(n);
        if (static_cast<std::int64_t>(done) > budget) return too_big;
    }
    bytes.resize(done);
    return bytes;
}

}  // namespace

// ---- queueing

Mailer::Mailer(EmailComposer const& composer, Clock const& clock, MailIdentity identity)
    : composer_(composer), clock_(clock), identity_(std::move(identity)) {}

namespace {
std::string domain_of(std::string const& email) {
    auto const at = email.rfind('@');
    return at == std::string::npos ? std::string("localhost") : email.substr(at + 1);
}
}  // namespace

Result<std::int64_t> Mailer::queue(Tx& tx, std::string const& template_name, Recipient const& to, EmailVars vars,
                                   bool essential, std::vector<EmailAttachment> attachments) const {
    if (!core::valid_mail_address(to.email)) return invalid_field("to", "not an address mail can go to");
    attachments = TRY(checked_attachments(std::move(attachments)));
    if (!essential && to.user_id && tx.email().opted_out(*to.user_id)) return std::int64_t{0};
    vars.emplace("app_name", identity_.from_name);
    vars.emplace("app_url", identity_.public_url);
    vars.emplace("recipient_name", to.name);
    auto rendered = TRY(composer_.render(template_name, vars));
    OutboxMessage m;
    m.created_at = m.updated_at = m.next_attempt_at = clock_.now();
    m.request_id = tx.context().request_id;
    m.template_name = template_name;
    m.essential = essential;
    m.user_id = to.user_id;
    m.to_email = to.email;
    m.to_name = to.name;
    m.subject = std::move(rendered.subject);
    m.text = std::move(rendered.text);
    m.html = std::move(rendered.html);
    m.attachments = std::move(attachments);
    m.message_id = core::make_message_id(random_token(18), domain_of(identity_.from_email));
    // Checked now (without encoding it: the sender renders it), so a message that could never
    // be sent is refused with its cause instead of failing later in the outbox.
    core::MailMessage probe{{identity_.from_email, identity_.from_name}, {m.to_email, m.to_name}, std::nullopt,
                            m.subject, m.text, m.html, m.message_id, m.created_at, {}, {}};
    for (auto const& a : m.attachments) probe.attachments.push_back({a.filename, a.content_type, {}});
    TRY_VOID(core::check_mail(probe));
    return tx.email().enqueue(m);
}

// ---- sending

EmailSender::EmailSender(Store& store, Clock const& clock, MailIdentity identity, SenderPolicy policy,
                         std::vector<std::unique_ptr<EmailProvider>> providers, std::string owner)
    : store_(store), clock_(clock), identity_(std::move(identity)), policy_(policy), providers_(std::move(providers)),
      owner_(std::move(owner)), circuits_(providers_.size()), jitter_(std::random_device{}()) {}

std::int64_t EmailSender::run_once(std::function<bool()> const& stop) {
    std::int64_t total = 0;
    for (;;) {
        bool held = false;
        auto const n = step(held);
        total += n;
        // A short batch: nothing more is due. Held ones: no provider can take mail now, and the
        // rest of the outbox would only be held too.
        if (n < policy_.batch || held || (stop && stop())) return total;
    }
}

std::int64_t EmailSender::step(bool& held) {
    auto const now = clock_.now();
    std::vector<OutboxMessage> claimed;
    std::vector<bool> suppressed;  // read with the claim: no transaction of its own per message
    {
        auto tx = store_.begin(TxMode::write);
        claimed = tx->email().claim(now, now.plus_seconds(policy_.lease_s), owner_, policy_.batch);
        for (auto const& m : claimed) suppressed.push_back(tx->email().suppressed(m.to_email));
        tx->commit();
    }
    for (std::size_t i = 0; i < claimed.size(); ++i) {
        auto const& m = claimed[i];
        log::RequestScope scope(m.request_id);  // the lines of its sending carry the request that queued it
        auto const outcome = deliver(m, suppressed[i], clock_.now());
        held = held || !outcome.counts_as_attempt;
        auto tx = store_.begin(TxMode::write, TxContext{std::nullopt, m.request_id});
        if (!tx->email().finish(m.id, owner_, outcome, clock_.now()))
            log::warn("email.claim_lost", {log::num("message", static_cast<long long>(m.id))});
        tx->commit();
        if (outcome.status == EmailStatus::failed)
            log::warn("email.failed", {log::num("message", static_cast<long long>(m.id)), log::str("why", outcome.detail)});
    }
    return static_cast<std::int64_t>(claimed.size());
}

Instant EmailSender::backoff(int attempts, Instant now) {
    // Exponential with full jitter between half and all of the delay, so that messages that
    // failed together do not all come back together.
    double const delay = std::min(policy_.backoff_max_s, policy_.backoff_base_s * std::pow(2.0, std::max(attempts, 0)));
    std::uniform_real_distribution<double> half_to_all(0.5, 1.0);
    std::lock_guard lock(mutex_);
    return now.plus_seconds(delay * half_to_all(jitter_));
}

EmailOutcome EmailSender::deliver(OutboxMessage const& m, bool suppressed, Instant now) {
    EmailOutcome out;
    if (suppressed) {
        out.status = EmailStatus::rejected;
        out.detail = "the address is on the suppression list";
        return out;
    }
    core::MailMessage mm{{identity_.from_email, identity_.from_name}, {m.to_email, m.to_name}, std::nullopt,
                         m.subject, m.text, m.html, m.message_id, m.created_at,
                         {{"X-Hrms-Request-Id", m.request_id}, {"Auto-Submitted", "auto-generated"}}, {}};
    if (m.request_id.empty()) mm.headers.erase(mm.headers.begin());
    // A file that is gone or unreadable will not come back by trying again: the message fails
    // now, naming it, rather than going out without it.
    std::int64_t budget = kMaxEmailAttachmentBytes;
    for (std::size_t i = 0; i < m.attachments.size(); ++i) {
        auto const& a = m.attachments[i];
        auto bytes = read_attachment(a.path, budget);
        if (!bytes) {
            out.status = EmailStatus::failed;
            out.detail = "cannot be sent: attachment " + std::to_string(i + 1) + " '" + a.filename + "' (" + a.path +
                         "): " + bytes.error();
            return out;
        }
        budget -= static_cast<std::int64_t>(bytes->size());
        mm.attachments.push_back({a.filename, a.content_type, std::move(*bytes)});
    }
    auto mime = core::render_mime(mm);
    if (!mime) {
        out.status = EmailStatus::failed;
        out.detail = "cannot be sent: " + mime.error().message;
        return out;
    }
    OutgoingMail const mail{std::move(*mime), std::move(mm.attachments)};
    bool tried = false, transient = false;
    std::string errors;
    for (std::size_t i = 0; i < providers_.size(); ++i) {
        if (!available(i, now)) continue;
        tried = true;
        auto const r = providers_[i]->send(m, mail);
        record(i, r, clock_.now());
        if (r.kind == SendResult::Kind::sent) {
            out.status = EmailStatus::sent;
            out.provider = providers_[i]->name();
            out.provider_message_id = r.provider_message_id;
            out.detail = r.detail;
            return out;
        }
        transient = transient || r.kind == SendResult::Kind::transient;
        errors += (errors.empty() ? "" : "; ") + providers_[i]->name() + ": " + r.detail;
    }
    out.detail = errors;
    if (!tried) {
        // Every provider is resting: held until the first can be probed, not counted as a try.
        out.status = EmailStatus::deferred;
        out.counts_as_attempt = false;
        Instant soonest = now.plus_seconds(policy_.circuit_open_s);
        std::lock_guard lock(mutex_);
        for (std::size_t i = 0; i < circuits_.size(); ++i) {
            auto const& c = circuits_[i];
            if (c.open_until && *c.open_until < soonest) soonest = *c.open_until;
            if (auto until = limited_until(i, now); until && *until < soonest) soonest = *until;
        }
        out.detail = "no provider can take mail now (resting after failures, or at its rate limit or daily quota)";
        out.next_attempt_at = soonest;
        return out;
    }
    if (!transient || m.attempts + 1 >= policy_.max_attempts) {
        out.status = EmailStatus::failed;
        return out;
    }
    out.status = EmailStatus::deferred;
    out.next_attempt_at = backoff(m.attempts, now);
    return out;
}

std::optional<Instant> EmailSender::limited_until(std::size_t i, Instant now) {
    auto& c = circuits_[i];
    auto const& name = providers_[i]->name();
    auto const today = to_rfc3339(now).substr(0, 10);
    if (c.day != today) {
        c.day = today;
        c.sent_today = 0;
    }
    if (auto q = policy_.daily_quota.find(name); q != policy_.daily_quota.end() && c.sent_today >= q->second)
        return parse_rfc3339(today + "T00:00:00.000Z")->plus_seconds(86400);  // the next UTC day
    if (auto r = policy_.rate_per_s.find(name); r != policy_.rate_per_s.end()) {
        // A second's worth at most (and at least one message, for rates under one a second).
        c.tokens = std::min(std::max(r->second, 1.0),
                            c.tokens + r->second * static_cast<double>(now.ms - c.refilled.ms) / 1000);
        c.refilled = now;
        if (c.tokens < 1) return now.plus_seconds((1 - c.tokens) / r->second);
    }
    return std::nullopt;
}

bool EmailSender::available(std::size_t i, Instant now) {
    std::lock_guard lock(mutex_);
    auto& c = circuits_[i];
    if (limited_until(i, now)) return false;
    if (c.open_until) {
        if (now < *c.open_until) return false;
        if (c.probing) return false;  // half open: one probe at a time
        c.probing = true;
    }
    if (policy_.rate_per_s.contains(providers_[i]->name())) c.tokens -= 1;  // this send takes its token
    return true;
}

void EmailSender::record(std::size_t i, SendResult const& r, Instant now) {
    std::lock_guard lock(mutex_);
    auto& c = circuits_[i];
    bool const was_probe = c.probing;
    c.probing = false;
    if (r.kind == SendResult::Kind::sent) {
        ++c.sent;
        ++c.sent_today;
        c.failures = 0;
        c.open_until.reset();
        return;
    }
    ++c.failed;
    c.last_error = r.detail;
    if (r.kind == SendResult::Kind::permanent) return;  // it answered: the message's fault, not the provider's
    ++c.failures;
    if (was_probe || c.failures >= policy_.circuit_failures) {
        c.open_until = now.plus_seconds(policy_.circuit_open_s);
        log::warn("email.provider_open", {log::str("provider", providers_[i]->name()), log::str("why", r.detail),
                                          log::num("seconds", policy_.circuit_open_s)});
    }
}

std::vector<ProviderHealth> EmailSender::health() const {
    std::lock_guard lock(mutex_);
    std::vector<ProviderHealth> out;
    auto const now = clock_.now();
    for (std::size_t i = 0; i < providers_.size(); ++i) {
        auto const& c = circuits_[i];
        ProviderHealth h;
        h.name = providers_[i]->name();
        h.circuit = !c.open_until ? "closed" : (now < *c.open_until && !c.probing) ? "open" : "half_open";
        h.consecutive_failures = c.failures;
        h.sent = c.sent;
        h.failed = c.failed;
        h.open_until = c.open_until;
        h.last_error = c.last_error;
        if (auto r = policy_.rate_per_s.find(h.name); r != policy_.rate_per_s.end()) h.rate_per_s = r->second;
        if (auto q = policy_.daily_quota.find(h.name); q != policy_.daily_quota.end()) h.daily_quota = q->second;
        h.sent_today = c.day == to_rfc3339(now).substr(0, 10) ? c.sent_today : 0;
        out.push_back(std::move(h));
    }
    return out;
}

std::string EmailSender::render_metrics() const {
    std::string out =
        "# HELP hrms_email_provider_sent_total Messages each provider took.\n"
        "# TYPE hrms_email_provider_sent_total counter\n";
    auto const all = health();
    for (auto const& h : all)
        out += "hrms_email_provider_sent_total{provider=\"" + h.name + "\"} " + std::to_string(h.sent) + "\n";
    out += "# HELP hrms_email_provider_failed_total Sends each provider refused or failed.\n"
           "# TYPE hrms_email_provider_failed_total counter\n";
    for (auto const& h : all)
        out += "hrms_email_provider_failed_total{provider=\"" + h.name + "\"} " + std::to_string(h.failed) + "\n";
    out += "# HELP hrms_email_provider_sent_today Messages each provider took this UTC day (its daily quota counts these).\n"
           "# TYPE hrms_email_provider_sent_today gauge\n";
    for (auto const& h : all)
        out += "hrms_email_provider_sent_today{provider=\"" + h.name + "\"} " + std::to_string(h.sent_today) + "\n";
    out += "# HELP hrms_email_provider_circuit_open 1 while a provider is skipped after failures.\n"
           "# TYPE hrms_email_provider_circuit_open gauge\n";
    for (auto const& h : all)
        out += "hrms_email_provider_circuit_open{provider=\"" + h.name + "\"} " + (h.circuit == "closed" ? "0" : "1") +
               "\n";
    return out;
}

// ---- tracking

EmailTracking::EmailTracking(Store& store, Clock const& clock, EmailWebhookVerifier const& verifier)
    : store_(store), clock_(clock), verifier_(verifier) {}

Result<int> EmailTracking::sendgrid(std::string const& signature, std::string const& timestamp, std::string const& body) {
    auto const events = TRY(verifier_.sendgrid(signature, timestamp, body, clock_.now()));
    return apply(events);
}

Result<int> EmailTracking::ses(std::string const& body) {
    auto const inbound = TRY(verifier_.ses(body));
    if (inbound.type == "SubscriptionConfirmation") {
        bool const ok = verifier_.confirm(inbound.subscribe_url);
        log::info("email.sns_subscription", {log::str("confirmed", ok ? "yes" : "no")});
        if (!ok) return fail(ErrorCode::internal, "the SNS subscription could not be confirmed");
        return 0;
    }
    return apply(inbound.events);
}

int EmailTracking::apply(std::vector<DeliveryEvent> const& events) {
    int applied = 0;
    for (auto const& e : events) {
        auto tx = store_.begin(TxMode::write);
        // Once per event: a webhook delivered again (providers retry) finds its key taken.
        if (!tx->email().first_time(e.provider + ":" + e.event_id, e.provider, e.type, clock_.now())) continue;
        auto const id = tx->email().find(e);
        if (id) tx->email().track(*id, e.type, e.provider, e.detail, e.at);
        bool const suppress = e.type == EmailStatus::complained ||
                              (e.type == EmailStatus::bounced &&
                               (e.hard || tx->email().soft_bounce(e.email, e.at) >= kSoftBouncesToSuppress));
        if (suppress && !e.email.empty())
            tx->email().suppress(e.email, e.type == EmailStatus::complained ? "complaint" : (e.hard ? "hard bounce" : "soft bounces"),
                                 e.at);
        tx->commit();
        if (id) ++applied;
    }
    return applied;
}

}  // namespace hrms::app
