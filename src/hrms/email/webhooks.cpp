#include "hrms/email/webhooks.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <charconv>
#include <climits>
#include <cmath>
#include <memory>
#include <span>
#include <stdexcept>
#include <string_view>

#include "hrms/core/text.hpp"

namespace hrms::email {

namespace {

namespace json = boost::json;

constexpr std::string_view kOutboxArg = "hrms_message_id";  // the custom arg sendgrid_request sets
// Twelve digits of Unix seconds reach the year 33658: any later "time" is garbage, and the limit
// keeps the milliseconds far from overflow.
constexpr std::int64_t kMaxUnixSeconds = 999'999'999'999;

struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

struct BioFree {
    void operator()(BIO* b) const { BIO_free(b); }
};
using Bio = std::unique_ptr<BIO, BioFree>;

unsigned char const* bytes(std::string_view s) { return reinterpret_cast<unsigned char const*>(s.data()); }

// ---------------------------------------------------------------------------------------------
// Text

int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

// Standard base64 with its padding optional; blanks and line breaks are skipped (a key pasted
// over several lines). nullopt for anything else, including text after the padding and trailing
// bits that are not zero, so that one signature has exactly one spelling.
std::optional<std::string> base64_decode(std::string_view text) {
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    std::size_t symbols = 0;
    std::size_t padding = 0;
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
        if (c == '=') {
            ++padding;
            continue;
        }
        auto const v = base64_value(c);
        if (v < 0 || padding > 0) return std::nullopt;
        buffer = ((buffer << 6) | static_cast<std::uint32_t>(v)) & 0xFFFFFF;
        bits += 6;
        ++symbols;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xFF);
        }
    }
    bool const whole = symbols % 4 != 1 && padding <= 2 && (padding == 0 || (symbols + padding) % 4 == 0);
    if (symbols == 0 || !whole || (buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
    return out;
}

// Unix seconds written as ASCII digits alone (no sign, no blanks, no fraction).
std::optional<std::int64_t> unix_seconds(std::string_view text) {
    if (text.empty() || text.size() > 12 || text.front() < '0' || text.front() > '9') return std::nullopt;
    std::int64_t value = 0;  // at most kMaxUnixSeconds
    auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// One line of the message's history: a provider's CR, LF or tab become spaces, bad UTF-8 is
// repaired and the text clipped on a character boundary.
std::string history_text(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    return core::clip_utf8(out, kMaxEventDetail);
}

void append_part(std::string& out, std::string_view part) {
    part = core::trim(part);
    if (part.empty()) return;
    if (!out.empty()) out += "; ";
    out += part;
}

// The recipient as the suppression list keys it: trimmed and lower-cased, the address alone
// when SES gives "Name <address>".
Result<std::string> recipient(std::optional<std::string_view> raw, std::string const& field) {
    auto text = core::trim(raw.value_or(""));
    if (auto const open = text.rfind('<'); open != std::string_view::npos && text.ends_with('>'))
        text = core::trim(text.substr(open + 1, text.size() - open - 2));
    if (text.empty()) return invalid_field(field, "the recipient's address is missing");
    return core::ascii_lower(text);
}

// ---------------------------------------------------------------------------------------------
// JSON

std::optional<std::string_view> string_at(json::object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string_view(v->get_string());
}

json::object const* object_at(json::object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    return v && v->is_object() ? &v->get_object() : nullptr;
}

json::array const* array_at(json::object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    return v && v->is_array() ? &v->get_array() : nullptr;
}

std::optional<json::value> parse_json(std::string const& text) {
    std::error_code ec;
    auto v = json::parse(text, ec);
    if (ec) return std::nullopt;
    return v;
}

// ---------------------------------------------------------------------------------------------
// OpenSSL

// For PEM readers: never ask for a pass phrase (the default callback would prompt on a terminal).
int no_pass_phrase(char*, int, int, void*) { return 0; }

Bio memory_bio(std::string const& text) {
    if (text.size() > static_cast<std::size_t>(INT_MAX)) return nullptr;
    Bio bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    if (!bio) throw std::runtime_error("OpenSSL could not allocate a memory BIO");
    return bio;
}

// True when `signature` is `key`'s signature of `data` with digest `md`.
bool verifies(EVP_PKEY* key, EVP_MD const* md, std::string_view data, std::string_view signature) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx) throw std::runtime_error("OpenSSL could not allocate a digest context");
    bool const ok = EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) == 1 &&
                    EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(data), data.size()) == 1;
    // A refusal leaves its reasons on this thread's error queue, where the next caller would find them.
    ERR_clear_error();
    return ok;
}

bool is_p256(EVP_PKEY* key) {
    char group[64] = {};
    std::size_t length = 0;
    if (EVP_PKEY_is_a(key, "EC") != 1 || EVP_PKEY_get_group_name(key, group, sizeof group, &length) != 1) return false;
    std::string_view const name(group, length);
    return name == "prime256v1" || name == "P-256";
}

// SendGrid's verification key, or null when it is not a P-256 public key: SendGrid signs with
// nothing else, so any other key is a configuration mistake and must not be trusted.
Pkey sendgrid_key(std::string const& text) {
    Pkey key;
    if (text.find("-----BEGIN") != std::string::npos) {
        if (auto const bio = memory_bio(text)) key.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, no_pass_phrase, nullptr));
    } else if (auto const der = base64_decode(text)) {
        auto const* p = bytes(*der);
        key.reset(d2i_PUBKEY(nullptr, &p, static_cast<long>(der->size())));
        if (p != bytes(*der) + der->size()) key.reset();  // trailing bytes: not the key as shown
    }
    ERR_clear_error();
    if (key && !is_p256(key.get())) key.reset();
    return key;
}

// The RSA public keys of the certificates in `pem`, in order.
std::vector<Pkey> certificate_keys(std::string const& pem) {
    std::vector<Pkey> keys;
    auto const bio = memory_bio(pem);
    if (!bio) return keys;
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, no_pass_phrase, nullptr)) {
        Pkey key(X509_get_pubkey(cert));
        X509_free(cert);
        if (key && EVP_PKEY_is_a(key.get(), "RSA") == 1) keys.push_back(std::move(key));
    }
    ERR_clear_error();  // the end of the text reads as "no start line"
    return keys;
}

// ---------------------------------------------------------------------------------------------
// SendGrid

std::optional<app::EmailStatus> sendgrid_type(std::string_view event) {
    if (event == "delivered") return app::EmailStatus::delivered;
    if (event == "bounce") return app::EmailStatus::bounced;
    if (event == "dropped") return app::EmailStatus::rejected;
    if (event == "deferred") return app::EmailStatus::deferred;
    if (event == "spamreport") return app::EmailStatus::complained;
    return std::nullopt;
}

bool sendgrid_hard_bounce(json::object const& o) {
    auto const classification = core::ascii_lower(string_at(o, "bounce_classification").value_or(""));
    if (classification == "invalid address") return true;
    // The sender's standing, the content or a passing failure, not the address: suppressing the
    // recipient would punish them for our trouble.
    for (std::string_view const soft : {"content", "reputation", "technical", "frequency"})
        if (classification.starts_with(soft)) return false;
    // "blocked" is a refusal that may pass and "expired" ran out of retries; only "bounce" is final.
    return string_at(o, "type").value_or("bounce") == "bounce";
}

// The outbox id sendgrid_request put in custom_args: SendGrid posts custom args as top-level
// fields of each event; a nested custom_args or unique_args object is read too. A value that is
// not a positive integer is someone else's arg, not ours.
std::optional<std::int64_t> sendgrid_outbox_id(json::object const& o) {
    auto const* v = o.if_contains(kOutboxArg);
    for (std::string_view const nest : {"custom_args", "unique_args"}) {
        if (auto const* args = object_at(o, nest); !v && args) v = args->if_contains(kOutboxArg);
    }
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->get_int64() > 0 ? std::optional(v->get_int64()) : std::nullopt;
    if (!v->is_string()) return std::nullopt;
    std::string_view const text = v->get_string();
    std::int64_t id = 0;
    auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc{} || end != text.data() + text.size() || id <= 0) return std::nullopt;
    return id;
}

Result<Instant> sendgrid_time(json::object const& o, std::string const& field) {
    auto const* v = o.if_contains("timestamp");
    double seconds = -1;
    if (v && v->is_int64()) seconds = static_cast<double>(v->get_int64());
    if (v && v->is_double()) seconds = v->get_double();
    if (!(seconds >= 0 && seconds <= kMaxUnixSeconds)) return invalid_field(field, "Unix seconds are required");
    return Instant{static_cast<std::int64_t>(seconds) * 1000};
}

std::string sendgrid_detail(json::object const& o) {
    std::string out;
    for (std::string_view const key : {"type", "bounce_classification", "status", "reason", "response"})
        append_part(out, string_at(o, key).value_or(""));
    if (auto const* attempt = o.if_contains("attempt")) {
        if (attempt->is_string()) append_part(out, "attempt " + std::string(attempt->get_string()));
        if (attempt->is_int64()) append_part(out, "attempt " + std::to_string(attempt->get_int64()));
    }
    if (out.empty() && string_at(o, "event") == "spamreport") out = "spam report";
    return history_text(out);
}

// One event of the batch; nullopt for the kinds delivery tracking does not keep.
Result<std::optional<ProviderEvent>> sendgrid_event(json::object const& o, std::string const& path) {
    auto const name = string_at(o, "event");
    if (!name) return invalid_field(path + ".event", "every event names its type");
    auto const type = sendgrid_type(*name);
    if (!type) return std::optional<ProviderEvent>{};
    ProviderEvent e;
    e.provider = "sendgrid";
    e.type = *type;
    auto const id = string_at(o, "sg_event_id");
    if (!id || id->empty()) return invalid_field(path + ".sg_event_id", "a delivery event needs its id");
    e.event_id = std::string(*id);
    e.email = TRY(recipient(string_at(o, "email"), path + ".email"));
    e.at = TRY(sendgrid_time(o, path + ".timestamp"));
    e.outbox_id = sendgrid_outbox_id(o);
    if (auto const sg = string_at(o, "sg_message_id")) e.provider_message_id = std::string(sg->substr(0, sg->find('.')));
    e.hard = *type == app::EmailStatus::bounced && sendgrid_hard_bounce(o);
    e.detail = sendgrid_detail(o);
    return std::optional(std::move(e));
}

// ---------------------------------------------------------------------------------------------
// SNS

constexpr std::array<std::string_view, 6> kSignedNotification{"Message",  "MessageId", "Subject",
                                                              "Timestamp", "TopicArn", "Type"};
constexpr std::array<std::string_view, 7> kSignedConfirmation{"Message",  "MessageId", "SubscribeURL", "Timestamp",
                                                              "Token",    "TopicArn",  "Type"};

Result<std::string> required_string(json::object const& o, std::string_view key) {
    auto const value = string_at(o, key);
    if (!value) return invalid_field(std::string(key), std::string(key) + " is required and must be a string");
    return std::string(*value);
}

// The string SNS signs (AWS, "Verifying the signatures of Amazon SNS messages"): each signed
// field's name and value on lines of their own, in the fixed order above; a Notification's
// Subject only when it has one.
Result<std::string> sns_string_to_sign(json::object const& o, bool confirmation) {
    auto const keys = confirmation ? std::span<std::string_view const>(kSignedConfirmation)
                                   : std::span<std::string_view const>(kSignedNotification);
    std::string out;
    for (auto const key : keys) {
        auto const* v = o.if_contains(key);
        if (key == "Subject" && (!v || v->is_null())) continue;
        auto const value = TRY(required_string(o, key));
        out.append(key).append("\n").append(value).append("\n");
    }
    return out;
}

EVP_MD const* sns_digest(std::string_view version) {
    if (version == "1") return EVP_sha1();
    if (version == "2") return EVP_sha256();
    return nullptr;
}

// ---------------------------------------------------------------------------------------------
// SES

struct SesKind {
    std::string_view name;                   // notificationType or eventType
    std::string_view section;                // the object that describes it
    std::string_view recipients;             // its list of recipients; "" for mail.destination
    app::EmailStatus type;
    std::array<std::string_view, 2> detail;  // the section's fields that say why
};

constexpr std::array<SesKind, 6> kSesKinds{{
    {"Bounce", "bounce", "bouncedRecipients", app::EmailStatus::bounced, {"bounceType", "bounceSubType"}},
    {"Complaint", "complaint", "complainedRecipients", app::EmailStatus::complained,
     {"complaintFeedbackType", "complaintSubType"}},
    {"Delivery", "delivery", "recipients", app::EmailStatus::delivered, {"smtpResponse", ""}},
    {"DeliveryDelay", "deliveryDelay", "delayedRecipients", app::EmailStatus::deferred, {"delayType", ""}},
    {"Reject", "reject", "", app::EmailStatus::rejected, {"reason", ""}},
    {"Rendering Failure", "failure", "", app::EmailStatus::failed, {"errorMessage", "templateName"}},
}};

// The Message-ID header as sent, from mail.headers (verbatim), else mail.commonHeaders. Without
// an '@' it is SES's own message id, not an RFC 5322 one, and is not returned.
std::string ses_message_id(json::object const& mail) {
    std::string_view found;
    if (auto const* headers = array_at(mail, "headers")) {
        for (auto const& h : *headers) {
            if (!h.is_object() || core::ascii_lower(string_at(h.get_object(), "name").value_or("")) != "message-id") continue;
            found = string_at(h.get_object(), "value").value_or("");
            break;
        }
    }
    if (auto const* common = object_at(mail, "commonHeaders"); found.empty() && common)
        found = string_at(*common, "messageId").value_or("");
    found = core::trim(found);
    if (found.find('@') == std::string_view::npos) return {};
    if (found.starts_with('<') && found.ends_with('>')) return std::string(found);
    return "<" + std::string(found) + ">";
}

// When SES saw it: the section's timestamp, else the mail's (Reject and Rendering Failure have none).
Result<Instant> ses_time(json::object const& section, json::object const& mail, std::string const& path) {
    auto const text = string_at(section, "timestamp");
    auto const at = parse_rfc3339(text ? *text : string_at(mail, "timestamp").value_or(""));
    if (!at) return invalid_field(path + ".timestamp", "an RFC 3339 time is required");
    return *at;
}

struct SesRecipient {
    std::string email;
    std::string detail;  // the recipient's own status and diagnostic, when given
};

// A recipients entry: an address (Delivery, mail.destination) or an object with emailAddress.
Result<SesRecipient> ses_recipient(json::value const& v, std::string const& field) {
    if (v.is_string()) return SesRecipient{TRY(recipient(std::string_view(v.get_string()), field)), {}};
    if (!v.is_object()) return invalid_field(field, "a recipient is an address or an object with emailAddress");
    auto const& o = v.get_object();
    SesRecipient r{TRY(recipient(string_at(o, "emailAddress"), field + ".emailAddress")), {}};
    append_part(r.detail, string_at(o, "status").value_or(""));
    append_part(r.detail, string_at(o, "diagnosticCode").value_or(""));
    return r;
}

Result<std::vector<ProviderEvent>> ses_events(SesKind const& kind, std::string const& sns_message_id,
                                              json::object const& mail, json::object const& section) {
    auto const path = "Message." + std::string(kind.section);
    auto const* list = kind.recipients.empty() ? array_at(mail, "destination") : array_at(section, kind.recipients);
    auto const list_path = kind.recipients.empty() ? std::string("Message.mail.destination")
                                                   : path + "." + std::string(kind.recipients);
    if (!list) return invalid_field(list_path, "the recipients are missing");
    ProviderEvent base;
    base.provider = "ses";
    base.type = kind.type;
    base.at = TRY(ses_time(section, mail, path));
    base.message_id = ses_message_id(mail);
    base.provider_message_id = std::string(string_at(mail, "messageId").value_or(""));
    base.hard = kind.type == app::EmailStatus::bounced && string_at(section, "bounceType") == "Permanent";
    std::string why;
    for (auto const key : kind.detail)
        if (!key.empty()) append_part(why, string_at(section, key).value_or(""));
    std::vector<ProviderEvent> out;
    for (std::size_t i = 0; i < list->size(); ++i) {
        auto const r = TRY(ses_recipient((*list)[i], list_path + "[" + std::to_string(i) + "]"));
        auto e = base;
        e.event_id = list->size() == 1 ? sns_message_id : sns_message_id + ":" + std::to_string(i);
        e.email = r.email;
        auto detail = why;
        append_part(detail, r.detail);
        e.detail = history_text(detail);
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace

Result<void> verify_sendgrid_signature(std::string const& public_key_b64, std::string const& signature_b64,
                                       std::string const& timestamp, std::string const& body, Instant now,
                                       double window_s) {
    auto const key = sendgrid_key(public_key_b64);
    if (!key) return fail(ErrorCode::unauthenticated, "the SendGrid verification key is not a P-256 public key");
    auto const seconds = unix_seconds(timestamp);
    if (!seconds) return fail(ErrorCode::unauthenticated, "the SendGrid webhook timestamp is not an integer");
    // A captured request replayed later still carries its old, signed timestamp.
    auto const skew_ms = std::abs(static_cast<double>(*seconds * 1000 - now.ms));
    if (!(skew_ms <= window_s * 1000))
        return fail(ErrorCode::unauthenticated, "the SendGrid webhook timestamp is outside the accepted window");
    auto const signature = base64_decode(signature_b64);
    if (!signature) return fail(ErrorCode::unauthenticated, "the SendGrid webhook signature is not base64");
    if (!verifies(key.get(), EVP_sha256(), timestamp + body, *signature))
        return fail(ErrorCode::unauthenticated, "the SendGrid webhook signature does not verify");
    return {};
}

Result<std::vector<ProviderEvent>> parse_sendgrid_events(std::string const& body) {
    auto const doc = parse_json(body);
    if (!doc || !doc->is_array()) return invalid_field("body", "a SendGrid webhook body is a JSON array of events");
    auto const& items = doc->get_array();
    std::vector<ProviderEvent> out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        auto const path = "[" + std::to_string(i) + "]";
        if (!items[i].is_object()) return invalid_field(path, "every event is a JSON object");
        auto event = TRY(sendgrid_event(items[i].get_object(), path));
        if (event) out.push_back(std::move(*event));
    }
    return out;
}

Result<SnsMessage> verify_sns(std::string const& body, std::string const& certificate_pem,
                              std::vector<std::string> const& topics) {
    auto const doc = parse_json(body);
    if (!doc || !doc->is_object()) return invalid_field("body", "an SNS message is a JSON object");
    auto const& o = doc->get_object();
    SnsMessage m;
    m.type = TRY(required_string(o, "Type"));
    bool const confirmation = m.type == "SubscriptionConfirmation" || m.type == "UnsubscribeConfirmation";
    if (!confirmation && m.type != "Notification")
        return invalid_field("Type", "Type must be Notification, SubscriptionConfirmation or UnsubscribeConfirmation");
    auto const string_to_sign = TRY(sns_string_to_sign(o, confirmation));
    auto const* md = sns_digest(TRY(required_string(o, "SignatureVersion")));
    auto const signature_text = TRY(required_string(o, "Signature"));
    if (!md) return fail(ErrorCode::unauthenticated, "the SNS SignatureVersion is neither 1 nor 2");
    auto const signature = base64_decode(signature_text);
    if (!signature) return fail(ErrorCode::unauthenticated, "the SNS Signature is not base64");
    auto const keys = certificate_keys(certificate_pem);
    if (keys.empty()) return fail(ErrorCode::unauthenticated, "the SNS signing certificate cannot be read");
    if (std::ranges::none_of(keys, [&](Pkey const& k) { return verifies(k.get(), md, string_to_sign, *signature); }))
        return fail(ErrorCode::unauthenticated, "the SNS message signature does not verify");
    // Checked once the message is known to be SNS's, so that a forger learns nothing about the list.
    m.topic_arn = std::string(*string_at(o, "TopicArn"));
    if (std::ranges::find(topics, m.topic_arn) == topics.end())
        return fail(ErrorCode::forbidden, "the SNS topic is not one this server takes notifications from");
    m.message_id = std::string(*string_at(o, "MessageId"));
    m.message = std::string(*string_at(o, "Message"));
    m.timestamp = std::string(*string_at(o, "Timestamp"));
    if (confirmation) m.subscribe_url = std::string(*string_at(o, "SubscribeURL"));
    return m;
}

Result<std::vector<ProviderEvent>> parse_ses_notification(std::string const& sns_message_id,
                                                          std::string const& message) {
    if (sns_message_id.empty()) return invalid_field("MessageId", "the SNS MessageId is required");
    auto const doc = parse_json(message);
    if (!doc || !doc->is_object()) return invalid_field("Message", "an SES notification is a JSON object");
    auto const& o = doc->get_object();
    auto name = string_at(o, "notificationType");
    if (!name) name = string_at(o, "eventType");
    if (!name) return invalid_field("Message.notificationType", "an SES notification names its type");
    auto const kind = std::ranges::find(kSesKinds, *name, &SesKind::name);
    if (kind == kSesKinds.end()) return std::vector<ProviderEvent>{};
    auto const* mail = object_at(o, "mail");
    if (!mail) return invalid_field("Message.mail", "the mail the notification is about is missing");
    auto const* section = object_at(o, kind->section);
    if (!section) return invalid_field("Message." + std::string(kind->section), "the event's details are missing");
    return ses_events(*kind, sns_message_id, *mail, *section);
}

}  // namespace hrms::email
