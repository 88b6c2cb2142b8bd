#pragma once
// Error values and Result<T>: how core/ and app/ report failure without exceptions.
#include <expected>
#include <string>
#include <vector>
#include <utility>

namespace hrms {

// The stable error vocabulary of the API; the HTTP layer maps each code to one status.
enum class ErrorCode {
    bad_request,
    unauthenticated,
    forbidden,
    not_found,
    method_not_allowed,
    conflict,
    payload_too_large,
    unsupported_media_type,
    validation_failed,
    cycle,
    rate_limited,
    self_review,       // 403: deciding one's own profile or documents
    upgrade_required,  // 426: a plain request to an endpoint that speaks another protocol
    internal,
};

// The wire name of a code ("not_found").
char const* to_string(ErrorCode code);

struct Error {
    ErrorCode code = ErrorCode::internal;
    std::string message;
    // A JSON document (already serialized) with machine-readable details, or empty.
    std::string details_json;
};

template <class T>
using Result = std::expected<T, Error>;

// Builds an unexpected Error; `details_json` must be valid JSON when given.
inline std::unexpected<Error> fail(ErrorCode code, std::string message,
                                   std::string details_json = {}) {
    return std::unexpected(Error{code, std::move(message), std::move(details_json)});
}

// A validation error naming the field: details are {"field": "<name>"}.
std::unexpected<Error> invalid_field(std::string const& field, std::string message);

// Quotes a string as a JSON string literal (for building small details documents); ill-formed
// UTF-8 in `s` comes out as U+FFFD.
std::string json_quote(std::string_view s);
// A JSON array of strings, each quoted as json_quote does.
std::string json_quote_list(std::vector<std::string> const& items);

}  // namespace hrms

// Propagates an error from an expression yielding Result<T>; evaluates to the value.
#define TRY(expr)                                                        \
    ({                                                                   \
        auto&& try_result_ = (expr);                                     \
        if (!try_result_) return std::unexpected(std::move(try_result_).error()); \
        std::move(try_result_).value();                                  \
    })

// Like TRY for Result<void>.
#define TRY_VOID(expr)                                                   \
    do {                                                                 \
        auto&& try_result_ = (expr);                                     \
        if (!try_result_) return std::unexpected(std::move(try_result_).error()); \
    } while (0)
