"""Email: the outbox, the file and SMTP providers, failover, and the admin endpoints. The SMTP
server is a real one (aiosmtpd, python3-aiosmtpd) started by the test, and what it receives is
read back by Python's own MIME parser."""
import email
import email.policy
import re
import socket
import threading

import pytest
from aiosmtpd.controller import Controller

from conftest import BACKEND, assert_error, decide, employee_with_details_submitted, unique_email, wait_until


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An SMTP server that keeps every message; recipients in `refuse` get a 550."""

    def __init__(self, refuse=()):
        self.messages = []
        self.refuse = set(refuse)
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 2.0.0 queued"

    def parsed(self):
        with self.lock:
            return [(f, t, email.message_from_bytes(c, policy=email.policy.default)) for f, t, c in self.messages]


@pytest.fixture
def inbox():
    box = Inbox(refuse={"nobody@example.com"})
    box.controller.start()
    yield box
    box.controller.stop()


def smtp_env(port, providers="smtp", **extra):
    return {"HRMS_EMAIL_PROVIDERS": providers, "HRMS_SMTP_URL": f"smtp://127.0.0.1:{port}",
            "HRMS_EMAIL_FROM": "onboarding@example.com", "HRMS_EMAIL_FROM_NAME": "Acme Onboarding",
            "HRMS_PUBLIC_URL": "https://hr.example.com", "HRMS_EMAIL_POLL_INTERVAL_S": "0.05",
            "HRMS_EMAIL_BACKOFF_S": "0.05", **{k: str(v) for k, v in extra.items()}}


def messages(srv, **params):
    r = srv.get("/api/v1/email/messages", srv.admin_token, params={"limit": 200, **params})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def wait_status(srv, message_id, status, timeout=10):
    found = {}

    def reached():
        found.update(srv.get(f"/api/v1/email/messages/{message_id}", srv.admin_token).json())
        return found["status"] == status

    wait_until(reached, timeout=timeout, what=f"message {message_id} {status}")
    return found


def test_an_invite_is_mailed_through_smtp_with_both_parts_and_the_link(start_server, inbox):
    srv = start_server(smtp_env(inbox.port, HRMS_DEV_MODE=0))  # not dev mode: tokens stay out of the log
    address = unique_email()
    r = srv.post("/api/v1/users", srv.admin_token, json={"email": address, "name": "Zoë Ångström"},
                 headers={"X-Request-Id": "invite-req-1"})
    assert r.status_code == 201, r.text
    user = r.json()
    [queued] = messages(srv, to=address)
    assert queued["template"] == "invite" and queued["essential"] is True and queued["user_id"] == user["id"]
    assert queued["request_id"] == "invite-req-1" and queued["attachments"] == []
    sent = wait_status(srv, queued["id"], "sent")
    assert sent["provider"] == "smtp" and sent["attempts"] == 1 and sent["sent_at"]
    assert [e["type"] for e in sent["events"]] == ["queued", "sending", "sent"]

    wait_until(lambda: inbox.messages, timeout=5, what="the message at the SMTP server")
    [(mail_from, rcpts, msg)] = inbox.parsed()
    assert mail_from == "onboarding@example.com" and rcpts == [address]
    assert msg["Subject"] == "You are invited to Acme Onboarding"
    assert msg["To"].addresses[0].display_name == "Zoë Ångström"
    assert msg["From"].addresses[0].addr_spec == "onboarding@example.com"
    assert msg["Message-ID"] == sent["message_id"]
    assert msg["X-Hrms-Request-Id"] == "invite-req-1"
    assert msg.get_content_type() == "multipart/alternative" and not msg.defects
    text = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    token = re.search(r"https://hr\.example\.com/invite#token=([A-Za-z0-9_-]+)", text).group(1)
    assert f"invite#token={token}" in html and "Zoë Ångström" in html and "Acme Onboarding" in html
    # The link works: the invitee sets a password with the token from the mail.
    r = srv.post("/api/v1/auth/password", json={"token": token, "new_password": "a-long-enough-password"})
    assert r.status_code == 204, r.text
    # The token is in the mail, never in the log (not dev mode).
    assert token not in srv.log_text()


def test_a_failing_provider_fails_over_to_the_next_and_its_circuit_opens(start_server):
    closed = free_port()  # nothing listens here
    srv = start_server(smtp_env(closed, providers="smtp,file", HRMS_EMAIL_CIRCUIT_FAILURES=1,
                                HRMS_EMAIL_CIRCUIT_OPEN_S=60))
    r = srv.post("/api/v1/email/test", srv.admin_token, json={"to": "it@example.com"})
    assert r.status_code == 202, r.text
    sent = wait_status(srv, r.json()["id"], "sent")
    assert sent["provider"] == "file"
    eml = list((srv.db.data_dir / "mail").glob("*.eml"))
    assert len(eml) == 1
    msg = email.message_from_bytes(eml[0].read_bytes(), policy=email.policy.default)
    assert msg["Subject"] == "Test message from Acme Onboarding" and msg["Message-ID"] == sent["message_id"]
    providers = {p["name"]: p for p in srv.get("/api/v1/email/providers", srv.admin_token).json()["items"]}
    assert providers["smtp"]["circuit"] == "open" and providers["smtp"]["failed"] == 1
    assert providers["smtp"]["last_error"] and providers["file"]["sent"] == 1
    # While its circuit is open, smtp is not even tried: the next message goes straight to file.
    r = srv.post("/api/v1/email/test", srv.admin_token, json={"to": "it2@example.com"})
    wait_status(srv, r.json()["id"], "sent")
    providers = {p["name"]: p for p in srv.get("/api/v1/email/providers", srv.admin_token).json()["items"]}
    assert providers["smtp"]["failed"] == 1 and providers["file"]["sent"] == 2
    metrics = srv.get("/metrics").text
    assert 'hrms_email_provider_circuit_open{provider="smtp"} 1' in metrics


def test_a_server_that_refuses_the_recipient_fails_the_message_without_retrying(start_server, inbox):
    srv = start_server(smtp_env(inbox.port))
    r = srv.post("/api/v1/email/test", srv.admin_token, json={"to": "nobody@example.com"})
    failed = wait_status(srv, r.json()["id"], "failed")
    assert failed["attempts"] == 1 and "550" in failed["last_error"]
    assert [e["type"] for e in failed["events"]] == ["queued", "sending", "failed"]
    # The refusal is about the message, not the provider: its circuit stays closed.
    [smtp] = srv.get("/api/v1/email/providers", srv.admin_token).json()["items"]
    assert smtp["circuit"] == "closed"


def test_an_unreachable_server_defers_with_backoff_and_then_fails(start_server):
    srv = start_server(smtp_env(free_port(), HRMS_EMAIL_MAX_ATTEMPTS=3, HRMS_EMAIL_CIRCUIT_FAILURES=100))
    r = srv.post("/api/v1/email/test", srv.admin_token, json={"to": "later@example.com"})
    failed = wait_status(srv, r.json()["id"], "failed", timeout=20)
    types = [e["type"] for e in failed["events"]]
    assert types == ["queued", "sending", "deferred", "sending", "deferred", "sending", "failed"]
    assert failed["attempts"] == 3


def test_bad_input_gets_a_clear_error_and_queues_nothing(start_server):
    srv = start_server(smtp_env(free_port()))
    admin = srv.admin_token
    before = len(messages(srv))
    for to in ["a@b.com\r\nBcc: evil@example.com", "not an address", "x@y", ""]:
        assert_error(srv.post("/api/v1/email/test", admin, json={"to": to}, bad=True), 422, "validation_failed", "to")
    assert_error(srv.post("/api/v1/email/test", admin, json={}, bad=True), 422, "validation_failed", "to")
    assert_error(srv.get("/api/v1/email/messages", admin, params={"status": "lost"}, bad=True), 422,
                 "validation_failed", "status")
    assert_error(srv.get("/api/v1/email/messages/99999999", admin), 404, "not_found")
    assert_error(srv.get("/api/v1/email/templates/nope/preview", admin), 404, "not_found")
    assert_error(srv.get("/api/v1/email/templates/invite/preview", admin, params={"format": "pdf"}, bad=True), 422,
                 "validation_failed", "format")
    assert len(messages(srv)) == before


def test_templates_are_listed_and_previewed_with_html_escaped(start_server):
    srv = start_server(smtp_env(free_port(), HRMS_EMAIL_FROM_NAME="R&D <Onboarding>"))
    names = {t["name"] for t in srv.get("/api/v1/email/templates", srv.admin_token).json()["items"]}
    assert {"invite", "test"} <= names
    html = srv.get("/api/v1/email/templates/invite/preview", srv.admin_token)
    assert html.status_code == 200 and html.headers["Content-Type"].startswith("text/html")
    assert "R&amp;D &lt;Onboarding&gt;" in html.text and "R&D <Onboarding>" not in html.text
    text = srv.get("/api/v1/email/templates/invite/preview", srv.admin_token, params={"format": "text"})
    assert text.text.startswith("You are invited to R&D <Onboarding>")


def test_the_report_template_is_listed_and_previews_with_sample_values(server):
    names = {t["name"] for t in server.get("/api/v1/email/templates", server.admin_token).json()["items"]}
    assert "report" in names
    text = server.get("/api/v1/email/templates/report/preview", server.admin_token, params={"format": "text"})
    assert text.status_code == 200, text.text
    assert text.text.startswith("Your Onboarding pipeline report, 2026-11-01 – 2026-11-30 (Europe/Berlin)")
    assert "(PDF, CSV)" in text.text and "/reports/7/runs" in text.text
    html = server.get("/api/v1/email/templates/report/preview", server.admin_token)
    assert html.status_code == 200 and "<strong>Onboarding pipeline</strong>" in html.text


def test_workflow_notices_that_warrant_it_are_mailed_to_the_employee(start_server, inbox):
    srv = start_server(smtp_env(inbox.port))
    user, token, profile = employee_with_details_submitted(srv, name="Grace O'Neil")
    assert not messages(srv, to=user["email"])  # a submission stays in the feed
    r = decide(srv, srv.admin_token, profile["id"], "details", "reject", reason="Your phone number has a typo & <no> area code")
    assert r.status_code == 200, r.text
    [rejected] = messages(srv, to=user["email"])
    assert rejected["template"] == "profile.rejected" and rejected["essential"] is False
    assert rejected["request_id"] == r.headers["X-Request-Id"]
    wait_status(srv, rejected["id"], "sent")
    wait_until(lambda: inbox.messages, timeout=5, what="the rejection at the SMTP server")
    [(_, _, msg)] = inbox.parsed()
    assert msg["Subject"] == rejected["subject"]
    text = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert "Your phone number has a typo & <no> area code" in text
    assert "typo &amp; &lt;no&gt; area code" in html and "<no>" not in html
    assert "https://hr.example.com/onboarding" in text


@pytest.mark.skipif(BACKEND != "pg", reason="several processes share a database on PostgreSQL only")
def test_two_processes_share_the_outbox_and_never_send_a_message_twice(start_server, inbox):
    env = smtp_env(inbox.port, HRMS_EMAIL_BATCH=3)
    a = start_server(env, name="a")
    b = start_server(env, db=a.db, name="b")
    ids = []
    for i in range(60):
        srv = a if i % 2 else b
        r = srv.post("/api/v1/email/test", srv.admin_token, json={"to": f"twice{i}@example.com"})
        assert r.status_code == 202, r.text
        ids.append(r.json()["id"])
    wait_until(lambda: len(inbox.messages) >= 60 and all(m["status"] == "sent" for m in messages(a)),
               timeout=30, what="60 messages sent")
    got = inbox.parsed()
    assert len(got) == 60
    assert len({msg["Message-ID"] for _, _, msg in got}) == 60  # each once
    # Both processes sent some: the claims interleave rather than one process doing all.
    owners = {e["detail"] for i in ids for e in a.get(f"/api/v1/email/messages/{i}", a.admin_token).json()["events"]
              if e["type"] == "sending"}
    assert len(owners) == 2


# --------------------------------------------------------------------------------------------
# HTTP providers against local stand-ins: each request's body is checked, and SES's signature
# is recomputed here with an implementation of SigV4 independent of the server's.


class FakeApi:
    """A local HTTP server that records each request and answers from `answers` (status, headers, body)."""

    def __init__(self, answers):
        import http.server

        self.requests, self.answers = [], list(answers)
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                status, headers, payload = outer.answers.pop(0) if len(outer.answers) > 1 else outer.answers[0]
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self):
                outer.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, b""))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def sigv4_authorization(method, path, headers, body, secret, key_id, region, service):
    """AWS Signature Version 4, written from AWS's documentation for this test."""
    import hashlib
    import hmac
    signed = sorted(k for k in headers if k in ("host", "x-amz-date", "content-type") or k.startswith("x-amz-"))
    signed = [k for k in signed if k != "x-amz-content-sha256" or k in headers]
    amz_date = headers["x-amz-date"]
    canonical = "\n".join([method, path, "", *[f"{k}:{' '.join(headers[k].split())}" for k in signed], "",
                           ";".join(signed), hashlib.sha256(body).hexdigest()])
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + secret).encode()
    for part in (amz_date[:8], region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"AWS4-HMAC-SHA256 Credential={key_id}/{scope}, SignedHeaders={';'.join(signed)}, Signature={signature}"


def test_ses_gets_the_raw_message_signed_with_sigv4(start_server):
    import base64
    import json as _json
    api = FakeApi([(200, {"Content-Type": "application/json"}, b'{"MessageId": "0100018c-ses-id"}')])
    try:
        secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
        srv = start_server(smtp_env(free_port(), providers="ses", HRMS_SES_REGION="eu-west-1",
                                    HRMS_SES_ACCESS_KEY_ID="AKIDEXAMPLE", HRMS_SES_SECRET_ACCESS_KEY=secret,
                                    HRMS_SES_ENDPOINT=api.url))
        r = srv.post("/api/v1/email/test", srv.admin_token, json={"to": "ses@example.com"})
        sent = wait_status(srv, r.json()["id"], "sent")
        assert sent["provider"] == "ses" and sent["provider_message_id"] == "0100018c-ses-id"
        [(path, headers, body)] = api.requests
        assert path == "/v2/email/outbound-emails"
        doc = _json.loads(body)
        assert doc["Destination"] == {"ToAddresses": ["ses@example.com"]}
        assert doc["FromEmailAddress"] == "onboarding@example.com"
        raw = email.message_from_bytes(base64.b64decode(doc["Content"]["Raw"]["Data"]), policy=email.policy.default)
        assert raw["Message-ID"] == sent["message_id"] and raw.get_content_type() == "multipart/alternative"
        assert headers["authorization"] == sigv4_authorization("POST", path, headers, body, secret, "AKIDEXAMPLE",
                                                               "eu-west-1", "ses")
        assert secret not in srv.log_text()
    finally:
        api.close()


def test_sendgrid_gets_both_parts_and_a_refusal_fails_the_message(start_server):
    import json as _json
    api = FakeApi([(202, {"X-Message-Id": "sg-abc123"}, b""),
                   (400, {"Content-Type": "application/json"}, b'{"errors":[{"message":"The to email does not contain a valid address."}]}')])
    try:
        srv = start_server(smtp_env(free_port(), providers="sendgrid", HRMS_SENDGRID_API_KEY="SG.secret-key",
                                    HRMS_SENDGRID_BASE_URL=api.url))
        r = srv.post("/api/v1/email/test", srv.admin_token, json={"to": "sg@example.com"})
        sent = wait_status(srv, r.json()["id"], "sent")
        assert sent["provider"] == "sendgrid" and sent["provider_message_id"] == "sg-abc123"
        path, headers, body = api.requests[0]
        assert path == "/v3/mail/send" and headers["authorization"] == "Bearer SG.secret-key"
        doc = _json.loads(body)
        assert doc["personalizations"][0]["to"][0]["email"] == "sg@example.com"
        assert doc["from"] == {"email": "onboarding@example.com", "name": "Acme Onboarding"}
        assert [c["type"] for c in doc["content"]] == ["text/plain", "text/html"]
        assert doc["subject"] == "Test message from Acme Onboarding"
        r = srv.post("/api/v1/email/test", srv.admin_token, json={"to": "refused@example.com"})
        failed = wait_status(srv, r.json()["id"], "failed")
        assert "valid address" in failed["last_error"] and "SG.secret-key" not in failed["last_error"]
        assert "SG.secret-key" not in srv.log_text()
    finally:
        api.close()


# --------------------------------------------------------------------------------------------
# Tracking: signed webhooks (keys made here with python3-cryptography), applied once each


def sendgrid_keys():
    import base64
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    key = ec.generate_private_key(ec.SECP256R1())
    public = base64.b64encode(key.public_key().public_bytes(serialization.Encoding.DER,
                                                            serialization.PublicFormat.SubjectPublicKeyInfo)).decode()

    def sign(timestamp: str, body: bytes) -> str:
        return base64.b64encode(key.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))).decode()
    return public, sign


def post_sendgrid(srv, sign, events, timestamp=None, bad=False, signature=None):
    import json as _json
    import time as _time
    body = _json.dumps(events).encode()
    ts = timestamp or str(int(_time.time()))
    headers = {"Content-Type": "application/json", "X-Twilio-Email-Event-Webhook-Timestamp": ts,
               "X-Twilio-Email-Event-Webhook-Signature": signature or sign(ts, body)}
    return srv.post("/api/v1/webhooks/email/sendgrid", data=body, headers=headers, bad=bad)


def test_sendgrid_events_track_messages_once_and_bounces_suppress(start_server):
    import time as _time
    api = FakeApi([(202, {"X-Message-Id": "sgid1"}, b"")])
    public, sign = sendgrid_keys()
    try:
        srv = start_server(smtp_env(free_port(), providers="sendgrid", HRMS_SENDGRID_API_KEY="SG.k",
                                    HRMS_SENDGRID_BASE_URL=api.url, HRMS_SENDGRID_WEBHOOK_PUBLIC_KEY=public))
        ids = {}
        for who in ["ok", "hard", "soft", "spam"]:
            r = srv.post("/api/v1/email/test", srv.admin_token, json={"to": f"{who}@example.com"})
            ids[who] = r.json()["id"]
            wait_status(srv, ids[who], "sent")
        now = int(_time.time())

        def ev(who, event, n, **extra):
            return {"email": f"{who.upper()}@example.com", "event": event, "sg_event_id": f"evt-{who}-{n}",
                    "sg_message_id": "sgid1.filter0001", "timestamp": now, "hrms_message_id": str(ids[who]), **extra}
        batch = [ev("ok", "delivered", 1), ev("hard", "bounce", 1, reason="550 5.1.1 unknown user"),
                 ev("soft", "bounce", 1, type="blocked", reason="mailbox full"), ev("spam", "spamreport", 1), ev("ok", "open", 2)]
        r = post_sendgrid(srv, sign, batch)
        assert r.status_code == 200 and r.json() == {"applied": 4}, r.text
        # Delivered twice: nothing changes the second time.
        again = post_sendgrid(srv, sign, batch)
        assert again.status_code == 200 and again.json() == {"applied": 0}, again.text
        state = {who: srv.get(f"/api/v1/email/messages/{i}", srv.admin_token).json() for who, i in ids.items()}
        assert state["ok"]["status"] == "delivered" and state["hard"]["status"] == "bounced"
        assert state["spam"]["status"] == "complained"
        assert [e["type"] for e in state["ok"]["events"]].count("delivered") == 1
        suppressed = {s["email"]: s["reason"] for s in
                      srv.get("/api/v1/email/suppressions", srv.admin_token).json()["items"]}
        assert suppressed == {"hard@example.com": "hard bounce", "spam@example.com": "complaint"}
        # Soft bounces suppress at the third.
        for n in (2, 3):
            post_sendgrid(srv, sign, [ev("soft", "bounce", n, type="blocked", reason="mailbox full")])
        suppressed = {s["email"] for s in srv.get("/api/v1/email/suppressions", srv.admin_token).json()["items"]}
        assert "soft@example.com" in suppressed
        # A suppressed address is skipped: rejected without being sent.
        r = srv.post("/api/v1/email/test", srv.admin_token, json={"to": "hard@example.com"})
        rejected = wait_status(srv, r.json()["id"], "rejected")
        assert rejected["provider"] is None and len(api.requests) == 4
        stats = srv.get("/api/v1/email/stats", srv.admin_token).json()["items"]
        assert {(s["status"], s["count"]) for s in stats if s["provider"] == "sendgrid"} >= {("delivered", 1), ("complained", 1)}
    finally:
        api.close()


def test_forged_stale_or_unsigned_sendgrid_posts_are_refused_and_change_nothing(start_server):
    public, sign = sendgrid_keys()
    _, other_sign = sendgrid_keys()
    srv = start_server(smtp_env(free_port(), HRMS_SENDGRID_WEBHOOK_PUBLIC_KEY=public))
    r = srv.post("/api/v1/email/test", srv.admin_token, json={"to": "victim@example.com"})
    mid = r.json()["id"]
    event = [{"email": "victim@example.com", "event": "bounce", "sg_event_id": "forged-1", "timestamp": 1,
              "hrms_message_id": str(mid)}]
    import time as _time
    stale = str(int(_time.time()) - 3600)
    for kw in [{"signature": other_sign("1", b"x")}, {"timestamp": stale}, {"signature": "bm90IGEgc2lnbmF0dXJl"},
               {"signature": "%%%"}]:
        assert_error(post_sendgrid(srv, sign, event, bad=True, **kw), 401, "unauthenticated")
    assert_error(post_sendgrid(srv, sign, {"not": "a list"}, bad=True), 422, "validation_failed")
    assert srv.get("/api/v1/email/suppressions", srv.admin_token).json()["items"] == []
    assert srv.get(f"/api/v1/email/messages/{mid}", srv.admin_token).json()["status"] != "bounced"
    # Each refusal is a security event in the audit trail.
    def refused():
        r = srv.get("/api/v1/audit", srv.admin_token, params={"action": "webhook.bad_signature", "limit": 50})
        return len(r.json()["items"]) >= 4
    wait_until(refused, timeout=10, what="webhook.bad_signature entries")


def sns_signer(tmp_path):
    """An RSA key and a self-signed certificate standing in for SNS's; returns (cert file, sign)."""
    import base64
    import datetime
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from cryptography.x509.oid import NameOID
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.test.amazonaws.com")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
    path = tmp_path / "sns.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))

    def sign(msg: dict) -> dict:
        keys = (["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"] if msg["Type"] == "Notification"
                else ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"])
        text = "".join(f"{k}\n{msg[k]}\n" for k in keys if k in msg)
        sig = key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())
        return {**msg, "SignatureVersion": "2", "Signature": base64.b64encode(sig).decode(),
                "SigningCertURL": "https://sns.eu-west-1.amazonaws.com/cert.pem"}
    return path, sign


def test_ses_notifications_through_sns_are_verified_confirmed_and_applied(start_server, tmp_path):
    import json as _json
    topic = "arn:aws:sns:eu-west-1:123456789012:ses-events"
    cert, sign = sns_signer(tmp_path)
    api = FakeApi([(200, {"Content-Type": "application/json"}, b'{"MessageId": "ses-msg-1"}')])
    try:
        srv = start_server(smtp_env(free_port(), providers="ses", HRMS_SES_REGION="eu-west-1",
                                    HRMS_SES_ACCESS_KEY_ID="AKID", HRMS_SES_SECRET_ACCESS_KEY="secret",
                                    HRMS_SES_ENDPOINT=api.url, HRMS_SES_SNS_CERT_FILE=cert,
                                    HRMS_SES_SNS_TOPIC_ARNS=f"{topic}, arn:aws:sns:eu-west-1:1:other"))

        def post(msg, bad=False):
            return srv.post("/api/v1/webhooks/email/ses", data=_json.dumps(msg).encode(),
                            headers={"Content-Type": "text/plain; charset=UTF-8"}, bad=bad)
        confirm = sign({"Type": "SubscriptionConfirmation", "MessageId": "c-1", "Token": "tok", "TopicArn": topic,
                        "Message": "You have chosen to subscribe", "SubscribeURL": f"{api.url}/confirm?Token=tok",
                        "Timestamp": "2026-12-01T09:00:00.000Z"})
        assert post(confirm).status_code == 200
        assert any(path.startswith("/confirm?Token=tok") for path, _, _ in api.requests)

        r = srv.post("/api/v1/email/test", srv.admin_token, json={"to": "bounce@example.com"})
        sent = wait_status(srv, r.json()["id"], "sent")
        bounce = {"notificationType": "Bounce",
                  "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": "bounce@example.com",
                                                                              "diagnosticCode": "smtp; 550 5.1.1 user unknown"}],
                             "timestamp": "2026-12-01T09:01:00.000Z"},
                  "mail": {"messageId": "ses-msg-1", "timestamp": "2026-12-01T09:00:30.000Z",
                           "commonHeaders": {"messageId": sent["message_id"]}, "destination": ["bounce@example.com"]}}
        note = sign({"Type": "Notification", "MessageId": "n-1", "TopicArn": topic, "Message": _json.dumps(bounce),
                     "Timestamp": "2026-12-01T09:01:01.000Z"})
        r = post(note)
        assert r.status_code == 200 and r.json() == {"applied": 1}, r.text
        assert post(note).json() == {"applied": 0}  # SNS retries: applied once
        assert srv.get(f"/api/v1/email/messages/{sent['id']}", srv.admin_token).json()["status"] == "bounced"
        assert [s["email"] for s in srv.get("/api/v1/email/suppressions", srv.admin_token).json()["items"]] == \
            ["bounce@example.com"]
        # Another topic, an altered message, or a signature by another key: refused.
        wrong_topic = sign({**note, "TopicArn": "arn:aws:sns:eu-west-1:999:evil", "MessageId": "n-2"})
        assert_error(post(wrong_topic, bad=True), 403, "forbidden")
        altered = {**note, "Message": note["Message"].replace("Permanent", "Transient")}
        assert_error(post(altered, bad=True), 401, "unauthenticated")
        (tmp_path / "other").mkdir()
        _, other = sns_signer(tmp_path / "other")
        assert_error(post(other({**note, "MessageId": "n-3"}), bad=True), 401, "unauthenticated")
        assert_error(post({"Type": "Notification"}, bad=True), 422, "validation_failed")
    finally:
        api.close()


# --------------------------------------------------------------------------------------------
# Password resets and lockout notices: essential mail


def test_a_password_reset_is_mailed_works_once_and_ends_every_session(start_server, inbox):
    srv = start_server(smtp_env(inbox.port, HRMS_DEV_MODE=0))
    user, token = srv.user_with_token()
    # Unknown and known emails get the same answer; only the known one gets mail.
    for address in [user["email"], "nobody-here@example.com"]:
        r = srv.post("/api/v1/auth/password-reset", json={"email": address})
        assert r.status_code == 202 and r.json() == {"status": "accepted"}, r.text
    [queued] = messages(srv, to=user["email"])
    assert queued["template"] == "password_reset" and queued["essential"] is True
    assert not messages(srv, to="nobody-here@example.com")
    wait_status(srv, queued["id"], "sent")
    wait_until(lambda: inbox.messages, timeout=5, what="the reset mail")
    [(_, _, msg)] = inbox.parsed()
    text = msg.get_body(preferencelist=("plain",)).get_content()
    reset = re.search(r"https://hr\.example\.com/reset-password#token=([A-Za-z0-9_-]+)", text).group(1)
    assert reset not in srv.log_text()
    r = srv.post("/api/v1/auth/password", json={"token": reset, "new_password": "a-brand-new-password-1"})
    assert r.status_code == 204, r.text
    assert srv.get("/api/v1/auth/me", token).status_code == 401  # the old session is over
    assert srv.login(user["email"], "a-brand-new-password-1").status_code == 200
    assert_error(srv.post("/api/v1/auth/password", json={"token": reset, "new_password": "another-password-22"}),
                 401, "unauthenticated")
    assert_error(srv.post("/api/v1/auth/password-reset", json={"email": "not an email"}, bad=True), 422,
                 "validation_failed", "email")


def test_the_owner_of_a_locked_account_is_told_once(start_server):
    srv = start_server(smtp_env(free_port(), providers="file", HRMS_TRUSTED_PROXIES="127.0.0.1/32",
                                HRMS_LOGIN_LOCK_ADDRESSES=3, HRMS_LOGIN_RATE_PER_IP=1000,
                                HRMS_LOGIN_BURST_PER_IP=1000))
    user = srv.create_user()
    for i in range(6):
        r = srv.login(user["email"], "wrong password!!", headers={"X-Forwarded-For": f"198.51.100.{i + 1}"})
        assert r.status_code in (401, 429), r.text
    mails = [m for m in messages(srv, to=user["email"]) if m["template"] == "account_locked"]
    assert len(mails) == 1 and mails[0]["essential"] is True
    assert "locked" in mails[0]["subject"]


def test_an_employee_who_opts_out_gets_notices_in_the_feed_only_but_essential_mail_still(start_server):
    srv = start_server(smtp_env(free_port(), providers="file"))
    user, token, profile = employee_with_details_submitted(srv)
    assert srv.get("/api/v1/auth/me/email-preferences", token).json() == {"notices_by_mail": True}
    r = srv.put("/api/v1/auth/me/email-preferences", token, json={"notices_by_mail": False})
    assert r.status_code == 200 and r.json() == {"notices_by_mail": False}, r.text
    assert_error(srv.put("/api/v1/auth/me/email-preferences", token, json={"notices_by_mail": "no"}, bad=True), 422,
                 "validation_failed", "notices_by_mail")
    assert decide(srv, srv.admin_token, profile["id"], "details", "reject", reason="typo").status_code == 200
    assert not messages(srv, to=user["email"])  # in the feed, not by mail
    # Essential mail ignores the choice.
    assert srv.post("/api/v1/auth/password-reset", json={"email": user["email"]}).status_code == 202
    assert [m["template"] for m in messages(srv, to=user["email"])] == ["password_reset"]
    # Opted back in, the next notice is mailed.
    srv.put("/api/v1/auth/me/email-preferences", token, json={"notices_by_mail": True})
    from conftest import save_details, submit_stage, complete_details
    assert save_details(srv, token, complete_details()).status_code == 200
    assert submit_stage(srv, token).status_code == 200
    assert decide(srv, srv.admin_token, profile["id"], "details", "approve").status_code == 200
    assert "profile.stage_advanced" in [m["template"] for m in messages(srv, to=user["email"])]


def test_a_provider_at_its_daily_quota_is_passed_over_and_a_message_none_can_take_waits(start_server):
    srv = start_server(smtp_env(free_port(), providers="file", HRMS_EMAIL_DAILY_QUOTAS="file:2",
                                HRMS_EMAIL_RATE_LIMITS="file:100"))
    ids = [srv.post("/api/v1/email/test", srv.admin_token, json={"to": f"quota{i}@example.com"}).json()["id"]
           for i in range(3)]
    wait_status(srv, ids[0], "sent")
    wait_status(srv, ids[1], "sent")
    held = wait_status(srv, ids[2], "deferred")
    assert held["attempts"] == 0 and "daily quota" in held["last_error"]  # held, not counted as a try
    [file] = srv.get("/api/v1/email/providers", srv.admin_token).json()["items"]
    assert file["daily_quota"] == 2 and file["sent_today"] == 2 and file["rate_per_s"] == 100
    assert 'hrms_email_provider_sent_today{provider="file"} 2' in srv.get("/metrics").text


def test_a_crash_mid_send_resends_only_what_it_had_sent_with_the_same_message_id(start_server):
    import asyncio
    import signal as _signal

    class SlowInbox(Inbox):
        """Takes the first message whole, then answers only after a pause: the sender dies waiting."""
        def __init__(self):
            super().__init__()
            self.first_in = threading.Event()

        async def handle_DATA(self, server, session, envelope):
            with self.lock:
                self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
                first = len(self.messages) == 1
            if first:
                self.first_in.set()
                await asyncio.sleep(3)
            return "250 2.0.0 queued"

    box = SlowInbox()
    box.controller.start()
    try:
        env = smtp_env(box.port, HRMS_EMAIL_LEASE_S=1)
        srv = start_server(env)
        ids = [srv.post("/api/v1/email/test", srv.admin_token, json={"to": f"crash{i}@example.com"}).json()["id"]
               for i in range(3)]
        assert box.first_in.wait(10), "the first message never reached the SMTP server"
        srv.stop(_signal.SIGKILL)
        again = start_server(env, db=srv.db, name="again")
        for i in ids:
            wait_status(again, i, "sent", timeout=20)
        got = [msg["Message-ID"] for _, _, msg in box.parsed()]
        first = again.get(f"/api/v1/email/messages/{ids[0]}", again.admin_token).json()["message_id"]
        # The message on the wire when the process died arrives twice, with one Message-ID (a
        # receiver can drop the copy); the others, claimed but not yet sent, arrive once.
        assert got.count(first) == 2 and len(got) == 4 and len(set(got)) == 3
    finally:
        box.controller.stop()


def test_an_escalation_is_mailed_to_the_assigned_reviewer(start_server):
    srv = start_server(smtp_env(free_port(), providers="file", HRMS_SLA_HOURS_DETAILS="0.0001",
                                HRMS_ESCALATE_AFTER="1.0", HRMS_SLA_SCAN_INTERVAL_S="3600"))
    reviewer, _ = srv.user_with_token(roles=["reviewer"])
    _, _, profile = employee_with_details_submitted(srv, name="Katherine Johnson")
    r = srv.post(f"/api/v1/profiles/{profile['id']}/assign", srv.admin_token, json={"reviewer_id": reviewer["id"]})
    assert r.status_code == 200, r.text

    def mailed():
        srv.post("/api/v1/admin/jobs/sla.escalate/run", srv.admin_token)
        return [m for m in messages(srv, to=reviewer["email"]) if m["template"] == "admin.urgent_review"]
    [mail] = wait_until(mailed, timeout=15, what="the escalation mail")
    assert "Katherine Johnson" in mail["subject"]
    sent = wait_status(srv, mail["id"], "sent")
    eml = next((srv.db.data_dir / "mail").glob(f"*-{sent['id']}.eml"))
    body = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert f"https://hr.example.com/review/{profile['id']}" in body.get_body(preferencelist=("plain",)).get_content()


def test_an_open_circuit_is_probed_once_it_has_rested_and_closes_when_the_probe_gets_through(start_server):
    port = free_port()  # nothing listens yet
    srv = start_server(smtp_env(port, providers="smtp,file", HRMS_EMAIL_CIRCUIT_FAILURES=1,
                                HRMS_EMAIL_CIRCUIT_OPEN_S=0.5))
    first = srv.post("/api/v1/email/test", srv.admin_token, json={"to": "before@example.com"}).json()["id"]
    assert wait_status(srv, first, "sent")["provider"] == "file"  # smtp failed: its circuit opened
    box = Inbox()
    box.port = port
    box.controller = Controller(box, hostname="127.0.0.1", port=port)
    box.controller.start()  # the server comes back
    try:
        def probed():
            r = srv.post("/api/v1/email/test", srv.admin_token, json={"to": "after@example.com"})
            return wait_status(srv, r.json()["id"], "sent")["provider"] == "smtp"
        # Once the circuit has rested, one message probes smtp; it gets through and closes it.
        wait_until(probed, timeout=15, what="a message through smtp again")
        [smtp, _] = srv.get("/api/v1/email/providers", srv.admin_token).json()["items"]
        assert smtp["circuit"] == "closed" and smtp["consecutive_failures"] == 0 and smtp["sent"] >= 1
    finally:
        box.controller.stop()
