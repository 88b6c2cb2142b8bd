#pragma once
// Small text helpers shared by the core rules.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hrms::core {

// `s` without leading and trailing ASCII whitespace.
inline std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

// The pieces of `s` between `sep`s, each trimmed; empty pieces are kept (a caller decides what
// "a,,b" means). Lists in settings and headers: "file, smtp", "a=1; b=2".
inline std::vector<std::string_view> split_trimmed(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    for (;;) {
        auto const at = s.find(sep);
        out.push_back(trim(s.substr(0, at)));
        if (at == std::string_view::npos) return out;
        s.remove_prefix(at + 1);
    }
}

// `s` with ASCII letters lowered and every other byte as it was (header names, email addresses,
// tokens: never locale-dependent).
inline std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// ASCII letters and digits only, whatever the locale (header tokens, parameter names).
inline bool is_ascii_alnum(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// Every byte printable ASCII (0x20 to 0x7e): a header value that needs no encoding.
inline bool is_printable_ascii(std::string_view s) {
    return std::ranges::all_of(s, [](char c) { return c >= 0x20 && c < 0x7f; });
}

// Code points of UTF-8 text, so a limit in "characters" does not punish non-Latin text.
inline std::size_t utf8_length(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// The length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629: no overlong forms,
// no surrogates, nothing above U+10FFFF), or 0 when it is not one.
std::size_t utf8_sequence_length(std::string_view s);

// True when `s` is well-formed UTF-8.
bool is_valid_utf8(std::string_view s);

// `s` with every ill-formed sequence replaced by U+FFFD (one per maximal bad subpart, as the
// Unicode standard recommends); valid input comes back unchanged.
std::string repair_utf8(std::string_view s);

// `s` repaired (as repair_utf8) and cut to at most `max_bytes` without splitting a character:
// for client-supplied text kept for display, such as a User-Agent.
std::string clip_utf8(std::string_view s, std::size_t max_bytes);

// `s` with full Unicode case folding (ICU, the CaseFolding.txt mappings of kind C and F):
// "Straße" and "STRASSE" both give "strasse", "ΣΊΣΥΦΟΣ" and "σίσυφος" both give "σίσυφοσ".
// Text that differs only in case folds to the same string, so matching folded text against a
// folded needle is caseless matching. Ill-formed UTF-8 is folded as if each bad sequence were
// U+FFFD; it never fails.
std::string fold_case(std::string_view s);

// Appends one CSV field (RFC 4180) to `out`: quoted when it holds a comma, quote or line break;
// a value a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading
// apostrophe, inside quotes.
void csv_field(std::string& out, std::string_view v);

// True when `s` holds a C0 control character or DEL (NUL included).
bool has_control_chars(std::string_view s);

// A filename that is safe to store, show and send: the last path component, valid UTF-8 (bad
// bytes replaced), no control characters or characters that are special to shells and file
// systems, no leading dots, at most 200 bytes (extension kept); "document" when nothing is left.
std::string sanitize_filename(std::string_view name);

}  // namespace hrms::core
