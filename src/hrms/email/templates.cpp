#include "hrms/email/templates.hpp"

#include "hrms/core/text.hpp"

#include <kainjow/mustache.hpp>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <tuple>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace hrms::email {

namespace mustache = kainjow::mustache;

namespace {

std::string trim(std::string_view s) { return std::string(core::trim(s)); }

// Renders `source` with `vars`; `html` escapes values for HTML, else they go in as they are
// (the text part and the subject are not HTML). Templates are parsed once per thread and
// owner: kainjow's render is not const, so a parsed template is never shared between threads,
// and parsing for every message cost more than the rest of queueing it.
Result<std::string> render_one(std::uint64_t owner, std::string const& name, std::string const& source,
                               mustache::data const& vars, bool html) {
    thread_local std::map<std::tuple<std::uint64_t, std::string, bool>, std::unique_ptr<mustache::mustache>> parsed;
    auto& tmpl = parsed[{owner, name, html}];
    if (!tmpl) {
        tmpl = std::make_unique<mustache::mustache>(source);
        if (!html && tmpl->is_valid()) tmpl->set_custom_escape([](std::string const& s) { return s; });
    }
    if (!tmpl->is_valid()) return fail(ErrorCode::internal, "template " + name + ": " + tmpl->error_message());
    return tmpl->render(vars);
}

// Each Templates gets its own number, so that a cache entry never outlives its owner's
// sources under the same key (tests build many).
std::atomic<std::uint64_t> next_owner{1};

}  // namespace

std::vector<std::string> template_variables(std::string const& source) {
    std::set<std::string> seen;
    std::vector<std::string> out;
    std::size_t pos = 0;
    while ((pos = source.find("{{", pos)) != std::string::npos) {
        auto const end = source.find("}}", pos + 2);
        if (end == std::string::npos) break;
        std::string tag = trim(std::string_view(source).substr(pos + 2, end - pos - 2));
        pos = end + 2;
        if (!tag.empty() && tag.front() == '{') {
            tag = trim(tag.substr(1));
            if (pos < source.size() && source[pos] == '}') ++pos;
        }
        if (tag.empty() || std::string_view("#^/!>=").find(tag.front()) != std::string_view::npos) continue;
        if (tag.front() == '&') tag = trim(tag.substr(1));
        if (seen.insert(tag).second) out.push_back(tag);
    }
    return out;
}

Templates::Templates(std::string const& override_dir, Brand brand)
    : sources_(embedded_templates()), brand_(std::move(brand)), id_(next_owner++) {
    if (override_dir.empty()) return;
    namespace fs = std::filesystem;
    if (!fs::is_directory(override_dir)) throw std::runtime_error("email templates: " + override_dir + " is not a directory");
    for (auto const& entry : fs::directory_iterator(override_dir)) {
        if (entry.path().extension() != ".mustache") continue;
        std::ifstream in(entry.path(), std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        if (!in) throw std::runtime_error("email templates: cannot read " + entry.path().string());
        mustache::mustache check{text.str()};
        if (!check.is_valid())
            throw std::runtime_error("email templates: " + entry.path().string() + ": " + check.error_message());
        sources_[entry.path().stem().string()] = text.str();
    }
}

std::vector<std::string> Templates::names() const {
    std::vector<std::string> out;
    for (auto const& [key, _] : sources_)
        if (key.ends_with(".subject")) out.push_back(key.substr(0, key.size() - 8));
    return out;
}

Result<app::RenderedEmail> Templates::render(std::string const& name, app::EmailVars const& given) const {
    auto const subject = sources_.find(name + ".subject");
    auto const text = sources_.find(name + ".text");
    auto const html = sources_.find(name + ".html");
    if (subject == sources_.end() || text == sources_.end() || html == sources_.end())
        return fail(ErrorCode::not_found, "no email template named " + name);
    app::EmailVars vars = given;
    vars.emplace("brand_color", brand_.color);
    vars.emplace("brand_logo_url", brand_.logo_url);
    vars.emplace("brand_footer", brand_.footer);
    // A variable a part uses that nobody gave is a bug in the caller or in an override: the
    // message would go out with a hole in it.
    for (auto const* part : {&subject->second, &text->second, &html->second})
        for (auto const& v : template_variables(*part))
            if (!vars.contains(v)) return invalid_field(v, "the template " + name + " needs the variable " + v);
    mustache::data data;
    for (auto const& [k, v] : vars) {
        // Empty is false, so that an optional part in a section ({{#reason}}) is left out.
        if (v.empty()) data.set(k, mustache::data(false));
        else data.set(k, v);
    }
    app::RenderedEmail out;
    out.subject = trim(TRY(render_one(id_, name + ".subject", subject->second, data, false)));
    out.text = TRY(render_one(id_, name + ".text", text->second, data, false));
    auto content = TRY(render_one(id_, name + ".html", html->second, data, true));
    auto const layout = sources_.find("layout.html");
    if (layout == sources_.end()) {
        out.html = std::move(content);
        return out;
    }
    data.set("content", content);
    data.set("subject", out.subject);
    out.html = TRY(render_one(id_, "layout.html", layout->second, data, true));
    return out;
}

}  // namespace hrms::email
