#include "hrms/http/web_assets.hpp"

#include <array>
#include <string_view>
#include <system_error>
#include <utility>

namespace hrms::http {

namespace fs = std::filesystem;

namespace {

constexpr char kCsp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; frame-src 'self' blob:; worker-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

struct Type {
    std::string_view ext;
    std::string_view mime;
};
constexpr std::array<Type, 14> kTypes{{
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".html", "text/html; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".webmanifest", "application/manifest+json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".webp", "image/webp"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
    {".wasm", "application/wasm"},
}};

std::string_view mime_for(std::string_view name) {
    for (auto const& t : kTypes) {
        if (name.size() > t.ext.size() && name.ends_with(t.ext)) return t.mime;
    }
    return "application/octet-stream";
}

// The request path as segments under the web directory: no empty, dot, dot-dot or hidden
// segments, no backslash or NUL. nullopt when it is not a plain relative path.
std::optional<fs::path> relative_path(std::string_view path) {
    fs::path out;
    std::size_t i = 1;  // past the leading '/'
    while (i <= path.size()) {
        auto const slash = path.find('/', i);
        auto const seg = path.substr(i, slash == std::string_view::npos ? std::string_view::npos : slash - i);
        if (seg.empty() || seg.front() == '.' || seg.find('\\') != std::string_view::npos ||
            seg.find('\0') != std::string_view::npos)
            return std::nullopt;
        out /= std::string(seg);
        if (slash == std::string_view::npos) break;
        i = slash + 1;
    }
    return out;
}

bool accepts_gzip(Request const& req) {
    auto const ae = req.header("accept-encoding");
    // "gzip" listed and not refused with q=0 (the forms browsers send).
    auto const at = ae.find("gzip");
    if (at == std::string_view::npos) return false;
    auto const rest = ae.substr(at + 4);
    auto const comma = rest.find(',');
    auto const params = rest.substr(0, comma);
    return params.find("q=0") == std::string_view::npos || params.find("q=0.") != std::string_view::npos;
}

Response text(int status, std::string body) {
    Response r;
    r.status = status;
    r.content_type = "text/plain; charset=utf-8";
    r.body = std::move(body);
    r.header("Cache-Control", "no-store");
    return r;
}

}  // namespace

WebAssets::WebAssets(fs::path dir) : dir_(std::move(dir)) {
    std::error_code ec;
    if (!dir_.empty()) root_ = fs::weakly_canonical(dir_, ec);
    if (ec) root_.clear();
}

char const* WebAssets::content_security_policy() { return kCsp; }

bool WebAssets::available() const {
    std::error_code ec;
    return !root_.empty() && fs::is_regular_file(root_ / "index.html", ec);
}

Response WebAssets::shell() const {
    if (!available()) {
        Response r = text(503,
                          "The hrms web interface is not built, so there is nothing to show at this address.\n"
                          "Looked for index.html in: " +
                              (dir_.empty() ? std::string("(HRMS_WEB_DIR is empty)") : dir_.string()) +
                              "\n\nBuild it with:  cd web && npm ci && npm run build\n"
                              "or point HRMS_WEB_DIR at a directory that holds a build.\n"
                              "The API is unaffected: /api/v1/... answers as usual.\n");
        return r;
    }
    Response r;
    r.content_type = "text/html; charset=utf-8";
    r.file_path = (root_ / "index.html").string();
    r.header("Cache-Control", "no-store");
    return r;
}

std::optional<Response> WebAssets::serve(Request const& req) const {
    if (req.method != "GET" && req.method != "HEAD") return std::nullopt;
    if (req.path == "/api" || req.path.starts_with("/api/")) return std::nullopt;
    auto res = [&]() -> Response {
        if (req.path == "/" || req.path.empty()) return shell();
        auto const last = req.path.substr(req.path.rfind('/') + 1);
        bool const looks_like_file = last.find('.') != std::string::npos;
        auto rel = relative_path(req.path);
        if (!rel) return text(404, "not found\n");
        if (!available()) return looks_like_file ? text(404, "not found\n") : shell();
        std::error_code ec;
        auto const full = root_ / *rel;
        if (!fs::is_regular_file(full, ec)) {
            // A client-side route (no extension) gets the shell; a missing file is a 404.
            if (looks_like_file || req.path.starts_with("/assets/")) return text(404, "not found\n");
            return shell();
        }
        // Symbolic links must not lead out of the directory.
        auto const canon = fs::weakly_canonical(full, ec);
        auto const [end, _] = std::mismatch(root_.begin(), root_.end(), canon.begin(), canon.end());
        if (ec || end != root_.end()) return text(404, "not found\n");
        Response r;
        r.content_type = std::string(mime_for(last));
        r.file_path = canon.string();
        if (last == "index.html") {
            r.header("Cache-Control", "no-store");
            return r;
        }
        auto gz = canon;
        gz += ".gz";
        bool const compressible = !r.content_type.starts_with("image/") || r.content_type == "image/svg+xml";
        if (compressible) {
            r.header("Vary", "Accept-Encoding");
            if (accepts_gzip(req) && fs::is_regular_file(gz, ec)) {
                r.file_path = gz.string();
                r.header("Content-Encoding", "gzip");
            }
        }
        // Vite names what it emits under assets/ by content hash: a changed file is a new URL.
        r.header("Cache-Control",
                 req.path.starts_with("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
        return r;
    }();
    res.header("Content-Security-Policy", kCsp);
    return res;
}

}  // namespace hrms::http
