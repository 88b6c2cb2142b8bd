#pragma once
// The email outbox port. A use case queues a rendered message on its write transaction
// (tx->email().enqueue), so the message exists exactly when the event that caused it does;
// the sender (app/email.hpp) claims due messages, sends them outside any transaction and
// records the outcome with the claim it holds.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hrms/core/time.hpp"

namespace hrms::app {

// The vocabulary of DESIGN.md §5 (Email), with `sending` while a claim is held.
enum class EmailStatus { queued, sending, sent, deferred, delivered, bounced, complained, rejected, failed };
char const* to_string(EmailStatus s);
std::optional<EmailStatus> parse_email_status(std::string_view text);

// A file mailed with a message. The outbox keeps where it is, not its bytes (a report runs to
// megabytes): the sender reads it when the message is sent, and a file that is gone or cannot
// be read then fails the message.
struct EmailAttachment {
    std::string filename;      // what the recipient sees (core::safe_attachment_filename)
    std::string content_type;  // core::attachment_content_type: "application/pdf", "text/csv; charset=utf-8"
    std::string path;          // absolute, on this server

    bool operator==(EmailAttachment const&) const = default;
};

// The attachments column: a JSON array of {filename, content_type, path}, "[]" for none.
std::string attachments_to_json(std::vector<EmailAttachment> const& attachments);
// Reads attachments_to_json's text. A list that cannot be read comes back as one attachment
// with no path, so its message fails when sent rather than going out without its files.
std::vector<EmailAttachment> attachments_from_json(std::string const& json);

struct OutboxMessage {
    std::int64_t id = 0;
    Instant created_at;
    Instant updated_at;
    std::string request_id;
    std::string template_name;  // invite, password_reset, test, a notification kind, ...
    bool essential = false;     // sent despite the recipient's opt-out (invites, resets, security)
    std::optional<std::int64_t> user_id;
    std::string to_email;
    std::string to_name;
    std::string subject;
    std::string text;
    std::string html;
    std::vector<EmailAttachment> attachments;  // read when sent
    std::string message_id;  // RFC 5322 Message-ID, "<...@...>"
    EmailStatus status = EmailStatus::queued;
    int attempts = 0;
    Instant next_attempt_at;
    std::string provider;
    std::string provider_message_id;
    std::string last_error;
    std::optional<Instant> sent_at;
};

struct EmailEvent {
    std::int64_t id = 0;
    std::int64_t message = 0;
    Instant at;
    std::string type;  // an EmailStatus name
    std::string provider;
    std::string detail;
};

// What became of one send (EmailRepo::finish).
struct EmailOutcome {
    EmailStatus status = EmailStatus::sent;  // sent, deferred, rejected or failed
    std::string provider;
    std::string provider_message_id;
    std::string detail;               // the provider's answer or the error
    Instant next_attempt_at;          // deferred: when to try again
    bool counts_as_attempt = true;    // false: held (no provider could take it), not tried
};

struct EmailQuery {
    std::optional<EmailStatus> status;
    std::optional<std::string> to;
    std::optional<std::int64_t> before_id;  // keyset cursor: ids below it
    int limit = 50;
};

// A delivery event a provider reported (webhooks), normalised.
struct DeliveryEvent {
    std::string provider;
    std::string event_id;  // the provider's id of the event: applied once
    std::optional<std::int64_t> outbox_id;
    std::string message_id;           // RFC 5322, when the provider quotes it
    std::string provider_message_id;  // the provider's id of the message
    std::string email;
    EmailStatus type = EmailStatus::delivered;  // delivered, bounced, complained, deferred, rejected, failed
    bool hard = false;                           // bounced: permanently
    std::string detail;
    Instant at;
};

struct Suppression {
    std::string email;
    std::string reason;
    Instant at;
};

// Messages by day (UTC, of queueing), provider and status.
struct EmailStatRow {
    std::string day;
    std::string provider;
    EmailStatus status = EmailStatus::queued;
    std::int64_t count = 0;
};

class EmailRepo {
public:
    virtual ~EmailRepo() = default;
    // Queues `m` (status queued, due at m.next_attempt_at) with its `queued` event; the new id.
    virtual std::int64_t enqueue(OutboxMessage const& m) = 0;
    // Claims up to `limit` due messages (queued or deferred and due, or sending with a lapsed
    // claim) for `owner` until `lease_until`, oldest due first; on PostgreSQL rows another
    // transaction is claiming are skipped (FOR UPDATE SKIP LOCKED).
    virtual std::vector<OutboxMessage> claim(Instant now, Instant lease_until, std::string const& owner,
                                             int limit) = 0;
    // Records the outcome of a send by the holder of the claim; false when the claim was lost
    // (lapsed and taken by another sender), and then nothing changes.
    virtual bool finish(std::int64_t id, std::string const& owner, EmailOutcome const& outcome, Instant now) = 0;
    // True when nothing may be sent to `email` (hard bounce, complaint).
    virtual bool suppressed(std::string const& email) = 0;
    virtual std::optional<OutboxMessage> get(std::int64_t id) = 0;
    // Newest first.
    virtual std::vector<OutboxMessage> list(EmailQuery const& q) = 0;
    virtual std::vector<EmailEvent> events(std::int64_t message) = 0;

    // Tracking. Notes `key` as applied; false when it was already (then nothing is to change).
    virtual bool first_time(std::string const& key, std::string const& provider, EmailStatus type, Instant at) = 0;
    // The message a provider event is about: by outbox id, else Message-ID, else the provider's id.
    virtual std::optional<std::int64_t> find(DeliveryEvent const& e) = 0;
    // Sets the message's status after delivery (delivered, bounced, ...) with an event.
    virtual void track(std::int64_t id, EmailStatus status, std::string const& provider, std::string const& detail,
                       Instant at) = 0;
    // Adds `email` to the suppression list (no-op when it is on it).
    virtual void suppress(std::string const& email, std::string const& reason, Instant at) = 0;
    // Counts one more soft bounce for `email`; the count now.
    virtual int soft_bounce(std::string const& email, Instant at) = 0;
    // Newest first, emails below `before` when given.
    virtual std::vector<Suppression> suppressions(int limit, std::optional<Instant> before) = 0;
    virtual std::vector<EmailStatRow> stats(Instant from, Instant to) = 0;

    // Whether `user` asked for no non-essential mail, and setting it.
    virtual bool opted_out(std::int64_t user) = 0;
    virtual void set_opted_out(std::int64_t user, bool out, Instant at) = 0;
};

}  // namespace hrms::app
