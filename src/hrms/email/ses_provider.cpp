#include "hrms/email/ses_provider.hpp"

#include <array>
#include <boost/json.hpp>
#include <stdexcept>

#include "hrms/core/mime.hpp"
#include "hrms/email/sigv4.hpp"

namespace hrms::email {

namespace {

namespace json = boost::json;

constexpr std::string_view kSendEmailPath = "/v2/email/outbound-emails";

// SES errors about the sending account or its setup rather than the message: another provider
// (or a later try) may send the very same message, so they must not fail it.
constexpr std::array<std::string_view, 5> kAccountErrors = {
    "AccountSuspendedException", "SendingPausedException", "MailFromDomainNotVerifiedException",
    "LimitExceededException", "NotFoundException"};

std::string string_or_empty(json::object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string{};
}

// The JSON object `body` holds, or an empty one when it is not one.
json::object object_of(std::string const& body) {
    std::error_code ec;
    auto v = json::parse(body, ec);
    if (ec || !v.is_object()) return {};
    return std::move(v.as_object());
}

}  // namespace

SesProvider::SesProvider(SesSettings settings, std::function<Instant()> now)
    : settings_(std::move(settings)), now_(std::move(now)) {
    if (settings_.region.empty()) throw std::runtime_error("setting HRMS_SES_REGION: needed by the ses provider");
    if (settings_.access_key_id.empty())
        throw std::runtime_error("setting HRMS_SES_ACCESS_KEY_ID: needed by the ses provider");
    if (settings_.secret_access_key.empty())
        throw std::runtime_error("setting HRMS_SES_SECRET_ACCESS_KEY: needed by the ses provider");
    auto endpoint = settings_.endpoint;
    if (endpoint.empty()) endpoint = "https://email." + settings_.region + ".amazonaws.com";
    while (endpoint.ends_with('/')) endpoint.pop_back();
    auto const scheme_end = endpoint.find("://");
    if (!endpoint.starts_with("https://") && !endpoint.starts_with("http://"))
        throw std::runtime_error("setting HRMS_SES_ENDPOINT: must start with https:// or http://");
    auto const authority_at = scheme_end + 3;
    auto const slash = endpoint.find('/', authority_at);
    host_ = endpoint.substr(authority_at, slash == std::string::npos ? std::string::npos : slash - authority_at);
    if (host_.empty()) throw std::runtime_error("setting HRMS_SES_ENDPOINT: names no host");
    // An endpoint with a path (a proxy, a local emulator) keeps it in front of the API's.
    path_ = (slash == std::string::npos ? std::string{} : endpoint.substr(slash)) + std::string(kSendEmailPath);
    url_ = endpoint.substr(0, authority_at) + host_ + path_;
}

app::SendResult SesProvider::send(app::OutboxMessage const& m, app::OutgoingMail const& mail) {
    json::object request;
    if (!settings_.from.empty()) request["FromEmailAddress"] = settings_.from;
    request["Destination"] = {{"ToAddresses", json::array{json::string(m.to_email)}}};
    // The whole MIME message, attachments and all: SES sends it as it is.
    request["Content"] = {{"Raw", {{"Data", core::base64(mail.mime)}}}};
    auto const body = json::serialize(request);

    auto const date = amz_date(now_());
    SigV4Request signable{"POST", host_, path_, "", {{"content-type", "application/json"}, {"host", host_},
                                                     {"x-amz-date", date}}, body};
    auto const signature =
        sign_v4(signable, {settings_.access_key_id, settings_.secret_access_key, settings_.session_token},
                settings_.region, "ses", date);
    // Sent exactly as signed: Host too, so that libcurl's own choice of it cannot differ.
    std::vector<std::string> headers = {"Content-Type: application/json", "Host: " + host_, "X-Amz-Date: " + date,
                                        "Authorization: " + signature.authorization};
    if (!settings_.session_token.empty()) headers.push_back("X-Amz-Security-Token: " + settings_.session_token);

    auto const r = http_.post(url_, headers, body, settings_.timeout_s);
    if (r.status < 200 || r.status >= 300) return failure(r);
    auto const answer = object_of(r.body);
    auto const id = string_or_empty(answer, "MessageId");
    if (id.empty())
        return {app::SendResult::Kind::transient,
                "SES answered " + std::to_string(r.status) + " but the answer is malformed (no MessageId)", {}};
    return {app::SendResult::Kind::sent, "accepted (" + std::to_string(r.status) + ")", id};
}

app::SendResult SesProvider::failure(HttpResponse const& r) const {
    auto const clean = [&](std::string text) {
        return redact(redact(std::move(text), settings_.secret_access_key), settings_.session_token);
    };
    if (r.status == 0) return {app::SendResult::Kind::transient, clean("no answer from SES: " + r.error), {}};
    auto const answer = object_of(r.body);
    // The error's name is in x-amzn-ErrorType ("Name:namespace"), or in the body for some answers.
    auto type = r.header("x-amzn-ErrorType");
    if (type.empty()) type = string_or_empty(answer, "__type");
    type = type.substr(0, type.find(':'));
    type = type.substr(type.rfind('#') == std::string::npos ? 0 : type.rfind('#') + 1);
    auto message = string_or_empty(answer, "message");
    if (message.empty()) message = string_or_empty(answer, "Message");
    auto kind = failure_kind(r.status);
    for (auto const e : kAccountErrors)
        if (type == e) kind = app::SendResult::Kind::transient;
    std::string detail = "SES " + std::to_string(r.status);
    if (!type.empty()) detail += " " + type;
    if (!message.empty()) detail += ": " + message;
    return {kind, clean(detail), {}};
}

}  // namespace hrms::email
