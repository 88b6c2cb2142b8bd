#include "hrms/email/sendgrid_provider.hpp"

#include <boost/json.hpp>
#include <stdexcept>

#include "hrms/core/mime.hpp"

namespace hrms::email {

namespace {

namespace json = boost::json;

constexpr std::string_view kMailSendPath = "/v3/mail/send";

json::object address(std::string const& email, std::string const& name) {
    json::object a{{"email", email}};
    if (!name.empty()) a["name"] = name;  // SendGrid refuses an empty name
    return a;
}

// The first {"errors":[{"message": ...}]} of SendGrid's answer, or "" when there is none.
std::string first_error(std::string const& body) {
    std::error_code ec;
    auto const v = json::parse(body, ec);
    if (ec || !v.is_object()) return {};
    auto const* errors = v.as_object().if_contains("errors");
    if (!errors || !errors->is_array() || errors->as_array().empty()) return {};
    auto const& first = errors->as_array().front();
    if (!first.is_object()) return {};
    auto const* message = first.as_object().if_contains("message");
    return message && message->is_string() ? std::string(message->get_string()) : std::string{};
}

}  // namespace

std::string sendgrid_request(app::OutboxMessage const& m, std::string const& from, std::string const& from_name,
                             std::span<core::MailAttachment const> attachments) {
    json::array content;
    if (!m.text.empty()) content.push_back(json::object{{"type", "text/plain"}, {"value", m.text}});
    if (!m.html.empty()) content.push_back(json::object{{"type", "text/html"}, {"value", m.html}});
    // What render_mime adds for the other providers, so that auto-responders stay quiet here too.
    json::object headers{{"X-Hrms-Message-Id", m.message_id}, {"Auto-Submitted", "auto-generated"}};
    if (!m.request_id.empty()) headers["X-Hrms-Request-Id"] = m.request_id;
    json::object request{
        {"personalizations", json::array{json::object{{"to", json::array{address(m.to_email, m.to_name)}}}}},
        {"from", address(from, from_name)},
        {"subject", m.subject},
        {"content", std::move(content)},
        {"custom_args", json::object{{"hrms_message_id", std::to_string(m.id)}}},
        {"headers", std::move(headers)},
    };
    // Like the other optional keys, left out when there is nothing to say.
    if (!attachments.empty()) {
        json::array files;
        for (auto const& a : attachments)
            files.push_back(json::object{{"content", core::base64(a.bytes)},
                                         {"filename", a.filename},
                                         {"type", a.content_type},
                                         {"disposition", "attachment"}});
        request["attachments"] = std::move(files);
    }
    return json::serialize(request);
}

SendGridProvider::SendGridProvider(SendGridSettings settings) : settings_(std::move(settings)) {
    if (settings_.api_key.empty())
        throw std::runtime_error("setting HRMS_SENDGRID_API_KEY: needed by the sendgrid provider");
    if (settings_.from.empty()) throw std::runtime_error("setting HRMS_EMAIL_FROM: needed by the sendgrid provider");
    if (!settings_.base_url.starts_with("https://") && !settings_.base_url.starts_with("http://"))
        throw std::runtime_error("setting HRMS_SENDGRID_BASE_URL: must start with https:// or http://");
    auto base = settings_.base_url;
    while (base.ends_with('/')) base.pop_back();
    url_ = base + std::string(kMailSendPath);
}

app::SendResult SendGridProvider::send(app::OutboxMessage const& m, app::OutgoingMail const& mail) {
    auto const body = sendgrid_request(m, settings_.from, settings_.from_name, mail.attachments);
    auto const r = http_.post(url_, {"Authorization: Bearer " + settings_.api_key, "Content-Type: application/json"},
                              body, settings_.timeout_s);
    // Accepted is final even without an id: sending it again would deliver it twice.
    if (r.status >= 200 && r.status < 300)
        return {app::SendResult::Kind::sent, "accepted (" + std::to_string(r.status) + ")", r.header("X-Message-Id")};
    if (r.status == 0)
        return {app::SendResult::Kind::transient, redact("no answer from SendGrid: " + r.error, settings_.api_key), {}};
    auto detail = "SendGrid " + std::to_string(r.status);
    if (auto const message = first_error(r.body); !message.empty()) detail += ": " + message;
    return {failure_kind(r.status), redact(detail, settings_.api_key), {}};
}

}  // namespace hrms::email
