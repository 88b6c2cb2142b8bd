// The report model as JSON: the API's format=json answer and what the other formats restate.
#include <boost/json.hpp>

#include "hrms/reports/export.hpp"

namespace hrms::reports {

namespace json = boost::json;

namespace {
json::value number_or_null(std::optional<double> v) { return v ? json::value(*v) : json::value(nullptr); }

json::object period_json(core::ReportPeriod const& p) {
    return {{"from", p.from_date},
            {"to", p.to_date},
            {"start", to_rfc3339(p.from)},
            {"end", to_rfc3339(p.to)},
            {"time_zone", p.time_zone}};
}

char const* column_type(core::ColumnType t) {
    switch (t) {
    case core::ColumnType::text: return "text";
    case core::ColumnType::integer: return "integer";
    case core::ColumnType::number: return "number";
    case core::ColumnType::percent: return "percent";
    case core::ColumnType::hours: return "hours";
    case core::ColumnType::datetime: return "datetime";
    }
    return "text";
}

json::value cell_json(core::Cell const& c) {
    if (auto const* s = std::get_if<std::string>(&c)) return json::value(*s);
    if (auto const* i = std::get_if<std::int64_t>(&c)) return json::value(*i);
    if (auto const* d = std::get_if<double>(&c)) return json::value(*d);
    if (auto const* t = std::get_if<Instant>(&c)) return json::value(to_rfc3339(*t));
    return nullptr;
}

json::object metric_json(core::Metric const& m) {
    json::object o{{"key", m.key},
                   {"label", m.label},
                   {"unit", core::to_string(m.unit)},
                   {"value", number_or_null(m.value)},
                   {"previous", number_or_null(m.previous)}};
    o["change"] = m.value && m.previous ? json::value(*m.value - *m.previous) : json::value(nullptr);
    o["goal"] = number_or_null(m.goal);
    o["higher_is_better"] = m.higher_is_better ? json::value(*m.higher_is_better) : json::value(nullptr);
    return o;
}

json::object table_json(core::Table const& t) {
    json::array columns, rows;
    for (auto const& c : t.columns)
        columns.push_back(json::object{{"key", c.key}, {"label", c.label}, {"type", column_type(c.type)}});
    rows.reserve(t.rows.size());
    for (auto const& r : t.rows) {
        json::array row;
        row.reserve(r.size());
        for (auto const& c : r) row.push_back(cell_json(c));
        rows.push_back(std::move(row));
    }
    json::object o{{"key", t.key}, {"title", t.title}, {"columns", std::move(columns)}, {"rows", std::move(rows)}};
    o["total_rows"] = t.total_rows ? json::value(*t.total_rows) : json::value(static_cast<std::int64_t>(t.rows.size()));
    return o;
}

json::object chart_json(core::Chart const& c) {
    json::array bars;
    for (auto const& [label, value] : c.bars) bars.push_back(json::object{{"label", label}, {"value", value}});
    return {{"key", c.key}, {"title", c.title}, {"unit", core::to_string(c.unit)}, {"bars", std::move(bars)}};
}
}  // namespace

std::string to_json(core::Report const& r) {
    json::array sections;
    for (auto const& s : r.sections) {
        json::array metrics, tables, charts;
        for (auto const& m : s.metrics) metrics.push_back(metric_json(m));
        for (auto const& t : s.tables) tables.push_back(table_json(t));
        for (auto const& c : s.charts) charts.push_back(chart_json(c));
        sections.push_back(json::object{{"key", s.key},
                                        {"title", s.title},
                                        {"metrics", std::move(metrics)},
                                        {"tables", std::move(tables)},
                                        {"charts", std::move(charts)}});
    }
    json::array insights(r.insights.begin(), r.insights.end());
    json::array recommendations(r.recommendations.begin(), r.recommendations.end());
    return json::serialize(json::object{{"kind", core::to_string(r.kind)},
                                        {"title", r.title},
                                        {"period", period_json(r.period)},
                                        {"previous_period", period_json(r.previous)},
                                        {"generated_at", to_rfc3339(r.generated_at)},
                                        {"sections", std::move(sections)},
                                        {"insights", std::move(insights)},
                                        {"recommendations", std::move(recommendations)}});
}

}  // namespace hrms::reports
