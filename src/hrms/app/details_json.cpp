#include "hrms/app/details_json.hpp"

#include <boost/json.hpp>

namespace hrms::app {

namespace json = boost::json;

namespace {
json::value opt(std::optional<std::string> const& v) { return v ? json::value(*v) : json::value(nullptr); }

Result<void> read(json::object const& o, char const* key, std::string const& path,
                  std::optional<std::string>& out) {
    auto const* v = o.if_contains(key);
    if (!v || v->is_null()) return {};
    if (!v->is_string()) return invalid_field(path, path + " must be a string");
    out = std::string(v->as_string());
    return {};
}

Result<json::object const*> nested(json::object const& o, char const* key) {
    auto const* v = o.if_contains(key);
    if (!v || v->is_null()) return static_cast<json::object const*>(nullptr);
    if (!v->is_object()) return invalid_field(key, std::string(key) + " must be an object");
    return &v->as_object();
}
}  // namespace

std::string details_to_json(core::Details const& d) {
    json::object o;
    o["first_name"] = opt(d.first_name);
    o["last_name"] = opt(d.last_name);
    o["preferred_name"] = opt(d.preferred_name);
    o["date_of_birth"] = opt(d.date_of_birth);
    o["phone"] = opt(d.phone);
    json::object a;
    a["line1"] = opt(d.address.line1);
    a["line2"] = opt(d.address.line2);
    a["city"] = opt(d.address.city);
    a["region"] = opt(d.address.region);
    a["postal_code"] = opt(d.address.postal_code);
    a["country"] = opt(d.address.country);
    o["address"] = std::move(a);
    json::object e;
    e["name"] = opt(d.emergency_contact.name);
    e["phone"] = opt(d.emergency_contact.phone);
    e["relationship"] = opt(d.emergency_contact.relationship);
    o["emergency_contact"] = std::move(e);
    return json::serialize(o);
}

Result<core::Details> details_from_json(std::string const& text) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec) return fail(ErrorCode::bad_request, "details are not valid JSON");
    if (!v.is_object()) return fail(ErrorCode::bad_request, "details must be a JSON object");
    auto const& o = v.as_object();
    core::Details d;
    TRY_VOID(read(o, "first_name", "first_name", d.first_name));
    TRY_VOID(read(o, "last_name", "last_name", d.last_name));
    TRY_VOID(read(o, "preferred_name", "preferred_name", d.preferred_name));
    TRY_VOID(read(o, "date_of_birth", "date_of_birth", d.date_of_birth));
    TRY_VOID(read(o, "phone", "phone", d.phone));
    if (auto const* a = TRY(nested(o, "address"))) {
        TRY_VOID(read(*a, "line1", "address.line1", d.address.line1));
        TRY_VOID(read(*a, "line2", "address.line2", d.address.line2));
        TRY_VOID(read(*a, "city", "address.city", d.address.city));
        TRY_VOID(read(*a, "region", "address.region", d.address.region));
        TRY_VOID(read(*a, "postal_code", "address.postal_code", d.address.postal_code));
        TRY_VOID(read(*a, "country", "address.country", d.address.country));
    }
    if (auto const* e = TRY(nested(o, "emergency_contact"))) {
        TRY_VOID(read(*e, "name", "emergency_contact.name", d.emergency_contact.name));
        TRY_VOID(read(*e, "phone", "emergency_contact.phone", d.emergency_contact.phone));
        TRY_VOID(read(*e, "relationship", "emergency_contact.relationship", d.emergency_contact.relationship));
    }
    return d;
}

}  // namespace hrms::app
