#pragma once
// Small text helpers shared by the core rules.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <string_view>

namespace hrms::core {

// `s` without leading and trailing ASCII whitespace.
inline std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

// Code points of UTF-8 text, so a limit in "characters" does not punish non-Latin text.
inline std::size_t utf8_length(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace hrms::core
