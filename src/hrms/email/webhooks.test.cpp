#include "hrms/email/webhooks.hpp"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <boost/json.hpp>
#include <memory>
#include <stdexcept>

#include "hrms/core/text.hpp"

using namespace hrms;
using email::ProviderEvent;
using email::parse_sendgrid_events;
using email::parse_ses_notification;
using email::verify_sendgrid_signature;
using email::verify_sns;

namespace {

namespace json = boost::json;

// ---------------------------------------------------------------------------------------------
// Real keys, signatures and certificates, made here with OpenSSL.

struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

unsigned char const* bytes(std::string_view s) { return reinterpret_cast<unsigned char const*>(s.data()); }

std::string base64(std::string_view raw) {
    std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
    auto const n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes(raw), static_cast<int>(raw.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

Pkey ec_key(char const* curve) {
    Pkey key(EVP_EC_gen(curve));
    if (!key) throw std::runtime_error("EC key generation failed");
    return key;
}

Pkey rsa_key() {
    Pkey key(EVP_RSA_gen(2048));
    if (!key) throw std::runtime_error("RSA key generation failed");
    return key;
}

// The public key as SendGrid shows it: base64 of the DER SubjectPublicKeyInfo.
std::string public_key_b64(EVP_PKEY* key) {
    unsigned char* der = nullptr;
    auto const n = i2d_PUBKEY(key, &der);
    if (n <= 0) throw std::runtime_error("i2d_PUBKEY failed");
    std::string raw(reinterpret_cast<char*>(der), static_cast<std::size_t>(n));
    OPENSSL_free(der);
    return base64(raw);
}

std::string mem_bio_text(BIO* bio) {
    char* data = nullptr;
    auto const n = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(n));
}

std::string public_key_pem(EVP_PKEY* key) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    PEM_write_bio_PUBKEY(bio.get(), key);
    return mem_bio_text(bio.get());
}

// The raw signature (DER for ECDSA) of `data` by `key` with digest `md`.
std::string sign(EVP_PKEY* key, EVP_MD const* md, std::string_view data) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    std::size_t n = 0;
    if (EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &n, bytes(data), data.size()) != 1)
        throw std::runtime_error("EVP_DigestSign failed");
    std::string out(n, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &n, bytes(data), data.size()) != 1)
        throw std::runtime_error("EVP_DigestSign failed");
    out.resize(n);
    return out;
}

std::string self_signed_certificate_pem(EVP_PKEY* key) {
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), &X509_free);
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_set_pubkey(cert.get(), key);
    auto* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, bytes("sns.us-east-1.amazonaws.com"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    if (X509_sign(cert.get(), key, EVP_sha256()) <= 0) throw std::runtime_error("X509_sign failed");
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    PEM_write_bio_X509(bio.get(), cert.get());
    return mem_bio_text(bio.get());
}

template <class T>
testing::AssertionResult refused_with(Result<T> const& r, ErrorCode code) {
    if (r) return testing::AssertionFailure() << "accepted";
    if (r.error().code != code)
        return testing::AssertionFailure() << "refused with " << to_string(r.error().code) << ": " << r.error().message;
    if (r.error().message.empty()) return testing::AssertionFailure() << "refused without a message";
    return testing::AssertionSuccess();
}

// ---------------------------------------------------------------------------------------------
// SendGrid signature

constexpr double kWindow = 300;
std::string const kTimestamp = "1700000000";
Instant const kReceivedAt{1'700'000'000'000};
std::string const kBody =
    R"([{"email":"ada@example.com","event":"delivered","sg_event_id":"e1","timestamp":1700000000}])"
    "\r\n";

struct SendGridSigner {
    Pkey key = ec_key("P-256");
    std::string public_b64 = public_key_b64(key.get());
    std::string signature(std::string const& timestamp, std::string const& body) const {
        return base64(sign(key.get(), EVP_sha256(), timestamp + body));
    }
};

SendGridSigner const& sendgrid() {
    static SendGridSigner const signer;
    return signer;
}

TEST(WebhookSendGridSignature, ValidSignatureIsAccepted) {
    auto const& s = sendgrid();
    EXPECT_TRUE(verify_sendgrid_signature(s.public_b64, s.signature(kTimestamp, kBody), kTimestamp, kBody, kReceivedAt, kWindow));
}

TEST(WebhookSendGridSignature, AlteredBodyIsRefused) {
    auto const& s = sendgrid();
    auto altered = kBody;
    altered.replace(altered.find("delivered"), 9, "bounce");
    EXPECT_TRUE(refused_with(
        verify_sendgrid_signature(s.public_b64, s.signature(kTimestamp, kBody), kTimestamp, altered, kReceivedAt, kWindow),
        ErrorCode::unauthenticated));
}

TEST(WebhookSendGridSignature, AlteredTimestampIsRefused) {
    auto const& s = sendgrid();
    EXPECT_TRUE(refused_with(
        verify_sendgrid_signature(s.public_b64, s.signature(kTimestamp, kBody), "1700000001", kBody, kReceivedAt, kWindow),
        ErrorCode::unauthenticated));
}

TEST(WebhookSendGridSignature, SignatureByAnotherKeyIsRefused) {
    SendGridSigner const other;
    EXPECT_TRUE(refused_with(verify_sendgrid_signature(sendgrid().public_b64, other.signature(kTimestamp, kBody),
                                                       kTimestamp, kBody, kReceivedAt, kWindow),
                             ErrorCode::unauthenticated));
}

TEST(WebhookSendGridSignature, GarbageBase64SignatureIsRefused) {
    for (std::string const garbage : {"not base64 at all!", "", "MEUCIQ=A", "A"}) {
        EXPECT_TRUE(refused_with(
            verify_sendgrid_signature(sendgrid().public_b64, garbage, kTimestamp, kBody, kReceivedAt, kWindow),
            ErrorCode::unauthenticated))
            << garbage;
    }
}

TEST(WebhookSendGridSignature, GarbageKeyIsRefused) {
    auto const signature = sendgrid().signature(kTimestamp, kBody);
    for (std::string const& garbage : {std::string("not base64 at all!"), std::string(), base64("valid base64, not DER")}) {
        EXPECT_TRUE(refused_with(verify_sendgrid_signature(garbage, signature, kTimestamp, kBody, kReceivedAt, kWindow),
                                 ErrorCode::unauthenticated))
            << garbage;
    }
}

TEST(WebhookSendGridSignature, KeyOnAnotherCurveIsRefused) {
    auto const key = ec_key("P-384");
    auto const signature = base64(sign(key.get(), EVP_sha256(), kTimestamp + kBody));
    EXPECT_TRUE(refused_with(
        verify_sendgrid_signature(public_key_b64(key.get()), signature, kTimestamp, kBody, kReceivedAt, kWindow),
        ErrorCode::unauthenticated));
}

TEST(WebhookSendGridSignature, PemWrappedKeyIsAccepted) {
    auto const& s = sendgrid();
    EXPECT_TRUE(verify_sendgrid_signature(public_key_pem(s.key.get()), s.signature(kTimestamp, kBody), kTimestamp,
                                          kBody, kReceivedAt, kWindow));
}

TEST(WebhookSendGridSignature, TimestampTooOldIsRefusedAsAReplay) {
    auto const& s = sendgrid();
    auto const signature = s.signature(kTimestamp, kBody);
    EXPECT_TRUE(verify_sendgrid_signature(s.public_b64, signature, kTimestamp, kBody, kReceivedAt.plus_seconds(300), kWindow));
    EXPECT_TRUE(refused_with(
        verify_sendgrid_signature(s.public_b64, signature, kTimestamp, kBody, kReceivedAt.plus_seconds(301), kWindow),
        ErrorCode::unauthenticated));
}

TEST(WebhookSendGridSignature, TimestampInTheFutureIsRefused) {
    auto const& s = sendgrid();
    auto const signature = s.signature(kTimestamp, kBody);
    EXPECT_TRUE(verify_sendgrid_signature(s.public_b64, signature, kTimestamp, kBody, kReceivedAt.plus_seconds(-300), kWindow));
    EXPECT_TRUE(refused_with(
        verify_sendgrid_signature(s.public_b64, signature, kTimestamp, kBody, kReceivedAt.plus_seconds(-301), kWindow),
        ErrorCode::unauthenticated));
}

TEST(WebhookSendGridSignature, TimestampThatIsNotAnIntegerIsRefused) {
    auto const& s = sendgrid();
    for (std::string const ts : {"1700000000.5", "-1700000000", " 1700000000", "+1700000000", "", "1e9", "timestamp"}) {
        // Signed as sent, so that only the timestamp's form can be the reason.
        EXPECT_TRUE(refused_with(
            verify_sendgrid_signature(s.public_b64, s.signature(ts, kBody), ts, kBody, kReceivedAt, kWindow),
            ErrorCode::unauthenticated))
            << ts;
    }
}

// The example SendGrid's own libraries test against (sendgrid-nodejs, -python, -java, ...).
TEST(WebhookSendGridSignature, SendGridsPublishedExampleVerifies) {
    std::string const key =
        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/"
        "1FwCM/QmGUhA==";
    std::string const signature =
        "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0=";
    std::string const payload = R"({"category":"example_payload","event":"test_event","message_id":"message_id"})";
    Instant const then{1'588'788'367'000};
    EXPECT_TRUE(verify_sendgrid_signature(key, signature, "1588788367", payload, then, kWindow));
    EXPECT_TRUE(refused_with(verify_sendgrid_signature(key, signature, "1588788367", "payload", then, kWindow),
                             ErrorCode::unauthenticated));
}

// ---------------------------------------------------------------------------------------------
// SNS

std::string const kTopic = "arn:aws:sns:us-east-1:123456789012:hrms-ses-events";
std::vector<std::string> const kTopics{"arn:aws:sns:eu-west-1:123456789012:other", kTopic};

struct SnsSigner {
    Pkey key = rsa_key();
    std::string certificate = self_signed_certificate_pem(key.get());
};

SnsSigner const& sns() {
    static SnsSigner const signer;
    return signer;
}

SnsSigner const& other_sns() {
    static SnsSigner const signer;
    return signer;
}

using Fields = std::vector<std::pair<std::string, std::string>>;

// The string to sign as AWS documents it, written out here rather than taken from the code
// under test: "Name\nvalue\n" for each signed field present, in this order.
std::string string_to_sign(Fields const& fields) {
    bool const notification = std::ranges::any_of(fields, [](auto const& f) { return f.second == "Notification"; });
    std::vector<std::string> const order =
        notification ? std::vector<std::string>{"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"}
                     : std::vector<std::string>{"Message",  "MessageId", "SubscribeURL", "Timestamp",
                                                "Token",    "TopicArn",  "Type"};
    std::string out;
    for (auto const& name : order)
        for (auto const& [key, value] : fields)
            if (key == name) out += key + "\n" + value + "\n";
    return out;
}

std::string signed_sns(Fields const& fields, int version, EVP_PKEY* key) {
    auto const signature = sign(key, version == 1 ? EVP_sha1() : EVP_sha256(), string_to_sign(fields));
    json::object o;
    for (auto const& [name, value] : fields) o[name] = value;
    o["SignatureVersion"] = std::to_string(version);
    o["Signature"] = base64(signature);
    o["SigningCertURL"] = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.pem";
    return json::serialize(o);
}

// A Message with what JSON must escape, so that the signed value is the decoded one.
std::string const kSnsMessage = "{\"notificationType\":\"Delivery\"}\n\"quoted\" \\ tab\t caf\xC3\xA9";

Fields notification(bool with_subject) {
    Fields f{{"Type", "Notification"},
             {"MessageId", "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324"},
             {"TopicArn", kTopic},
             {"Message", kSnsMessage},
             {"Timestamp", "2026-03-01T10:00:00.000Z"}};
    if (with_subject) f.emplace_back("Subject", "Amazon SES Email Event Notification");
    return f;
}

Fields confirmation(std::string const& type) {
    return {{"Type", type},
            {"MessageId", "165545c9-2a5c-472c-8df2-7ff2be2b3b1b"},
            {"Token", "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a7"},
            {"TopicArn", kTopic},
            {"Message", "You have chosen to subscribe to the topic " + kTopic + ".\nTo confirm, visit the SubscribeURL."},
            {"SubscribeURL", "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=" + kTopic +
                                 "&Token=2336412f37fb"},
            {"Timestamp", "2026-03-01T10:00:00.000Z"}};
}

std::string with_field(std::string const& body, std::string const& name, std::string const& value) {
    auto o = json::parse(body).as_object();
    o[name] = value;
    return json::serialize(o);
}

std::string without_field(std::string const& body, std::string const& name) {
    auto o = json::parse(body).as_object();
    o.erase(name);
    return json::serialize(o);
}

TEST(WebhookSns, NotificationWithSubjectSignedWithVersion1IsAccepted) {
    auto const r = verify_sns(signed_sns(notification(true), 1, sns().key.get()), sns().certificate, kTopics);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->type, "Notification");
    EXPECT_EQ(r->message_id, "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324");
    EXPECT_EQ(r->topic_arn, kTopic);
    EXPECT_EQ(r->message, kSnsMessage);
    EXPECT_EQ(r->timestamp, "2026-03-01T10:00:00.000Z");
    EXPECT_EQ(r->subscribe_url, "");
}

TEST(WebhookSns, NotificationWithSubjectSignedWithVersion2IsAccepted) {
    EXPECT_TRUE(verify_sns(signed_sns(notification(true), 2, sns().key.get()), sns().certificate, kTopics));
}

TEST(WebhookSns, NotificationWithoutSubjectIsAcceptedInBothVersions) {
    EXPECT_TRUE(verify_sns(signed_sns(notification(false), 1, sns().key.get()), sns().certificate, kTopics));
    EXPECT_TRUE(verify_sns(signed_sns(notification(false), 2, sns().key.get()), sns().certificate, kTopics));
}

TEST(WebhookSns, SubscriptionConfirmationIsAcceptedWithItsSubscribeUrl) {
    for (int const version : {1, 2}) {
        auto const r = verify_sns(signed_sns(confirmation("SubscriptionConfirmation"), version, sns().key.get()),
                                  sns().certificate, kTopics);
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_EQ(r->type, "SubscriptionConfirmation");
        EXPECT_EQ(r->subscribe_url, confirmation("SubscriptionConfirmation")[5].second);
    }
}

TEST(WebhookSns, UnsubscribeConfirmationIsAccepted) {
    EXPECT_TRUE(verify_sns(signed_sns(confirmation("UnsubscribeConfirmation"), 2, sns().key.get()), sns().certificate,
                           kTopics));
}

TEST(WebhookSns, AlteredMessageIsRefused) {
    auto const body = with_field(signed_sns(notification(true), 2, sns().key.get()), "Message", R"({"forged":true})");
    EXPECT_TRUE(refused_with(verify_sns(body, sns().certificate, kTopics), ErrorCode::unauthenticated));
}

TEST(WebhookSns, SubjectAddedAfterSigningIsRefused) {
    auto const body = with_field(signed_sns(notification(false), 2, sns().key.get()), "Subject", "added");
    EXPECT_TRUE(refused_with(verify_sns(body, sns().certificate, kTopics), ErrorCode::unauthenticated));
}

TEST(WebhookSns, AlteredSubscribeUrlIsRefused) {
    auto const body = with_field(signed_sns(confirmation("SubscriptionConfirmation"), 2, sns().key.get()),
                                 "SubscribeURL", "https://attacker.example/confirm");
    EXPECT_TRUE(refused_with(verify_sns(body, sns().certificate, kTopics), ErrorCode::unauthenticated));
}

TEST(WebhookSns, CertificateOfAnotherKeyIsRefused) {
    auto const body = signed_sns(notification(true), 2, sns().key.get());
    EXPECT_TRUE(refused_with(verify_sns(body, other_sns().certificate, kTopics), ErrorCode::unauthenticated));
}

TEST(WebhookSns, AnyCertificateOfABundleWillDo) {
    auto const body = signed_sns(notification(true), 2, sns().key.get());
    EXPECT_TRUE(verify_sns(body, other_sns().certificate + sns().certificate, kTopics));
}

TEST(WebhookSns, UnreadableCertificateIsRefused) {
    auto const body = signed_sns(notification(true), 2, sns().key.get());
    for (std::string const cert : {"", "not a certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"})
        EXPECT_TRUE(refused_with(verify_sns(body, cert, kTopics), ErrorCode::unauthenticated)) << cert;
}

TEST(WebhookSns, Version1SignatureClaimingVersion2IsRefused) {
    auto const body = with_field(signed_sns(notification(true), 1, sns().key.get()), "SignatureVersion", "2");
    EXPECT_TRUE(refused_with(verify_sns(body, sns().certificate, kTopics), ErrorCode::unauthenticated));
}

TEST(WebhookSns, UnknownSignatureVersionIsRefused) {
    auto const body = with_field(signed_sns(notification(true), 2, sns().key.get()), "SignatureVersion", "3");
    EXPECT_TRUE(refused_with(verify_sns(body, sns().certificate, kTopics), ErrorCode::unauthenticated));
}

TEST(WebhookSns, GarbageSignatureIsRefused) {
    auto const body = with_field(signed_sns(notification(true), 2, sns().key.get()), "Signature", "%%%");
    EXPECT_TRUE(refused_with(verify_sns(body, sns().certificate, kTopics), ErrorCode::unauthenticated));
}

TEST(WebhookSns, TopicNotListedIsForbidden) {
    auto const body = signed_sns(notification(true), 2, sns().key.get());
    EXPECT_TRUE(refused_with(verify_sns(body, sns().certificate, {"arn:aws:sns:us-east-1:123456789012:other"}),
                             ErrorCode::forbidden));
    EXPECT_TRUE(refused_with(verify_sns(body, sns().certificate, {}), ErrorCode::forbidden));
}

TEST(WebhookSns, MalformedJsonIsValidationFailed) {
    for (std::string const body : {"", "not json", "{", "[]", "\"Notification\"", "{\"Type\":1}"})
        EXPECT_TRUE(refused_with(verify_sns(body, sns().certificate, kTopics), ErrorCode::validation_failed)) << body;
}

TEST(WebhookSns, MissingFieldIsValidationFailedNamingIt) {
    auto const body = without_field(signed_sns(confirmation("SubscriptionConfirmation"), 2, sns().key.get()), "Token");
    auto const r = verify_sns(body, sns().certificate, kTopics);
    ASSERT_TRUE(refused_with(r, ErrorCode::validation_failed));
    EXPECT_EQ(r.error().details_json, R"({"field":"Token"})");
}

TEST(WebhookSns, UnknownTypeIsValidationFailed) {
    auto const body = with_field(signed_sns(notification(true), 2, sns().key.get()), "Type", "Surprise");
    EXPECT_TRUE(refused_with(verify_sns(body, sns().certificate, kTopics), ErrorCode::validation_failed));
}

// ---------------------------------------------------------------------------------------------
// SendGrid events

std::string const kSendGridBatch = R"([
  {"email":"Ada@Example.COM","timestamp":1700000001,"event":"delivered","sg_event_id":"ev-delivered",
   "sg_message_id":"14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0","response":"250 OK","hrms_message_id":"42"},
  {"email":"b@example.com","timestamp":1700000002,"event":"bounce","type":"bounce","sg_event_id":"ev-bounce",
   "status":"5.1.1","reason":"550 5.1.1 user unknown"},
  {"email":"c@example.com","timestamp":1700000003,"event":"bounce","type":"blocked","sg_event_id":"ev-blocked",
   "status":"4.0.0","reason":"mailbox temporarily unavailable"},
  {"email":"d@example.com","timestamp":1700000004,"event":"dropped","sg_event_id":"ev-dropped","reason":"Bounced Address"},
  {"email":"e@example.com","timestamp":1700000005,"event":"deferred","sg_event_id":"ev-deferred",
   "response":"421 try again later","attempt":"5"},
  {"email":"f@example.com","timestamp":1700000006,"event":"spamreport","sg_event_id":"ev-spam"},
  {"email":"g@example.com","timestamp":1700000007,"event":"open","sg_event_id":"ev-open","useragent":"Mozilla/5.0"},
  {"email":"h@example.com","timestamp":1700000008,"event":"processed","sg_event_id":"ev-processed"},
  {"email":"i@example.com","timestamp":1700000009,"event":"click","url":"https://example.com"},
  {"email":"j@example.com","timestamp":1700000010,"event":"group_unsubscribe","asm_group_id":1}
])";

std::vector<ProviderEvent> sendgrid_batch() {
    auto r = parse_sendgrid_events(kSendGridBatch);
    if (!r) throw std::runtime_error(r.error().message);
    return *r;
}

ProviderEvent only_event(std::string const& body) {
    auto r = parse_sendgrid_events(body);
    if (!r || r->size() != 1) throw std::runtime_error("expected exactly one event");
    return r->front();
}

std::vector<std::string> ids(std::vector<ProviderEvent> const& events) {
    std::vector<std::string> out;
    for (auto const& e : events) out.push_back(e.event_id);
    return out;
}

TEST(WebhookSendGridEvents, DeliveryEventsAreKeptInOrderAndEngagementSkipped) {
    EXPECT_EQ(ids(sendgrid_batch()),
              (std::vector<std::string>{"ev-delivered", "ev-bounce", "ev-blocked", "ev-dropped", "ev-deferred", "ev-spam"}));
}

TEST(WebhookSendGridEvents, DeliveredCarriesTheOutboxIdAndLowerCasedRecipient) {
    auto const e = sendgrid_batch()[0];
    EXPECT_EQ(e.provider, "sendgrid");
    EXPECT_EQ(e.type, app::EmailStatus::delivered);
    EXPECT_EQ(e.outbox_id, 42);
    EXPECT_EQ(e.email, "ada@example.com");
    EXPECT_EQ(e.provider_message_id, "14c5d75ce93");
    EXPECT_EQ(e.at, Instant{1'700'000'001'000});
    EXPECT_EQ(e.detail, "250 OK");
    EXPECT_EQ(e.message_id, "");
}

TEST(WebhookSendGridEvents, BounceIsHard) {
    auto const e = sendgrid_batch()[1];
    EXPECT_EQ(e.type, app::EmailStatus::bounced);
    EXPECT_TRUE(e.hard);
    EXPECT_EQ(e.outbox_id, std::nullopt);
    EXPECT_NE(e.detail.find("550 5.1.1 user unknown"), std::string::npos);
}

TEST(WebhookSendGridEvents, BlockedIsASoftBounce) {
    auto const e = sendgrid_batch()[2];
    EXPECT_EQ(e.type, app::EmailStatus::bounced);
    EXPECT_FALSE(e.hard);
}

TEST(WebhookSendGridEvents, BounceClassifiedAsTheSendersTroubleIsSoft) {
    for (std::string const cls : {"Reputation", "Content", "Technical Failure", "Frequency or Volume Too High"}) {
        auto const e = only_event(R"([{"email":"a@b.c","timestamp":1,"event":"bounce","type":"bounce",)"
                                  R"("sg_event_id":"x","bounce_classification":")" + cls + "\"}]");
        EXPECT_FALSE(e.hard) << cls;
        EXPECT_NE(e.detail.find(cls), std::string::npos);
    }
}

TEST(WebhookSendGridEvents, BlockedClassifiedAsInvalidAddressIsHard) {
    auto const e = only_event(R"([{"email":"a@b.c","timestamp":1,"event":"bounce","type":"blocked",)"
                              R"("sg_event_id":"x","bounce_classification":"Invalid Address"}])");
    EXPECT_TRUE(e.hard);
}

TEST(WebhookSendGridEvents, DroppedIsRejected) {
    auto const e = sendgrid_batch()[3];
    EXPECT_EQ(e.type, app::EmailStatus::rejected);
    EXPECT_EQ(e.detail, "Bounced Address");
}

TEST(WebhookSendGridEvents, DeferredIsDeferredWithItsAttempt) {
    auto const e = sendgrid_batch()[4];
    EXPECT_EQ(e.type, app::EmailStatus::deferred);
    EXPECT_EQ(e.detail, "421 try again later; attempt 5");
}

TEST(WebhookSendGridEvents, SpamReportIsAComplaint) {
    auto const e = sendgrid_batch()[5];
    EXPECT_EQ(e.type, app::EmailStatus::complained);
    EXPECT_EQ(e.email, "f@example.com");
    EXPECT_EQ(e.detail, "spam report");
}

TEST(WebhookSendGridEvents, OutboxIdInNestedCustomArgsIsRead) {
    auto const e = only_event(
        R"([{"email":"a@b.c","timestamp":1,"event":"delivered","sg_event_id":"x","custom_args":{"hrms_message_id":"7"}}])");
    EXPECT_EQ(e.outbox_id, 7);
}

TEST(WebhookSendGridEvents, OutboxIdThatIsNotAPositiveIntegerIsIgnored) {
    for (std::string const id : {R"("7x")", R"("")", R"("-3")", R"("0")", "true", R"("99999999999999999999")"}) {
        auto const e = only_event(R"([{"email":"a@b.c","timestamp":1,"event":"delivered","sg_event_id":"x",)"
                                  R"("hrms_message_id":)" + id + "}]");
        EXPECT_EQ(e.outbox_id, std::nullopt) << id;
    }
}

TEST(WebhookSendGridEvents, DetailIsOneLineOfValidUtf8ClippedTo500Bytes) {
    std::string reason = "550 line one\r\nline two ";
    for (int i = 0; i < 400; ++i) reason += "\xC3\xA9";  // é
    auto const e = only_event(R"([{"email":"a@b.c","timestamp":1,"event":"dropped","sg_event_id":"x","reason":)" +
                              json::serialize(json::value(reason)) + "}]");
    EXPECT_LE(e.detail.size(), email::kMaxEventDetail);
    EXPECT_GE(e.detail.size(), email::kMaxEventDetail - 1);
    EXPECT_TRUE(core::is_valid_utf8(e.detail));
    EXPECT_EQ(e.detail.find_first_of("\r\n"), std::string::npos);
}

TEST(WebhookSendGridEvents, BodyThatIsNotAnArrayOfObjectsIsValidationFailed) {
    for (std::string const body : {"", "not json", "{}", R"({"event":"delivered"})", "[1]", "[[]]", "[{}, 2]"})
        EXPECT_TRUE(refused_with(parse_sendgrid_events(body), ErrorCode::validation_failed)) << body;
}

TEST(WebhookSendGridEvents, KeptEventWithoutIdRecipientOrTimeIsValidationFailed) {
    for (std::string const body : {R"([{"email":"a@b.c","timestamp":1,"event":"delivered"}])",
                                   R"([{"timestamp":1,"event":"delivered","sg_event_id":"x"}])",
                                   R"([{"email":"a@b.c","event":"delivered","sg_event_id":"x"}])",
                                   R"([{"email":"a@b.c","timestamp":"soon","event":"delivered","sg_event_id":"x"}])"})
        EXPECT_TRUE(refused_with(parse_sendgrid_events(body), ErrorCode::validation_failed)) << body;
}

TEST(WebhookSendGridEvents, EmptyBatchGivesNoEvents) {
    auto const r = parse_sendgrid_events("[]");
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->empty());
}

// ---------------------------------------------------------------------------------------------
// SES notifications

std::string const kMail = R"("mail":{"timestamp":"2026-03-01T09:59:58.000Z","source":"hr@example.com",
  "messageId":"0100018e-ses-000000","destination":["Ann@Example.com","bob@example.com"],
  "headersTruncated":false,"headers":[{"name":"From","value":"hr@example.com"},
  {"name":"Message-ID","value":"<abc123@hrms.example.com>"}],
  "commonHeaders":{"messageId":"0100018e-ses-000000"}})";

std::string ses_bounce(std::string const& type) {
    return R"({"notificationType":"Bounce","bounce":{"bounceType":")" + type +
           R"(","bounceSubType":"General","bouncedRecipients":[
             {"emailAddress":"Ann@Example.com","action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"},
             {"emailAddress":"bob@example.com"}],
           "timestamp":"2026-03-01T10:00:00.000Z","feedbackId":"fb-1"},)" +
           kMail + "}";
}

TEST(WebhookSes, BounceWithTwoRecipientsGivesOneEventEach) {
    auto const r = parse_ses_notification("sns-1", ses_bounce("Permanent"));
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->size(), 2u);
    EXPECT_EQ(ids(*r), (std::vector<std::string>{"sns-1:0", "sns-1:1"}));
    auto const& ann = (*r)[0];
    EXPECT_EQ(ann.provider, "ses");
    EXPECT_EQ(ann.type, app::EmailStatus::bounced);
    EXPECT_TRUE(ann.hard);
    EXPECT_EQ(ann.email, "ann@example.com");
    EXPECT_EQ(ann.message_id, "<abc123@hrms.example.com>");
    EXPECT_EQ(ann.provider_message_id, "0100018e-ses-000000");
    EXPECT_EQ(ann.at, *parse_rfc3339("2026-03-01T10:00:00.000Z"));
    EXPECT_EQ(ann.outbox_id, std::nullopt);
    EXPECT_EQ(ann.detail, "Permanent; General; 5.1.1; smtp; 550 5.1.1 user unknown");
    EXPECT_EQ((*r)[1].email, "bob@example.com");
    EXPECT_EQ((*r)[1].detail, "Permanent; General");
}

TEST(WebhookSes, TransientAndUndeterminedBouncesAreSoft) {
    for (std::string const type : {"Transient", "Undetermined"}) {
        auto const r = parse_ses_notification("sns-1", ses_bounce(type));
        ASSERT_TRUE(r) << r.error().message;
        for (auto const& e : *r) EXPECT_FALSE(e.hard) << type;
    }
}

TEST(WebhookSes, ComplaintIsComplainedWithTheBareMessageIdForOneRecipient) {
    auto const r = parse_ses_notification("sns-2", R"({"notificationType":"Complaint","complaint":{
        "complainedRecipients":[{"emailAddress":"Ann@Example.com"}],"timestamp":"2026-03-01T11:00:00.000Z",
        "feedbackId":"fb-2","complaintFeedbackType":"abuse"},)" + kMail + "}");
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ(r->front().event_id, "sns-2");
    EXPECT_EQ(r->front().type, app::EmailStatus::complained);
    EXPECT_EQ(r->front().email, "ann@example.com");
    EXPECT_EQ(r->front().detail, "abuse");
    EXPECT_FALSE(r->front().hard);
}

TEST(WebhookSes, DeliveryIsDelivered) {
    auto const r = parse_ses_notification("sns-3", R"({"notificationType":"Delivery","delivery":{
        "timestamp":"2026-03-01T10:00:01.000Z","processingTimeMillis":1200,"recipients":["bob@example.com"],
        "smtpResponse":"250 ok: Message accepted","reportingMTA":"a8-70.smtp-out.amazonses.com"},)" + kMail + "}");
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ(r->front().type, app::EmailStatus::delivered);
    EXPECT_EQ(r->front().email, "bob@example.com");
    EXPECT_EQ(r->front().detail, "250 ok: Message accepted");
    EXPECT_EQ(r->front().at, *parse_rfc3339("2026-03-01T10:00:01.000Z"));
}

TEST(WebhookSes, EventPublishingDeliveryDelayIsDeferred) {
    auto const r = parse_ses_notification("sns-4", R"({"eventType":"DeliveryDelay","deliveryDelay":{
        "timestamp":"2026-03-01T10:05:00.000Z","delayType":"MailboxFull","expirationTime":"2026-03-02T10:00:00.000Z",
        "delayedRecipients":[{"emailAddress":"bob@example.com","status":"4.2.2","diagnosticCode":"smtp; 452 full"}]},)" +
                                              kMail + "}");
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ(r->front().type, app::EmailStatus::deferred);
    EXPECT_EQ(r->front().detail, "MailboxFull; 4.2.2; smtp; 452 full");
}

TEST(WebhookSes, RejectNamesEveryDestinationAtTheMailsTime) {
    auto const r = parse_ses_notification("sns-5", R"({"eventType":"Reject","reject":{"reason":"Bad content"},)" + kMail + "}");
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->size(), 2u);
    EXPECT_EQ((*r)[0].type, app::EmailStatus::rejected);
    EXPECT_EQ((*r)[0].email, "ann@example.com");
    EXPECT_EQ((*r)[0].detail, "Bad content");
    EXPECT_EQ((*r)[0].at, *parse_rfc3339("2026-03-01T09:59:58.000Z"));
}

TEST(WebhookSes, MessageIdWithoutAnAtIsSesOwnAndNotReturned) {
    auto const r = parse_ses_notification("sns-6", R"({"notificationType":"Delivery","delivery":{
        "timestamp":"2026-03-01T10:00:01.000Z","recipients":["bob@example.com"]},
        "mail":{"messageId":"0100018e-ses-000000","commonHeaders":{"messageId":"0100018e-ses-000000"}}})");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->front().message_id, "");
    auto const common = parse_ses_notification("sns-7", R"({"notificationType":"Delivery","delivery":{
        "timestamp":"2026-03-01T10:00:01.000Z","recipients":["bob@example.com"]},
        "mail":{"messageId":"x","commonHeaders":{"messageId":"abc@hrms.example.com"}}})");
    ASSERT_TRUE(common) << common.error().message;
    EXPECT_EQ(common->front().message_id, "<abc@hrms.example.com>");
}

TEST(WebhookSes, OtherTypesGiveNoEvents) {
    for (std::string const m : {R"({"notificationType":"AmazonSnsSubscriptionSucceeded","message":"ok"})",
                                R"({"eventType":"Open","open":{}})", R"({"eventType":"Send","send":{}})"}) {
        auto const r = parse_ses_notification("sns-8", m);
        ASSERT_TRUE(r) << m;
        EXPECT_TRUE(r->empty()) << m;
    }
}

TEST(WebhookSes, MalformedNotificationIsValidationFailed) {
    std::string const bounce_without_mail =
        R"({"notificationType":"Bounce","bounce":{"bounceType":"Permanent","timestamp":"2026-03-01T10:00:00Z",)"
        R"("bouncedRecipients":[{"emailAddress":"a@b.c"}]}})";
    std::string const bounce_without_recipients =
        R"({"notificationType":"Bounce","bounce":{"bounceType":"Permanent","timestamp":"2026-03-01T10:00:00Z"},)" +
        kMail + "}";
    std::string const bounce_with_bad_time =
        R"({"notificationType":"Bounce","bounce":{"bounceType":"Permanent","timestamp":"yesterday",)"
        R"("bouncedRecipients":[{"emailAddress":"a@b.c"}]},)" + kMail + "}";
    std::string const recipient_without_address =
        R"({"notificationType":"Bounce","bounce":{"bounceType":"Permanent","timestamp":"2026-03-01T10:00:00Z",)"
        R"("bouncedRecipients":[{"status":"5.1.1"}]},)" + kMail + "}";
    for (std::string const& m : {std::string(""), std::string("not json"), std::string("[]"), std::string("{}"),
                                std::string(R"({"notificationType":"Bounce"})"), bounce_without_mail,
                                bounce_without_recipients, bounce_with_bad_time, recipient_without_address})
        EXPECT_TRUE(refused_with(parse_ses_notification("sns-9", m), ErrorCode::validation_failed)) << m;
    EXPECT_TRUE(refused_with(parse_ses_notification("", ses_bounce("Permanent")), ErrorCode::validation_failed));
}

}  // namespace
