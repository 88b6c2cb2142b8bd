#include "hrms/email/webhook_verifier.hpp"

#include <curl/curl.h>

#include "hrms/email/webhooks.hpp"

namespace hrms::email {

namespace {

std::vector<app::DeliveryEvent> to_app(std::vector<ProviderEvent> const& in) {
    std::vector<app::DeliveryEvent> out;
    out.reserve(in.size());
    for (auto const& e : in)
        out.push_back({e.provider, e.event_id, e.outbox_id, e.message_id, e.provider_message_id, e.email, e.type, e.hard,
                       e.detail, e.at});
    return out;
}

std::size_t discard(char*, std::size_t size, std::size_t count, void*) { return size * count; }

// Only AWS's own SNS endpoints are fetched: the URL comes from the (signed) message, but a
// forged confirmation must not make the server request an address of the attacker's choosing.
bool trusted_subscribe_url(std::string const& url, bool allow_local) {
    if (allow_local && (url.starts_with("http://127.0.0.1:") || url.starts_with("http://localhost:"))) return true;
    if (!url.starts_with("https://sns.")) return false;
    auto const host_end = url.find('/', 8);
    auto const host = url.substr(8, host_end == std::string::npos ? std::string::npos : host_end - 8);
    return host.ends_with(".amazonaws.com") && host.find_first_of("@:") == std::string::npos;
}

}  // namespace

WebhookVerifier::WebhookVerifier(WebhookSettings settings) : settings_(std::move(settings)) {}

Result<std::vector<app::DeliveryEvent>> WebhookVerifier::sendgrid(std::string const& signature,
                                                                  std::string const& timestamp, std::string const& body,
                                                                  Instant now) const {
    if (settings_.sendgrid_public_key.empty())
        return fail(ErrorCode::unauthenticated, "SendGrid webhooks are not accepted here (no verification key is set)");
    TRY_VOID(verify_sendgrid_signature(settings_.sendgrid_public_key, signature, timestamp, body, now, settings_.window_s));
    return to_app(TRY(parse_sendgrid_events(body)));
}

Result<app::SesInbound> WebhookVerifier::ses(std::string const& body) const {
    if (settings_.sns_certificate_pem.empty())
        return fail(ErrorCode::unauthenticated, "SES notifications are not accepted here (no SNS certificate is set)");
    auto const sns = TRY(verify_sns(body, settings_.sns_certificate_pem, settings_.sns_topics));
    app::SesInbound out;
    out.type = sns.type;
    out.subscribe_url = sns.subscribe_url;
    if (sns.type == "Notification") out.events = to_app(TRY(parse_ses_notification(sns.message_id, sns.message)));
    return out;
}

bool WebhookVerifier::confirm(std::string const& url) const {
    if (!trusted_subscribe_url(url, settings_.allow_local_confirm)) return false;
    CURL* c = curl_easy_init();
    if (!c) return false;
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 15L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode const rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    return rc == CURLE_OK && status >= 200 && status < 300;
}

}  // namespace hrms::email
