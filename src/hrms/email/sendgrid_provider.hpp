#pragma once
// `sendgrid`: SendGrid's v3 Mail Send API over one reused libcurl connection. SendGrid takes
// the message as structured JSON, not MIME, so it is built from the outbox message's fields.
#include <span>
#include <string>

#include "hrms/app/email.hpp"
#include "hrms/email/http_client.hpp"

namespace hrms::email {

struct SendGridSettings {
    std::string api_key;                               // HRMS_SENDGRID_API_KEY (never logged, never in a detail)
    std::string base_url = "https://api.sendgrid.com"; // HRMS_SENDGRID_BASE_URL (a proxy, tests)
    std::string from;                                  // the sender address SendGrid has verified
    std::string from_name;
    double timeout_s = 30;
};

class SendGridProvider final : public app::EmailProvider {
public:
    // Throws naming the setting when the API key or the sender is missing or the base URL is
    // not http(s).
    explicit SendGridProvider(SendGridSettings settings);
    std::string name() const override { return "sendgrid"; }
    // Ignores the MIME text; attaches the files `mail` carries. 2xx: sent, provider_message_id the X-Message-Id header. 401, 403, 408,
    // 429, 5xx or no answer: transient. Any other 4xx: permanent, the detail the first of
    // SendGrid's error messages.
    app::SendResult send(app::OutboxMessage const& message, app::OutgoingMail const& mail) override;

private:
    SendGridSettings settings_;
    std::string url_;  // base_url + /v3/mail/send
    HttpClient http_;
};

// The Mail Send request body for `m` from `from`/`from_name`: one personalization to the
// recipient, text/plain then text/html (each only when not empty, as SendGrid refuses empty
// content), the outbox id as custom_args.hrms_message_id (it comes back in SendGrid's event
// webhooks), the RFC 5322 Message-ID as the X-Hrms-Message-Id header and, when there are any,
// `attachments` as {content (base64), filename, type, disposition: "attachment"}, in order.
std::string sendgrid_request(app::OutboxMessage const& m, std::string const& from, std::string const& from_name,
                             std::span<core::MailAttachment const> attachments = {});

}  // namespace hrms::email
