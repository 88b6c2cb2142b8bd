"""Health, readiness, metrics, the OpenAPI document, routing, request ids and shutdown."""

import re
import shutil
import signal
import subprocess
import time

from conftest import BACKEND, assert_error, error_of, read_response, router_table, uniq, wait_until
from contract import METHODS, parse_openapi



def test_healthz_reports_ok(server):
    r = server.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}
    assert r.headers["X-Request-Id"]


def test_head_of_a_get_route_has_headers_and_no_body(server):
    r = server.request("HEAD", "/healthz")
    assert r.status_code == 200
    assert r.content == b""
    assert int(r.headers["Content-Length"]) == len(b'{"status":"ok"}')


def test_readyz_reports_ready_with_current_schema(server):
    r = server.get("/readyz")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "ready"
    assert body["database"] == {"sqlite": "sqlite", "pg": "postgresql"}[BACKEND]
    assert isinstance(body["schema_version"], int) and body["schema_version"] >= 1


def test_unknown_route_is_404_with_error_envelope(server):
    r = server.get("/api/v1/no-such-thing")
    assert_error(r, 404, "not_found")
    assert_error(server.get("/api/v1/users/"), 404, "not_found")  # no trailing-slash aliases


def test_wrong_method_is_405_with_allow_header(server):
    r = server.delete("/api/v1/auth/login")
    err = assert_error(r, 405, "method_not_allowed")
    assert r.headers["Allow"] == "POST"
    assert "POST" in err["message"]

    r = server.request("PUT", "/api/v1/users/1")
    assert_error(r, 405, "method_not_allowed")
    assert {m.strip() for m in r.headers["Allow"].split(",")} == {"GET", "PATCH"}


def test_request_id_is_echoed_when_safe_and_replaced_otherwise(server):
    r = server.get("/healthz", headers={"X-Request-Id": "trace-123:abc_DEF.9"})
    assert r.headers["X-Request-Id"] == "trace-123:abc_DEF.9"

    r = server.get("/api/v1/auth/me", headers={"X-Request-Id": "abc-401"})
    assert r.headers["X-Request-Id"] == "abc-401"
    assert error_of(r)["request_id"] == "abc-401"

    for unsafe in ["has space", "x" * 129, "quote\"", "<script>"]:
        r = server.get("/healthz", headers={"X-Request-Id": unsafe})
        rid = r.headers["X-Request-Id"]
        assert rid and rid != unsafe
        assert re.fullmatch(r"[A-Za-z0-9._:-]{1,128}", rid)

    a = server.get("/healthz").headers["X-Request-Id"]
    b = server.get("/healthz").headers["X-Request-Id"]
    assert a != b


def test_api_responses_carry_security_headers(server):
    r = server.get("/api/v1/auth/me")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["X-Frame-Options"] == "DENY"


def _metrics(server) -> str:
    r = server.get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/plain")
    return r.text


def test_metrics_from_loopback_are_prometheus_text_with_route_labels(server, admin_token):
    assert server.get("/api/v1/auth/me", admin_token).status_code == 200
    text = _metrics(server)
    assert "# TYPE hrms_http_requests_total counter" in text
    line = re.search(r'^hrms_http_requests_total\{([^}]*)\} (\d+)$', text, re.M)
    assert line, text[:2000]
    me = [m for m in re.finditer(r'^hrms_http_requests_total\{([^}]*)\} (\d+)$', text, re.M)
          if 'route="/api/v1/auth/me"' in m.group(1) and 'method="GET"' in m.group(1)
          and 'status="200"' in m.group(1)]
    assert me and int(me[0].group(2)) >= 1, text[:3000]
    # Route labels are templates, never raw paths.
    assert 'route="/api/v1/users/{id}"' in text or "/api/v1/users/1" not in text


def test_metrics_route_labels_do_not_grow_with_unknown_paths(server):
    marker = uniq("nope")
    assert server.get(f"/{marker}/x").status_code == 200  # the web interface's app shell
    assert server.get(f"/{marker}/x.js").status_code == 404
    assert server.get(f"/api/{marker}/x").status_code == 404
    assert server.get(f"/api/v1/users/{marker}/roles").status_code in (404, 405)
    assert marker not in _metrics(server)


def test_metrics_pass_promtool_check(server, admin_token):
    server.get("/api/v1/auth/me", admin_token)
    server.get("/api/no-such-route")
    text = _metrics(server)
    promtool = shutil.which("promtool")
    if promtool is None:
        return  # the format checks above still ran
    r = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0, (r.stdout, r.stderr)


def _openapi_paths(doc: str) -> dict[str, set[str]]:
    """paths ("{}" for each parameter) -> methods of the YAML text."""
    return {re.sub(r"\{[^}]*\}", "{}", path): {m.upper() for m in item if m in METHODS}
            for path, item in (parse_openapi(doc).get("paths") or {}).items()}


def _allowed_methods(server, path: str) -> set[str]:
    concrete = path.replace("{id}", "1").replace("{name}", "employee")
    concrete = re.sub(r"\{[^}]*\}", "1", concrete)
    r = server.request("OPTIONS", concrete)
    assert r.status_code == 405, (path, r.status_code)
    return {m.strip() for m in r.headers["Allow"].split(",")}


def test_openapi_document_is_served_as_yaml_and_lists_every_route(server):
    r = server.get("/api/openapi.yaml")
    assert r.status_code == 200
    assert "yaml" in r.headers["Content-Type"]
    doc = r.text
    assert re.match(r"^openapi: ['\"]?3\.", doc), doc[:200]
    documented = _openapi_paths(doc)

    # Every path of the router's own table, asked which methods it allows.
    paths = {path for _, path in router_table()}
    missing = []
    for path in sorted(paths):
        key = re.sub(r"\{[^}]*\}", "{}", path)
        for method in sorted(_allowed_methods(server, path)):
            if method not in documented.get(key, set()):
                missing.append(f"{method} {path}")
    assert not missing, f"routes missing from docs/openapi.yaml: {missing}"


def test_sigterm_finishes_in_flight_request_and_exits_zero(start_server):
    srv = start_server()
    # A keep-alive connection that completed requests and is now idle.
    idle = srv.raw()
    for _ in range(2):
        idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        status, headers, body = read_response(idle)
        assert status == 200 and body == b'{"status":"ok"}'
        assert headers.get("connection", "").lower() != "close"
    # A connection in the middle of a request: its headers are not complete yet.
    busy = srv.raw()
    busy.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")
    wait_until(lambda: srv.get("/healthz").status_code == 200, 5, what="busy connection seen")

    srv.proc.send_signal(signal.SIGTERM)
    srv.wait_log(lambda e: e.get("event") == "http.shutdown", timeout=5, what="http.shutdown")

    # The idle keep-alive connection is closed by the server.
    idle.settimeout(10)
    try:
        assert idle.recv(1024) == b""
    except ConnectionResetError:
        pass
    # The in-flight request is still answered, and the connection is not kept alive.
    busy.sendall(b"\r\n")
    status, headers, body = read_response(busy, timeout=10)
    assert status == 200 and body == b'{"status":"ok"}'
    assert headers.get("connection", "").lower() == "close"

    started = time.monotonic()
    try:
        code = srv.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        raise AssertionError("hrms did not exit within 10 s of SIGTERM")
    assert code == 0
    assert time.monotonic() - started < 10
    assert srv.find_log(lambda e: e.get("event") == "http.stopped")
    idle.close()
    busy.close()


def test_sigterm_on_an_idle_server_exits_zero_promptly(start_server):
    srv = start_server()
    s = srv.raw()
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
    assert read_response(s)[0] == 200
    started = time.monotonic()
    assert srv.stop(signal.SIGTERM, timeout=10) == 0
    assert time.monotonic() - started < 10
    s.close()
