#include "hrms/http/json_io.hpp"

#include "hrms/core/text.hpp"

namespace hrms::http {

namespace json = boost::json;

namespace {
// The path ("address.city", "roles[2]") of the first key or string in `v` that is not valid
// UTF-8, or nullopt.
std::optional<std::string> invalid_utf8_path(json::value const& v, std::string const& at) {
    if (v.is_string()) {
        auto const& s = v.as_string();
        if (!core::is_valid_utf8({s.data(), s.size()})) return at.empty() ? "body" : at;
    } else if (v.is_array()) {
        auto const& a = v.as_array();
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (auto p = invalid_utf8_path(a[i], at + "[" + std::to_string(i) + "]")) return p;
        }
    } else if (v.is_object()) {
        for (auto const& [k, child] : v.as_object()) {
            std::string const key(k.data(), k.size());
            auto const path = at.empty() ? key : at + "." + key;
            if (!core::is_valid_utf8(key)) return core::repair_utf8(path);
            if (auto p = invalid_utf8_path(child, path)) return p;
        }
    }
    return std::nullopt;
}
}  // namespace

Result<JsonBody> JsonBody::parse(std::string const& body) {
    boost::system::error_code ec;
    json::parse_options opts;
    opts.max_depth = 32;
    // The parser checks UTF-8 itself; only a body it refused is looked at again.
    auto v = json::parse(body, ec, {}, opts);
    if (ec) {
        // Ill-formed UTF-8 is a bad field value, not bad JSON: parse leniently to name the field.
        if (!core::is_valid_utf8(body)) {
            opts.allow_invalid_utf8 = true;
            boost::system::error_code lenient_ec;
            auto const lenient = json::parse(body, lenient_ec, {}, opts);
            if (!lenient_ec) {
                auto const field = invalid_utf8_path(lenient, "").value_or("body");
                return invalid_field(field, field + " is not valid UTF-8");
            }
        }
        return fail(ErrorCode::bad_request, "request body is not valid JSON: " + ec.message());
    }
    if (!v.is_object()) return fail(ErrorCode::bad_request, "request body must be a JSON object");
    JsonBody b;
    b.object_ = std::move(v.as_object());
    return b;
}

bool JsonBody::has(char const* key) const { return object_.contains(key); }

bool JsonBody::is_null(char const* key) const {
    auto const* v = object_.if_contains(key);
    return v && v->is_null();
}

Result<std::string> JsonBody::required_string(char const* key) const {
    auto const* v = object_.if_contains(key);
    if (!v || v->is_null()) return invalid_field(key, std::string(key) + " is required");
    if (!v->is_string()) return invalid_field(key, std::string(key) + " must be a string");
    return std::string(v->as_string());
}

Result<bool> JsonBody::required_bool(char const* key) const {
    auto const* v = object_.if_contains(key);
    if (!v || v->is_null()) return invalid_field(key, std::string(key) + " is required");
    if (!v->is_bool()) return invalid_field(key, std::string(key) + " must be true or false");
    return v->as_bool();
}

Result<std::optional<std::string>> JsonBody::optional_string(char const* key) const {
    auto const* v = object_.if_contains(key);
    if (!v || v->is_null()) return std::optional<std::string>{};
    if (!v->is_string()) return invalid_field(key, std::string(key) + " must be a string");
    return std::optional<std::string>(std::string(v->as_string()));
}

Result<std::optional<std::vector<std::string>>> JsonBody::optional_strings(char const* key) const {
    auto const* v = object_.if_contains(key);
    if (!v || v->is_null()) return std::optional<std::vector<std::string>>{};
    if (!v->is_array())
        return invalid_field(key, std::string(key) + " must be an array of strings");
    std::vector<std::string> out;
    auto const& arr = v->as_array();
    for (std::size_t i = 0; i < arr.size(); ++i) {
        if (!arr[i].is_string())
            return invalid_field(std::string(key) + "[" + std::to_string(i) + "]",
                                 "must be a string");
        out.emplace_back(arr[i].as_string());
    }
    return std::optional<std::vector<std::string>>(std::move(out));
}

Result<std::optional<std::int64_t>> JsonBody::optional_id(char const* key) const {
    auto const* v = object_.if_contains(key);
    if (!v || v->is_null()) return std::optional<std::int64_t>{};
    if (v->is_int64() && v->as_int64() > 0) return std::optional<std::int64_t>(v->as_int64());
    if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return std::optional<std::int64_t>(static_cast<std::int64_t>(v->as_uint64()));
    return invalid_field(key, std::string(key) + " must be a positive integer id");
}

namespace {
// A positive integer id, or nullopt.
std::optional<std::int64_t> id_of(json::value const& v) {
    if (v.is_int64() && v.as_int64() > 0) return v.as_int64();
    if (v.is_uint64() && v.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v.as_uint64());
    return std::nullopt;
}
Result<json::array const*> array_of(json::object const& o, char const* key, std::size_t max) {
    auto const* v = o.if_contains(key);
    if (!v || v->is_null()) return nullptr;
    if (!v->is_array()) return invalid_field(key, std::string(key) + " must be an array");
    if (v->as_array().size() > max)
        return invalid_field(key, std::string(key) + " has " + std::to_string(v->as_array().size()) +
                                      " items; at most " + std::to_string(max) + " are allowed");
    return &v->as_array();
}
}  // namespace

Result<std::optional<double>> JsonBody::optional_number(char const* key) const {
    auto const* v = object_.if_contains(key);
    if (!v || v->is_null()) return std::optional<double>{};
    if (v->is_double()) return std::optional<double>(v->as_double());
    if (v->is_int64()) return std::optional<double>(static_cast<double>(v->as_int64()));
    if (v->is_uint64()) return std::optional<double>(static_cast<double>(v->as_uint64()));
    return invalid_field(key, std::string(key) + " must be a number");
}

Result<std::optional<std::vector<std::int64_t>>> JsonBody::optional_ids(char const* key, std::size_t max) const {
    auto const* a = TRY(array_of(object_, key, max));
    if (!a) return std::optional<std::vector<std::int64_t>>{};
    std::vector<std::int64_t> out;
    out.reserve(a->size());
    for (std::size_t i = 0; i < a->size(); ++i) {
        auto id = id_of((*a)[i]);
        std::string const field = std::string(key) + "[" + std::to_string(i) + "]";
        if (!id) return invalid_field(field, field + " must be a positive integer id");
        out.push_back(*id);
    }
    return std::optional(std::move(out));
}

Result<std::optional<std::vector<JsonBody>>> JsonBody::optional_objects(char const* key, std::size_t max) const {
    auto const* a = TRY(array_of(object_, key, max));
    if (!a) return std::optional<std::vector<JsonBody>>{};
    std::vector<JsonBody> out;
    out.reserve(a->size());
    for (std::size_t i = 0; i < a->size(); ++i) {
        if (!(*a)[i].is_object()) {
            std::string const field = std::string(key) + "[" + std::to_string(i) + "]";
            return invalid_field(field, field + " must be an object");
        }
        JsonBody b;
        b.object_ = (*a)[i].as_object();
        out.push_back(std::move(b));
    }
    return std::optional(std::move(out));
}

json::object user_json(app::UserRecord const& u) {
    json::object o;
    o["id"] = u.id;
    o["email"] = u.email;
    o["name"] = u.name;
    o["status"] = core::to_string(u.status);
    json::array roles;
    for (auto const& r : u.roles) roles.emplace_back(r);
    o["roles"] = std::move(roles);
    o["manager_id"] = or_null(u.manager_id);
    o["created_at"] = json_value(u.created_at);
    o["updated_at"] = json_value(u.updated_at);
    return o;
}

namespace {
json::value parsed(std::string const& text) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    return ec ? json::value(json::object{}) : v;
}
}  // namespace

json::object profile_summary_json(app::ProfileRecord const& p) {
    json::object o;
    o["id"] = p.id;
    o["user_id"] = p.user_id;
    o["email"] = p.email;
    o["name"] = p.name;
    o["stage"] = core::to_string(p.state.stage);
    o["status"] = core::to_string(p.state.status);
    o["employment_status"] = core::to_string(p.state.employment);
    o["progress"] = p.progress;
    o["assignee_id"] = or_null(p.assignee_id);
    o["submitted_at"] = or_null(p.submitted_at);
    o["sla_due_at"] = or_null(p.sla_due_at);
    o["created_at"] = json_value(p.created_at);
    o["updated_at"] = json_value(p.updated_at);
    return o;
}

json::object document_json(app::DocumentRecord const& d) {
    json::object o;
    o["id"] = d.id;
    o["profile_id"] = d.profile_id;
    o["type"] = d.type;
    o["filename"] = d.filename;
    o["size"] = d.size;
    o["sha256"] = d.sha256;
    o["mime"] = d.mime;
    o["status"] = core::to_string(d.status);
    o["current"] = d.is_current;
    o["uploaded_at"] = json_value(d.uploaded_at);
    o["reviewed_by"] = or_null(d.reviewed_by);
    o["reviewed_at"] = or_null(d.reviewed_at);
    o["review_reason"] = or_null(d.review_reason);
    return o;
}

json::object notification_json(app::NotificationRecord const& n) {
    json::object o;
    o["id"] = n.id;
    o["kind"] = n.kind;
    o["title"] = n.title;
    o["body"] = n.body;
    o["data"] = parsed(n.data_json);
    o["created_at"] = json_value(n.created_at);
    o["read"] = n.read;
    return o;
}

json::object role_json(app::RoleRecord const& r) {
    json::object o;
    o["name"] = r.name;
    o["description"] = r.description;
    o["builtin"] = r.builtin;
    json::array perms, inherits;
    for (auto const& p : r.permissions) perms.emplace_back(p);
    for (auto const& p : r.inherits) inherits.emplace_back(p);
    o["permissions"] = std::move(perms);
    o["inherits"] = std::move(inherits);
    o["created_at"] = json_value(r.created_at);
    o["updated_at"] = json_value(r.updated_at);
    return o;
}

std::string to_json(json::value const& v) { return json::serialize(v); }

}  // namespace hrms::http
