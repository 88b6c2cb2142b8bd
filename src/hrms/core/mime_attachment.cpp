#include "hrms/core/mime_attachment.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "hrms/core/text.hpp"

namespace hrms::core {

namespace {

// RFC 5322 §2.1.1: lines SHOULD be at most 78 characters; attachment headers fold to keep to it.
constexpr std::size_t kFoldAt = 78;
// The percent-encoded characters of one RFC 2231 continuation of a file name.
constexpr std::size_t kMaxParamSegment = 48;
// RFC 6838 §4.2: a type or subtype name is at most 127 characters.
constexpr std::size_t kMaxTypeNameLength = 127;
constexpr std::size_t kMaxCharsetLength = 40;
// RFC 2046's discrete top-level types (and RFC 8081's font). The composite ones (multipart,
// message) may not be base64-encoded, so they cannot be attached as bytes.
constexpr std::string_view kAttachableTypes[] = {"application", "audio", "font", "image", "model", "text", "video"};

// A quoted-string (RFC 5322 §3.2.4). A safe name holds no quote or backslash; escaped anyway, as
// one unescaped would end the string early.
std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + '"';
}

// The code point of one well-formed UTF-8 sequence.
char32_t decode_utf8(std::string_view seq) {
    auto const b = [&](std::size_t i) { return static_cast<char32_t>(static_cast<unsigned char>(seq[i])); };
    switch (seq.size()) {
        case 1: return b(0);
        case 2: return (b(0) & 0x1F) << 6 | (b(1) & 0x3F);
        case 3: return (b(0) & 0x0F) << 12 | (b(1) & 0x3F) << 6 | (b(2) & 0x3F);
        default: return (b(0) & 0x07) << 18 | (b(1) & 0x3F) << 12 | (b(2) & 0x3F) << 6 | (b(3) & 0x3F);
    }
}

// Invisible characters and bidirectional controls: in a file name they hide or reorder what the
// recipient reads.
bool is_hidden_format_char(char32_t c) {
    return c == 0x061C || c == 0x200B || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
           c == 0x2060 || (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF;
}

// RFC 2045 §5.1: a token is printable ASCII without space and tspecials.
bool is_token(std::string_view s) {
    return !s.empty() && std::ranges::all_of(s, [](char c) {
        return c > 0x20 && c < 0x7f && !std::string_view("()<>@,;:\\\"/[]?=").contains(c);
    });
}

// The name as printable ASCII for clients that do not read RFC 2231: '_' for each other character.
std::string ascii_fallback(std::string_view utf8) {
    std::string out;
    for (std::size_t i = 0; i < utf8.size();) {
        auto const n = std::max<std::size_t>(1, utf8_sequence_length(utf8.substr(i)));
        bool const printable = n == 1 && utf8[i] >= 0x20 && utf8[i] < 0x7f;
        out += printable ? utf8[i] : '_';
        i += n;
    }
    return out;
}

// RFC 2231 / RFC 5987 percent-encoding: every byte but attr-char as %XX.
std::string percent_encode(std::string_view bytes) {
    std::string out;
    for (unsigned char c : bytes) {
        if (is_ascii_alnum(static_cast<char>(c)) || std::string_view("!#$&+-.^_`|~").contains(static_cast<char>(c)))
            out += static_cast<char>(c);
        else
            out += fmt::format("%{:02X}", c);
    }
    return out;
}

// Appends "; param" to the header line that began at `line_start`: on the same line while it
// stays within 78 characters, else on a folded line of its own.
void append_param(std::string& out, std::size_t& line_start, std::string_view param) {
    out += ';';
    if (out.size() - line_start + 1 + param.size() > kFoldAt) {
        out += "\r\n";
        line_start = out.size();
    }
    out += ' ';
    out += param;
}

// The file name parameters of Content-Disposition: filename="ASCII fallback" always and, when the
// name is not printable ASCII, filename*=UTF-8''%..; (RFC 2231 §4), split into numbered
// continuations (filename*0*=, filename*1*=, ... §3) when one would make a long line.
std::vector<std::string> filename_params(std::string_view name) {
    std::vector<std::string> out{"filename=" + quoted(ascii_fallback(name))};
    if (is_printable_ascii(name)) return out;
    auto const encoded = percent_encode(name);
    auto const whole = "filename*=UTF-8''" + encoded;
    if (whole.size() + 2 <= kFoldAt) {
        out.push_back(whole);
        return out;
    }
    for (std::size_t at = 0, n = 0; at < encoded.size(); ++n) {
        auto len = std::min(kMaxParamSegment, encoded.size() - at);
        // Never split a %XX triplet between segments.
        if (at + len < encoded.size()) {
            if (encoded[at + len - 1] == '%') len -= 1;
            else if (encoded[at + len - 2] == '%') len -= 2;
        }
        out.push_back(fmt::format("filename*{}*={}{}", n, n == 0 ? "UTF-8''" : "", encoded.substr(at, len)));
        at += len;
    }
    return out;
}

}  // namespace

std::string safe_attachment_filename(std::string_view name) {
    auto const repaired = repair_utf8(name);
    std::string visible;
    for (std::size_t i = 0; i < repaired.size();) {
        auto const n = utf8_sequence_length(std::string_view(repaired).substr(i));
        auto const seq = std::string_view(repaired).substr(i, n);
        if (!is_hidden_format_char(decode_utf8(seq))) visible += seq;
        i += n;
    }
    return sanitize_filename(visible);
}

std::optional<std::string> attachment_content_type(std::string_view content_type) {
    auto const semi = content_type.find(';');
    auto const type = ascii_lower(trim(content_type.substr(0, semi)));
    auto const slash = type.find('/');
    if (slash == std::string::npos) return std::nullopt;
    auto const top = std::string_view(type).substr(0, slash);
    auto const sub = std::string_view(type).substr(slash + 1);
    if (!is_token(top) || !is_token(sub) || top.size() > kMaxTypeNameLength || sub.size() > kMaxTypeNameLength ||
        std::ranges::find(kAttachableTypes, top) == std::end(kAttachableTypes))
        return std::nullopt;
    if (semi == std::string_view::npos) return type;
    auto const param = trim(content_type.substr(semi + 1));
    auto const eq = param.find('=');
    if (eq == std::string_view::npos || ascii_lower(trim(param.substr(0, eq))) != "charset") return std::nullopt;
    auto charset = ascii_lower(trim(param.substr(eq + 1)));
    if (charset.size() >= 2 && charset.front() == '"' && charset.back() == '"') charset = charset.substr(1, charset.size() - 2);
    if (!is_token(charset) || charset.size() > kMaxCharsetLength) return std::nullopt;
    return type + "; charset=" + charset;
}

std::string attachment_part_headers(MailAttachment const& a) {
    std::string out = "Content-Type: " + a.content_type;
    std::size_t line_start = 0;
    append_param(out, line_start, "name=" + quoted(ascii_fallback(a.filename)));
    out += "\r\n";
    line_start = out.size();
    out += "Content-Disposition: attachment";
    for (auto const& p : filename_params(a.filename)) append_param(out, line_start, p);
    out += "\r\nContent-Transfer-Encoding: base64\r\n";
    return out;
}

}  // namespace hrms::core
