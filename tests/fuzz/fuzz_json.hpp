#pragma once
// JSON invariants for the targets that build responses or frames from client input: what the
// server sends must parse, as UTF-8, in the shape the API promises.
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <string_view>

#include "fuzz_support.hpp"

#ifndef HRMS_FUZZ_STRICT_UTF8
#define HRMS_FUZZ_STRICT_UTF8 1
#endif

namespace hrms::fuzz {

// The document `text` parses to, or null after a parse error (is_json says which).
inline boost::json::value parse_json(std::string_view text, bool& ok) {
    boost::json::parse_options opts;
    opts.allow_invalid_utf8 = !HRMS_FUZZ_STRICT_UTF8;
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec, {}, opts);
    ok = !ec;
    return v;
}

inline bool is_json(std::string_view text) {
    bool ok = false;
    parse_json(text, ok);
    return ok;
}

// An error's details are empty or a JSON object.
inline void check_details_json(std::string_view details) {
    if (details.empty()) return;
    bool ok = false;
    auto v = parse_json(details, ok);
    FUZZ_CHECK(ok && v.is_object(), details);
}

// {"error":{"code":"...","message":"...","details":null|{...},"request_id":"..."}}
inline void check_error_envelope(std::string_view body) {
    bool ok = false;
    auto v = parse_json(body, ok);
    FUZZ_CHECK(ok, body);
    auto const* root = v.if_object();
    FUZZ_CHECK(root && root->size() == 1, body);
    auto const* err = root->if_contains("error");
    FUZZ_CHECK(err && err->is_object(), body);
    auto const& e = err->as_object();
    FUZZ_CHECK(e.contains("code") && e.at("code").is_string(), body);
    FUZZ_CHECK(e.contains("message") && e.at("message").is_string(), body);
    FUZZ_CHECK(e.contains("details") && (e.at("details").is_null() || e.at("details").is_object()), body);
    FUZZ_CHECK(e.contains("request_id"), body);
}

}  // namespace hrms::fuzz
