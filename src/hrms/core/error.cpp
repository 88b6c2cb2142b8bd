#include "hrms/core/error.hpp"

#include <fmt/format.h>

#include "hrms/core/text.hpp"

namespace hrms {

char const* to_string(ErrorCode code) {
    switch (code) {
        case ErrorCode::bad_request: return "bad_request";
        case ErrorCode::unauthenticated: return "unauthenticated";
        case ErrorCode::forbidden: return "forbidden";
        case ErrorCode::not_found: return "not_found";
        case ErrorCode::method_not_allowed: return "method_not_allowed";
        case ErrorCode::conflict: return "conflict";
        case ErrorCode::payload_too_large: return "payload_too_large";
        case ErrorCode::unsupported_media_type: return "unsupported_media_type";
        case ErrorCode::validation_failed: return "validation_failed";
        case ErrorCode::cycle: return "cycle";
        case ErrorCode::rate_limited: return "rate_limited";
        case ErrorCode::self_review: return "self_review";
        case ErrorCode::upgrade_required: return "upgrade_required";
        case ErrorCode::internal: return "internal";
    }
    return "internal";
}

std::string json_quote_list(std::vector<std::string> const& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += ',';
        out += json_quote(items[i]);
    }
    return out + "]";
}

std::string json_quote(std::string_view raw) {
    // Whatever is quoted leaves the server: ill-formed UTF-8 is replaced, never passed on.
    std::string repaired;
    std::string_view s = raw;
    if (!core::is_valid_utf8(raw)) {
        repaired = core::repair_utf8(raw);
        s = repaired;
    }
    std::string out;
    out.reserve(s.size() + 2);
    out.push_back('"');
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    out += fmt::format("\\u{:04x}", c);
                } else {
                    out.push_back(static_cast<char>(c));
                }
        }
    }
    out.push_back('"');
    return out;
}

std::unexpected<Error> invalid_field(std::string const& field, std::string message) {
    return fail(ErrorCode::validation_failed, std::move(message),
                "{\"field\":" + json_quote(field) + "}");
}

}  // namespace hrms
