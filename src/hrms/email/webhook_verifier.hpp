#pragma once
// app::EmailWebhookVerifier on webhooks.hpp: the configured keys (SendGrid's verification key,
// the SNS certificate and topics) and the SNS subscription confirmation.
#include <string>
#include <vector>

#include "hrms/app/email.hpp"

namespace hrms::email {

struct WebhookSettings {
    std::string sendgrid_public_key;  // base64 DER; empty: every SendGrid post is refused
    std::string sns_certificate_pem;  // empty: every SNS post is refused
    std::vector<std::string> sns_topics;
    double window_s = 300;            // a SendGrid timestamp further than this from now is a replay
    bool allow_local_confirm = false;  // dev mode: a SubscribeURL on any http(s) host may be fetched
};

class WebhookVerifier final : public app::EmailWebhookVerifier {
public:
    explicit WebhookVerifier(WebhookSettings settings);
    Result<std::vector<app::DeliveryEvent>> sendgrid(std::string const& signature, std::string const& timestamp,
                                                     std::string const& body, Instant now) const override;
    Result<app::SesInbound> ses(std::string const& body) const override;
    bool confirm(std::string const& subscribe_url) const override;

private:
    WebhookSettings settings_;
};

}  // namespace hrms::email
