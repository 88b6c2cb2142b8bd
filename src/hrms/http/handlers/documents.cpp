// /api/v1/document-types, /api/v1/documents: types, metadata, downloads and reviews
#include "hrms/http/handlers/common.hpp"

namespace hrms::http {

namespace json = boost::json;

namespace {
// RFC 6266 filename for Content-Disposition: an ASCII fallback plus the UTF-8 original.
std::string disposition(std::string const& name) {
    std::string ascii, encoded;
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (unsigned char c : name) {
        ascii.push_back(c < 0x80 && c != '"' && c != '\\' ? static_cast<char>(c) : '_');
        if (std::isalnum(c) || c == '.' || c == '-' || c == '_') {
            encoded.push_back(static_cast<char>(c));
        } else {
            encoded += '%';
            encoded.push_back(kHex[c >> 4]);
            encoded.push_back(kHex[c & 0xF]);
        }
    }
    return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}
}  // namespace

void add_document_routes(Router& r) {
    r.add("GET", "/api/v1/document-types", [](Ctx& ctx) {
        json::array items;
        for (auto const& t : HTTP_TRY(ctx, ctx.services.documents.types(ctx.who()))) {
            json::array mimes;
            for (auto const& m : t.allowed_mime) mimes.emplace_back(m);
            items.emplace_back(json::object{{"code", t.code},
                                            {"name", t.name},
                                            {"required", t.required},
                                            {"max_bytes", t.max_bytes},
                                            {"allowed_types", std::move(mimes)}});
        }
        return page_json(std::move(items), std::nullopt);
    });

    r.add_upload("POST", "/api/v1/profiles/me/documents", [](Ctx& ctx) {
        std::optional<std::string> type;
        for (auto const& [k, v] : ctx.req.form) {
            if (k == "type") type = v;
        }
        if (!type || type->empty())
            return error_of(ctx, invalid_field("type", "the form field type (a document type code) is required").error());
        if (!ctx.req.upload) return error_of(ctx, invalid_field("file", "a file part is required").error());
        auto doc = HTTP_TRY(ctx, ctx.services.documents.upload(ctx.who(), *type, *ctx.req.upload));
        auto res = ok_json(document_json(doc), 201);
        res.header("Location", "/api/v1/documents/" + std::to_string(doc.id));
        return res;
    });

    r.add("GET", "/api/v1/documents/{id}", [](Ctx& ctx) {
        auto id = HTTP_TRY(ctx, ctx.param_id("id"));
        return ok_json(document_json(HTTP_TRY(ctx, ctx.services.documents.get(ctx.who(), id))));
    });

    r.add("GET", "/api/v1/documents/{id}/content", [](Ctx& ctx) {
        auto id = HTTP_TRY(ctx, ctx.param_id("id"));
        auto c = HTTP_TRY(ctx, ctx.services.documents.content(ctx.who(), id));
        Response res;
        res.content_type = c.document.mime;
        res.file_path = c.path;
        res.header("Content-Disposition", disposition(c.document.filename));
        return res;
    });

    r.add("POST", "/api/v1/documents/{id}/decision", [](Ctx& ctx) {
        auto id = HTTP_TRY(ctx, ctx.param_id("id"));
        auto body = HTTP_TRY(ctx, decode(ctx));
        auto decision_text = HTTP_TRY(ctx, body.required_string("decision"));
        auto reason = HTTP_TRY(ctx, body.optional_string("reason"));
        auto decision = core::parse_decision(decision_text);
        if (!decision)
            return error_of(ctx, invalid_field("decision", "decision must be approve or reject").error());
        return ok_json(document_json(
            HTTP_TRY(ctx, ctx.services.documents.review(ctx.who(), id, *decision, reason.value_or("")))));
    });
}

}  // namespace hrms::http
