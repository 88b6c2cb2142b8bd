#pragma once
// Internal to store/: text helpers shared by the SQL of both backends.
#include <cctype>
#include <string>

namespace hrms::store {

// A LIKE pattern matching `text` anywhere, lower-cased, with %, _ and \ escaped (use with
// ESCAPE '\\') so user input matches literally.
inline std::string like_pattern(std::string const& text) {
    std::string out = "%";
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
        out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    out.push_back('%');
    return out;
}

// An FTS5 phrase query for `text` with the trigram tokenizer: a substring match. Empty when the
// text has fewer than three characters, which a trigram index cannot find.
inline std::string trigram_phrase(std::string const& text) {
    std::size_t chars = 0;
    for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
    if (chars < 3) return {};
    std::string out = "\"";
    for (char c : text) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

}  // namespace hrms::store
