#pragma once
// The outbox and the email system as an admin sees them (email.manage): messages with their
// history, provider health, template previews and a test message.
#include <optional>
#include <string>
#include <vector>

#include "hrms/app/actor.hpp"
#include "hrms/app/email.hpp"

namespace hrms::app {

struct EmailMessagePage {
    std::vector<OutboxMessage> items;
    std::optional<std::int64_t> next_before;
};

class EmailAdmin {
public:
    // `sender` may be null (a process that does not send): providers are then empty.
    EmailAdmin(Store& store, Clock const& clock, Mailer const& mailer, EmailComposer const& composer,
               EmailSender const* sender);
    Result<EmailMessagePage> messages(Actor const& actor, EmailQuery query);
    // One message and its events; not_found.
    Result<std::pair<OutboxMessage, std::vector<EmailEvent>>> message(Actor const& actor, std::int64_t id);
    // Queues the `test` template to `to`; the outbox id.
    Result<std::int64_t> send_test(Actor const& actor, std::string const& to);
    Result<std::vector<ProviderHealth>> providers(Actor const& actor);
    Result<std::vector<std::string>> templates(Actor const& actor);
    // Messages by day, provider and status for [from, to) (at most 366 days; default the last 30).
    Result<std::vector<EmailStatRow>> stats(Actor const& actor, std::optional<Instant> from, std::optional<Instant> to);
    // The suppression list, newest first.
    Result<std::vector<Suppression>> suppressions(Actor const& actor, int limit, std::optional<Instant> before);
    // The actor's own choice: true when workflow notices are mailed to them (the default).
    Result<bool> notices_by_mail(Actor const& actor);
    Result<bool> set_notices_by_mail(Actor const& actor, bool wanted);
    // The template rendered with sample values.
    Result<RenderedEmail> preview(Actor const& actor, std::string const& name);

private:
    Store& store_;
    Clock const& clock_;
    Mailer const& mailer_;
    EmailComposer const& composer_;
    EmailSender const* sender_;
};

}  // namespace hrms::app
