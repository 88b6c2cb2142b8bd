"""The contract check itself: it catches drift (so that a green suite means something), and the
answers it found wrong stay right."""

import json
import socket

import pytest
import requests
import websocket

from conftest import employee_at_documents, error_of
from contract import Contract, ContractViolation, Schemas, load_openapi
from test_documents import make_pdf, sha256, upload_ok


# A checker of its own: these made-up exchanges must not count in the run's coverage.
CHECKER = Contract()


def _check(method, path, status, body, headers=None, req_headers=None, req_body=None, bad=False):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    h = {"Content-Type": "application/json", "X-Request-Id": "r1", **(headers or {})}
    CHECKER.check_http(method, f"http://127.0.0.1{path}", req_headers or {}, req_body, status, h, raw,
                        bad_request=bad)


def _violation(*args, **kw) -> str:
    with pytest.raises(ContractViolation) as caught:
        _check(*args, **kw)
    return str(caught.value)


HEALTHY = {"status": "ok"}
ME = {"id": 1, "email": "a@example.com", "name": "A", "status": "active", "roles": ["admin"],
      "manager_id": None, "created_at": "2026-11-28T13:05:09.123Z",
      "updated_at": "2026-11-28T13:05:09.123Z"}


def test_a_documented_answer_passes():
    _check("GET", "/healthz", 200, HEALTHY)
    _check("HEAD", "/healthz", 200, b"")


def test_an_undocumented_status_names_the_operation():
    msg = _violation("GET", "/healthz", 418, HEALTHY)
    assert "getHealth" in msg and "418" in msg


def test_a_wrong_type_names_the_json_pointer():
    msg = _violation("GET", "/api/v1/users/7", 200, {**ME, "manager_id": "7"})
    assert "getUser" in msg and "/manager_id" in msg


def test_a_missing_required_field_is_drift():
    body = dict(ME)
    del body["roles"]
    assert "'roles' is a required property" in _violation("GET", "/api/v1/users/7", 200, body)


def test_an_undeclared_field_is_drift():
    msg = _violation("GET", "/api/v1/users/7", 200, {**ME, "password_hash": "x"})
    assert "/: property 'password_hash' is not in the schema" in msg


def test_null_where_the_document_says_object_is_drift():
    # The drift that started this: sla null where only an object was allowed. Now the document
    # says Sla or null; a string is still wrong.
    doc = load_openapi()
    sla = doc["components"]["schemas"]["ProfileView"]["allOf"][1]["properties"]["sla"]
    schemas = Schemas(doc)
    assert schemas.errors(sla, None) == []
    assert schemas.errors(sla, "none") != []


def test_times_must_be_utc_with_milliseconds():
    msg = _violation("GET", "/api/v1/users/7", 200, {**ME, "created_at": "2026-11-28T13:05:09Z"})
    assert "/created_at" in msg and "milliseconds" in msg


def test_an_undocumented_content_type_is_drift():
    msg = _violation("GET", "/healthz", 200, b"ok", headers={"Content-Type": "text/plain"})
    assert "content type 'text/plain' is not documented" in msg


def test_a_documented_header_is_checked():
    msg = _violation("POST", "/api/v1/auth/login", 429,
                     {"error": {"code": "rate_limited", "message": "slow down", "details": None, "request_id": "r1"}},
                     headers={"Retry-After": "soon"}, req_headers={"Content-Type": "application/json"},
                     req_body=b'{"email":"a@example.com","password":"x"}')
    assert "Retry-After" in msg


def test_a_bad_request_fails_unless_marked():
    body = b'{"email":"a@example.com","password":7}'
    err = {"error": {"code": "validation_failed", "message": "password must be a string",
                     "details": {"field": "password"}, "request_id": "r1"}}
    msg = _violation("POST", "/api/v1/auth/login", 422, err, req_headers={"Content-Type": "application/json"},
                     req_body=body)
    assert "request POST /api/v1/auth/login (login)" in msg and "body/password" in msg
    _check("POST", "/api/v1/auth/login", 422, err, req_headers={"Content-Type": "application/json"},
           req_body=body, bad=True)


def test_an_unknown_query_parameter_is_a_bad_request():
    assert "query parameter 'colour' is not documented" in _violation("GET", "/healthz?colour=red", 200, HEALTHY)


def test_an_unknown_path_must_answer_404_with_the_envelope():
    err = {"error": {"code": "not_found", "message": "no such route", "details": None, "request_id": "r1"}}
    _check("GET", "/api/v1/nothing-here", 404, err)
    assert "expected 404" in _violation("GET", "/api/v1/nothing-here", 200, HEALTHY)


def test_websocket_frames_and_close_codes_are_checked():
    CHECKER.check_ws_frame('{"type":"pong"}')
    for bad in ('{"type":"pong","extra":1}', '{"type":"hello"}', '{"type":"telepathy"}',
                '{"type":"notification","id":1,"kind":"profile.submitted","title":"t","body":"b",'
                '"data":{"profile_id":1,"stage":"completed"},"created_at":"2026-11-28T13:05:09.123Z"}'):
        with pytest.raises(ContractViolation):
            CHECKER.check_ws_frame(bad)
    CHECKER.check_ws_close(4001)
    with pytest.raises(ContractViolation):
        CHECKER.check_ws_close(4999)


# --------------------------------------------------------------------------------------------
# What the check found, against the real server


def test_the_websocket_handshake_answers_carry_the_request_id(server):
    _, token = server.user_with_token()
    ws = websocket.WebSocket()
    ws.connect(f"ws://127.0.0.1:{server.port}/api/v1/ws", header=[f"Authorization: Bearer {token}",
                                                                   "X-Request-Id: handshake-1"])
    assert ws.getheaders().get("x-request-id") == "handshake-1"
    ws.close()
    # A handshake Beast refuses itself (an unsupported version) is answered with the id too.
    s = server.raw()
    s.sendall(b"GET /api/v1/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 7\r\n"
              b"Authorization: Bearer " + token.encode() + b"\r\nX-Request-Id: handshake-2\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    s.close()
    head = data.split(b"\r\n\r\n")[0].decode("latin-1").lower()
    assert head.startswith("http/1.1 426"), head
    assert "x-request-id: handshake-2" in head, head


def test_a_stored_file_gone_missing_is_500_with_the_envelope(server):
    user, token, _ = employee_at_documents(server)
    content = make_pdf("gone missing")
    doc = upload_ok(server, token, "id_proof", content)
    digest = sha256(content)
    blob = server.db.data_dir / "blobs" / digest[:2] / digest[2:4] / digest
    assert blob.exists()
    blob.unlink()
    r = server.get(f"/api/v1/documents/{doc['id']}/content", server.admin_token)
    assert r.status_code == 500
    err = error_of(r)
    assert err["code"] == "internal" and err["request_id"] in err["message"]
    assert "Content-Disposition" not in r.headers
    line = server.wait_log(lambda e: e.get("event") == "http.file_missing" and e.get("request_id") == err["request_id"])
    assert str(blob) == line["path"]
