#pragma once
// A streaming multipart/form-data parser (RFC 7578): bytes go in as they arrive, part events
// come out; memory stays bounded by the largest chunk plus the boundary, whatever the body size.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "hrms/core/error.hpp"

namespace hrms::http {

struct PartHeaders {
    std::string name;                     // form field name
    std::optional<std::string> filename;  // set for file parts
    std::string content_type;
};

class MultipartParser {
public:
    struct Handler {
        std::function<Result<void>(PartHeaders const&)> begin;
        std::function<Result<void>(std::string_view)> data;
        std::function<Result<void>()> end;
    };

    // The boundary of a "multipart/form-data; boundary=..." Content-Type; unsupported_media_type
    // for other types, bad_request when the boundary is missing or invalid.
    static Result<std::string> boundary_of(std::string_view content_type);

    MultipartParser(std::string boundary, Handler handler);

    // Consumes the next bytes of the body; bad_request for malformed framing, or the first error
    // a handler returned.
    Result<void> feed(std::string_view bytes);
    // bad_request unless the closing boundary was seen.
    Result<void> finish();

private:
    enum class State { preamble, after_boundary, headers, body, done };
    Result<void> run();
    Result<PartHeaders> parse_headers(std::string_view block);

    std::string delimiter_;  // "\r\n--" + boundary
    Handler handler_;
    State state_ = State::preamble;
    std::string buf_;
    bool in_part_ = false;
};

}  // namespace hrms::http
