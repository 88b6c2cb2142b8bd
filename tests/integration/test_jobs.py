"""Background jobs: the runner's view at /api/v1/admin/jobs, runs on demand, the SLA escalation
job, and on PostgreSQL exactly one process running a job at a time."""

import signal

import pytest

from conftest import BACKEND, assert_error, employee_with_details_submitted, feed, wait_until

JOB = "sla.escalate"


def jobs(srv) -> dict:
    r = srv.get("/api/v1/admin/jobs", srv.admin_token)
    assert r.status_code == 200, r.text
    return r.json()


def job(srv, name=JOB) -> dict:
    return next(j for j in jobs(srv)["items"] if j["name"] == name)


def runs(srv, name=JOB, **params) -> list[dict]:
    r = srv.get("/api/v1/admin/jobs/runs", srv.admin_token, params={"job": name, "limit": 200, **params})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def trigger(srv, name=JOB):
    r = srv.post(f"/api/v1/admin/jobs/{name}/run", srv.admin_token)
    assert r.status_code == 202, r.text
    assert r.json() == {"job": name, "triggered": True}


def run_once(srv, name=JOB) -> dict:
    """Triggers a run and waits for it to be recorded as finished; returns it."""
    before = max([r["id"] for r in runs(srv, name)], default=0)
    trigger(srv, name)
    return wait_until(lambda: next((r for r in runs(srv, name) if r["id"] > before and r["outcome"] != "running"),
                                   None), timeout=10, what=f"a run of {name}")


def test_the_jobs_are_listed_with_their_schedule_counters_and_last_run(server):
    listing = jobs(server)
    assert listing["instance"]
    sla = job(server)
    assert sla["interval_s"] == 60 and sla["single_instance"] is True
    assert sla["description"]
    run = run_once(server)
    assert run["outcome"] == "ok" and run["error"] is None and run["items"] >= 0
    assert run["instance"] == listing["instance"]
    assert run["finished_at"] >= run["started_at"]
    after = job(server)
    assert after["last_run"]["id"] >= run["id"]
    assert after["runs"] >= 1 and after["lease_holder"] == listing["instance"]
    metrics = server.get("/metrics").text
    assert 'hrms_job_runs_total{job="sla.escalate",outcome="ok"}' in metrics
    assert 'hrms_job_last_success_timestamp_seconds{job="sla.escalate"}' in metrics


def test_runs_are_paged_newest_first(server):
    for _ in range(3):
        run_once(server)
    r = server.get("/api/v1/admin/jobs/runs", server.admin_token, params={"job": JOB, "limit": 2})
    assert r.status_code == 200
    first = r.json()
    assert len(first["items"]) == 2 and first["next_cursor"] == str(first["items"][-1]["id"])
    assert first["items"][0]["id"] > first["items"][1]["id"]
    second = server.get("/api/v1/admin/jobs/runs", server.admin_token,
                        params={"job": JOB, "limit": 2, "cursor": first["next_cursor"]}).json()
    assert second["items"] and second["items"][0]["id"] < first["items"][-1]["id"]


def test_an_unknown_job_is_404_and_bad_paging_is_422(server):
    assert_error(server.post("/api/v1/admin/jobs/no.such.job/run", server.admin_token), 404, "not_found")
    assert_error(server.get("/api/v1/admin/jobs/runs", server.admin_token, params={"job": "no.such.job"}),
                 404, "not_found")
    assert_error(server.get("/api/v1/admin/jobs/runs", server.admin_token, params={"limit": 0}, bad=True),
                 422, "validation_failed", "limit")


def test_nobody_without_jobs_manage_sees_or_runs_jobs(server):
    _, reviewer = server.user_with_token(roles=["reviewer"])
    assert_error(server.get("/api/v1/admin/jobs", reviewer), 403, "forbidden")
    assert_error(server.get("/api/v1/admin/jobs/runs", reviewer), 403, "forbidden")
    assert_error(server.post(f"/api/v1/admin/jobs/{JOB}/run", reviewer), 403, "forbidden")
    assert_error(server.get("/api/v1/admin/jobs"), 401, "unauthenticated")


def test_a_review_past_its_escalation_point_alerts_the_admins_once(start_server):
    # Budget 0.36 s for details, escalation at 1.0x of it; no scans but those asked for.
    srv = start_server({"HRMS_SLA_HOURS_DETAILS": "0.0001", "HRMS_ESCALATE_AFTER": "1.0",
                        "HRMS_SLA_SCAN_INTERVAL_S": "3600"})
    user, token, profile = employee_with_details_submitted(srv)
    _, _, held = employee_with_details_submitted(srv)
    assert srv.post(f"/api/v1/profiles/{held['id']}/status", srv.admin_token,
                    json={"employment_status": "on_hold"}).status_code == 200  # its clock is paused

    def urgent(pid):
        return [n for n in feed(srv, srv.admin_token, limit=200)["items"]
                if n["kind"] == "admin.urgent_review" and n["data"]["profile_id"] == pid]

    def escalated():
        run_once(srv)
        return urgent(profile["id"])

    alerts = wait_until(escalated, timeout=15, what="the urgent review alert")
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert["data"]["stage"] == "details" and alert["data"]["assignee_id"] is None
    assert alert["data"]["elapsed_hours"] >= alert["data"]["budget_hours"] > 0
    for _ in range(2):  # more scans: still one alert for this review, none for the held profile
        assert run_once(srv)["items"] == 0
    assert len(urgent(profile["id"])) == 1 and urgent(held["id"]) == []
    assert all(n["kind"] != "admin.urgent_review" for n in feed(srv, token)["items"])  # employees are not told
    assert sum(r["items"] for r in runs(srv)) == 1


pg_only = pytest.mark.skipif(BACKEND != "pg", reason="needs PostgreSQL")


@pg_only
def test_on_postgresql_one_process_at_a_time_runs_a_job(start_server):
    fast = {"HRMS_SLA_SCAN_INTERVAL_S": "0.1", "HRMS_JOB_LEASE_S": "2"}
    a = start_server(fast, name="a")
    b = start_server(fast, db=a.db, name="b")
    wait_until(lambda: len(runs(a)) >= 8, timeout=20, what="eight runs")
    holder = job(a)["lease_holder"]
    names = {jobs(a)["instance"]: a, jobs(b)["instance"]: b}
    assert holder in names
    assert {r["instance"] for r in runs(a)} == {holder}, "two processes ran the job"
    other = b if names[holder] is a else a
    assert job(other)["skipped"] > 0 and job(other)["runs"] == 0

    # A clean stop gives the lease up: the other process takes over at its next run.
    names[holder].stop(signal.SIGTERM)
    taken = wait_until(lambda: job(other)["runs"] > 0, timeout=10, what="the other process to take over")
    assert taken
    new_holder = jobs(other)["instance"]
    assert job(other)["lease_holder"] == new_holder

    # A killed holder is replaced once its lease runs out; a run it left unfinished is marked.
    c = start_server(fast, db=a.db, name="c")
    other.stop(signal.SIGKILL)
    wait_until(lambda: job(c)["runs"] > 0, timeout=10, what="a third process to take over after a kill")
    recent = runs(c)
    assert recent[0]["instance"] == jobs(c)["instance"]
    assert all(r["outcome"] != "running" or r["instance"] == jobs(c)["instance"] for r in recent)
    assert {r["outcome"] for r in recent} <= {"ok", "interrupted", "running"}
