#pragma once
// Delivery tracking of outgoing mail: what SendGrid's Event Webhook and Amazon SES (through an
// SNS topic) post about the messages we sent, authenticated over OpenSSL and normalised into
// ProviderEvent. Pure: no clock, no I/O, nothing logged.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hrms/app/ports/email.hpp"
#include "hrms/core/error.hpp"
#include "hrms/core/time.hpp"

namespace hrms::email {

// ProviderEvent::detail is kept in the message's history: one line of at most this many bytes.
inline constexpr std::size_t kMaxEventDetail = 500;

// One delivery event from a provider, normalised.
struct ProviderEvent {
    std::string provider;                   // "sendgrid" | "ses"
    std::string event_id;                   // the dedupe key: SendGrid sg_event_id; SES the SNS MessageId,
                                            // + ":" + index when the notification names several recipients
    std::optional<std::int64_t> outbox_id;  // SendGrid: the hrms_message_id custom arg, when present
    std::string message_id;                 // RFC 5322 Message-ID, "<...@...>", when known (SES only)
    std::string provider_message_id;        // SendGrid sg_message_id before its first '.'; SES mail.messageId
    std::string email;                      // the recipient, trimmed and lower-cased
    app::EmailStatus type = app::EmailStatus::failed;  // delivered | bounced | complained | deferred |
                                                       // rejected | failed
    bool hard = false;                      // bounced: permanent (suppress the address) vs transient
    std::string detail;                     // why, for the history: valid UTF-8, one line, <= kMaxEventDetail
    Instant at;                             // when the provider saw it
};

// Checks SendGrid's Event Webhook signature: ECDSA P-256 with SHA-256 over `timestamp` followed by
// the raw `body`; `signature_b64` is the X-Twilio-Email-Event-Webhook-Signature header (base64 of
// DER), `timestamp` the X-Twilio-Email-Event-Webhook-Timestamp header (Unix seconds), and
// `public_key_b64` the verification key as SendGrid shows it (base64 DER SubjectPublicKeyInfo; a
// PEM "BEGIN PUBLIC KEY" block is taken too). unauthenticated, with a message saying which, for a
// key that is not a P-256 public key, a signature that is not base64 or does not verify, or a
// timestamp that is not an integer or is more than `window_s` seconds away from `now` (a replay).
Result<void> verify_sendgrid_signature(std::string const& public_key_b64, std::string const& signature_b64,
                                       std::string const& timestamp, std::string const& body, Instant now,
                                       double window_s);

// The delivery events of a SendGrid webhook body (a JSON array of event objects), in order:
// delivered -> delivered; bounce -> bounced (type "bounce" hard, "blocked" and "expired" soft; a
// bounce_classification of "Invalid Address" is hard, one of the sender's own trouble - Content,
// Reputation, Technical, Frequency or Volume - soft); dropped -> rejected; deferred -> deferred;
// spamreport -> complained. Engagement and other events (processed, open, click, unsubscribe,
// group_*, ...) are skipped. validation_failed naming the field for a body that is not a JSON
// array of objects, an event without a type, or a kept event without sg_event_id, email or
// timestamp (a changed format must not be acknowledged and lost).
Result<std::vector<ProviderEvent>> parse_sendgrid_events(std::string const& body);

// An Amazon SNS message as posted to an HTTPS subscription, after verify_sns.
struct SnsMessage {
    std::string type;           // Notification | SubscriptionConfirmation | UnsubscribeConfirmation
    std::string message_id;
    std::string topic_arn;
    std::string message;        // for a Notification from SES: the JSON parse_ses_notification reads
    std::string subscribe_url;  // confirmations only: GET it to confirm the subscription
    std::string timestamp;      // as SNS wrote it (RFC 3339); the caller judges its age
};

// Parses and authenticates an SNS `body`: SignatureVersion 1 (SHA1withRSA) or 2 (SHA256withRSA)
// over the string AWS documents for the message's Type, checked with the public key of the
// certificate in `certificate_pem` (the SNS signing certificate the operator configured - nothing
// is downloaded; several certificates may be given, for a rotation, and any of them will do), and
// then TopicArn must be one of `topics` exactly. validation_failed naming the field for JSON that
// is not an object or lacks a field the type needs; unauthenticated for an unknown signature
// version, a signature that is not base64 or does not verify, or a certificate that cannot be
// read; forbidden for a verified message from a topic not in `topics`.
Result<SnsMessage> verify_sns(std::string const& body, std::string const& certificate_pem,
                              std::vector<std::string> const& topics);

// The events of an SES notification (SnsMessage::message, JSON; notificationType or, for event
// publishing, eventType): Bounce -> bounced (bounceType Permanent hard; Transient, Undetermined
// soft), Complaint -> complained, Delivery -> delivered, DeliveryDelay -> deferred, Reject ->
// rejected, Rendering Failure -> failed; one per recipient. Other types (Send, Open, Click,
// AmazonSnsSubscriptionSucceeded, ...) give none. validation_failed naming the field for a
// message that is not a JSON object, has no type, or lacks the mail, recipients or time of a
// kept type, and for an empty `sns_message_id` (the dedupe key is made from it).
Result<std::vector<ProviderEvent>> parse_ses_notification(std::string const& sns_message_id,
                                                          std::string const& message);

}  // namespace hrms::email
