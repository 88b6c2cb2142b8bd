#pragma once
// The web interface's files (web/dist, built by Vite) served at `/`, same origin as the API.
// Beast-free, like the pipeline; answers only GET and HEAD for paths outside `/api/`.
//
//   /assets/<name>-<hash>.js   a file Vite names by its content: cached for a year, immutable
//   /favicon.svg, ...          another file of the build: revalidated on every use
//   /queue, /profiles/7, ...   anything else without an extension: the app shell (index.html),
//                              never cached, so a new build is picked up on the next load
//   /missing.js                404, in plain text (a typo in an asset must not load the shell)
//
// Every answer carries the interface's Content-Security-Policy: scripts and styles from this
// origin only (no inline script), connections to this origin (HTTP and WebSocket), images and
// frames from this origin or blob: (document previews), nothing may frame the app.
// A file has a precompressed twin `<file>.gz` (the build writes them) that goes out instead
// when the client accepts gzip.
#include <filesystem>
#include <optional>
#include <string>

#include "hrms/http/types.hpp"

namespace hrms::http {

class WebAssets {
public:
    // `dir` is HRMS_WEB_DIR; it may be empty or lack index.html, in which case every answer
    // says how to build the interface (503).
    explicit WebAssets(std::filesystem::path dir);

    // True when dir/index.html exists.
    bool available() const;
    std::filesystem::path const& dir() const { return dir_; }

    // The answer for a GET or HEAD of `req.path` that no API route took; nullopt when the path
    // is not the interface's (under /api/, or another method).
    std::optional<Response> serve(Request const& req) const;

    // The policy every interface answer carries (exposed for tests and docs).
    static char const* content_security_policy();

private:
    Response shell() const;
    std::filesystem::path dir_;
    std::filesystem::path root_;  // dir_ made canonical, for the containment check
};

}  // namespace hrms::http
