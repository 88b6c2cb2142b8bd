#include "hrms/core/mime.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <initializer_list>

#include <fmt/format.h>

#include "hrms/core/text.hpp"

namespace hrms::core {

namespace {

constexpr std::size_t kMaxHeaderNameLength = 76;
constexpr std::size_t kMaxAddressLength = 254;
// RFC 5322 §2.1.1: no line may be longer than 998 bytes, folded or not.
constexpr std::size_t kMaxLineLength = 998;
// RFC 2045 §6.8: encoded lines are at most 76 characters.
constexpr std::size_t kBase64LineLength = 76;
constexpr std::string_view kWordPrefix = "=?UTF-8?B?";
constexpr std::string_view kWordSuffix = "?=";
// RFC 2047 §2: an encoded word is at most 75 characters.
constexpr std::size_t kMaxEncodedWordLength = 75;
// The text bytes one word carries: whole base64 quads between prefix and suffix (60 chars, 45 bytes).
constexpr std::size_t kWordTextBytes =
    (kMaxEncodedWordLength - kWordPrefix.size() - kWordSuffix.size()) / 4 * 3;
constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The headers render_mime writes itself: an extra one with the same name would contradict them.
constexpr std::string_view kStructuralHeaders[] = {
    "Date", "From", "To", "Reply-To", "Subject", "Message-ID", "MIME-Version",
};

bool iequals(std::string_view a, std::string_view b) {
    auto const lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    return a.size() == b.size() &&
           std::ranges::equal(a, b, [&](char x, char y) { return lower(x) == lower(y); });
}

bool istarts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

void append_base64(std::string& out, std::string_view bytes) {
    auto const byte = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])); };
    auto const put = [&](std::uint32_t n, int chars) {
        for (int k = 0; k < chars; ++k) out += kBase64Alphabet[(n >> (18 - 6 * k)) & 63];
    };
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) put(byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2), 4);
    if (bytes.size() - i == 1) {
        put(byte(i) << 16, 2);
        out += "==";
    } else if (bytes.size() - i == 2) {
        put(byte(i) << 16 | byte(i + 1) << 8, 3);
        out += '=';
    }
}

// Base64 in lines of 76 characters, each ending in CRLF; nothing for no bytes.
void append_base64_lines(std::string& out, std::string_view bytes) {
    constexpr std::size_t kBytesPerLine = kBase64LineLength / 4 * 3;
    for (std::size_t i = 0; i < bytes.size(); i += kBytesPerLine) {
        append_base64(out, bytes.substr(i, kBytesPerLine));
        out += "\r\n";
    }
}

// RFC 2045 §6.8 encodes text in its canonical form: every line break (LF, CR or CRLF) as CRLF,
// or the recipient's decoder shows stray CRs or runs lines together.
std::string canonical_line_breaks(std::string_view s) {
    std::string out;
    out.reserve(s.size() + s.size() / 32);
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r' || s[i] == '\n') {
            if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
            out += "\r\n";
        } else {
            out += s[i];
        }
    }
    return out;
}

// RFC 5322 atext and the space between words: a display name of these needs no quotes.
bool is_phrase_char(char c) {
    return is_ascii_alnum(c) || std::string_view("!#$%&'*+-/=?^_`{|}~ ").contains(c);
}

std::string quoted_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + '"';
}

// `s` with characters outside [A-Za-z0-9] and `punct` replaced by '-', and so are dots that would
// leave an empty atom (leading, trailing, doubled): the result is an RFC 5322 dot-atom.
std::string dot_atom(std::string_view s, std::string_view punct) {
    std::string out;
    for (char c : s) {
        bool ok = is_ascii_alnum(c) || punct.contains(c);
        if (c == '.' && (out.empty() || out.back() == '.')) ok = false;
        out += ok ? c : '-';
    }
    if (out.empty()) return "-";
    if (out.back() == '.') out.back() = '-';
    return out;
}

std::uint64_t fnv1a(std::string_view s) {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return h;
}

// "=_" cannot occur in base64 output, so the boundary never matches an encoded line; it is also
// kept out of the raw bodies and file names, so it appears nowhere in the message but the
// delimiters. Each attempt is a distinct string, so finite text cannot hold them all. `kind`
// tells nested boundaries apart, and neither of "=_hrms_mixed_..." and "=_hrms_<hex>..." is a
// prefix of the other (a delimiter is matched by its prefix).
std::string make_boundary(std::string_view kind, std::string_view message_id,
                          std::initializer_list<std::string_view> avoid_text,
                          std::vector<MailAttachment> const& avoid_names) {
    auto const base = fmt::format("=_hrms_{}{:016x}", kind, fnv1a(message_id));
    for (unsigned attempt = 0;; ++attempt) {
        auto const b = attempt == 0 ? base : fmt::format("{}.{}", base, attempt);
        bool const clear = std::ranges::none_of(avoid_text, [&](std::string_view t) { return t.contains(b); }) &&
                           std::ranges::none_of(avoid_names, [&](MailAttachment const& a) { return a.filename.contains(b); });
        if (clear) return b;
    }
}

Result<void> check_header_value(std::string const& field, std::string_view value) {
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos)
        return invalid_field(field, field + " must not contain CR, LF or NUL");
    return {};
}

Result<void> check_utf8(std::string const& field, std::string_view text) {
    if (!is_valid_utf8(text)) return invalid_field(field, field + " is not valid UTF-8");
    return {};
}

Result<void> check_mailbox(std::string const& field, MailAddress const& a) {
    if (!valid_mail_address(a.email))
        return invalid_field(field, field + " is not a valid email address");
    TRY_VOID(check_header_value(field, a.name));
    return check_utf8(field, a.name);
}

bool valid_message_id(std::string_view id) {
    if (id.size() < 5 || id.front() != '<' || id.back() != '>') return false;
    auto const inner = id.substr(1, id.size() - 2);
    auto const at = inner.find('@');
    if (at == 0 || at == std::string_view::npos || at + 1 == inner.size() ||
        inner.find('@', at + 1) != std::string_view::npos)
        return false;
    return std::ranges::all_of(inner, [](char c) { return c > 0x20 && c < 0x7f && c != '<' && c != '>'; });
}

Result<void> check_extra_header(std::string const& name, std::string const& value) {
    TRY_VOID(check_header(name, value));
    auto const field = "header " + name;
    bool const structural = std::ranges::any_of(
        kStructuralHeaders, [&](std::string_view h) { return iequals(h, name); });
    if (structural || istarts_with(name, "Content-"))
        return invalid_field(field, field + " is written by the renderer and cannot be given");
    return check_utf8(field, value);
}

Result<void> check_message(MailMessage const& m) {
    TRY_VOID(check_mailbox("from", m.from));
    TRY_VOID(check_mailbox("to", m.to));
    if (m.reply_to) TRY_VOID(check_mailbox("reply_to", *m.reply_to));
    TRY_VOID(check_header_value("subject", m.subject));
    TRY_VOID(check_utf8("subject", m.subject));
    TRY_VOID(check_header_value("message_id", m.message_id));
    if (!valid_message_id(m.message_id))
        return invalid_field("message_id", "message_id must look like <unique@domain>");
    TRY_VOID(check_utf8("text", m.text));
    TRY_VOID(check_utf8("html", m.html));
    for (auto const& [name, value] : m.headers) TRY_VOID(check_extra_header(name, value));
    for (std::size_t i = 0; i < m.attachments.size(); ++i) {
        auto const& a = m.attachments[i];
        auto const field = "attachments[" + std::to_string(i) + "]";
        if (a.filename.empty() || safe_attachment_filename(a.filename) != a.filename)
            return invalid_field(field + ".filename", field + ".filename is not a safe file name");
        if (attachment_content_type(a.content_type) != a.content_type)
            return invalid_field(field + ".content_type", field + ".content_type is not a type/subtype to attach");
    }
    return {};
}

// Appends "name: value" CRLF, refusing it (as `field`) when a physical line would be too long.
Result<void> append_header(std::string& out, std::string_view name, std::string_view value,
                           std::string const& field) {
    std::string line;
    line.append(name).append(": ").append(value);
    for (std::size_t start = 0;;) {
        auto const end = line.find("\r\n", start);
        if ((end == std::string::npos ? line.size() : end) - start > kMaxLineLength)
            return invalid_field(field, field + " is too long for a header line");
        if (end == std::string::npos) break;
        start = end + 2;
    }
    out += line;
    out += "\r\n";
    return {};
}

Result<void> append_headers(std::string& out, MailMessage const& m) {
    TRY_VOID(append_header(out, "Date", to_rfc5322_date(m.date), "date"));
    TRY_VOID(append_header(out, "From", format_address(m.from), "from"));
    TRY_VOID(append_header(out, "To", format_address(m.to), "to"));
    if (m.reply_to) TRY_VOID(append_header(out, "Reply-To", format_address(*m.reply_to), "reply_to"));
    TRY_VOID(append_header(out, "Subject", encode_header_text(m.subject), "subject"));
    TRY_VOID(append_header(out, "Message-ID", m.message_id, "message_id"));
    TRY_VOID(append_header(out, "MIME-Version", "1.0", "mime_version"));
    for (auto const& [name, value] : m.headers)
        TRY_VOID(append_header(out, name, encode_header_text(value), "header " + name));
    return {};
}

// A part's own headers, the blank line and its body; also the top-level tail of a one-part message.
void append_part(std::string& out, std::string_view content_type, std::string_view body) {
    out += "Content-Type: ";
    out += content_type;
    out += "; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
    append_base64_lines(out, canonical_line_breaks(body));
}

// The text and HTML of `m`: multipart/alternative, or a single text/plain part without HTML.
void append_body(std::string& out, MailMessage const& m) {
    if (m.html.empty()) {
        append_part(out, "text/plain", m.text);
        return;
    }
    auto const boundary = make_boundary("", m.message_id, {m.text, m.html}, m.attachments);
    out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
    for (auto const& [type, body] : {std::pair{std::string_view("text/plain"), std::string_view(m.text)},
                                     std::pair{std::string_view("text/html"), std::string_view(m.html)}}) {
        out += "--" + boundary + "\r\n";
        append_part(out, type, body);
        // An empty body still needs the CRLF that ends it before the next delimiter's CRLF.
        if (body.empty()) out += "\r\n";
    }
    out += "--" + boundary + "--\r\n";
}

}  // namespace

Result<void> check_header(std::string_view name, std::string_view value) {
    auto const field = "header " + std::string(name);
    bool const name_ok = !name.empty() && name.size() <= kMaxHeaderNameLength &&
                         std::ranges::all_of(name, [](char c) { return c > 0x20 && c < 0x7f && c != ':'; });
    if (!name_ok)
        return invalid_field(field, "a header name is 1-76 printable ASCII characters without ':' or space");
    return check_header_value(field, value);
}

bool valid_mail_address(std::string_view email) {
    if (email.empty() || email.size() > kMaxAddressLength) return false;
    auto const at = email.find('@');
    if (at == 0 || at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos)
        return false;
    auto const domain = email.substr(at + 1);
    if (domain.empty() || !domain.contains('.') || domain.front() == '.' || domain.back() == '.' ||
        domain.contains(".."))
        return false;
    // Specials outside a quoted local part would make the header mean something else.
    return std::ranges::none_of(email, [](char c) {
        auto const u = static_cast<unsigned char>(c);
        return u <= 0x20 || u >= 0x7f || std::string_view("<>,;\"()[]:\\").contains(c);
    });
}

std::string encode_header_text(std::string_view utf8) {
    if (is_printable_ascii(utf8) && !utf8.contains("=?")) return std::string(utf8);
    std::string out;
    std::size_t i = 0;
    while (i < utf8.size()) {
        std::size_t end = i;
        while (end < utf8.size()) {
            // Ill-formed bytes go one at a time; render_mime refuses them before this anyway.
            auto const n = std::max<std::size_t>(1, utf8_sequence_length(utf8.substr(end)));
            if (end + n - i > kWordTextBytes) break;
            end += n;
        }
        if (!out.empty()) out += "\r\n ";
        out += kWordPrefix;
        append_base64(out, utf8.substr(i, end - i));
        out += kWordSuffix;
        i = end;
    }
    return out;
}

std::string format_address(MailAddress const& a) {
    auto const name = trim(a.name);
    if (name.empty()) return a.email;
    std::string out;
    if (!is_printable_ascii(name) || name.contains("=?")) {
        out = encode_header_text(name);
    } else if (std::ranges::all_of(name, is_phrase_char)) {
        out = std::string(name);
    } else {
        out = quoted_string(name);
    }
    out += " <";
    out += a.email;
    out += '>';
    return out;
}

std::string make_message_id(std::string_view unique, std::string_view domain) {
    return "<" + dot_atom(unique, "._-") + "@" + dot_atom(domain, ".-") + ">";
}

std::string to_rfc5322_date(Instant t) {
    using namespace std::chrono;
    static constexpr char const* kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr char const* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    sys_time<milliseconds> const tp{milliseconds{t.ms}};
    auto const day = floor<days>(tp);
    year_month_day const ymd{day};
    hh_mm_ss const hms{floor<seconds>(tp - day)};
    return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000",
                       kWeekdays[weekday{day}.c_encoding()], static_cast<unsigned>(ymd.day()),
                       kMonths[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                       hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

Result<std::string> render_mime(MailMessage const& m) {
    TRY_VOID(check_message(m));
    std::size_t attached = 0;
    for (auto const& a : m.attachments) attached += a.bytes.size() + 512;
    std::string out;
    out.reserve(1024 + (m.text.size() + m.html.size() + attached) * 4 / 3 * 78 / 76);
    TRY_VOID(append_headers(out, m));
    if (m.attachments.empty()) {
        append_body(out, m);
        return out;
    }
    auto const boundary = make_boundary("mixed_", m.message_id, {m.text, m.html}, m.attachments);
    out += "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n";
    out += "--" + boundary + "\r\n";
    append_body(out, m);
    if (m.html.empty() && m.text.empty()) out += "\r\n";  // an empty single part, as below
    for (auto const& a : m.attachments) {
        out += "--" + boundary + "\r\n";
        out += attachment_part_headers(a);
        out += "\r\n";
        append_base64_lines(out, a.bytes);
        // An empty file still needs the CRLF that ends it before the next delimiter's CRLF.
        if (a.bytes.empty()) out += "\r\n";
    }
    out += "--" + boundary + "--\r\n";
    return out;
}

Result<void> check_mail(MailMessage const& m) {
    TRY_VOID(check_message(m));
    std::string headers;  // the header lines are checked as they are written (length, injection)
    TRY_VOID(append_headers(headers, m));
    return {};
}

std::string base64(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    append_base64(out, bytes);
    return out;
}

}  // namespace hrms::core
