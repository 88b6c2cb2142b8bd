// /api/v1/email: the outbox and its history, provider health, templates and a test message.
#include "hrms/app/services.hpp"
#include "hrms/http/handlers/common.hpp"

namespace hrms::http {

namespace json = boost::json;

namespace {

json::object message_json(app::OutboxMessage const& m) {
    // The names and types the recipient sees; where the files lie on the server is not shown.
    json::array attachments;
    for (auto const& a : m.attachments)
        attachments.emplace_back(json::object{{"filename", a.filename}, {"content_type", a.content_type}});
    return json::object{
        {"id", m.id},
        {"created_at", json_value(m.created_at)},
        {"updated_at", json_value(m.updated_at)},
        {"request_id", text_or_null(m.request_id)},
        {"template", m.template_name},
        {"essential", m.essential},
        {"user_id", or_null(m.user_id)},
        {"to", m.to_email},
        {"to_name", m.to_name},
        {"subject", m.subject},
        {"message_id", m.message_id},
        {"status", std::string(app::to_string(m.status))},
        {"attempts", m.attempts},
        {"next_attempt_at", json_value(m.next_attempt_at)},
        {"provider", text_or_null(m.provider)},
        {"provider_message_id", text_or_null(m.provider_message_id)},
        {"last_error", text_or_null(m.last_error)},
        {"sent_at", or_null(m.sent_at)},
        {"attachments", std::move(attachments)},
    };
}

json::object event_json(app::EmailEvent const& e) {
    return json::object{{"id", e.id},
                        {"at", json_value(e.at)},
                        {"type", e.type},
                        {"provider", text_or_null(e.provider)},
                        {"detail", e.detail}};
}

json::object provider_json(app::ProviderHealth const& h) {
    return json::object{{"name", h.name},
                        {"circuit", h.circuit},
                        {"consecutive_failures", h.consecutive_failures},
                        {"sent", h.sent},
                        {"failed", h.failed},
                        {"open_until", or_null(h.open_until)},
                        {"last_error", text_or_null(h.last_error)},
                        {"rate_per_s", or_null(h.rate_per_s)},
                        {"daily_quota", or_null(h.daily_quota)},
                        {"sent_today", h.sent_today}};
}

}  // namespace

void add_email_routes(Router& r) {
    r.add("GET", "/api/v1/email/messages", [](Ctx& ctx) {
        app::EmailQuery q;
        auto const page_in = HTTP_TRY(ctx, page_params(ctx, app::kMaxPageSize));
        q.limit = page_in.limit;
        q.before_id = page_in.cursor;
        q.status = HTTP_TRY(ctx, enum_param<app::EmailStatus>(ctx, "status", app::parse_email_status));
        if (auto to = ctx.req.query_param("to"); to && !to->empty()) q.to = std::string(*to);
        auto page = HTTP_TRY(ctx, ctx.services.email.messages(ctx.who(), q));
        json::array items;
        for (auto const& m : page.items) items.emplace_back(message_json(m));
        return page_json(std::move(items), page.next_before);
    });

    r.add("GET", "/api/v1/email/messages/{id}", [](Ctx& ctx) {
        auto const id = HTTP_TRY(ctx, ctx.param_id("id"));
        auto [m, events] = HTTP_TRY(ctx, ctx.services.email.message(ctx.who(), id));
        auto o = message_json(m);
        json::array history;
        for (auto const& e : events) history.emplace_back(event_json(e));
        o["events"] = std::move(history);
        return ok_json(o);
    });

    r.add("POST", "/api/v1/email/test", [](Ctx& ctx) {
        auto body = HTTP_TRY(ctx, decode(ctx));
        auto const to = HTTP_TRY(ctx, body.required_string("to"));
        auto const id = HTTP_TRY(ctx, ctx.services.email.send_test(ctx.who(), to));
        return ok_json(json::object{{"id", id}, {"status", "queued"}}, 202);
    });

    r.add("GET", "/api/v1/email/providers", [](Ctx& ctx) {
        auto all = HTTP_TRY(ctx, ctx.services.email.providers(ctx.who()));
        json::array items;
        for (auto const& h : all) items.emplace_back(provider_json(h));
        return ok_json(json::object{{"items", std::move(items)}});
    });

    r.add("GET", "/api/v1/email/stats", [](Ctx& ctx) {
        auto const from = HTTP_TRY(ctx, time_filter(ctx, "from"));
        auto const to = HTTP_TRY(ctx, time_filter(ctx, "to"));
        auto rows = HTTP_TRY(ctx, ctx.services.email.stats(ctx.who(), from, to));
        json::array items;
        for (auto const& r : rows)
            items.emplace_back(json::object{{"day", r.day},
                                            {"provider", text_or_null(r.provider)},
                                            {"status", std::string(app::to_string(r.status))},
                                            {"count", r.count}});
        return ok_json(json::object{{"items", std::move(items)}});
    });

    r.add("GET", "/api/v1/email/suppressions", [](Ctx& ctx) {
        auto const limit = HTTP_TRY(ctx, int_param(ctx, "limit", 50, 1, app::kMaxPageSize));
        auto const before = HTTP_TRY(ctx, time_filter(ctx, "before"));
        auto rows = HTTP_TRY(ctx, ctx.services.email.suppressions(ctx.who(), static_cast<int>(limit), before));
        json::array items;
        for (auto const& s : rows)
            items.emplace_back(json::object{{"email", s.email}, {"reason", s.reason}, {"at", json_value(s.at)}});
        return ok_json(json::object{{"items", std::move(items)}});
    });

    // Provider webhooks: no session, the signature is the credential. A refusal is a security
    // event (someone posting forged delivery events).
    r.add("POST", "/api/v1/webhooks/email/sendgrid", [](Ctx& ctx) {
        auto const applied = ctx.services.email_tracking.sendgrid(
            std::string(ctx.req.header("x-twilio-email-event-webhook-signature")),
            std::string(ctx.req.header("x-twilio-email-event-webhook-timestamp")), ctx.req.body);
        if (!applied) {
            if (applied.error().code != ErrorCode::validation_failed) ctx.refusal = app::SecurityEvent::webhook_signature;
            return error_of(ctx, applied.error());
        }
        return ok_json(json::object{{"applied", *applied}});
    }, Access::anyone);

    r.add("POST", "/api/v1/webhooks/email/ses", [](Ctx& ctx) {
        auto const applied = ctx.services.email_tracking.ses(ctx.req.body);
        if (!applied) {
            auto const code = applied.error().code;
            if (code == ErrorCode::unauthenticated || code == ErrorCode::forbidden)
                ctx.refusal = app::SecurityEvent::webhook_signature;
            return error_of(ctx, applied.error());
        }
        return ok_json(json::object{{"applied", *applied}});
    }, Access::anyone);

    r.add("GET", "/api/v1/auth/me/email-preferences", [](Ctx& ctx) {
        auto const wanted = HTTP_TRY(ctx, ctx.services.email.notices_by_mail(ctx.who()));
        return ok_json(json::object{{"notices_by_mail", wanted}});
    });

    r.add("PUT", "/api/v1/auth/me/email-preferences", [](Ctx& ctx) {
        auto body = HTTP_TRY(ctx, decode(ctx));
        auto const wanted = HTTP_TRY(ctx, body.required_bool("notices_by_mail"));
        auto const now = HTTP_TRY(ctx, ctx.services.email.set_notices_by_mail(ctx.who(), wanted));
        return ok_json(json::object{{"notices_by_mail", now}});
    });

    r.add("GET", "/api/v1/email/templates", [](Ctx& ctx) {
        auto names = HTTP_TRY(ctx, ctx.services.email.templates(ctx.who()));
        json::array items;
        for (auto const& n : names) items.emplace_back(json::object{{"name", n}});
        return ok_json(json::object{{"items", std::move(items)}});
    });

    r.add("GET", "/api/v1/email/templates/{name}/preview", [](Ctx& ctx) {
        auto const format = ctx.req.query_param("format").value_or("html");
        if (format != "html" && format != "text")
            return error_of(ctx, invalid_field("format", "must be html or text").error());
        auto rendered = HTTP_TRY(ctx, ctx.services.email.preview(ctx.who(), ctx.param("name")));
        Response res;
        res.status = 200;
        res.content_type = format == "html" ? "text/html; charset=utf-8" : "text/plain; charset=utf-8";
        res.body = format == "html" ? rendered.html : rendered.subject + "\n\n" + rendered.text;
        // Mail HTML under the API's policy (default-src 'none'): nothing in it runs or loads.
        return res;
    });
}

}  // namespace hrms::http
