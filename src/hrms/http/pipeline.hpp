#pragma once
// The middleware chain around every handler: request id, routing (404/405, or the web
// interface's files for paths outside /api/), authentication,
// CSRF, the error envelope, security headers, metrics and the access log. Beast-free; runs on
// the blocking pool.
#include "hrms/core/net.hpp"
#include "hrms/http/metrics.hpp"
#include "hrms/http/router.hpp"
#include "hrms/http/types.hpp"
#include "hrms/http/web_assets.hpp"

namespace hrms::http {

class Pipeline {
public:
    Pipeline(app::Services& services, HttpConfig const& config, Router const& router, Metrics& metrics);

    // A response for `req`, never throwing: a handler's exception becomes a 500 naming the
    // request id. `started` is when the request was fully read (for latency).
    Response handle(Request& req, double started_s);

    // A response that did not reach a handler (413 while reading, 400 unparsable), decorated
    // like the others.
    Response reject(Request const& req, Error const& error);

    struct Traits {
        bool upload = false;     // the route streams a multipart upload (Body::upload)
        bool inline_io = false;  // the route may run on the I/O thread (Exec::io)
    };
    // How the server must treat the request's route; both false when nothing matches.
    Traits traits(Request const& req) const;
    // For uploads, before the body is read: the error response when the request may not
    // proceed (no route, not authenticated, CSRF), else nullopt. Blocking: run on the pool.
    std::optional<Response> precheck(Request const& req, double started_s);
    // For a WebSocket upgrade, before it is accepted: the actor when the request carries a valid
    // bearer header or session cookie, nullopt when it carries none (the client may still
    // authenticate with a message), or the error: unauthenticated for a bad credential,
    // forbidden for a cookie sent from another origin (cross-site WebSocket hijacking).
    // Blocking: run on the pool.
    Result<std::optional<app::Actor>> identify(Request const& req);
    // Removes an upload's temporary file if the handler did not take it.
    void discard_upload(app::StagedUpload const& upload);
    app::BlobStore& blobs() { return services_.blobs; }

    Metrics& metrics() { return metrics_; }
    WebAssets const& web() const { return web_; }

    // Replaces `req.client_ip` (the socket's peer) with the client's address when the peer is a
    // proxy in HRMS_TRUSTED_PROXIES and sent forwarding headers.
    void resolve_client(Request& req) const;

private:
    // The request's access entry for the audit trail (when access entries are on); counts it
    // when it was slow.
    // A refusal that may be an attack (a bad token, a missing permission, a CSRF failure, ...)
    // also goes to the security monitor; `refusal` names what the status does not tell.
    void record_access(Request const& req, std::string const& request_id, app::Actor const* actor,
                       std::string_view route, Response const& res, double elapsed_s,
                       std::optional<app::SecurityEvent> refusal = std::nullopt, bool upload = false);
    void decorate(Response& r, std::string const& request_id, bool api) const;
    // Authenticates `ctx` for `route` (and checks CSRF); the error when it may not proceed.
    std::optional<Error> authorize(Route const& route, Ctx& ctx);

    app::Services& services_;
    HttpConfig const& config_;
    Router const& router_;
    Metrics& metrics_;
    core::CidrList trusted_proxies_;
    WebAssets web_;  // the interface at `/` (HRMS_WEB_DIR)
};

// A request id: X-Request-Id if it is 1..128 safe characters, otherwise a new random one.
std::string request_id_for(Request const& req);

}  // namespace hrms::http
