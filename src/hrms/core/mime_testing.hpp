#pragma once
// For the MIME tests only: undoing what the renderer encodes.
#include <cstddef>
#include <string>
#include <string_view>

namespace hrms::core::test_util {

// RFC 3986 percent-decoding, as RFC 2231 parameter values use it ("%C3%9C" -> "Ü").
inline std::string percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

}  // namespace hrms::core::test_util
