#include "hrms/core/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace hrms::core {

std::string escape_label_value(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        if (c == '\\' || c == '"') out.push_back('\\');
        out.push_back(c);
    }
    return out;
}

std::string render_labels(std::vector<Label> const& labels) {
    if (labels.empty()) return {};
    std::string out = "{";
    for (auto const& l : labels) {
        if (out.size() > 1) out.push_back(',');
        out += fmt::format("{}=\"{}\"", l.name, escape_label_value(l.value));
    }
    out.push_back('}');
    return out;
}

std::string family_header(std::string_view name, std::string_view help, std::string_view type) {
    return fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

std::string format_value(double v) {
    // fmt would write "inf" and "nan", which the exposition format does not read.
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    return fmt::format("{}", v);
}

Histogram::Histogram(std::span<double const> bounds)
    : bounds_(bounds.begin(), bounds.end()),
      counts_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
    for (std::size_t i = 0; i <= bounds_.size(); ++i) counts_[i] = 0;
}

void Histogram::observe(double seconds) {
    // Not lower_bound: a NaN belongs past every bound, not in the first bucket.
    auto const bucket =
        std::find_if(bounds_.begin(), bounds_.end(), [&](double b) { return seconds <= b; }) -
        bounds_.begin();
    counts_[static_cast<std::size_t>(bucket)].fetch_add(1, std::memory_order_relaxed);
    sum_us_.fetch_add(static_cast<std::uint64_t>(std::max(0.0, seconds) * 1e6),
                      std::memory_order_relaxed);
}

void Histogram::add(Histogram const& other) {
    for (std::size_t i = 0; i <= bounds_.size() && i <= other.bounds_.size(); ++i)
        counts_[i].fetch_add(other.counts_[i].load(std::memory_order_relaxed),
                             std::memory_order_relaxed);
    sum_us_.fetch_add(other.sum_us_.load(std::memory_order_relaxed), std::memory_order_relaxed);
}

std::uint64_t Histogram::count() const {
    std::uint64_t n = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i)
        n += counts_[i].load(std::memory_order_relaxed);
    return n;
}

std::string Histogram::render_series(std::string_view name,
                                     std::vector<Label> const& labels) const {
    auto const shared = render_labels(labels);
    // Each bucket's le goes after the shared labels, inside the same braces.
    auto const bucket_labels =
        shared.empty() ? std::string("{") : shared.substr(0, shared.size() - 1) + ",";
    std::string out;
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
        cumulative += counts_[i].load(std::memory_order_relaxed);
        auto const le = i < bounds_.size() ? format_value(bounds_[i]) : std::string("+Inf");
        out += fmt::format("{}_bucket{}le=\"{}\"}} {}\n", name, bucket_labels, le, cumulative);
    }
    auto const sum = static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1e6;
    out += fmt::format("{}_sum{} {}\n", name, shared, format_value(sum));
    out += fmt::format("{}_count{} {}\n", name, shared, cumulative);
    return out;
}

std::string Histogram::render(std::string_view name, std::string_view help,
                              std::vector<Label> const& labels) const {
    return family_header(name, help, "histogram") + render_series(name, labels);
}

}  // namespace hrms::core
