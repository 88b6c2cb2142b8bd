#include "hrms/core/text.hpp"

#include <unicode/uchar.h>
#include <unicode/unistr.h>

namespace hrms::core {

std::size_t utf8_sequence_length(std::string_view s) {
    if (s.empty()) return 0;
    auto const b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    unsigned char const c = b(0);
    if (c < 0x80) return 1;
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;          // overlong
        else if (c == 0xED) hi = 0x9F;     // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;          // overlong
        else if (c == 0xF4) hi = 0x8F;     // above U+10FFFF
    } else {
        return 0;
    }
    if (s.size() < n) return 0;
    if (b(1) < lo || b(1) > hi) return 0;
    for (std::size_t i = 2; i < n; ++i) {
        if ((b(i) & 0xC0) != 0x80) return 0;
    }
    return n;
}

bool is_valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        // ASCII runs are the common case: skip them a byte at a time without the full decode.
        if (static_cast<unsigned char>(s[i]) < 0x80) {
            ++i;
            continue;
        }
        auto const n = utf8_sequence_length(s.substr(i));
        if (n == 0) return false;
        i += n;
    }
    return true;
}

std::string repair_utf8(std::string_view s) {
    if (is_valid_utf8(s)) return std::string(s);
    std::string out;
    out.reserve(s.size() + 8);
    std::size_t i = 0;
    while (i < s.size()) {
        auto const n = utf8_sequence_length(s.substr(i));
        if (n > 0) {
            out.append(s.substr(i, n));
            i += n;
            continue;
        }
        // Skip the maximal subpart: a lead byte and the continuation bytes that could still
        // have belonged to it, then one replacement character.
        out += "\xEF\xBF\xBD";
        unsigned char const c = static_cast<unsigned char>(s[i]);
        std::size_t const want = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 1;
        std::size_t j = i + 1;
        while (j < s.size() && j < i + want && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) ++j;
        i = j;
    }
    return out;
}

std::string clip_utf8(std::string_view s, std::size_t max_bytes) {
    auto out = repair_utf8(s.substr(0, std::min(s.size(), max_bytes + 4)));
    if (out.size() <= max_bytes) return out;
    std::size_t keep = max_bytes;
    while (keep > 0 && (static_cast<unsigned char>(out[keep]) & 0xC0) == 0x80) --keep;
    out.resize(keep);
    return out;
}

std::string fold_case(std::string_view s) {
    // ASCII folds to its lower case: the common case skips ICU's two UTF-16 conversions.
    if (std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
        std::string out(s);
        for (auto& c : out) {
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
        return out;
    }
    // fromUTF8 substitutes U+FFFD for ill-formed sequences. foldCase() is full folding (ß
    // becomes ss) with the default mappings, not the Turkic ones: one rule for every user.
    auto text = icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
    std::string out;
    text.foldCase(U_FOLD_CASE_DEFAULT).toUTF8String(out);
    return out;
}

bool has_control_chars(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char ch) {
        auto const c = static_cast<unsigned char>(ch);
        return c < 0x20 || c == 0x7f;
    });
}

std::string sanitize_filename(std::string_view raw) {
    auto const repaired = repair_utf8(raw);
    std::string_view name = repaired;
    // Only the last path component, whichever separator the client's system uses.
    if (auto const slash = name.find_last_of("/\\"); slash != std::string_view::npos)
        name.remove_prefix(slash + 1);
    std::string out;
    for (unsigned char c : name) {
        if (c < 0x20 || c == 0x7f) continue;
        if (c == '"' || c == '<' || c == '>' || c == '|' || c == ':' || c == '*' || c == '?' || c == ';')
            out.push_back('_');
        else
            out.push_back(static_cast<char>(c));
    }
    // No hidden files, no "..": drop leading dots and blanks until neither is left (". .x"
    // would otherwise become ".x").
    for (std::size_t before = std::string::npos; before != out.size();) {
        before = out.size();
        out = std::string(trim(out));
        while (!out.empty() && out.front() == '.') out.erase(out.begin());
    }
    constexpr std::size_t kMax = 200;
    if (out.size() > kMax) {
        // Keep the extension when shortening, and never cut a UTF-8 sequence in half.
        auto const dot = out.rfind('.');
        std::string ext = (dot != std::string::npos && out.size() - dot <= 16) ? out.substr(dot) : "";
        std::size_t keep = kMax - ext.size();
        while (keep > 0 && (static_cast<unsigned char>(out[keep]) & 0xC0) == 0x80) --keep;
        out = out.substr(0, keep) + ext;
    }
    out = std::string(trim(out));
    return out.empty() ? "document" : out;
}

void csv_field(std::string& out, std::string_view v) {
    bool const formula = !v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' ||
                                        v[0] == '\t' || v[0] == '\r');
    bool const quote = formula || v.find_first_of(",\"\r\n") != std::string_view::npos;
    if (!quote) {
        out += v;
        return;
    }
    out += '"';
    if (formula) out += '\'';
    for (char c : v) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

}  // namespace hrms::core
