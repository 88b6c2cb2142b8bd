"""Side effects of a write transaction: the rows that record events carry who acted and the
request id, and what leaves the process (an invite's token) leaves only once it committed."""

import sqlite3
import subprocess

from conftest import BACKEND, employee_with_details_submitted, unique_email


def rows(srv, sql: str) -> list[tuple]:
    """Rows of a query against the server's own database (read-only, beside the server)."""
    if BACKEND == "pg":
        out = subprocess.run(["psql", "-q", "-X", "-A", "-t", "-F", "\t", srv.db.url, "-c", sql],
                             capture_output=True, text=True, timeout=30, check=True).stdout
        return [tuple(None if v == "" else v for v in line.split("\t")) for line in out.splitlines() if line]
    with sqlite3.connect(f"file:{srv.db.data_dir / 'hrms.db'}?mode=ro", uri=True) as db:
        return [tuple(None if v is None else str(v) for v in r) for r in db.execute(sql)]


def test_event_rows_carry_the_actor_and_the_request_id(server):
    user, token = server.user_with_token()
    r = server.put("/api/v1/profiles/me/details", token, json={"first_name": "Ada"})
    assert r.status_code == 200
    r = server.post("/api/v1/profiles/me/submit", token, headers={"X-Request-Id": "trace-submit-1"})
    assert r.status_code == 422  # incomplete details: nothing written, nothing to find below
    _, token2, profile = employee_with_details_submitted(server)
    r = server.post(f"/api/v1/profiles/{profile['id']}/decision", server.admin_token,
                    json={"stage": "details", "decision": "reject", "reason": "blurred"},
                    headers={"X-Request-Id": "trace-reject-1"})
    assert r.status_code == 200
    admin_id = server.get("/api/v1/auth/me", server.admin_token).json()["id"]
    notes = rows(server, "SELECT kind, actor_id, request_id FROM notifications WHERE request_id = 'trace-reject-1'")
    assert notes == [("profile.rejected", str(admin_id), "trace-reject-1")]
    history = rows(server, "SELECT decision, actor_id, request_id FROM stage_history "
                           f"WHERE profile_id = {int(profile['id'])} ORDER BY id")
    assert history[-1] == ("reject", str(admin_id), "trace-reject-1")
    assert rows(server, "SELECT count(*) FROM notifications WHERE request_id = 'trace-submit-1'") == [("0",)]


def test_an_invite_token_is_handed_out_after_commit_with_the_request_id(server):
    email = unique_email("effects")
    r = server.post("/api/v1/users", server.admin_token, json={"email": email, "name": "Invited"},
                    headers={"X-Request-Id": "trace-invite-1"})
    assert r.status_code == 201
    line = server.wait_log(lambda e: e.get("event") == "invite.created" and e.get("email") == email)
    assert line["request_id"] == "trace-invite-1" and line["user_id"] == r.json()["id"]
    # A create that fails hands nothing out (a rollback after the invite was recorded is
    # tested in the store's tests).
    r = server.post("/api/v1/users", server.admin_token, json={"email": email, "name": "Again"},
                    headers={"X-Request-Id": "trace-invite-2"})
    assert r.status_code == 409
    assert server.find_log(lambda e: e.get("event") == "invite.created"
                           and e.get("request_id") == "trace-invite-2") is None
