"""Bulk operations (/api/v1/bulk): per-item results through the single-item use cases, jobs in
the background with live progress, idempotency, cancellation, and resumption after SIGKILL."""
import signal
import time

import pytest
import requests

from conftest import (PASSWORD, assert_error, complete_details, employee_with_details_submitted, feed,
                      profile_of, run_together, save_details, submit_stage, uniq, unique_email, wait_until)
from test_ws import Client

DECISION = "/api/v1/bulk/profiles/decision"
# Sessions that outlive the days the SLA tests move the clock forward.
LONG_SESSIONS = {"HRMS_SESSION_TTL_S": "100000000", "HRMS_SESSION_MAX_AGE_S": "100000000"}


def job_count(server) -> int:
    r = server.get("/api/v1/bulk/jobs", server.admin_token, params={"limit": 200})
    assert r.status_code == 200, r.text
    return len(r.json()["items"])


def submitted_profiles(server, n: int) -> list[int]:
    return [employee_with_details_submitted(server)[2]["id"] for _ in range(n)]


def wait_job(server, job_id: int, timeout: float = 60) -> dict:
    def ended():
        r = server.get(f"/api/v1/bulk/jobs/{job_id}", server.admin_token, params={"limit": 1000})
        assert r.status_code == 200, r.text  # a GET answers 200 whatever the state
        return r.json() if r.json()["status"] != "running" else None
    return wait_until(ended, timeout, interval=0.05, what=f"bulk job {job_id} to end")


def all_results(server, job_id: int) -> list[dict]:
    out, cursor = [], None
    while True:
        params = {"limit": 1000}
        if cursor is not None:
            params["cursor"] = cursor
        r = server.get(f"/api/v1/bulk/jobs/{job_id}", server.admin_token, params=params)
        assert r.status_code == 200, r.text
        out += r.json()["results"]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return out


def test_small_job_answers_every_result_with_the_single_actions_side_effects(server):
    users = [employee_with_details_submitted(server) for _ in range(3)]
    ids = [p["id"] for _, _, p in users]
    r = server.post(DECISION, server.admin_token,
                    json={"profile_ids": [ids[0], 999999999, ids[1], ids[0], ids[2]], "decision": "approve"})
    assert r.status_code == 200, r.text
    job = r.json()
    assert job["status"] == "completed"
    assert (job["total"], job["done"], job["succeeded"], job["failed"]) == (4, 4, 3, 1)  # the repeat is dropped
    assert [x["id"] for x in job["results"]] == [str(ids[0]), "999999999", str(ids[1]), str(ids[2])]
    assert [x["ok"] for x in job["results"]] == [True, False, True, True]
    assert job["results"][1]["error"]["code"] == "not_found"
    for (user, token, _), pid in zip(users, ids):
        p = profile_of(server, pid)
        assert (p["stage"], p["status"]) == ("documents", "draft")
        assert [h["decision"] for h in p["history"]].count("approve") == 1
        # The employee heard of it as from a single decision.
        assert "profile.stage_advanced" in [n["kind"] for n in feed(server, token)["items"]]
    # One audit entry for the job, and each item's own entry names the job.
    def sealed():  # domain entries are searchable once the sealer has chained them
        r = server.get("/api/v1/audit", server.admin_token, params={"request_id": job["request_id"], "limit": 100})
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        return items if any(e["action"] == "bulk.profiles.decision" for e in items) else None
    entries = wait_until(sealed, 10, what="the job's audit entry")
    jobs = [e for e in entries if e["action"] == "bulk.profiles.decision"]
    assert len(jobs) == 1 and jobs[0]["target_id"] == str(job["job_id"])
    approvals = [e for e in entries if e["action"] == "profile.approve"]
    assert sorted(e["target_id"] for e in approvals) == sorted(str(i) for i in ids)
    assert all(e["details"]["bulk_job_id"] == job["job_id"] for e in approvals)
    failed = [e for e in entries if e["action"] == "bulk.item_failed"]
    assert [e["target_id"] for e in failed] == ["999999999"]
    # The admin is told the job ended.
    done = [n for n in feed(server, server.admin_token, limit=200)["items"] if n["kind"] == "bulk.completed"]
    assert any(n["data"]["job_id"] == job["job_id"] and n["data"]["failed"] == 1 for n in done)


def test_own_profile_fails_alone_with_self_review(server):
    email = unique_email("hradmin")
    r = server.post("/api/v1/users", server.admin_token,
                    json={"email": email, "name": "HR Admin", "roles": ["admin", "employee"], "password": PASSWORD})
    assert r.status_code == 201, r.text
    token = server.token_for(email)
    assert save_details(server, token, complete_details()).status_code == 200
    own = submit_stage(server, token).json()["id"]
    other = submitted_profiles(server, 1)[0]
    r = server.post(DECISION, token, json={"profile_ids": [own, other], "decision": "approve", "stage": "details"})
    assert r.status_code == 200, r.text
    results = {x["id"]: x for x in r.json()["results"]}
    assert results[str(own)]["error"]["code"] == "self_review"
    assert results[str(other)]["ok"] is True
    assert profile_of(server, own)["status"] == "submitted"


def test_a_stage_other_than_the_current_one_fails_alone_with_conflict(server):
    at_details = submitted_profiles(server, 2)
    r = server.post(DECISION, server.admin_token,
                    json={"profile_ids": at_details, "decision": "approve", "stage": "final"})
    assert r.status_code == 200, r.text
    assert [x["error"]["code"] for x in r.json()["results"]] == ["conflict", "conflict"]
    assert all(profile_of(server, p)["stage"] == "details" for p in at_details)


@pytest.mark.parametrize("body,field", [
    ({"profile_ids": [], "decision": "approve"}, "profile_ids"),
    ({"profile_ids": list(range(1, 10002)), "decision": "approve"}, "profile_ids"),
    ({"profile_ids": [1], "decision": "reject"}, "reason"),
    ({"profile_ids": [1], "decision": "reject", "reason": "   "}, "reason"),
    ({"profile_ids": [1], "decision": "maybe"}, "decision"),
    ({"profile_ids": [1, "2"], "decision": "approve"}, "profile_ids[1]"),
    ({"profile_ids": [0], "decision": "approve"}, "profile_ids[0]"),
    ({"profile_ids": 5, "decision": "approve"}, "profile_ids"),
    ({"decision": "approve"}, "profile_ids"),
    ({"profile_ids": [1], "decision": "approve", "stage": "completed"}, "stage"),
])
def test_bad_decision_requests_are_422_and_start_no_job(server, body, field):
    before = job_count(server)
    assert_error(server.post(DECISION, server.admin_token, json=body, bad=True), 422, "validation_failed", field)
    assert job_count(server) == before


@pytest.mark.parametrize("path,body,field", [
    ("/api/v1/bulk/roles", {"user_ids": [1]}, "add"),
    ("/api/v1/bulk/roles", {"user_ids": [1], "add": ["reviewer"], "remove": ["reviewer"]}, "remove"),
    ("/api/v1/bulk/roles", {"user_ids": [], "add": ["reviewer"]}, "user_ids"),
    ("/api/v1/bulk/profiles/status", {"profile_ids": [1], "employment_status": "retired"}, "employment_status"),
    ("/api/v1/bulk/managers", {"assignments": []}, "assignments"),
    ("/api/v1/bulk/managers", {"assignments": [{"manager_id": 1}]}, "user_id"),
    ("/api/v1/bulk/documents/decision", {"items": [{"document_id": 1}]}, "decision"),
    ("/api/v1/bulk/documents/decision", {"items": [7]}, "items[0]"),
])
def test_bad_requests_of_every_kind_are_422(server, path, body, field):
    before = job_count(server)
    assert_error(server.post(path, server.admin_token, json=body, bad=True), 422, "validation_failed", field)
    assert job_count(server) == before


@pytest.mark.parametrize("key", ["", "x" * 256, "naïve", "has space"])
def test_a_bad_idempotency_key_is_422(server, key):
    before = job_count(server)
    r = server.post(DECISION, server.admin_token, json={"profile_ids": [1], "decision": "approve"},
                    headers={"Idempotency-Key": key.encode("utf-8")}, bad=True)
    assert_error(r, 422, "validation_failed", "Idempotency-Key")
    assert job_count(server) == before


def test_an_idempotency_key_replays_the_stored_job_and_refuses_another_request(server):
    ids = submitted_profiles(server, 2)
    key = {"Idempotency-Key": uniq("key")}
    body = {"profile_ids": ids, "decision": "approve", "stage": "details"}
    first = server.post(DECISION, server.admin_token, json=body, headers=key)
    assert first.status_code == 200, first.text
    again = server.post(DECISION, server.admin_token, json=body, headers=key)
    assert again.status_code == 200, again.text
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["job_id"] == first.json()["job_id"]
    assert again.json()["results"] == first.json()["results"]  # all ok: nothing ran twice
    assert all(len([h for h in profile_of(server, p)["history"] if h["decision"] == "approve"]) == 1 for p in ids)
    other = server.post(DECISION, server.admin_token, json={**body, "decision": "reject", "reason": "no"}, headers=key)
    assert_error(other, 409, "conflict")
    # Keys are per user: another admin's same key is a new job.
    email = unique_email("admin2")
    server.post("/api/v1/users", server.admin_token,
                json={"email": email, "name": "Second Admin", "roles": ["admin"], "password": PASSWORD})
    mine = server.post(DECISION, server.token_for(email), json=body, headers=key)
    assert mine.status_code == 200 and mine.json()["job_id"] != first.json()["job_id"]


def test_large_job_answers_202_and_reports_progress_live(start_server):
    srv = start_server({"HRMS_BULK_SYNC_LIMIT": "2", "HRMS_BULK_BATCH_SIZE": "2", "HRMS_BULK_PROGRESS_INTERVAL_S": "0"})
    ids = submitted_profiles(srv, 6)
    ws = Client(srv, srv.admin_token)
    ws.hello()
    r = srv.post(DECISION, srv.admin_token, json={"profile_ids": ids, "decision": "approve"})
    assert r.status_code == 202, r.text
    job_id = r.json()["job_id"]
    assert r.json()["status"] == "running" and r.json()["total"] == 6
    progress, completed = [], None
    deadline = time.monotonic() + 30
    while (completed is None or not progress or progress[-1]["done"] < 6) and time.monotonic() < deadline:
        f = ws.frame(timeout=max(0.1, deadline - time.monotonic()))
        assert f is not None, f"the socket closed: {ws.closed}"
        if f["type"] == "bulk_progress" and f["job_id"] == job_id:
            progress.append(f)
        if f["type"] == "notification" and f["kind"] == "bulk.completed" and f["data"]["job_id"] == job_id:
            completed = f
    assert completed and completed["data"]["succeeded"] == 6 and completed["data"]["status"] == "completed"
    assert [p["done"] for p in progress] == sorted(p["done"] for p in progress)
    assert progress[-1] == {"type": "bulk_progress", "job_id": job_id, "done": 6, "total": 6, "succeeded": 6, "failed": 0}
    assert len(progress) >= 3  # one per batch of two
    job = wait_job(srv, job_id)
    assert job["status"] == "completed" and all(x["ok"] for x in job["results"])
    ws.close()


def test_cancel_marks_the_items_not_yet_run_cancelled(start_server):
    srv = start_server({"HRMS_BULK_SYNC_LIMIT": "0", "HRMS_BULK_BATCH_SIZE": "5", "HRMS_BULK_BATCH_PAUSE_MS": "50"})
    ids = submitted_profiles(srv, 3) + list(range(900000, 900200))
    r = srv.post(DECISION, srv.admin_token, json={"profile_ids": ids, "decision": "approve"})
    assert r.status_code == 202, r.text
    job_id = r.json()["job_id"]
    c = srv.post(f"/api/v1/bulk/jobs/{job_id}/cancel", srv.admin_token)
    assert c.status_code == 202, c.text
    assert c.json()["cancel_requested"] is True
    job = wait_job(srv, job_id)
    assert job["status"] == "cancelled"
    results = all_results(srv, job_id)
    statuses = [x["status"] for x in results]
    assert "cancelled" in statuses and "pending" not in statuses
    assert job["done"] == job["total"] == len(ids)
    cancelled = [x for x in results if x["status"] == "cancelled"]
    assert all(x["error"]["code"] == "cancelled" for x in cancelled)
    assert job["succeeded"] + job["failed"] + len(cancelled) == job["total"]
    # Ended jobs cannot be cancelled again.
    assert_error(srv.post(f"/api/v1/bulk/jobs/{job_id}/cancel", srv.admin_token), 409, "conflict")
    assert_error(srv.post("/api/v1/bulk/jobs/99999999/cancel", srv.admin_token), 404, "not_found")


def test_a_job_killed_mid_way_resumes_without_repeating_committed_items(start_server, clock):
    settings = {"HRMS_BULK_SYNC_LIMIT": "0", "HRMS_BULK_BATCH_SIZE": "1", "HRMS_BULK_BATCH_PAUSE_MS": "40",
                "HRMS_BULK_LEASE_S": "2", "HRMS_BULK_INTERVAL_S": "0.2", **clock.env()}
    srv = start_server(settings)
    ids = submitted_profiles(srv, 30)
    r = srv.post(DECISION, srv.admin_token, json={"profile_ids": ids, "decision": "approve", "stage": "details"})
    assert r.status_code == 202, r.text
    job_id = r.json()["job_id"]
    wait_until(lambda: srv.get(f"/api/v1/bulk/jobs/{job_id}", srv.admin_token).json()["done"] >= 3, 30,
               what="a few items done")
    srv.stop(signal.SIGKILL)
    again = start_server(settings, db=srv.db, name="again")
    clock.forward(10)  # past the dead process's claim (PostgreSQL; on SQLite it resumes at start)
    job = wait_job(again, job_id)
    assert job["status"] == "completed"
    assert (job["succeeded"], job["failed"]) == (30, 0), all_results(again, job_id)
    for pid in ids:
        history = profile_of(again, pid)["history"]
        assert [h["decision"] for h in history].count("approve") == 1, history


def test_two_concurrent_jobs_decide_each_profile_once(server):
    ids = submitted_profiles(server, 6)
    token = server.admin_token

    def run():
        return requests.post(f"{server.url}{DECISION}", json={"profile_ids": ids, "decision": "approve"},
                             headers={"Authorization": f"Bearer {token}"}, timeout=60)
    a, b = run_together(run, run)
    assert a.status_code == b.status_code == 200, (a.text, b.text)
    assert a.json()["succeeded"] + b.json()["succeeded"] == 6
    losers = [x for x in a.json()["results"] + b.json()["results"] if not x["ok"]]
    assert len(losers) == 6 and all(x["error"]["code"] == "conflict" for x in losers)
    for pid in ids:
        assert [h["decision"] for h in profile_of(server, pid)["history"]].count("approve") == 1


def test_employment_status_in_bulk_pauses_the_review_clocks(server):
    ids = submitted_profiles(server, 2)
    r = server.post("/api/v1/bulk/profiles/status", server.admin_token,
                    json={"profile_ids": ids + [999999999], "employment_status": "on_hold", "reason": "Start moved"})
    assert r.status_code == 200, r.text
    assert [x["ok"] for x in r.json()["results"]] == [True, True, False]
    for pid in ids:
        p = profile_of(server, pid)
        assert p["employment_status"] == "on_hold" and p["sla"]["state"] == "paused"


def test_roles_follow_the_grant_rules_per_item(server):
    a, _ = server.user_with_token(roles=["employee"])
    b, _ = server.user_with_token(roles=["employee"])
    r = server.post("/api/v1/bulk/roles", server.admin_token,
                    json={"user_ids": [a["id"], b["id"], 999999999], "add": ["reviewer"]})
    assert r.status_code == 200, r.text
    assert [x["ok"] for x in r.json()["results"]] == [True, True, False]
    assert "reviewer" in server.get(f"/api/v1/users/{a['id']}", server.admin_token).json()["roles"]
    # A role that may run bulk jobs and manage roles still cannot grant what it does not hold.
    role = uniq("bulkops").replace("-", "_")
    assert server.post("/api/v1/roles", server.admin_token,
                       json={"name": role, "permissions": ["bulk.run", "roles.manage", "users.read"]}).status_code == 201
    ops_email = unique_email("ops")
    server.post("/api/v1/users", server.admin_token,
                json={"email": ops_email, "name": "Ops", "roles": [role], "password": PASSWORD})
    r = server.post("/api/v1/bulk/roles", server.token_for(ops_email), json={"user_ids": [a["id"]], "add": ["admin"]})
    assert r.status_code == 200, r.text
    assert r.json()["results"][0]["error"]["code"] == "forbidden"
    assert "admin" not in server.get(f"/api/v1/users/{a['id']}", server.admin_token).json()["roles"]


def test_the_last_admin_keeps_admin(start_server):
    srv = start_server()
    me = srv.get("/api/v1/auth/me", srv.admin_token).json()
    r = srv.post("/api/v1/bulk/roles", srv.admin_token, json={"user_ids": [me["id"]], "remove": ["admin"], "add": ["reviewer"]})
    assert r.status_code == 200, r.text
    assert r.json()["results"][0]["error"]["code"] == "conflict"
    assert "admin" in srv.get("/api/v1/auth/me", srv.admin_token).json()["roles"]


def test_manager_cycles_formed_by_the_batch_itself_are_refused_and_named(server):
    a, b, c = (server.user_with_token(roles=["employee"])[0]["id"] for _ in range(3))
    r = server.post("/api/v1/bulk/managers", server.admin_token, json={"assignments": [
        {"user_id": a, "manager_id": b}, {"user_id": b, "manager_id": c}, {"user_id": c, "manager_id": a},
        {"user_id": a, "manager_id": None}]})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["ok"] for x in results] == [True, True, False]  # the repeated user_id is dropped
    assert results[2]["error"]["code"] == "cycle"
    assert str(a) in results[2]["error"]["message"] and str(c) in results[2]["error"]["message"]
    assert server.get(f"/api/v1/users/{c}", server.admin_token).json()["manager_id"] is None


def test_document_items_each_need_their_own_reason(server):
    r = server.post("/api/v1/bulk/documents/decision", server.admin_token, json={"items": [
        {"document_id": 999999998, "decision": "approve"},
        {"document_id": 999999999, "decision": "reject"}]})
    assert r.status_code == 200, r.text
    assert [x["error"]["code"] for x in r.json()["results"]] == ["not_found", "validation_failed"]


def test_documents_in_bulk_each_with_its_own_reason_as_single_reviews(server):
    from test_documents import employee_with_documents_submitted
    _, token, profile, docs = employee_with_documents_submitted(server)
    ids = [d["id"] for d in docs.values()]
    r = server.post("/api/v1/bulk/documents/decision", server.admin_token, json={"items": [
        {"document_id": ids[0], "decision": "approve"}, {"document_id": ids[1], "decision": "approve"},
        {"document_id": ids[2], "decision": "reject", "reason": "The scan is cut off at the bottom."},
        {"document_id": ids[3], "decision": "approve"}]})
    assert r.status_code == 200, r.text
    assert all(x["ok"] for x in r.json()["results"]), r.json()
    statuses = [server.get(f"/api/v1/documents/{i}", server.admin_token).json()["status"] for i in ids]
    assert statuses == ["approved", "approved", "rejected", "approved"]
    reviewed = [n for n in feed(server, token)["items"] if n["kind"] == "document.reviewed"]
    assert any(n["data"]["reason"] == "The scan is cut off at the bottom." for n in reviewed)


def blob_file(server, sha: str):
    return next(p for p in (server.db.data_dir / "blobs").rglob("*") if p.is_file() and sha in p.name)


def test_archive_streams_a_folder_per_employee_and_a_manifest_listing_missing_files(server):
    import csv
    import hashlib
    import io
    import zipfile
    from test_documents import employee_with_documents_submitted
    _, _, p1, docs1 = employee_with_documents_submitted(server)
    _, _, p2, docs2 = employee_with_documents_submitted(server)
    gone = docs2["tax_form"]
    blob_file(server, gone["sha256"]).unlink()
    r = server.post("/api/v1/bulk/documents/archive", server.admin_token,
                    json={"profile_ids": [p1["id"], p2["id"], 999999999]})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/zip"
    assert r.headers["Content-Disposition"].startswith('attachment; filename="documents-')
    z = zipfile.ZipFile(io.BytesIO(r.content))
    assert z.testzip() is None
    names = z.namelist()
    assert names[-1] == "manifest.csv"
    rows = list(csv.DictReader(io.StringIO(z.read("manifest.csv").decode("utf-8"))))
    by_doc = {row["document_id"]: row for row in rows}
    for p, docs in ((p1, docs1), (p2, docs2)):
        name = profile_of(server, p["id"])["name"]
        for d in docs.values():
            row = by_doc[str(d["id"])]
            assert row["employee"] == name and row["profile_id"] == str(p["id"]) and row["type"] == d["type"]
            if d["id"] == gone["id"]:
                assert row["file"].startswith("missing") and row["path"] == ""
                continue
            assert row["file"] == "included" and row["sha256"] == d["sha256"] and row["size"] == str(d["size"])
            assert row["path"].startswith(f"{p['id']} ") and row["path"] in names
            assert hashlib.sha256(z.read(row["path"])).hexdigest() == d["sha256"]
    assert [row["file"] for row in rows if row["profile_id"] == "999999999"] == ["profile not found"]
    assert len([n for n in names if n != "manifest.csv"]) == 7  # eight documents, one file gone
    # Chosen documents, filtered by status.
    ids = [d["id"] for d in docs1.values()]
    r = server.post("/api/v1/bulk/documents/archive", server.admin_token,
                    json={"document_ids": ids + [999999999], "status": "pending"})
    assert r.status_code == 200, r.text
    rows = list(csv.DictReader(io.StringIO(zipfile.ZipFile(io.BytesIO(r.content)).read("manifest.csv").decode())))
    assert sorted(row["document_id"] for row in rows if row["file"] == "included") == sorted(str(i) for i in ids)
    assert [row["file"] for row in rows if row["document_id"] == "999999999"] == ["document not found"]


@pytest.mark.parametrize("body,field", [
    ({}, "document_ids"),
    ({"document_ids": [1], "profile_ids": [2]}, "document_ids"),
    ({"document_ids": []}, "document_ids"),
    ({"profile_ids": [1], "status": "lost"}, "status"),
    ({"profile_ids": ["x"]}, "profile_ids[0]"),
])
def test_bad_archive_requests_are_422(server, body, field):
    r = server.post("/api/v1/bulk/documents/archive", server.admin_token, json=body, bad=True)
    assert_error(r, 422, "validation_failed", field)


def templates_to(server, email: str) -> list[str]:
    r = server.get("/api/v1/email/messages", server.admin_token, params={"to": email, "limit": 200})
    assert r.status_code == 200, r.text
    return [m["template"] for m in r.json()["items"]]


def test_an_announcement_to_a_role_reaches_every_active_holder_in_the_feed_and_by_mail(start_server):
    srv = start_server()
    holders = [srv.user_with_token(roles=["reviewer"]) for _ in range(3)]
    (quiet_user, quiet_token) = holders[2]
    r = srv.put("/api/v1/auth/me/email-preferences", quiet_token, json={"notices_by_mail": False})
    assert r.status_code == 200, r.text
    suspended, _ = srv.user_with_token(roles=["reviewer"])
    assert srv.patch(f"/api/v1/users/{suspended['id']}", srv.admin_token, json={"status": "suspended"}).status_code == 200
    other, other_token = srv.user_with_token(roles=["employee"])
    r = srv.post("/api/v1/bulk/notifications", srv.admin_token, json={
        "roles": ["reviewer"], "title": "Office closed on Friday", "body": "Plan your reviews for Thursday.",
        "channels": ["in_app", "email"]})
    assert r.status_code == 200, r.text
    job = r.json()
    assert job["kind"] == "notifications" and job["total"] == 3 and job["succeeded"] == 3  # not the suspended one
    for user, token in holders:
        notes = [n for n in feed(srv, token)["items"] if n["kind"] == "announcement"]
        assert len(notes) == 1 and notes[0]["title"] == "Office closed on Friday"
        assert notes[0]["body"] == "Plan your reviews for Thursday."
    assert not [n for n in feed(srv, other_token)["items"] if n["kind"] == "announcement"]
    assert templates_to(srv, holders[0][0]["email"]).count("announcement") == 1
    assert "announcement" not in templates_to(srv, quiet_user["email"])  # opted out of non-essential mail
    # To users by id, mail only: an unknown id fails alone.
    r = srv.post("/api/v1/bulk/notifications", srv.admin_token, json={
        "user_ids": [other["id"], 999999999], "title": "Welcome", "body": "Hello.", "channels": ["email"]})
    assert r.status_code == 200, r.text
    assert [x["ok"] for x in r.json()["results"]] == [True, False]
    assert "announcement" in templates_to(srv, other["email"])
    assert not [n for n in feed(srv, other_token)["items"] if n["kind"] == "announcement"]


@pytest.mark.parametrize("body,field", [
    ({"title": "t", "body": "b"}, "user_ids"),
    ({"user_ids": [1], "roles": ["admin"], "title": "t", "body": "b"}, "user_ids"),
    ({"user_ids": [1], "title": "  ", "body": "b"}, "title"),
    ({"user_ids": [1], "title": "x" * 201, "body": "b"}, "title"),
    ({"user_ids": [1], "title": "t", "body": ""}, "body"),
    ({"user_ids": [1], "title": "t", "body": "b", "channels": ["sms"]}, "channels"),
    ({"user_ids": [1], "title": "t", "body": "b", "channels": []}, "channels"),
    ({"roles": ["nobody_holds_this"], "title": "t", "body": "b"}, "roles"),
])
def test_bad_announcements_are_422(server, body, field):
    r = server.post("/api/v1/bulk/notifications", server.admin_token, json=body, bad=True)
    assert_error(r, 422, "validation_failed", field)


def test_reminders_go_to_the_assignee_or_every_reviewer_once_per_quiet_period(start_server, clock):
    srv = start_server({**clock.env(), **LONG_SESSIONS, "HRMS_REMINDER_QUIET_HOURS": "24"})
    reviewer, reviewer_token = srv.user_with_token(roles=["reviewer"])
    _, other_reviewer_token = srv.user_with_token(roles=["reviewer"])
    assigned = employee_with_details_submitted(srv)[2]["id"]
    unassigned = employee_with_details_submitted(srv)[2]["id"]
    r = srv.post(f"/api/v1/profiles/{assigned}/assign", srv.admin_token, json={"reviewer_id": reviewer["id"]})
    assert r.status_code == 200, r.text
    sweep = lambda **body: srv.post("/api/v1/bulk/reminders", srv.admin_token, json=body)
    r = sweep()
    assert r.status_code == 200 and r.json()["reminded"] == 0, r.text  # not yet past the 48 h budget
    clock.forward(49 * 3600)
    r = sweep()
    assert r.status_code == 200, r.text
    assert r.json()["reminded"] == 2 and sorted(r.json()["profile_ids"]) == sorted([assigned, unassigned])
    mine = [n for n in feed(srv, reviewer_token)["items"] if n["kind"] == "reminder"]
    assert {n["data"]["profile_id"] for n in mine} == {assigned, unassigned}  # own, and the reviewers' channel
    theirs = [n for n in feed(srv, other_reviewer_token)["items"] if n["kind"] == "reminder"]
    assert [n["data"]["profile_id"] for n in theirs] == [unassigned]
    assert templates_to(srv, reviewer["email"]).count("reminder") == 1  # mail to the assignee only
    assert sweep().json()["reminded"] == 0  # quiet period
    clock.forward(25 * 3600)
    # The periodic job runs the same sweep.
    assert srv.post("/api/v1/admin/jobs/sla.remind/run", srv.admin_token).status_code == 202
    wait_until(lambda: len([n for n in feed(srv, other_reviewer_token)["items"] if n["kind"] == "reminder"]) == 2,
               10, what="the job's reminder")
    # A stage filter and an age of its own.
    fresh = employee_with_details_submitted(srv)[2]["id"]
    clock.forward(2 * 3600)
    r = sweep(stage="details", older_than_hours=1)
    assert r.json()["profile_ids"] == [fresh]
    assert sweep(stage="documents", older_than_hours=1).json()["reminded"] == 0
    assert_error(srv.post("/api/v1/bulk/reminders", srv.admin_token, json={"older_than_hours": 0}, bad=True),
                 422, "validation_failed", "older_than_hours")
    assert_error(srv.post("/api/v1/bulk/reminders", srv.admin_token, json={"stage": "completed"}, bad=True),
                 422, "validation_failed", "stage")


def test_escalation_marks_reviews_urgent_and_sends_one_aggregated_alert(start_server, clock):
    srv = start_server({**clock.env(), **LONG_SESSIONS})
    ids = [employee_with_details_submitted(srv)[2]["id"] for _ in range(3)]
    admin = srv.get("/api/v1/auth/me", srv.admin_token).json()
    clock.forward(97 * 3600)  # past 2 x the 48 h budget
    r = srv.post("/api/v1/bulk/escalations", srv.admin_token, json={})
    assert r.status_code == 200, r.text
    assert r.json()["escalated"] == 3 and sorted(r.json()["profile_ids"]) == sorted(ids)
    items = feed(srv, srv.admin_token, limit=200)["items"]
    alerts = [n for n in items if n["kind"] == "admin.escalation"]
    assert len(alerts) == 1 and alerts[0]["data"]["count"] == 3 and alerts[0]["data"]["threshold"] == 2
    assert "3 reviews are past 2\u00d7 their SLA; the oldest has waited 4.0 days." == alerts[0]["body"]
    assert len([n for n in items if n["kind"] == "admin.urgent_review"]) == 3  # one per review stays
    assert templates_to(srv, admin["email"]).count("admin.escalation") == 1
    # Marked urgent: on the profile and in the queue's filter.
    assert all(profile_of(srv, i)["sla"]["urgent"] is True for i in ids)
    r = srv.get("/api/v1/profiles", srv.admin_token, params={"urgent": "true", "limit": 200})
    assert sorted(p["id"] for p in r.json()["items"]) == sorted(ids)
    again = srv.post("/api/v1/bulk/escalations", srv.admin_token, json={})
    assert again.json()["escalated"] == 0
    assert len([n for n in feed(srv, srv.admin_token, limit=200)["items"] if n["kind"] == "admin.escalation"]) == 1
    # An admin's own threshold, for reviews not yet past the configured one.
    late = employee_with_details_submitted(srv)[2]["id"]
    assert profile_of(srv, late)["sla"]["urgent"] is False
    r = srv.get("/api/v1/profiles", srv.admin_token, params={"urgent": "false", "limit": 200})
    assert [p["id"] for p in r.json()["items"]] == [late]
    clock.forward(10 * 3600)
    r = srv.post("/api/v1/bulk/escalations", srv.admin_token, json={"threshold_hours": 8})
    assert r.json()["profile_ids"] == [late]
    assert_error(srv.post("/api/v1/bulk/escalations", srv.admin_token, json={"threshold_hours": -1}, bad=True),
                 422, "validation_failed", "threshold_hours")


def test_a_role_announcement_is_sized_by_its_recipients(start_server):
    srv = start_server({"HRMS_BULK_SYNC_LIMIT": "2"})
    tokens = [srv.user_with_token(roles=["reviewer"])[1] for _ in range(3)]
    r = srv.post("/api/v1/bulk/notifications", srv.admin_token,
                 json={"roles": ["reviewer"], "title": "Training on Monday", "body": "Room 4, 10:00."})
    assert r.status_code == 202, r.text  # three recipients: more than the two answered in the request
    job = wait_job(srv, r.json()["job_id"])
    assert job["succeeded"] == 3
    assert all(any(n["kind"] == "announcement" for n in feed(srv, t)["items"]) for t in tokens)
