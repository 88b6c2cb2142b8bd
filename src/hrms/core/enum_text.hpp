#pragma once
// Enums that travel as text (JSON, SQL): each has a to_string; parsing is the inverse, found by
// trying every value, so the two cannot disagree.
#include <optional>
#include <string_view>

namespace hrms::core {

// The value of E (0..last, contiguous) whose to_string is `text`, or nullopt.
template <class E>
std::optional<E> parse_enum(std::string_view text, E last) {
    for (int i = 0; i <= static_cast<int>(last); ++i) {
        auto const e = static_cast<E>(i);
        if (text == to_string(e)) return e;
    }
    return std::nullopt;
}

}  // namespace hrms::core
