#pragma once
// Pieces of the Prometheus text exposition format (version 0.0.4) shared by every adapter that
// renders metrics: label escaping, family headers, and a lock-free histogram.
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hrms::core {

// One label of a series; the value is escaped when rendered.
struct Label {
    std::string_view name;
    std::string_view value;
};

// `v` as a label value may hold it: backslash, double quote and newline become \\, \" and \n.
std::string escape_label_value(std::string_view v);

// `{a="x",b="y"}` with every value escaped, or "" for no labels.
std::string render_labels(std::vector<Label> const& labels);

// The # HELP and # TYPE lines that open a family, written once however many series follow.
// `help` is one line without backslashes.
std::string family_header(std::string_view name, std::string_view help, std::string_view type);

// A sample value or bucket bound: the shortest form that reads back the same, "+Inf" for infinity.
std::string format_value(double v);

// Durations counted into fixed buckets (upper bounds in seconds, ascending), lock-free:
// observe() may run on any thread while another renders or merges it. The sum is kept in whole
// microseconds, an integer atomic.
class Histogram {
public:
    explicit Histogram(std::span<double const> bounds);

    void observe(double seconds);
    // Adds the counts of `other`, which has the same bounds.
    void add(Histogram const& other);
    std::vector<double> const& bounds() const { return bounds_; }
    std::uint64_t count() const;

    // The _bucket (cumulative, up to le="+Inf"), _sum and _count series of `name` under `labels`,
    // without HELP/TYPE: for a family with several label sets, write family_header() once first.
    std::string render_series(std::string_view name, std::vector<Label> const& labels = {}) const;
    // The whole family: HELP, TYPE and the one series.
    std::string render(std::string_view name, std::string_view help,
                       std::vector<Label> const& labels = {}) const;

private:
    std::vector<double> bounds_;
    // Per bucket, not cumulative, plus one slot past the last bound. The total is their sum, so
    // a render racing observe() never shows le="+Inf" below a finite bucket.
    std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
    std::atomic<std::uint64_t> sum_us_{0};
};

}  // namespace hrms::core
