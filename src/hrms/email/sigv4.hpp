#pragma once
// AWS Signature Version 4 for one HTTP request (the Authorization header SES and every other
// AWS API take), over OpenSSL's HMAC-SHA256 and SHA-256. Pure: no clock, no I/O.
#include <string>
#include <utility>
#include <vector>

#include "hrms/core/time.hpp"

namespace hrms::email {

struct SigV4Request {
    std::string method;  // "GET", "POST", ...
    std::string host;    // signed as `host` unless `headers` names one itself
    std::string path;    // as in the request line, e.g. "/v2/email/outbound-emails"
    std::string query;   // without '?': "b=2&a=1", raw or percent-encoded, in any order
    std::vector<std::pair<std::string, std::string>> headers;  // every one given is signed
    std::string body;
};

struct SigV4Credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;  // temporary credentials only; empty otherwise
};

struct SigV4Result {
    std::string authorization;      // the Authorization header's value
    std::string canonical_request;  // the intermediate steps, for tests and debugging
    std::string string_to_sign;
    std::string signed_headers;     // "content-type;host;x-amz-date"
};

// Signs `r` for `service` in `region` at `amz_date` ("YYYYMMDD'T'HHMMSS'Z'", which must also be
// the request's X-Amz-Date header). The canonical request follows AWS's rules for every service
// but S3: the path's dot segments and empty segments are removed and each segment is
// URI-encoded once more (so "%20" is signed as "%2520"); query parameters are decoded, encoded
// again and sorted; header names are lower-cased, values trimmed with inner runs of spaces made
// one, repeated names joined with ','. The payload is hashed unless an x-amz-content-sha256
// header gives its hash. When `c` holds a session token and `r` has no x-amz-security-token
// header, the token is signed as that header: the caller must send it as X-Amz-Security-Token.
SigV4Result sign_v4(SigV4Request const& r, SigV4Credentials const& c, std::string const& region,
                    std::string const& service, std::string const& amz_date);

// `t` as X-Amz-Date wants it: "20150830T123600Z" (UTC, whole seconds).
std::string amz_date(Instant t);

}  // namespace hrms::email
