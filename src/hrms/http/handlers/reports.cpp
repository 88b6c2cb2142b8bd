// /api/v1/reports (reports.read; schedules: reports.manage) and /api/v1/dashboard (profiles.read).
#include "hrms/app/reports.hpp"
#include "hrms/http/dashboard_json.hpp"
#include "hrms/http/handlers/common.hpp"

namespace hrms::http {

namespace json = boost::json;

namespace {
// A query parameter as text ("" when absent), at most `max` bytes.
Result<std::string> text_param(Ctx const& ctx, char const* name, std::size_t max) {
    auto v = ctx.req.query_param(name);
    if (!v) return std::string();
    if (v->size() > max) return invalid_field(name, std::string(name) + " is too long");
    return std::move(*v);
}

json::object run_json(app::ReportRunRecord const& r) {
    json::array files;
    for (auto const& f : r.files) {
        if (f.file.empty()) continue;
        files.push_back(json::object{{"format", f.format},
                                     {"name", f.file},
                                     {"size", f.size},
                                     {"sha256", f.sha256},
                                     {"url", "/api/v1/reports/runs/" + std::to_string(r.id) + "/file?format=" + f.format}});
    }
    json::array recipients(r.recipients.begin(), r.recipients.end());
    return json::object{{"id", r.id},
                        {"schedule_id", or_null(r.schedule_id)},
                        {"source", r.source},
                        {"kind", r.kind},
                        {"period", json::object{{"from", r.period_from}, {"to", r.period_to}, {"time_zone", r.time_zone}}},
                        {"status", r.status},
                        {"files", std::move(files)},
                        {"recipients", std::move(recipients)},
                        {"error", text_or_null(r.error)},
                        {"started_at", json_value(r.started_at)},
                        {"finished_at", or_null(r.finished_at)}};
}

json::object schedule_json(app::ReportSchedule const& s) {
    json::array formats, recipients(s.recipients.begin(), s.recipients.end());
    for (auto f : s.formats) formats.emplace_back(core::to_string(f));
    return json::object{{"id", or_null(s.id)},
                        {"name", s.name},
                        {"kind", core::to_string(s.kind)},
                        {"cadence", s.cadence},
                        {"weekday", s.weekday},
                        {"at", s.at_time},
                        {"time_zone", s.time_zone},
                        {"formats", std::move(formats)},
                        {"recipients", std::move(recipients)},
                        {"enabled", s.enabled},
                        {"next_run_at", or_null(s.next_run_at)}};
}

json::array schedules_json(std::vector<app::ReportSchedule> const& list) {
    json::array out;
    for (auto const& s : list) out.push_back(schedule_json(s));
    return out;
}

// An error from reading the i-th schedule's fields, renamed to "schedules[i].<field>".
Error nested(Error e, std::size_t i) {
    auto const prefix = "schedules[" + std::to_string(i) + "].";
    boost::system::error_code ec;
    auto v = json::parse(e.details_json, ec);
    if (!ec && v.is_object()) {
        auto& o = v.as_object();
        if (auto* f = o.if_contains("field"); f && f->is_string()) {
            std::string const full = prefix + std::string(f->as_string());
            *f = full;
            e.message = full + ": " + e.message;
        }
        e.details_json = json::serialize(o);
    }
    return e;
}

Result<app::ReportSchedule> read_schedule(JsonBody const& b) {
    app::ReportSchedule s;
    s.name = TRY(b.required_string("name"));
    auto const kind = TRY(b.required_string("kind"));
    auto k = core::parse_report_kind(kind);
    if (!k) return invalid_field("kind", "kind must be daily, weekly, efficiency, sla or admin-performance");
    s.kind = *k;
    if (auto c = TRY(b.optional_string("cadence"))) s.cadence = *c;
    if (auto w = TRY(b.optional_number("weekday"))) {
        if (*w != static_cast<int>(*w)) return invalid_field("weekday", "weekday must be 0 (Monday) to 6 (Sunday)");
        s.weekday = static_cast<int>(*w);
    }
    if (auto at = TRY(b.optional_string("at"))) s.at_time = *at;
    if (auto tz = TRY(b.optional_string("time_zone"))) s.time_zone = *tz;
    if (auto formats = TRY(b.optional_strings("formats"))) {
        s.formats.clear();
        for (std::size_t i = 0; i < formats->size(); ++i) {
            auto f = core::parse_report_format((*formats)[i]);
            if (!f)
                return invalid_field("formats[" + std::to_string(i) + "]", "formats are json, csv, html, pdf or xlsx");
            s.formats.push_back(*f);
        }
    }
    if (auto recipients = TRY(b.optional_strings("recipients"))) s.recipients = *recipients;
    if (b.has("enabled") && !b.is_null("enabled")) s.enabled = TRY(b.required_bool("enabled"));
    return s;
}

std::string download_name(core::Report const& r, core::ReportFormat f) {
    std::string name = core::to_string(r.kind);
    name += "-" + r.period.from_date;
    if (r.period.to_date != r.period.from_date) name += "_" + r.period.to_date;
    return name + "." + core::file_extension(f);
}
}  // namespace

void add_report_routes(Router& r) {
    r.add("GET", "/api/v1/dashboard", [](Ctx& ctx) {
        return ok_json(dashboard_json(HTTP_TRY(ctx, ctx.services.reports.dashboard(ctx.who()))));
    });

    r.add("GET", "/api/v1/reports/schedules", [](Ctx& ctx) {
        auto list = HTTP_TRY(ctx, ctx.services.reports.schedules(ctx.who()));
        return ok_json(json::object{{"items", schedules_json(list)}});
    });

    r.add("PUT", "/api/v1/reports/schedules", [](Ctx& ctx) {
        auto body = HTTP_TRY(ctx, decode(ctx));
        if (!body.has("schedules"))
            return error_of(ctx, Error{ErrorCode::validation_failed, "schedules is required",
                                       "{\"field\":\"schedules\"}"});
        auto objects = HTTP_TRY(ctx, body.optional_objects("schedules", 1000));
        std::vector<app::ReportSchedule> list;
        if (objects) {
            for (std::size_t i = 0; i < objects->size(); ++i) {
                auto s = read_schedule((*objects)[i]);
                if (!s) return error_of(ctx, nested(s.error(), i));
                list.push_back(std::move(*s));
            }
        }
        auto saved = HTTP_TRY(ctx, ctx.services.reports.put_schedules(ctx.who(), std::move(list)));
        return ok_json(json::object{{"items", schedules_json(saved)}});
    });

    r.add("GET", "/api/v1/reports/runs", [](Ctx& ctx) {
        auto const page = HTTP_TRY(ctx, page_params(ctx, 200));
        std::optional<std::int64_t> before;
        if (page.cursor && *page.cursor > 0) before = page.cursor;
        auto runs = HTTP_TRY(ctx, ctx.services.reports.runs(ctx.who(), before, page.limit));
        json::array items;
        for (auto const& run : runs.items) items.push_back(run_json(run));
        return page_json(std::move(items), runs.next_before);
    });

    r.add("GET", "/api/v1/reports/runs/{id}", [](Ctx& ctx) {
        auto const id = HTTP_TRY(ctx, ctx.param_id("id"));
        return ok_json(run_json(HTTP_TRY(ctx, ctx.services.reports.run(ctx.who(), id))));
    });

    r.add("GET", "/api/v1/reports/runs/{id}/file", [](Ctx& ctx) {
        auto const id = HTTP_TRY(ctx, ctx.param_id("id"));
        auto format = HTTP_TRY(ctx, text_param(ctx, "format", 10));
        if (format.empty()) {
            auto const run = HTTP_TRY(ctx, ctx.services.reports.run(ctx.who(), id));
            for (auto const& f : run.files)
                if (!f.file.empty()) {
                    format = f.format;
                    break;
                }
        } else if (!core::parse_report_format(format)) {
            return error_of(ctx, Error{ErrorCode::validation_failed, "format must be json, csv, html, pdf or xlsx",
                                       "{\"field\":\"format\"}"});
        }
        auto const file = HTTP_TRY(ctx, ctx.services.reports.run_file(ctx.who(), id, format));
        Response res;
        res.content_type = file.content_type;
        res.file_path = file.path;
        res.header("Content-Disposition", "attachment; filename=\"" + file.filename + "\"");
        return res;
    });

    r.add("GET", "/api/v1/reports/{kind}", [](Ctx& ctx) {
        auto const kind_text = ctx.param("kind");
        auto const kind = core::parse_report_kind(kind_text);
        if (!kind)
            return error_of(ctx, Error{ErrorCode::validation_failed,
                                       "unknown report kind; kinds are daily, weekly, efficiency, sla and "
                                       "admin-performance",
                                       "{\"field\":\"kind\"}"});
        auto const format_text = HTTP_TRY(ctx, text_param(ctx, "format", 10));
        auto const format = format_text.empty() ? std::optional(core::ReportFormat::json)
                                                : core::parse_report_format(format_text);
        if (!format)
            return error_of(ctx, Error{ErrorCode::validation_failed, "format must be json, csv, html, pdf or xlsx",
                                       "{\"field\":\"format\"}"});
        app::ReportRequest req;
        req.kind = *kind;
        req.date = HTTP_TRY(ctx, text_param(ctx, "date", 32));
        req.from = HTTP_TRY(ctx, text_param(ctx, "from", 32));
        req.to = HTTP_TRY(ctx, text_param(ctx, "to", 32));
        req.time_zone = HTTP_TRY(ctx, text_param(ctx, "tz", 64));
        auto const report = HTTP_TRY(ctx, ctx.services.reports.build(ctx.who(), req));
        auto bytes = HTTP_TRY(ctx, ctx.services.reports.render(report, *format));
        Response res;
        res.content_type = core::content_type(*format);
        res.body = std::move(bytes);
        if (*format != core::ReportFormat::json)
            res.header("Content-Disposition", "attachment; filename=\"" + download_name(report, *format) + "\"");
        res.header("Cache-Control", "no-store");
        return res;
    });
}

}  // namespace hrms::http
