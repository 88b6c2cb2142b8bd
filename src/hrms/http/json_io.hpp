#pragma once
// Tolerant JSON request reading that names the bad field, and encoders for API objects.
#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "hrms/app/ports.hpp"
#include "hrms/core/error.hpp"
#include "hrms/core/time.hpp"

namespace hrms::http {

// A parsed JSON object body. Unknown keys are ignored; wrong types are 422 naming the field.
class JsonBody {
public:
    // bad_request for malformed JSON or a body that is not an object.
    static Result<JsonBody> parse(std::string const& body);

    bool has(char const* key) const;
    bool is_null(char const* key) const;
    Result<std::string> required_string(char const* key) const;
    Result<bool> required_bool(char const* key) const;
    Result<std::optional<std::string>> optional_string(char const* key) const;
    Result<std::optional<std::vector<std::string>>> optional_strings(char const* key) const;
    // Absent or null: nullopt; otherwise a positive integer.
    Result<std::optional<std::int64_t>> optional_id(char const* key) const;
    // Absent or null: nullopt; otherwise a number (integer or not).
    Result<std::optional<double>> optional_number(char const* key) const;
    // Absent or null: nullopt; otherwise an array of positive integer ids (the bad element is
    // named: "profile_ids[3]"). At most `max` elements are read: longer lists are 422 too.
    Result<std::optional<std::vector<std::int64_t>>> optional_ids(char const* key, std::size_t max) const;
    // Absent or null: nullopt; otherwise an array of objects, each read as a JsonBody.
    Result<std::optional<std::vector<JsonBody>>> optional_objects(char const* key, std::size_t max) const;

private:
    boost::json::object object_;
};

// Times leave the server as RFC 3339 UTC text with milliseconds; everything else as itself.
inline boost::json::value json_value(Instant t) { return boost::json::value(to_rfc3339(t)); }
template <class T>
boost::json::value json_value(T const& v) {
    return boost::json::value(v);
}

// The text, or JSON null for empty text (a column that stores "not given" as '').
inline boost::json::value text_or_null(std::string const& s) {
    return s.empty() ? boost::json::value(nullptr) : boost::json::value(s);
}

// The value, or JSON null when there is none.
template <class T>
boost::json::value or_null(std::optional<T> const& v) {
    return v ? json_value(*v) : boost::json::value(nullptr);
}

boost::json::object user_json(app::UserRecord const& user);
boost::json::object profile_summary_json(app::ProfileRecord const& p);
boost::json::object document_json(app::DocumentRecord const& d);
boost::json::object notification_json(app::NotificationRecord const& n);
boost::json::object role_json(app::RoleRecord const& role);

// Serializes and wraps in a 200 (or `status`) response.
std::string to_json(boost::json::value const& v);

}  // namespace hrms::http
