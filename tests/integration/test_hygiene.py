"""Input and output hygiene: login throttling without account enumeration or remote lockout,
client addresses behind a trusted proxy, who may read /metrics, control characters and invalid
UTF-8 in and out, malformed chunked bodies, the multipart part-header limit, and replacing a
rejected document while the documents stage awaits review."""

import json
import select
import socket
import statistics
import subprocess
import time

import pytest
import requests
import websocket

from conftest import (HRMS_BIN, PASSWORD, REQUIRED_DOCUMENTS, Server, assert_error, child_env,
                      complete_details, decide, employee_at_documents, error_of, feed, my_profile, read_response,
                      save_details, submit_stage, uniq, unique_email)

UPLOAD = "/api/v1/profiles/me/documents"
SMALL_PDF = b"%PDF-1.4\n%%EOF\n"
BAD_CREDENTIALS = "invalid email or password"
TOO_MANY_FAILURES = "too many failed logins; try again later"

# Per-address buckets stay out of the way unless a test is about them.
RELAXED_PER_IP = {
    "HRMS_LOGIN_RATE_PER_IP": "10000",
    "HRMS_LOGIN_BURST_PER_IP": "10000",
    "HRMS_LOGIN_IP_MAX_FAILURES": "10000",
}
ATTACKER = "198.51.100.7"
USER_ADDRESS = "203.0.113.5"


# --------------------------------------------------------------------------------------------
# Helpers


def strict_json(data: bytes):
    """The body as JSON, after checking that it is valid UTF-8 (no lenient decoding)."""
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise AssertionError(f"the body is not valid UTF-8 ({e}): {data[:300]!r}") from None
    return json.loads(text)


def strict_error(r: requests.Response, status: int, code: str, field: str | None = None) -> dict:
    """assert_error, after checking that the body is strict UTF-8."""
    assert r.status_code == status, (status, r.status_code, r.content[:300])
    strict_json(r.content)
    return assert_error(r, status, code, field)


def login(srv, email: str, password: str, xff: str | None = None, forwarded: str | None = None):
    headers = {}
    if xff is not None:
        headers["X-Forwarded-For"] = xff
    if forwarded is not None:
        headers["Forwarded"] = forwarded
    return srv.login(email, password, headers=headers)


def outcome(r: requests.Response) -> tuple:
    """What a login answer tells the client, request id aside: (status, code, message, details)."""
    if r.status_code == 200:
        return (200,)
    err = error_of(r)
    return (r.status_code, err["code"], err["message"], err["details"])


def assert_throttled(r: requests.Response, max_wait_s: float | None = None) -> int:
    """A 429 for too many failed logins, with a Retry-After matching details.retry_after_s."""
    err = strict_error(r, 429, "rate_limited")
    assert err["message"] == TOO_MANY_FAILURES, err
    assert isinstance(err["details"], dict) and set(err["details"]) == {"retry_after_s"}, err
    wait = err["details"]["retry_after_s"]
    assert isinstance(wait, int) and wait >= 1, err
    assert int(r.headers["Retry-After"]) == wait, (r.headers.get("Retry-After"), err)
    if max_wait_s is not None:
        assert wait <= max_wait_s, err
    assert "token" not in r.json() and "Set-Cookie" not in r.headers
    return wait


def assert_bad_credentials(r: requests.Response) -> dict:
    err = strict_error(r, 401, "unauthenticated")
    assert err["message"] == BAD_CREDENTIALS, err
    assert "token" not in r.json() and "Set-Cookie" not in r.headers
    return err


def error_lines(srv) -> int:
    return sum(1 for e in srv.log_lines() if e.get("level") == "error")


def multipart(boundary: str, parts: list[tuple[bytes, bytes]]) -> bytes:
    """A multipart/form-data body from (header block, content) pairs, built byte by byte."""
    b = boundary.encode()
    out = b""
    for headers, content in parts:
        out += b"--" + b + b"\r\n" + headers + b"\r\n\r\n" + content + b"\r\n"
    return out + b"--" + b + b"--\r\n"


def type_part(value: bytes) -> tuple[bytes, bytes]:
    return b'Content-Disposition: form-data; name="type"', value


def file_part(filename: bytes, content: bytes = SMALL_PDF, extra: bytes = b"") -> tuple[bytes, bytes]:
    return (b'Content-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n'
            b"Content-Type: application/pdf" + extra, content)


def post_multipart(srv, token: str, body: bytes, boundary: str) -> requests.Response:
    return srv.post(UPLOAD, token, data=body,
                    headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})


def upload_pdf(srv, token: str, doc_type: str, text: str) -> requests.Response:
    """A distinct small PDF (the text goes into a comment line) of the given type."""
    content = b"%PDF-1.4\n%" + text.encode() + b"\n%%EOF\n"
    return srv.post(UPLOAD, token, data={"type": doc_type},
                    files={"file": (f"{doc_type}.pdf", content, "application/pdf")})


def review(srv, token: str, doc_id: int, decision: str, reason: str | None = None) -> requests.Response:
    body = {"decision": decision}
    if reason is not None:
        body["reason"] = reason
    return srv.post(f"/api/v1/documents/{doc_id}/decision", token, json=body)


def raw_request(srv, head: bytes, body: bytes = b"") -> tuple[int, dict, bytes]:
    s = srv.raw()
    try:
        s.sendall(head + body)
        return read_response(s)
    finally:
        s.close()


class Socket:
    """One WebSocket session of an employee; frames are checked to be strict UTF-8 before parsing."""

    def __init__(self, srv, token: str):
        self.ws = websocket.create_connection(f"ws://127.0.0.1:{srv.port}/api/v1/ws",
                                              header=[f"Authorization: Bearer {token}"], timeout=5,
                                              skip_utf8_validation=True)

    def frame(self, timeout: float = 5) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            self.ws.settimeout(max(0.01, deadline - time.monotonic()))
            frame = self.ws.recv_frame()
            if frame.opcode == websocket.ABNF.OPCODE_PING:
                self.ws.pong(frame.data)
                continue
            if frame.opcode == websocket.ABNF.OPCODE_PONG:
                continue
            assert frame.opcode == websocket.ABNF.OPCODE_TEXT, (frame.opcode, frame.data[:200])
            return strict_json(frame.data)

    def notification(self, kind: str, document_id: int, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            msg = self.frame(timeout=max(0.01, deadline - time.monotonic()))
            if (msg.get("type") == "notification" and msg.get("kind") == kind
                    and msg["data"].get("document_id") == document_id):
                return msg

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass


# --------------------------------------------------------------------------------------------
# Servers


def module_server(tmp_path_factory, name: str, env: dict) -> Server:
    return Server(tmp_path_factory.mktemp(name), env)


@pytest.fixture(scope="module")
def proxied(tmp_path_factory, hrms_binary):
    """Behind a proxy on loopback: X-Forwarded-For names the client; default /metrics allow list.
    A first login delay no run outlasts: however long a loaded machine takes to hash a password,
    the attempts after the free failures still come inside it."""
    srv = module_server(tmp_path_factory, "proxied", {"HRMS_TRUSTED_PROXIES": "127.0.0.1/32",
                                                      "HRMS_LOGIN_BACKOFF_S": "600", **RELAXED_PER_IP})
    yield srv
    srv.cleanup()


@pytest.fixture(scope="module")
def metrics_allowed(tmp_path_factory, hrms_binary):
    """Behind a proxy on loopback, with /metrics open to two client networks."""
    srv = module_server(tmp_path_factory, "metrics_allowed", {
        "HRMS_TRUSTED_PROXIES": "127.0.0.1/32",
        "HRMS_METRICS_ALLOW": "203.0.113.0/24,2001:db8::/32",
        **RELAXED_PER_IP,
    })
    yield srv
    srv.cleanup()


# --------------------------------------------------------------------------------------------
# 1. Login throttling: per (email, address), the same for accounts that exist and those that don't


def test_known_and_unknown_emails_get_the_same_answers_in_the_same_order(server):
    # The three refused attempts must come within the first delay of the fifth failure, and a
    # login hashes a password: on a loaded machine (suites in parallel) the fifth alone can take
    # that long. An attempt that got through too late to prove it came inside the delay shows
    # nothing either way, so the pair is tried again with new emails. (A longer delay would not
    # run out, but the answers carry the seconds left, which would then differ between the two
    # emails by how long each one's logins took.)
    for _ in range(5):
        known = server.create_user()["email"]
        unknown = unique_email("ghost")
        answers = {email: eight_wrong_logins(server, email) for email in (known, unknown)}
        if None not in answers.values():
            assert answers[known] == answers[unknown]
            return
    pytest.fail("every pair was too slow to tell whether the answers match", pytrace=False)


FIRST_DELAY_S = 1  # HRMS_LOGIN_BACKOFF_S's default, which the shared server keeps


def eight_wrong_logins(server, email: str) -> list | None:
    """The outcomes of eight wrong logins (five checked, then three refused); None if one that had
    to be refused got through too late to prove it came within the first delay."""
    responses = []
    for i in range(8):
        sent = time.monotonic()
        responses.append(server.login(email, "wrong-password-123"))
        if i == 4:
            fifth_sent = sent
        elif i > 4 and responses[-1].status_code == 401 and time.monotonic() - fifth_sent >= FIRST_DELAY_S:
            return None
    assert [r.status_code for r in responses] == [401] * 5 + [429] * 3, \
        (email, [(r.status_code, r.text) for r in responses])
    for r in responses[:5]:
        assert_bad_credentials(r)
    for r in responses[5:]:
        assert_throttled(r)
    return [outcome(r) for r in responses]


def test_wrong_logins_take_as_long_for_unknown_emails_as_for_known_ones(server):
    known = server.create_user()["email"]
    unknown = unique_email("ghost")
    times = {known: [], unknown: []}
    for _ in range(5):
        for email in (known, unknown):
            started = time.perf_counter()
            r = server.login(email, "wrong-password-123")
            times[email].append(time.perf_counter() - started)
            assert r.status_code == 401, (email, r.text)
    a, b = statistics.median(times[known]), statistics.median(times[unknown])
    assert max(a, b) <= 3 * min(a, b), f"median known {a * 1000:.1f} ms, unknown {b * 1000:.1f} ms"


def test_without_trusted_proxies_x_forwarded_for_does_not_split_the_budget(start_server):
    # A first delay no run outlasts: however long a loaded machine takes to hash the fifth
    # password, the attempts after it still come inside the delay.
    srv = start_server({"HRMS_LOGIN_BACKOFF_S": "600", **RELAXED_PER_IP})
    for email in (srv.create_user()["email"], unique_email("ghost")):
        for _ in range(5):
            assert_bad_credentials(login(srv, email, "wrong-password-123", xff="198.51.100.20"))
        assert_throttled(login(srv, email, "wrong-password-123", xff="198.51.100.21"))
        assert_throttled(login(srv, email, PASSWORD, xff="203.0.113.21"))


def test_an_attacker_at_one_address_cannot_lock_out_the_user_at_another(proxied):
    user = proxied.create_user()
    for _ in range(5):
        assert_bad_credentials(login(proxied, user["email"], "wrong-password-123", xff=ATTACKER))
    for _ in range(3):
        assert_throttled(login(proxied, user["email"], "wrong-password-123", xff=ATTACKER))
    # The attacker's own budget is spent, even with the right password.
    assert_throttled(login(proxied, user["email"], PASSWORD, xff=ATTACKER))
    # The user's address has a budget of its own: a wrong password is still checked...
    assert_bad_credentials(login(proxied, user["email"], "wrong-password-456", xff=USER_ADDRESS))
    # ... and the right one logs in.
    r = login(proxied, user["email"], PASSWORD, xff=USER_ADDRESS)
    assert r.status_code == 200, r.text
    assert r.json()["user"]["id"] == user["id"]


def test_failures_from_many_addresses_lock_the_email_everywhere(start_server):
    srv = start_server({"HRMS_TRUSTED_PROXIES": "127.0.0.1/32", "HRMS_LOGIN_LOCK_ADDRESSES": "3",
                        **RELAXED_PER_IP})
    user = srv.create_user()
    bystander = srv.create_user()
    ghost = unique_email("ghost")
    answers = {}
    for email, password in ((user["email"], PASSWORD), (ghost, "any-password-123")):
        seen = []
        for i in range(3):
            r = login(srv, email, "wrong-password-123", xff=f"198.51.100.{30 + i}")
            assert_bad_credentials(r)
            seen.append(outcome(r))
        # From a fourth address, and from one of the three, even the right password is refused.
        r = login(srv, email, password, xff="203.0.113.40")
        assert_throttled(r, max_wait_s=900)
        seen.append(outcome(r)[:3])
        r = login(srv, email, password, xff="198.51.100.30")
        assert_throttled(r, max_wait_s=900)
        seen.append(outcome(r)[:3])
        answers[email] = seen
    assert answers[user["email"]] == answers[ghost]
    # Only that email: another account logs in from the same addresses.
    for address in ("203.0.113.40", "198.51.100.30"):
        r = login(srv, bystander["email"], PASSWORD, xff=address)
        assert r.status_code == 200, r.text


def test_the_delay_after_the_free_failures_doubles_with_each_failure(start_server, clock):
    # Delays of minutes on a clock the test moves: however long a loaded machine takes to hash a
    # password, the next attempt still comes inside the delay it is meant to meet.
    srv = start_server({"HRMS_LOGIN_MAX_FAILURES": "2", "HRMS_LOGIN_BACKOFF_S": "600",
                        "HRMS_LOGIN_LOCKOUT_S": "86400", **clock.env(), **RELAXED_PER_IP})
    user = srv.create_user()
    email = user["email"]
    assert_bad_credentials(srv.login(email, "wrong-password-123"))
    assert_bad_credentials(srv.login(email, "wrong-password-123"))
    # During the delay the password is not even checked: the right one is refused too.
    assert_throttled(srv.login(email, PASSWORD))
    clock.forward(700)  # the first delay (600 s) has passed: the next attempt is checked
    assert_bad_credentials(srv.login(email, "wrong-password-123"))
    assert_throttled(srv.login(email, PASSWORD))  # now 1200 s
    clock.forward(700)
    assert_throttled(srv.login(email, PASSWORD))  # 700 s is no longer enough
    clock.forward(600)
    r = srv.login(email, PASSWORD)
    assert r.status_code == 200, r.text


def test_the_per_address_failure_limit_counts_the_forwarded_client(start_server):
    srv = start_server({"HRMS_TRUSTED_PROXIES": "127.0.0.1/32", "HRMS_LOGIN_IP_MAX_FAILURES": "3",
                        "HRMS_LOGIN_RATE_PER_IP": "10000", "HRMS_LOGIN_BURST_PER_IP": "10000"})
    user = srv.create_user()
    for _ in range(3):
        assert_bad_credentials(login(srv, unique_email("spray"), "wrong-password-123", xff=ATTACKER))
    strict_error(login(srv, user["email"], PASSWORD, xff=ATTACKER), 429, "rate_limited")
    r = login(srv, user["email"], PASSWORD, xff=USER_ADDRESS)
    assert r.status_code == 200, r.text


def test_a_suspended_account_answers_a_right_password_like_a_wrong_one(server, admin_token):
    user = server.create_user()
    r = server.patch(f"/api/v1/users/{user['id']}", admin_token, json={"status": "suspended"})
    assert r.status_code == 200, r.text
    wrong = server.login(user["email"], "wrong-password-123")
    right = server.login(user["email"], PASSWORD)
    assert_bad_credentials(wrong)
    assert_bad_credentials(right)
    assert outcome(right) == outcome(wrong)


# --------------------------------------------------------------------------------------------
# 2. Behind a proxy: the client address, and who may read /metrics


def test_metrics_from_loopback_need_no_token_when_no_proxy_is_trusted(server):
    for headers in ({}, {"X-Forwarded-For": "198.51.100.1"}, {"Forwarded": "for=198.51.100.1"}):
        r = server.get("/metrics", headers=headers)
        assert r.status_code == 200, (headers, r.status_code, r.text[:300])
        assert r.headers["Content-Type"].startswith("text/plain")


def test_behind_a_proxy_metrics_need_a_token_with_metrics_read(proxied):
    for headers in ({}, {"X-Forwarded-For": "127.0.0.1"}, {"X-Forwarded-For": "198.51.100.1"}):
        strict_error(proxied.get("/metrics", headers=headers), 401, "unauthenticated")
    r = proxied.get("/metrics", proxied.admin_token)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["Content-Type"].startswith("text/plain")
    _, reviewer_token = proxied.user_with_token(roles=["reviewer"])
    strict_error(proxied.get("/metrics", reviewer_token), 403, "forbidden")
    strict_error(proxied.get("/metrics", reviewer_token, headers={"X-Forwarded-For": "198.51.100.1"}),
                 403, "forbidden")


def test_metrics_allow_list_applies_to_the_forwarded_client(metrics_allowed):
    srv = metrics_allowed
    r = srv.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert r.status_code == 200, r.text[:300]
    assert r.headers["Content-Type"].startswith("text/plain")
    strict_error(srv.get("/metrics", headers={"X-Forwarded-For": "198.51.100.1"}), 401, "unauthenticated")
    # The proxy itself (loopback) is not on the list.
    strict_error(srv.get("/metrics"), 401, "unauthenticated")
    assert srv.get("/metrics", srv.admin_token, headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 200


@pytest.mark.parametrize("headers,allowed", [
    # The rightmost address that is not a trusted proxy is the client.
    ({"X-Forwarded-For": "203.0.113.9, 127.0.0.1"}, True),
    ({"X-Forwarded-For": "203.0.113.9, 198.51.100.1"}, False),
    ({"X-Forwarded-For": "198.51.100.1, 203.0.113.9"}, True),
    # RFC 7239, in its plain, quoted and bracketed IPv6 forms; Forwarded wins over X-Forwarded-For.
    ({"Forwarded": "for=203.0.113.9"}, True),
    ({"Forwarded": 'for="203.0.113.9:4711";proto=https'}, True),
    ({"Forwarded": 'for="[2001:db8::1]:4711"'}, True),
    ({"Forwarded": 'for="[2001:db9::1]"'}, False),
    ({"Forwarded": "for=198.51.100.1", "X-Forwarded-For": "203.0.113.9"}, False),
    ({"Forwarded": "for=203.0.113.9", "X-Forwarded-For": "198.51.100.1"}, True),
    # A malformed header means the socket address (the proxy, not on the list).
    ({"X-Forwarded-For": "203.0.113.9, not-an-address"}, False),
    ({"X-Forwarded-For": "203.0.113.999"}, False),
])
def test_forwarding_headers_name_the_client(metrics_allowed, headers, allowed):
    r = metrics_allowed.get("/metrics", headers=headers)
    if allowed:
        assert r.status_code == 200, (headers, r.status_code, r.text[:300])
    else:
        strict_error(r, 401, "unauthenticated")


def test_an_invalid_trusted_proxies_setting_stops_the_server(tmp_path, fresh_db):
    log_path = tmp_path / "serve.log"
    env = {**fresh_db.env(), "HRMS_LISTEN": "127.0.0.1:0", "HRMS_LOG_LEVEL": "info",
           "HRMS_TRUSTED_PROXIES": "not-a-cidr"}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([HRMS_BIN, "serve"], env=child_env(env), cwd=tmp_path,
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 20
        while proc.poll() is None:
            text = log_path.read_text(errors="replace")
            assert "http.listening" not in text, f"hrms started with HRMS_TRUSTED_PROXIES=not-a-cidr:\n{text}"
            assert time.monotonic() < deadline, "hrms neither started nor exited"
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    text = log_path.read_text(errors="replace")
    assert proc.returncode != 0, text
    assert "trusted_proxies" in text.lower(), text


# --------------------------------------------------------------------------------------------
# 3. Control characters and invalid UTF-8 in the query


@pytest.mark.parametrize("query,field", [
    ("q=ab%00c", "q"),
    ("q=ab%01c", "q"),
    ("q=ab%7Fc", "q"),
    ("q=ab%FFc", "q"),
    ("stage=%FF", "stage"),
    ("stage=documents%00", "stage"),
])
def test_control_characters_and_invalid_utf8_in_the_query_are_422(server, admin_token, query, field):
    r = server.get(f"/api/v1/profiles?{query}", admin_token, bad=True)
    strict_error(r, 422, "validation_failed", field)


def test_rejected_query_values_stay_out_of_the_log(server, admin_token):
    marker = "zq9k" + uniq("")
    errors_before = error_lines(server)
    for query, field in ((f"q={marker}%00x", "q"), (f"q={marker}%1Bx", "q"), (f"stage={marker}%FFx", "stage"),
                         (f"status={marker}%00x", "status")):
        strict_error(server.get(f"/api/v1/profiles?{query}", admin_token, bad=True), 422, "validation_failed",
                     field)
    assert server.get("/healthz").status_code == 200  # the lines above are written by now
    assert marker not in server.log_text()
    assert error_lines(server) == errors_before


# --------------------------------------------------------------------------------------------
# 4. Invalid UTF-8 never goes out


def test_a_path_with_invalid_utf8_gets_a_clean_404(server):
    status, headers, body = raw_request(server, b"GET /api/v1/%FF%FE HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    assert status == 404, body
    err = strict_json(body)["error"]
    assert err["code"] == "not_found", err
    assert headers.get("content-type", "").startswith("application/json")


def test_a_user_agent_with_invalid_utf8_is_stored_repaired(server):
    # The agent is kept with the session (a text column: PostgreSQL refuses invalid UTF-8), so a
    # client sending junk in it must still be able to log in, and nothing it sent comes back raw.
    user = server.create_user()
    raw = b"Scanner/1.0 \xff\xfe" + b"\xe6" * 600  # invalid bytes, and longer than is kept
    r = server.post("/api/v1/auth/login", json={"email": user["email"], "password": PASSWORD},
                    headers={"User-Agent": raw})
    assert r.status_code == 200, r.text
    strict_json(r.content)
    assert server.get("/api/v1/auth/me", r.json()["token"]).status_code == 200


def test_invalid_utf8_inside_a_json_string_is_422_naming_the_field(server):
    _, token = server.user_with_token()
    saved = save_details(server, token, complete_details(first_name="Grace"))
    assert saved.status_code == 200, saved.text
    before = my_profile(server, token)["details"]
    for body, field in ((b'{"first_name":"\xff"}', "first_name"),
                        (b'{"first_name":"Ada","last_name":"Love\xc3\x28lace"}', "last_name"),
                        (b'{"address":{"city":"Lon\xed\xa0\x80don"}}', "address.city")):
        r = server.put("/api/v1/profiles/me/details", token, data=body,
                       headers={"Content-Type": "application/json"}, bad=True)
        strict_error(r, 422, "validation_failed", field)
    assert my_profile(server, token)["details"] == before


def test_an_upload_filename_with_invalid_utf8_is_stored_with_replacement_characters(server, admin_token):
    _, token, profile = employee_at_documents(server)
    ws = Socket(server, token)
    try:
        assert ws.frame()["type"] == "hello"
        boundary = "hyg" + uniq("")
        r = post_multipart(server, token, multipart(boundary, [type_part(b"id_proof"), file_part(b"\xff\xfe.pdf")]),
                           boundary)
        assert r.status_code == 201, r.content[:500]
        doc = strict_json(r.content)
        assert doc["filename"] == "\ufffd\ufffd.pdf", doc
        assert doc["status"] == "pending" and doc["type"] == "id_proof"

        frame = ws.notification("document.uploaded", doc["id"])
        assert "\ufffd\ufffd.pdf" in frame["title"] + frame["body"], frame
    finally:
        ws.close()

    r = server.get(f"/api/v1/profiles/{profile['id']}", admin_token)
    assert r.status_code == 200
    docs = {d["id"]: d for d in strict_json(r.content)["documents"]}
    assert docs[doc["id"]]["filename"] == "\ufffd\ufffd.pdf"

    r = server.get(f"/api/v1/documents/{doc['id']}", token)
    assert r.status_code == 200 and strict_json(r.content)["filename"] == "\ufffd\ufffd.pdf"

    r = server.get("/api/v1/notifications", token)
    assert r.status_code == 200
    notes = [n for n in strict_json(r.content)["items"]
             if n["kind"] == "document.uploaded" and n["data"].get("document_id") == doc["id"]]
    assert len(notes) == 1, notes
    assert "\ufffd\ufffd.pdf" in notes[0]["title"] + notes[0]["body"], notes[0]


def test_a_form_field_with_invalid_utf8_is_422(server):
    _, token, _ = employee_at_documents(server)
    boundary = "hyg" + uniq("")
    r = post_multipart(server, token, multipart(boundary, [type_part(b"id\xffproof"), file_part(b"ok.pdf")]),
                       boundary)
    strict_error(r, 422, "validation_failed", "type")
    assert my_profile(server, token)["documents"] == []


# --------------------------------------------------------------------------------------------
# 5. Malformed chunked bodies get an answer


@pytest.mark.parametrize("size_line", [b"zz", b"ffffffffffffffffff"])
def test_a_malformed_chunk_size_is_400(server, size_line):
    head = (b"POST /api/v1/auth/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    s = server.raw()
    try:
        s.sendall(head + size_line + b"\r\n{}\r\n0\r\n\r\n")
        status, _, body = read_response(s)
    finally:
        s.close()
    assert status == 400, body
    err = strict_json(body)["error"]
    assert err["code"] == "bad_request", err
    assert {"code", "message", "details", "request_id"} <= set(err)
    assert server.get("/healthz").status_code == 200


@pytest.mark.parametrize("framing", ["extension", "trailer"])
def test_endless_chunk_framing_is_cut_off_with_a_400(server, framing):
    # Beast counts neither chunk extensions nor trailers against a limit: the server's bounded
    # read buffer does, so a client cannot make it hold megabytes it will never use.
    head = (b"POST /api/v1/auth/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    junk = b"a" * (512 * 1024)
    if framing == "extension":
        payload = head + b"2;ext=" + junk
    else:
        payload = head + b"2\r\n{}\r\n0\r\nX-Trailer: " + junk
    s = server.raw(timeout=10)
    try:
        try:
            s.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before taking it all
        status, _, body = read_response(s, timeout=10)
    finally:
        s.close()
    assert status == 400, body
    assert strict_json(body)["error"]["code"] == "bad_request"
    assert server.get("/healthz").status_code == 200


# --------------------------------------------------------------------------------------------
# 6. The multipart part-header limit, however the bytes arrive


def oversized_part_upload(token: str) -> tuple[bytes, bytes]:
    boundary = "hyg" + uniq("")
    body = multipart(boundary, [type_part(b"id_proof"),
                                file_part(b"pad.pdf", extra=b"\r\nX-Pad: " + b"a" * 30000)])
    head = (f"POST {UPLOAD} HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    return head, body


def send_trickled(s: socket.socket, data: bytes, piece: int = 1024, pause: float = 0.003):
    """Writes data in small pieces, stopping early once the server has answered."""
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for i in range(0, len(data), piece):
        if select.select([s], [], [], 0)[0]:
            return
        try:
            s.sendall(data[i:i + piece])
        except (BrokenPipeError, ConnectionResetError):
            return
        time.sleep(pause)


@pytest.mark.parametrize("trickle", [False, True], ids=["one_write", "trickled"])
def test_a_part_header_over_8_kib_is_400_and_stores_nothing(server, trickle):
    _, token, _ = employee_at_documents(server)
    head, body = oversized_part_upload(token)
    s = server.raw(timeout=10)
    try:
        s.sendall(head)
        if trickle:
            send_trickled(s, body)
        else:
            s.sendall(body)
        status, _, answer = read_response(s, timeout=10)
    finally:
        s.close()
    assert status == 400, answer[:500]
    assert strict_json(answer)["error"]["code"] == "bad_request"
    assert my_profile(server, token)["documents"] == []


# --------------------------------------------------------------------------------------------
# 7. Replacing a rejected document while the documents stage awaits review


def employee_with_documents_in_review(server) -> tuple[str, dict, dict[str, dict]]:
    """(token, profile, documents by type) of an employee who uploaded the four required
    documents and submitted the stage."""
    user, token, _ = employee_at_documents(server)
    docs = {}
    for t in REQUIRED_DOCUMENTS:
        r = upload_pdf(server, token, t, f"{t} of {user['email']}")
        assert r.status_code == 201, r.text
        docs[t] = r.json()
    r = submit_stage(server, token)
    assert r.status_code == 200, r.text
    profile = r.json()
    assert (profile["stage"], profile["status"]) == ("documents", "submitted")
    return token, profile, docs


def test_the_rejection_notice_says_to_upload_a_new_document(server, admin_token):
    token, _, docs = employee_with_documents_in_review(server)
    r = review(server, admin_token, docs["id_proof"]["id"], "reject", "blurred")
    assert r.status_code == 200, r.text
    notes = [n for n in feed(server, token)["items"]
             if n["kind"] == "document.reviewed" and n["data"].get("document_id") == docs["id_proof"]["id"]]
    assert len(notes) == 1, notes
    assert "upload" in (notes[0]["title"] + " " + notes[0]["body"]).lower(), notes[0]


def test_a_rejected_document_is_replaced_while_the_stage_stays_in_review(server, admin_token):
    token, before, docs = employee_with_documents_in_review(server)
    old = docs["id_proof"]
    assert review(server, admin_token, old["id"], "reject", "blurred").status_code == 200
    r = upload_pdf(server, token, "id_proof", f"a clearer scan {old['id']}")
    assert r.status_code == 201, r.text
    new = r.json()
    assert new["id"] != old["id"] and new["status"] == "pending" and new["current"] is True
    p = my_profile(server, token)
    assert (p["stage"], p["status"]) == ("documents", "submitted")
    assert p["sla"] is not None and p["sla"]["stage"] == "documents"
    assert p["sla"]["deadline"] == before["sla"]["deadline"], (before["sla"], p["sla"])
    assert p["sla_due_at"] == before["sla_due_at"]
    current = {d["type"]: d for d in p["documents"]}
    assert current["id_proof"]["id"] == new["id"]
    assert sorted(current) == sorted(REQUIRED_DOCUMENTS)


def test_the_stage_is_approved_only_once_the_replacement_is(server, admin_token):
    token, profile, docs = employee_with_documents_in_review(server)
    pid = profile["id"]
    assert review(server, admin_token, docs["id_proof"]["id"], "reject", "blurred").status_code == 200
    r = upload_pdf(server, token, "id_proof", f"replacement for {pid}")
    assert r.status_code == 201, r.text
    new = r.json()
    for t in REQUIRED_DOCUMENTS[1:]:
        assert review(server, admin_token, docs[t]["id"], "approve").status_code == 200
    err = assert_error(decide(server, admin_token, pid, "documents", "approve"), 409, "conflict")
    assert err["details"]["not_approved"] == ["id_proof"], err
    # The rejected version is no longer the one to review.
    assert_error(review(server, admin_token, docs["id_proof"]["id"], "approve"), 409, "conflict")
    r = review(server, admin_token, new["id"], "approve")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved"
    r = decide(server, admin_token, pid, "documents", "approve")
    assert r.status_code == 200, r.text
    assert r.json()["stage"] == "final"


def test_only_a_rejected_type_may_be_uploaded_while_the_stage_awaits_review(server, admin_token):
    token, _, docs = employee_with_documents_in_review(server)
    ids = sorted(d["id"] for d in docs.values())
    # Nothing rejected yet: a pending type, and a type never uploaded, are both refused.
    assert_error(upload_pdf(server, token, "address_proof", "again"), 409, "conflict")
    assert_error(upload_pdf(server, token, "education_certificate", "extra"), 409, "conflict")
    assert sorted(d["id"] for d in my_profile(server, token)["documents"]) == ids
    # Once id_proof is rejected and replaced, its replacement is pending: not replaceable either.
    assert review(server, admin_token, docs["id_proof"]["id"], "reject", "blurred").status_code == 200
    assert_error(upload_pdf(server, token, "tax_form", "not rejected"), 409, "conflict")
    r = upload_pdf(server, token, "id_proof", "replacement")
    assert r.status_code == 201, r.text
    assert_error(upload_pdf(server, token, "id_proof", "replacement of the replacement"), 409, "conflict")
