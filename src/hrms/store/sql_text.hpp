#pragma once
// Internal to store/: text helpers shared by the SQL of both backends. Both match a needle
// against a search column (users.search, profiles.search: core::search_text), so both fold the
// needle with core::fold_case as that column was folded; SQL's lower() is never used for it.
#include <string>

#include "hrms/core/text.hpp"

namespace hrms::store {

// A LIKE pattern matching `text`, case-folded, anywhere in a search column, with %, _ and
// \ escaped (use with ESCAPE '\\') so user input matches literally.
inline std::string like_pattern(std::string const& text) {
    std::string out = "%";
    for (char c : core::fold_case(text)) {
        if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('%');
    return out;
}

// An FTS5 phrase query for `text`, case-folded, with the trigram tokenizer: a substring match
// in profiles_search. Empty when the folded text has fewer than three characters, which a
// trigram index cannot find.
inline std::string trigram_phrase(std::string const& text) {
    auto const folded = core::fold_case(text);
    std::size_t chars = 0;
    for (unsigned char c : folded) chars += (c & 0xC0) != 0x80;
    if (chars < 3) return {};
    std::string out = "\"";
    for (char c : folded) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

}  // namespace hrms::store
