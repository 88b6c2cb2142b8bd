#pragma once
// Email: composing and queueing messages (Mailer, in the caller's transaction) and sending
// them (EmailSender, the email.send job): the outbox is claimed a batch at a time, each
// message goes to the first provider that takes it, a failing provider is skipped for a
// while (a circuit breaker with a half-open probe), and a message that no provider can take
// now is held, never dropped.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "hrms/app/ports.hpp"
#include "hrms/core/error.hpp"
#include "hrms/core/mime.hpp"

namespace hrms::app {

// A rendered message: what a template makes of its variables.
struct RenderedEmail {
    std::string subject;
    std::string text;
    std::string html;
};

// Template variables: names to text (escaped for HTML by the renderer where it must be).
using EmailVars = std::map<std::string, std::string>;

// Renders named templates (email/templates.hpp implements it with Mustache).
class EmailComposer {
public:
    virtual ~EmailComposer() = default;
    // not_found for an unknown template; validation_failed naming a variable the template
    // needs and `vars` lacks.
    virtual Result<RenderedEmail> render(std::string const& name, EmailVars const& vars) const = 0;
    virtual std::vector<std::string> names() const = 0;
};

// Where mail comes from and how links in it are made (HRMS_EMAIL_FROM, HRMS_EMAIL_FROM_NAME,
// HRMS_PUBLIC_URL).
struct MailIdentity {
    std::string from_email = "noreply@hrms.localhost";
    std::string from_name = "hrms";
    std::string public_url = "http://127.0.0.1:8080";
};

struct Recipient {
    std::string email;
    std::string name;
    std::optional<UserId> user_id;
};

// Files one message may carry, and their bytes together when it is sent: a message over it
// fails (SendGrid takes 30 MB of JSON and SES 40 MB of MIME; base64 makes 20 MiB about 27 MiB).
inline constexpr std::size_t kMaxEmailAttachments = 10;
inline constexpr std::int64_t kMaxEmailAttachmentBytes = 20LL * 1024 * 1024;

class Mailer {
public:
    Mailer(EmailComposer const& composer, Clock const& clock, MailIdentity identity);
    // Renders `template_name` with `vars` (plus app_name and app_url) and queues the message on
    // `tx`, so it exists exactly when the transaction commits, with `attachments` (read from
    // their paths when it is sent; not checked for existence now). Each file name is made safe
    // (core::safe_attachment_filename) and each type canonical (core::attachment_content_type).
    // validation_failed for an address or header that could not be sent, more than
    // kMaxEmailAttachments files, or an attachment without a name, with an implausible type or
    // with a path that is not absolute ("attachments[<i>].filename", ".content_type", ".path");
    // the composer's errors as they are. The outbox id, or 0 when the recipient opted out of
    // mail that is not `essential` (nothing is queued).
    Result<std::int64_t> queue(Tx& tx, std::string const& template_name, Recipient const& to, EmailVars vars,
                               bool essential, std::vector<EmailAttachment> attachments = {}) const;
    MailIdentity const& identity() const { return identity_; }

private:
    EmailComposer const& composer_;
    Clock const& clock_;
    MailIdentity identity_;
};

// What a provider made of one message.
struct SendResult {
    enum class Kind { sent, transient, permanent };
    Kind kind = Kind::sent;
    std::string detail;               // the provider's answer, for the message's history
    std::string provider_message_id;  // e.g. SendGrid's X-Message-Id
};

// A message as it goes out: the whole MIME text (file, smtp and ses send it as it is) and the
// files it carries, read for this send (sendgrid, which takes JSON, attaches them itself).
struct OutgoingMail {
    std::string mime;
    std::vector<core::MailAttachment> attachments;
};

// One way out (email/: file, smtp, sendgrid, ses).
class EmailProvider {
public:
    virtual ~EmailProvider() = default;
    virtual std::string name() const = 0;
    // Sends the rendered message; never throws for the provider's failures (they are results),
    // only for bugs.
    virtual SendResult send(OutboxMessage const& message, OutgoingMail const& mail) = 0;
};

struct SenderPolicy {
    int batch = 50;                  // messages claimed per step
    double lease_s = 120;            // a claim lasts this long (longer than any send may take)
    int max_attempts = 8;            // tries before a message fails
    double backoff_base_s = 30;      // the first retry's delay; doubled each attempt, with jitter
    double backoff_max_s = 3600;
    double circuit_open_s = 60;      // a failing provider is skipped this long, then probed
    int circuit_failures = 3;        // consecutive failures that open its circuit
    // Per provider (by name): sends a second at most, and sends a UTC day at most (this
    // process's count). A provider at its limit is passed over like a resting one.
    std::map<std::string, double> rate_per_s;
    std::map<std::string, std::int64_t> daily_quota;
};

// Provider health as /api/v1/email/providers and /metrics show it.
struct ProviderHealth {
    std::string name;
    std::string circuit;  // closed | open | half_open
    int consecutive_failures = 0;
    std::int64_t sent = 0, failed = 0;
    std::optional<Instant> open_until;
    std::string last_error;
    std::optional<double> rate_per_s;
    std::optional<std::int64_t> daily_quota;
    std::int64_t sent_today = 0;
};

class EmailSender {
public:
    EmailSender(Store& store, Clock const& clock, MailIdentity identity, SenderPolicy policy,
                std::vector<std::unique_ptr<EmailProvider>> providers, std::string owner);
    // Claims due messages a batch at a time and sends each, until fewer than a batch were due
    // or `stop` says so; the number sent or settled.
    std::int64_t run_once(std::function<bool()> const& stop = {});
    std::vector<ProviderHealth> health() const;
    std::string render_metrics() const;

private:
    struct Circuit {
        int failures = 0;
        std::optional<Instant> open_until;
        bool probing = false;
        std::int64_t sent = 0, failed = 0;
        std::string last_error;
        double tokens = 0;           // the rate limit's bucket (one second's worth at most)
        Instant refilled;
        std::string day;             // the UTC day sent_today counts
        std::int64_t sent_today = 0;
    };
    // When provider i can take a message again, if it is limited now (rate or quota).
    std::optional<Instant> limited_until(std::size_t i, Instant now);
    std::int64_t step(bool& held);  // `held`: some message found no provider available
    EmailOutcome deliver(OutboxMessage const& m, bool suppressed, Instant now);
    bool available(std::size_t i, Instant now);
    void record(std::size_t i, SendResult const& r, Instant now);
    Instant backoff(int attempts, Instant now);

    Store& store_;
    Clock const& clock_;
    MailIdentity identity_;
    SenderPolicy policy_;
    std::vector<std::unique_ptr<EmailProvider>> providers_;
    std::string owner_;
    mutable std::mutex mutex_;  // circuits
    std::vector<Circuit> circuits_;
    std::mt19937_64 jitter_;
};

// What an SNS post to the SES webhook was, once verified.
struct SesInbound {
    std::string type;           // Notification | SubscriptionConfirmation | UnsubscribeConfirmation
    std::string subscribe_url;  // SubscriptionConfirmation: GET it to confirm
    std::vector<DeliveryEvent> events;
};

// The providers' signed webhooks, checked and read (email/webhook_verifier.hpp). Errors:
// unauthenticated for a bad signature or a stale timestamp, forbidden for a topic not allowed,
// validation_failed for a body that cannot be read.
class EmailWebhookVerifier {
public:
    virtual ~EmailWebhookVerifier() = default;
    virtual Result<std::vector<DeliveryEvent>> sendgrid(std::string const& signature, std::string const& timestamp,
                                                        std::string const& body, Instant now) const = 0;
    virtual Result<SesInbound> ses(std::string const& body) const = 0;
    // Confirms an SNS subscription (GET its SubscribeURL); false when that failed.
    virtual bool confirm(std::string const& subscribe_url) const = 0;
};

// Delivery tracking: provider events applied to the outbox, once each. Hard bounces and
// complaints suppress the address; soft bounces do at the third.
class EmailTracking {
public:
    EmailTracking(Store& store, Clock const& clock, EmailWebhookVerifier const& verifier);
    // The number of events applied (duplicates and events about unknown messages are not).
    Result<int> sendgrid(std::string const& signature, std::string const& timestamp, std::string const& body);
    Result<int> ses(std::string const& body);
    int apply(std::vector<DeliveryEvent> const& events);

private:
    Store& store_;
    Clock const& clock_;
    EmailWebhookVerifier const& verifier_;
};

inline constexpr int kSoftBouncesToSuppress = 3;

}  // namespace hrms::app
