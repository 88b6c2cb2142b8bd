"""Request size limits, timeouts for slow or silent clients, malformed requests."""

import json
import time

import pytest

from conftest import Server, assert_error, closed_by_peer, read_response


@pytest.fixture(scope="module")
def tight(tmp_path_factory, hrms_binary):
    """A server with small limits and one-second timeouts."""
    srv = Server(tmp_path_factory.mktemp("tight"), {
        "HRMS_MAX_BODY_BYTES": "1024",
        "HRMS_MAX_HEADER_BYTES": "1024",
        "HRMS_HTTP_READ_TIMEOUT_S": "1",
        "HRMS_HTTP_IDLE_TIMEOUT_S": "1",
    })
    # Idle connections are closed after 1 s: never reuse one from the pool.
    srv.http.headers["Connection"] = "close"
    yield srv
    srv.cleanup()


def error_body(body: bytes) -> dict:
    err = json.loads(body)["error"]
    assert {"code", "message", "details", "request_id"} <= set(err)
    return err


def test_body_over_the_limit_is_refused_from_content_length_alone(server):
    s = server.raw(timeout=5)
    started = time.monotonic()
    # Announce one byte more than 1 MiB, send two, and wait: the answer must not need the rest.
    s.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
              b"Content-Length: 1048577\r\n\r\n{}")
    status, headers, body = read_response(s, timeout=5)
    assert time.monotonic() - started < 3
    assert status == 413
    assert error_body(body)["code"] == "payload_too_large"
    assert headers.get("connection", "").lower() == "close"
    assert closed_by_peer(s, 5)
    s.close()
    assert server.get("/healthz").status_code == 200


def test_body_limit_is_configurable_and_inclusive(tight):
    # Exactly at the limit: handled normally (wrong credentials, not 413).
    base = {"email": "nobody@example.com", "password": ""}
    pad = 1024 - len(json.dumps(base))
    body = json.dumps({"email": "nobody@example.com", "password": "p" * pad})
    assert len(body) == 1024
    r = tight.post("/api/v1/auth/login", data=body, headers={"Content-Type": "application/json"})
    assert_error(r, 401, "unauthenticated")

    s = tight.raw()
    s.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
              b"Content-Length: 1025\r\n\r\n{")
    status, _, body = read_response(s, timeout=3)
    assert status == 413 and error_body(body)["code"] == "payload_too_large"
    s.close()


def test_chunked_body_over_the_limit_is_413(tight):
    s = tight.raw()
    chunk = b"x" * 1500
    s.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % len(chunk) + chunk + b"\r\n0\r\n\r\n")
    status, _, body = read_response(s, timeout=3)
    assert status == 413 and error_body(body)["code"] == "payload_too_large"
    s.close()


def test_headers_over_the_limit_are_413(server):
    s = server.raw()
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Pad: " + b"a" * 20000 + b"\r\n\r\n")
    status, headers, body = read_response(s, timeout=5)
    assert status == 413 and error_body(body)["code"] == "payload_too_large"
    assert headers.get("x-request-id")
    s.close()
    assert server.get("/healthz").status_code == 200


def test_header_limit_is_configurable(tight):
    assert tight.get("/healthz", headers={"X-Pad": "a" * 500}).status_code == 200
    s = tight.raw()
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Pad: " + b"a" * 1100 + b"\r\n\r\n")
    status, _, body = read_response(s, timeout=3)
    assert status == 413 and error_body(body)["code"] == "payload_too_large"
    s.close()


def test_slow_loris_connection_is_dropped_while_others_are_served(tight):
    s = tight.raw()
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ")
    started = time.monotonic()
    served_meanwhile = False
    closed = False
    while time.monotonic() - started < 6:
        try:
            s.sendall(b"a")
        except (BrokenPipeError, ConnectionResetError):
            closed = True
            break
        if closed_by_peer(s, 0.2):
            closed = True
            break
        if not served_meanwhile:
            served_meanwhile = tight.get("/healthz", timeout=2).status_code == 200
    elapsed = time.monotonic() - started
    s.close()
    assert closed, "a client trickling one byte every 0.2 s was never disconnected"
    assert elapsed < 4, f"disconnected only after {elapsed:.1f}s with a 1 s read timeout"
    assert served_meanwhile
    assert tight.get("/healthz").status_code == 200


def test_silent_connection_is_dropped(tight):
    s = tight.raw()
    started = time.monotonic()
    assert closed_by_peer(s, 5), "a connection that never sent a byte was kept open"
    assert time.monotonic() - started < 4
    s.close()


def test_idle_keep_alive_connection_is_closed_after_the_idle_timeout(tight):
    s = tight.raw()
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
    assert read_response(s)[0] == 200
    started = time.monotonic()
    assert closed_by_peer(s, 5)
    assert time.monotonic() - started < 4
    s.close()


def test_keep_alive_serves_several_requests_on_one_connection(server):
    s = server.raw()
    for _ in range(3):
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        status, headers, body = read_response(s)
        assert status == 200 and body == b'{"status":"ok"}'
    # Pipelined: two requests in one write, two answers in order.
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\nGET /api/v1/nowhere HTTP/1.1\r\nHost: t\r\n\r\n")
    assert read_response(s)[0] == 200
    assert read_response(s)[0] == 404
    s.close()


def test_malformed_request_is_400_and_closed(server):
    s = server.raw()
    s.sendall(b"THIS IS NOT HTTP\r\n\r\n")
    status, _, body = read_response(s)
    assert status == 400 and error_body(body)["code"] == "bad_request"
    assert closed_by_peer(s, 5)
    s.close()


def test_abrupt_disconnects_do_not_hurt_the_server(server):
    for payload in [b"", b"GET /heal", b"POST /api/v1/auth/login HTTP/1.1\r\nHost: t\r\nContent-Length: 50\r\n\r\n{\"e"]:
        s = server.raw()
        if payload:
            s.sendall(payload)
        s.close()
    assert server.get("/healthz").status_code == 200
    assert server.running()
