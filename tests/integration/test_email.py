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

from conftest import assert_error, unique_email, wait_until


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
    assert queued["request_id"] == "invite-req-1"
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
