#include "hrms/http/dashboard_json.hpp"

#include "hrms/http/json_io.hpp"

namespace hrms::http {

namespace json = boost::json;

json::object dashboard_json(app::Dashboard const& d) {
    json::object by_stage, by_status;
    json::array cells;
    auto add = [](json::object& o, char const* key, std::int64_t n) {
        auto& v = o[key];
        v = (v.is_int64() ? v.as_int64() : 0) + n;
    };
    for (auto s : {core::Stage::details, core::Stage::documents, core::Stage::final, core::Stage::completed})
        by_stage[core::to_string(s)] = 0;
    for (auto s : {core::StageStatus::draft, core::StageStatus::submitted, core::StageStatus::rejected})
        by_status[core::to_string(s)] = 0;
    for (auto const& c : d.counts) {
        char const* stage = core::to_string(c.stage);
        char const* status = core::to_string(c.status);
        add(by_stage, stage, c.count);
        if (c.stage != core::Stage::completed) add(by_status, status, c.count);
        cells.push_back(json::object{{"stage", stage}, {"status", status}, {"count", c.count}});
    }
    return json::object{
        {"as_of", json_value(d.as_of)},
        {"time_zone", d.time_zone},
        {"total", d.total},
        {"in_progress", d.in_progress},
        {"completed", d.completed},
        {"by_stage", std::move(by_stage)},
        {"by_status", std::move(by_status)},
        {"cells", std::move(cells)},
        {"overdue", d.overdue},
        {"urgent", d.urgent},
        {"today",
         json::object{{"submissions", d.submissions_today},
                      {"approvals", d.approvals_today},
                      {"rejections", d.rejections_today},
                      {"completions", d.completions_today},
                      {"documents_uploaded", d.documents_uploaded_today}}},
        {"this_week",
         json::object{{"completions", d.completions_this_week},
                      {"median_days_to_complete", d.median_days_to_complete_this_week
                                                      ? json::value(*d.median_days_to_complete_this_week)
                                                      : json::value(nullptr)}}},
        {"open_sessions", d.open_sessions},
        {"email_queue", d.email_queue},
        {"bulk_jobs_running", d.bulk_jobs_running},
    };
}

}  // namespace hrms::http
