#pragma once
// `ses`: Amazon SES (API v2) SendEmail with the rendered MIME message as raw content
// (Content.Raw.Data, which carries attachments, as Content.Simple could not), signed with AWS
// Signature Version 4, over one reused libcurl connection.
#include <functional>
#include <string>

#include "hrms/app/email.hpp"
#include "hrms/email/http_client.hpp"

namespace hrms::email {

struct SesSettings {
    std::string region;             // HRMS_SES_REGION, e.g. "eu-west-1"
    std::string access_key_id;      // HRMS_SES_ACCESS_KEY_ID
    std::string secret_access_key;  // HRMS_SES_SECRET_ACCESS_KEY (never logged, never in a detail)
    std::string endpoint;           // empty: https://email.<region>.amazonaws.com
    std::string from;               // FromEmailAddress; empty: SES reads the message's From header
    double timeout_s = 30;
    std::string session_token;      // temporary credentials only; sent as X-Amz-Security-Token
};

class SesProvider final : public app::EmailProvider {
public:
    // `now` dates each request's signature (AWS refuses one more than 5 minutes off). Throws
    // naming the setting when the region or a key is missing or the endpoint is not http(s).
    SesProvider(SesSettings settings, std::function<Instant()> now);
    std::string name() const override { return "ses"; }
    // 2xx with a MessageId: sent, provider_message_id that id. 401, 403, 408, 429, 5xx, no answer,
    // an answer without a MessageId, or an SES error about the account's state: transient. Any
    // other 4xx: permanent, the detail SES's error type and message.
    app::SendResult send(app::OutboxMessage const& message, app::OutgoingMail const& mail) override;

private:
    app::SendResult failure(HttpResponse const& r) const;

    SesSettings settings_;
    std::function<Instant()> now_;
    std::string url_;   // endpoint + /v2/email/outbound-emails
    std::string host_;  // the endpoint's authority, sent and signed as Host
    std::string path_;
    HttpClient http_;
};

}  // namespace hrms::email
