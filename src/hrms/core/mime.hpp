#pragma once
// Email messages as RFC 5322 text with MIME bodies (RFC 2045-2047), for the email outbox. Pure:
// delivery (SMTP, dot-stuffing) is the email subsystem's.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hrms/core/error.hpp"
#include "hrms/core/mime_attachment.hpp"
#include "hrms/core/time.hpp"

namespace hrms::core {

struct MailAddress {
    std::string email;  // addr-spec, ASCII (checked)
    std::string name;   // display name, UTF-8, may be empty
};

struct MailMessage {
    MailAddress from;
    MailAddress to;
    std::optional<MailAddress> reply_to;
    std::string subject;     // UTF-8
    std::string text;        // UTF-8 plain-text part
    std::string html;        // UTF-8 HTML part; empty: a single text/plain part, no multipart
    std::string message_id;  // "<local@domain>", see make_message_id
    Instant date;
    std::vector<std::pair<std::string, std::string>> headers;  // extra: X-Hrms-Request-Id, ...
    std::vector<MailAttachment> attachments;                    // none: no multipart/mixed
};

// Ok for a header line; validation_failed naming "header <name>" when the value holds CR, LF or
// NUL (header injection) or the name is not 1-76 printable ASCII characters other than ':' and
// space.
Result<void> check_header(std::string_view name, std::string_view value);

// True for a plausible addr-spec: ASCII, one '@', a non-empty local part, a domain with a dot (not
// at either end, no ".."), no spaces, controls or specials ("<>,;\"()[]:\\"), at most 254 bytes.
bool valid_mail_address(std::string_view email);

// RFC 2047: `utf8` as is when it is printable ASCII without "=?"; otherwise "=?UTF-8?B?...?="
// encoded words of at most 75 characters each, joined by CRLF SP (folding), never splitting a
// UTF-8 sequence between words.
std::string encode_header_text(std::string_view utf8);

// "Name <email>": the name RFC 2047-encoded when it is not printable ASCII, quoted when it is
// ASCII with specials; just "email" when the name is empty. Does not check the address: callers
// do (valid_mail_address), as render_mime does.
std::string format_address(MailAddress const& a);

// "<unique@domain>" with every character of `unique` outside [A-Za-z0-9._-] (and of `domain`
// outside [A-Za-z0-9.-]) replaced by '-', and dots that would make an empty atom too.
std::string make_message_id(std::string_view unique, std::string_view domain);

// The RFC 5322 date-time of `t` in UTC: "Fri, 15 Jan 2027 08:00:00 +0000".
std::string to_rfc5322_date(Instant t);

// The whole message with CRLF line endings, ready for SMTP DATA (not dot-stuffed: the SMTP
// client does that). Headers Date, From, To, Reply-To (when given), Subject, Message-ID,
// MIME-Version, the extra headers, then either multipart/alternative (text/plain first,
// text/html second) or a single text/plain part; bodies are UTF-8, line breaks made CRLF
// (RFC 2045 canonical form), base64 in lines of 76. With attachments, that body becomes the
// first part of a multipart/mixed, followed by one part per file in order: its bytes in base64
// lines of 76, Content-Type with name=, Content-Disposition: attachment with filename= (an ASCII
// fallback, '_' for each other character) and, for a name that is not printable ASCII,
// filename*= (RFC 2231, UTF-8 percent-encoded, in continuations when long). validation_failed
// naming the field ("subject", "from", "to", "reply_to", "text", "html", "message_id",
// "header <name>", "attachments[<i>].filename", "attachments[<i>].content_type") when a header
// would break a line, an address is implausible, text is not valid UTF-8, an extra header
// repeats one render_mime writes, a header line would exceed 998 bytes, or an attachment's name
// or type is not as safe_attachment_filename and attachment_content_type leave them.
Result<std::string> render_mime(MailMessage const& m);
// What render_mime checks, without encoding the bodies: whether it would render.
Result<void> check_mail(MailMessage const& m);

// Standard base64 (RFC 4648), one line, with padding: a MIME body part's encoding, and what HTTP
// APIs that take a raw message want (SES).
std::string base64(std::string_view bytes);

}  // namespace hrms::core
