"""The web interface served at `/` (HRMS_WEB_DIR): the app shell for client-side routes, hashed
assets cached for a year, the Content-Security-Policy, precompressed files, containment in the
directory, and a clear answer when nothing is built. Every server of the suite serves the small
stand-in build of conftest.web_fixture_dir(); the browser tests (web/e2e) use the real one."""

from __future__ import annotations

import gzip
import http.client
import os

from conftest import WEB_INDEX, WEB_SCRIPT, assert_error, wait_until

ASSET = "/assets/app-3f9a1c.js"


def raw_get(server, target: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """GET with the target sent exactly as given (requests would normalise dot segments)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.putrequest("GET", target, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        conn.endheaders()
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def csp_of(headers) -> dict[str, str]:
    out = {}
    for part in headers["content-security-policy"].split(";"):
        name, _, value = part.strip().partition(" ")
        out[name] = value
    return out


def test_the_root_and_every_client_side_route_answer_the_app_shell_uncached(server):
    for path in ("/", "/sign-in", "/queue", "/profiles/42", "/invite", "/reports?kind=daily"):
        status, headers, body = raw_get(server, path)
        assert status == 200, path
        assert body.decode() == WEB_INDEX
        assert headers["content-type"] == "text/html; charset=utf-8"
        assert headers["cache-control"] == "no-store"
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"


def test_the_shell_carries_a_strict_content_security_policy(server):
    _, headers, _ = raw_get(server, "/queue")
    csp = csp_of(headers)
    assert csp["script-src"] == "'self'"  # no inline script, no eval
    assert csp["style-src"] == "'self'"
    assert csp["default-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'" and csp["base-uri"] == "'none'"
    assert csp["connect-src"] == "'self'"  # the API and the WebSocket, same origin
    assert "unsafe" not in headers["content-security-policy"]


def test_hashed_assets_are_cached_for_a_year_and_sent_compressed_when_accepted(server):
    status, headers, body = raw_get(server, ASSET)
    assert status == 200 and body.decode() == WEB_SCRIPT
    assert headers["content-type"] == "text/javascript; charset=utf-8"
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers["vary"] == "Accept-Encoding"
    assert "content-encoding" not in headers
    status, headers, body = raw_get(server, ASSET, {"Accept-Encoding": "gzip, deflate, br"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert gzip.decompress(body).decode() == WEB_SCRIPT
    assert int(headers["content-length"]) == len(body) < len(WEB_SCRIPT)
    # Refused gzip (q=0) gets the plain file.
    _, headers, body = raw_get(server, ASSET, {"Accept-Encoding": "gzip;q=0, br"})
    assert "content-encoding" not in headers and body.decode() == WEB_SCRIPT


def test_other_files_of_the_build_are_revalidated(server):
    status, headers, body = raw_get(server, "/favicon.svg")
    assert status == 200 and body.startswith(b"<svg")
    assert headers["content-type"] == "image/svg+xml"
    assert headers["cache-control"] == "no-cache"


def test_a_missing_file_is_a_plain_404_not_the_shell(server):
    for path in ("/assets/app-000000.js", "/assets/nothing", "/missing.css", "/robots.txt"):
        status, headers, body = raw_get(server, path)
        assert status == 404, path
        assert headers["content-type"] == "text/plain; charset=utf-8"
        assert WEB_INDEX.encode() not in body


def test_the_api_is_untouched(server):
    assert_error(server.get("/api/v1/no-such-thing"), 404, "not_found")
    assert_error(server.get("/api/nothing", bad=True), 404, "not_found")
    r = server.get("/api/v1/auth/me")
    assert r.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    # Other methods on interface paths are not served: the API's JSON 404.
    assert_error(server.post("/queue", json={}, bad=True), 404, "not_found")


def test_head_answers_the_headers_without_a_body(server):
    r = server.http.head(server.url + "/queue", timeout=10)
    assert r.status_code == 200 and r.content == b""
    assert int(r.headers["Content-Length"]) == len(WEB_INDEX)


def test_paths_never_leave_the_web_directory(server):
    for target in ("/../../../../etc/passwd", "/assets/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
                   "/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/.hidden", "/assets/.gz", "/..%2f..%2fetc%2fpasswd",
                   "/assets//app-3f9a1c.js", "/assets\\..\\..\\etc\\passwd"):
        status, _, body = raw_get(server, target)
        assert b"root:" not in body, target
        assert status in (200, 400, 404), (target, status)
        if status == 200:
            assert body.decode() == WEB_INDEX, target  # the shell, never a file from elsewhere


def test_a_symbolic_link_out_of_the_directory_is_not_followed(start_server, tmp_path):
    web = tmp_path / "web"
    (web / "assets").mkdir(parents=True)
    (web / "index.html").write_text("<!doctype html><title>x</title>")
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    os.symlink(secret, web / "assets" / "leak-1.txt")
    srv = start_server({"HRMS_WEB_DIR": str(web)})
    status, _, body = raw_get(srv, "/assets/leak-1.txt")
    assert status == 404 and b"top secret" not in body


def test_without_a_build_the_server_says_how_to_make_one_and_the_api_still_works(start_server, tmp_path):
    missing = tmp_path / "no-build-here"
    srv = start_server({"HRMS_WEB_DIR": str(missing)})
    warned = srv.wait_log(lambda e: e.get("event") == "web.missing", timeout=5, what="web.missing")
    assert warned["dir"] == str(missing) and "npm run build" in warned["hint"]
    for path in ("/", "/queue"):
        status, headers, body = raw_get(srv, path)
        assert status == 503 and headers["content-type"] == "text/plain; charset=utf-8"
        text = body.decode()
        assert "not built" in text and str(missing) in text and "npm ci && npm run build" in text
        assert "HRMS_WEB_DIR" in text
    assert raw_get(srv, ASSET)[0] == 404
    assert srv.get("/healthz").status_code == 200
    assert srv.login(srv.env["HRMS_ADMIN_EMAIL"], srv.env["HRMS_ADMIN_PASSWORD"]).status_code == 200


def test_a_build_that_appears_later_is_served_without_a_restart(start_server, tmp_path):
    web = tmp_path / "later"
    web.mkdir()
    srv = start_server({"HRMS_WEB_DIR": str(web)})
    assert raw_get(srv, "/")[0] == 503
    (web / "index.html").write_text("<!doctype html><title>new build</title>")
    status, _, body = wait_until(lambda: (r := raw_get(srv, "/"))[0] == 200 and r, timeout=5, what="the new build")
    assert b"new build" in body
