"""Reports and the dashboard. The numbers are checked against a small world built through the API
on a moved clock, whose figures are worked out by hand below (a rework, a paused clock, a profile
on hold, an open breach). Every format is read back by an independent reader: json, Python's csv
module, pdftotext (poppler-utils) and openpyxl."""
import csv
import datetime as dt
import io
import json
import subprocess
import time

import pytest

from conftest import (BACKEND, assert_error, complete_details, decide, save_details, submit_stage, unique_email,
                      wait_until)
from test_documents import REQUIRED_DOCUMENTS, make_pdf, review, upload_ok
from test_email import inbox  # noqa: F401 - the SMTP server fixture

LONG_SESSIONS = {"HRMS_SESSION_TTL_S": "100000000", "HRMS_SESSION_MAX_AGE_S": "100000000"}
# Budgets that make the hand-worked figures easy: details 10 h, documents 20 h, final 5 h. The
# escalation sweep is kept out of the way (it would mark the open review urgent at its own time).
SLA = {"HRMS_SLA_HOURS_DETAILS": "10", "HRMS_SLA_HOURS_DOCUMENTS": "20", "HRMS_SLA_HOURS_FINAL": "5",
       "HRMS_SLA_SCAN_INTERVAL_S": "100000", "HRMS_REMINDER_INTERVAL_S": "100000"}
H = 3600.0
TOL_H = 0.02  # hours: the real time the requests themselves take, on top of the moved clock


def ok(r, status=200):
    assert r.status_code == status, r.text
    return r


class World:
    """The scenario, hour by hour (t = hours after the first submission):

    t=0   A, B, C and D submit their details
    t=1   admin puts C on hold (C's details clock pauses at 1 h)
    t=2   R1 approves A's details (waited 2 h, clock 2 h); A uploads the four documents
    t=3   A submits documents
    t=6   R2 rejects B's details, "Phone number missing" (waited 6 h, clock 6 h; B's clock pauses)
    t=8   R1 approves A's four documents and the documents stage (waited 5 h, clock 5 h)
    t=9   R2 approves A's final review: A completes, 9 h after joining
    t=20  B resubmits (14 h on the employee)
    t=26  R1 approves B's details (waited 6 h; clock 6 + 6 = 12 h > 10 h: a breach, 2 h late)
    t=30  admin resumes C (29 h on hold: nobody's turn)
    t=33  R2 approves C's details (waited 3 h since the resumption; clock 1 + 3 = 4 h)
    D's details are never decided: at t=33 the review is open, 23 h past its 10 h SLA.
    """

    def __init__(self, srv, clock):
        self.srv, self.clock = srv, clock
        self.t0 = None
        self.events = []  # (server time, kind) of every submission and decision

    def at(self, hours):
        """Moves the clock to t=hours."""
        now = self.clock.offset
        target = self.base_offset + hours * H
        if target > now:
            self.clock.forward(target - now)

    def server_now(self):
        return time.time() + self.clock.offset

    def log(self, kind):
        self.events.append((self.server_now(), kind))


@pytest.fixture(scope="module")
def world(tmp_path_factory, hrms_binary):
    from conftest import MovableClock, Server
    tmp = tmp_path_factory.mktemp("reports")
    clock = MovableClock(tmp / "clock")
    srv = Server(tmp / "srv", {**clock.env(), **LONG_SESSIONS, **SLA, "HRMS_LOGIN_RATE_PER_IP": "10000",
                               "HRMS_LOGIN_BURST_PER_IP": "10000"})
    w = World(srv, clock)
    w.base_offset = clock.offset
    admin = srv.admin_token
    r1, w.r1 = srv.user_with_token(roles=["reviewer"], name="Rita Reviewer")
    r2, w.r2 = srv.user_with_token(roles=["reviewer"], name="Ömer Reviewer")
    w.r1_user, w.r2_user = r1, r2
    people = {}
    for key, name in [("A", "Zoë Ångström"), ("B", "Łukasz Żółć"), ("C", "Ελένη Παπαδοπούλου"), ("D", "Дмитрий Иванов")]:
        user, token = srv.user_with_token(name=name)
        ok(save_details(srv, token, complete_details()))
        people[key] = (user, token)
    w.people = people
    w.profile = {}
    # t=0
    for key in "ABCD":
        w.profile[key] = ok(submit_stage(srv, people[key][1])).json()["id"]
        w.log("submission")
    w.at(1)
    ok(srv.post(f"/api/v1/profiles/{w.profile['C']}/status", admin, json={"employment_status": "on_hold"}))
    w.at(2)
    ok(decide(srv, w.r1, w.profile["A"], "details", "approve"))
    w.log("approve")
    docs = [upload_ok(srv, people["A"][1], t, make_pdf(f"{t} reports"), f"{t}.pdf") for t in REQUIRED_DOCUMENTS]
    w.at(3)
    ok(submit_stage(srv, people["A"][1]))
    w.log("submission")
    w.at(6)
    ok(decide(srv, w.r2, w.profile["B"], "details", "reject", reason="Phone number missing"))
    w.log("reject")
    w.at(8)
    for d in docs:
        ok(review(srv, w.r1, d["id"], "approve"))
    ok(decide(srv, w.r1, w.profile["A"], "documents", "approve"))
    w.log("approve")
    w.at(9)
    ok(decide(srv, w.r2, w.profile["A"], "final", "approve"))
    w.log("approve")
    w.at(20)
    ok(submit_stage(srv, people["B"][1]))
    w.log("submission")
    w.at(26)
    ok(decide(srv, w.r1, w.profile["B"], "details", "approve"))
    w.log("approve")
    w.at(30)
    ok(srv.post(f"/api/v1/profiles/{w.profile['C']}/status", admin, json={"employment_status": "onboarding"}))
    w.at(33)
    ok(decide(srv, w.r2, w.profile["C"], "details", "approve"))
    w.log("approve")
    yield w
    srv.cleanup()


def report(srv, kind, fmt="json", **params):
    r = srv.get(f"/api/v1/reports/{kind}", srv.admin_token, params={"format": fmt, **params})
    assert r.status_code == 200, r.text
    return r


def metrics_of(body):
    return {m["key"]: m for s in body["sections"] for m in s["metrics"]}


def table(body, key):
    for s in body["sections"]:
        for t in s["tables"]:
            if t["key"] == key:
                cols = [c["key"] for c in t["columns"]]
                return [dict(zip(cols, row)) for row in t["rows"]], t
    raise AssertionError(f"no table {key}")


def near(value, hours):
    assert value is not None and abs(value - hours) < TOL_H, (value, hours)


# --------------------------------------------------------------------------------------------
# The numbers, against the hand-worked figures


def test_sla_compliance_counts_paused_clocks_and_names_each_breach(world):
    body = report(world.srv, "sla").json()
    m = metrics_of(body)
    # 6 decisions with a clock; B's approval (12 h against 10 h) is the one breach: 5 of 6.
    assert m["decisions_timed"]["value"] == 6
    assert m["sla_breaches"]["value"] == 1
    assert m["sla_compliance"]["value"] == pytest.approx(100 * 5 / 6)
    assert m["open_breaches"]["value"] == 1  # D
    stages = {row["stage"]: row for row in table(body, "stages")[0]}
    assert (stages["details"]["decided"], stages["details"]["within"], stages["details"]["breaches"]) == (4, 3, 1)
    assert stages["details"]["compliance"] == pytest.approx(75.0)
    assert stages["details"]["budget_hours"] == pytest.approx(10)
    assert (stages["documents"]["decided"], stages["documents"]["compliance"]) == (1, 100.0)
    assert (stages["final"]["decided"], stages["final"]["compliance"]) == (1, 100.0)
    # B's clock paused while the details were back with B: 12 h, not the 26 h on the wall.
    [breach], t = table(body, "breaches")
    assert t["total_rows"] == 1
    assert breach["employee"] == "Łukasz Żółć" and breach["reviewer"] == "Rita Reviewer"
    assert breach["stage"] == "details" and breach["decision"] == "approve"
    near(breach["review_hours"], 12)
    near(breach["late_hours"], 2)
    # C's clock paused on hold: 4 h, within. D is open, 23 h late.
    [open_breach], _ = table(body, "open_breaches")
    assert open_breach["employee"] == "Дмитрий Иванов" and open_breach["stage"] == "details"
    near(open_breach["late_hours"], 23)
    assert any("Details has the lowest compliance: 75.0%" in i for i in body["insights"]), body["insights"]


def test_efficiency_stage_times_rework_and_the_bottleneck(world):
    body = report(world.srv, "efficiency").json()
    rows = {row["stage"]: row for row in table(body, "stages")[0]}
    # Details stays: A 2 h, B 26 h (6 + 14 + 6), C 33 h (1 + 29 on hold + 3): median 26, p90 33.
    assert rows["details"]["approved"] == 3
    near(rows["details"]["median_hours"], 26)
    near(rows["details"]["p90_hours"], 33)
    # On the reviewer: A 2, B 6 + 6, C 1 + 3 -> median 4; on the employee: A ~0, B 14, C ~0.
    near(rows["details"]["median_reviewer_hours"], 4)
    near(rows["details"]["median_employee_hours"], 0)
    assert rows["details"]["rework_rate"] == pytest.approx(100 / 3)
    # Documents: 1 h to submit after entering the stage, 5 h waiting on R1.
    near(rows["documents"]["median_hours"], 6)
    near(rows["documents"]["median_reviewer_hours"], 5)
    near(rows["documents"]["median_employee_hours"], 1)
    near(rows["final"]["median_hours"], 1)
    m = metrics_of(body)
    assert m["rework_rate"]["value"] == pytest.approx(20.0)  # 1 of 5 approvals
    assert m["completions"]["value"] == 1
    near(m["median_days_to_complete"]["value"] * 24, 9)
    # Waiting: employees 14 + 1 = 15 h, reviewers 2 + 12 + 4 + 5 + 1 = 24 h (on hold counts for neither).
    assert m["employee_wait_share"]["value"] == pytest.approx(100 * 15 / 39, abs=0.1)
    assert any(i.startswith("Details is the bottleneck: a median 26.0 h") for i in body["insights"]), body["insights"]
    # The rework rule quotes its numbers and the most common reason.
    assert any("33.3% of Details approvals (1 of 3)" in r and "Phone number missing" in r
               for r in body["recommendations"]), body["recommendations"]
    [reason], _ = table(body, "rejection_reasons")
    assert reason == {"stage": "details", "reason": "Phone number missing", "count": 1}


def test_reviewer_performance(world):
    body = report(world.srv, "admin-performance").json()
    rows = {row["reviewer"]: row for row in table(body, "reviewers")[0]}
    rita, omer = rows["Rita Reviewer"], rows["Ömer Reviewer"]
    # Rita: A details 2 h, A documents 5 h, B details 6 h (the breach).
    assert (rita["decisions"], rita["approvals"], rita["rejections"]) == (3, 3, 0)
    near(rita["median_decision_hours"], 5)
    assert rita["sla_compliance"] == pytest.approx(200 / 3)
    # Ömer: B rejected 6 h, A final 1 h, C details 3 h.
    assert (omer["decisions"], omer["approvals"], omer["rejections"]) == (3, 2, 1)
    assert omer["approval_rate"] == pytest.approx(200 / 3)
    near(omer["median_decision_hours"], 3)
    assert omer["sla_compliance"] == 100
    m = metrics_of(body)
    assert m["decisions"]["value"] == 6 and m["reviewers"]["value"] == 2
    near(m["median_decision_hours"]["value"], 4)  # of 1, 2, 3, 5, 6, 6
    assert m["approval_rate"]["value"] == pytest.approx(500 / 6)


def test_daily_and_weekly_count_what_happened_in_their_local_period(world):
    srv = world.srv
    tz = "America/New_York"
    # The day (in New York) of the last decision, and what the event log says happened in it.
    body = report(srv, "daily", tz=tz).json()
    start = dt.datetime.fromisoformat(body["period"]["start"].replace("Z", "+00:00")).timestamp()
    end = dt.datetime.fromisoformat(body["period"]["end"].replace("Z", "+00:00")).timestamp()
    assert body["period"]["time_zone"] == tz and body["period"]["from"] == body["period"]["to"]
    assert end - start in (23 * H, 24 * H, 25 * H)
    local_midnight = dt.datetime.fromtimestamp(start, dt.timezone.utc).astimezone(_zone(tz))
    assert (local_midnight.hour, local_midnight.minute) == (0, 0)
    within = [k for t, k in world.events if start <= t < end]
    m = metrics_of(body)
    assert m["submissions"]["value"] == within.count("submission")
    assert m["approvals"]["value"] == within.count("approve")
    assert m["rejections"]["value"] == within.count("reject")
    assert m["overdue_now"]["value"] == 1
    # The week: Monday to Sunday around the date given.
    week = report(srv, "weekly", date=body["period"]["from"]).json()
    monday = dt.date.fromisoformat(week["period"]["from"])
    assert monday.weekday() == 0 and dt.date.fromisoformat(week["period"]["to"]) == monday + dt.timedelta(days=6)
    rows, _ = table(week, "weeks")
    assert len(rows) == 5 and rows[-1]["week"] == week["period"]["from"]
    ws, we = (dt.datetime.fromisoformat(week["period"][k].replace("Z", "+00:00")).timestamp() for k in ("start", "end"))
    assert metrics_of(week)["decisions"]["value"] == sum(1 for t, k in world.events if ws <= t < we and k != "submission")


def _zone(name):
    from zoneinfo import ZoneInfo
    return ZoneInfo(name)


# --------------------------------------------------------------------------------------------
# Every format, read back by its own reader


def test_csv_is_rfc_4180_and_neutralises_formulas(world):
    r = report(world.srv, "sla", "csv")
    assert r.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in r.headers["Content-Disposition"]
    text = r.content.decode("utf-8")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["report", "SLA compliance"]
    metrics = {row[1]: row for row in rows if len(row) == 8 and row[0] == "overall"}
    assert float(metrics["sla_compliance"][4]) == pytest.approx(100 * 5 / 6)
    assert any(row[:2] == ["Łukasz Żółć", "details"] for row in rows)


def test_csv_formula_in_a_name_stays_text(start_server):
    srv = start_server()
    user, token = srv.user_with_token(name="=HYPERLINK(\"http://evil\")")
    ok(save_details(srv, token, complete_details()))
    pid = ok(submit_stage(srv, token)).json()["id"]
    ok(decide(srv, srv.admin_token, pid, "details", "reject", reason="-1+2"))
    text = report(srv, "efficiency", "csv").content.decode()
    assert "\"'-1+2\"" in text and "=HYPERLINK" not in text.replace("'=HYPERLINK", "")


def test_pdf_reads_back_with_the_names_in_their_own_scripts(world, tmp_path):
    r = report(world.srv, "sla", "pdf")
    assert r.headers["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF-")
    path = tmp_path / "sla.pdf"
    path.write_bytes(r.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()
    for expected in ["SLA compliance", "Łukasz Żółć", "Дмитрий Иванов", "Rita Reviewer", "Page 1 of", "83.3%"]:
        assert expected in text, expected


def test_xlsx_reads_back_with_typed_cells(world, tmp_path):
    r = report(world.srv, "admin-performance", "xlsx")
    path = tmp_path / "reviewers.xlsx"
    path.write_bytes(r.content)
    from openpyxl import load_workbook
    wb = load_workbook(path)
    assert wb.sheetnames[0] == "Summary"
    ws = wb["Reviewers"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, [c.value for c in row])) for row in ws.iter_rows(min_row=2) if row[0].value]
    rita = next(x for x in rows if x["Reviewer"] == "Rita Reviewer")
    assert rita["Decisions"] == 3 and isinstance(rita["Decisions"], (int, float))
    assert rita["Within SLA"] == pytest.approx(200 / 3)


def test_html_is_self_contained(world):
    r = report(world.srv, "efficiency", "html")
    assert r.headers["Content-Type"].startswith("text/html")
    html = r.content.decode()
    assert "<svg" in html and "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "Ελένη Παπαδοπούλου" in html or "Details is the bottleneck" in html


# --------------------------------------------------------------------------------------------
# Dashboard


def test_dashboard_counts_and_the_websocket_carries_the_same_model(world):
    srv = world.srv
    # A completed; B and C in documents (draft); D's details await review. The dashboard may be
    # a second old (as_of): wait for one computed after the last change.
    found = {}

    def current():
        found.update(ok(srv.get("/api/v1/dashboard", srv.admin_token)).json())
        return found["total"] == 4 and found["completed"] == 1

    wait_until(current, timeout=10, what="a dashboard with all four profiles")
    body = found
    assert body["in_progress"] == 3
    assert body["by_stage"]["documents"] == 2 and body["by_stage"]["details"] == 1
    assert body["overdue"] == 1
    assert body["today"]["approvals"] >= 1
    assert set(body) >= {"urgent", "this_week", "open_sessions", "email_queue", "bulk_jobs_running", "as_of"}
    # Reviewers see it too; employees do not.
    ok(srv.get("/api/v1/dashboard", world.r1))
    assert_error(srv.get("/api/v1/dashboard", world.people["A"][1]), 403, "forbidden")


# --------------------------------------------------------------------------------------------
# Bad input: 422 naming the field, never a 5xx


@pytest.mark.parametrize("path,params,field", [
    ("/api/v1/reports/bogus", {}, "kind"),
    ("/api/v1/reports/daily", {"format": "docx"}, "format"),
    ("/api/v1/reports/daily", {"date": "2026-02-30"}, "date"),
    ("/api/v1/reports/daily", {"date": "yesterday"}, "date"),
    ("/api/v1/reports/daily", {"from": "2026-01-01"}, "from"),
    ("/api/v1/reports/sla", {"from": "2026-03-01", "to": "2026-02-01"}, "from"),
    ("/api/v1/reports/sla", {"from": "2020-01-01", "to": "2026-01-01"}, "to"),
    ("/api/v1/reports/efficiency", {"to": "2026-13-01"}, "to"),
    ("/api/v1/reports/efficiency", {"tz": "Mars/Olympus_Mons"}, "tz"),
    ("/api/v1/reports/weekly", {"tz": "x" * 65}, "tz"),
])
def test_bad_report_requests_are_422(server, path, params, field):
    assert_error(server.get(path, server.admin_token, params=params, bad=True), 422, "validation_failed", field)


def test_reports_need_reports_read(server):
    _, token = server.user_with_token(roles=["reviewer"])
    assert_error(server.get("/api/v1/reports/daily", token), 403, "forbidden")
    assert_error(server.get("/api/v1/reports/runs", token), 403, "forbidden")
    assert_error(server.put("/api/v1/reports/schedules", token, json={"schedules": []}), 403, "forbidden")


# --------------------------------------------------------------------------------------------
# Schedules: kept in the database, run once across processes, mailed with the files attached


def schedule(**overrides):
    body = {"name": "Daily ops", "kind": "daily", "cadence": "daily", "at": "07:00", "time_zone": "UTC",
            "formats": ["pdf", "csv"], "recipients": ["hr-lead@example.com"]}
    body.update(overrides)
    return body


def runs(srv):
    return ok(srv.get("/api/v1/reports/runs", srv.admin_token, params={"limit": 200})).json()["items"]


def due_now(srv, clock, saved):
    """Moves the clock just past the earliest next run."""
    due = min(dt.datetime.fromisoformat(s["next_run_at"].replace("Z", "+00:00")).timestamp() for s in saved)
    clock.forward(max(0.0, due - (time.time() + clock.offset)) + 60)


def scheduler_env(clock, inbox=None, **extra):
    from test_email import smtp_env
    env = {**clock.env(), **LONG_SESSIONS, "HRMS_REPORT_INTERVAL_S": "0.1"}
    if inbox:
        env.update(smtp_env(inbox.port))
    env.update({k: str(v) for k, v in extra.items()})
    return env


def test_a_schedule_runs_once_and_mails_its_files_attached(start_server, clock, inbox):
    srv = start_server(scheduler_env(clock, inbox))
    saved = ok(srv.put("/api/v1/reports/schedules", srv.admin_token,
                       json={"schedules": [schedule(at="06:30", recipients=["hr-lead@example.com", "HR-Lead@Example.com",
                                                                            "ops@example.com"])]})).json()["items"]
    [s] = saved
    assert s["recipients"] == ["hr-lead@example.com", "ops@example.com"]  # normalised, each once
    assert s["formats"] == ["csv", "pdf"] and s["enabled"] is True
    due = dt.datetime.fromisoformat(s["next_run_at"].replace("Z", "+00:00"))
    assert (due.hour, due.minute) == (6, 30) and due.timestamp() > time.time() + clock.offset
    assert ok(srv.get("/api/v1/reports/schedules", srv.admin_token)).json()["items"] == saved
    assert runs(srv) == []
    due_now(srv, clock, saved)
    wait_until(lambda: [r for r in runs(srv) if r["status"] != "running"], timeout=15, what="a finished run")
    [run] = runs(srv)
    assert run["status"] == "succeeded" and run["source"] == "schedule" and run["schedule_id"] == s["id"], run
    # It covers the day before the one it ran on.
    assert run["period"]["from"] == run["period"]["to"] == (due.date() - dt.timedelta(days=1)).isoformat()
    files = {f["format"]: f for f in run["files"]}
    assert set(files) == {"csv", "pdf"}
    pdf = ok(srv.get(files["pdf"]["url"], srv.admin_token))
    assert pdf.content.startswith(b"%PDF-") and len(pdf.content) == files["pdf"]["size"]
    import hashlib
    assert hashlib.sha256(pdf.content).hexdigest() == files["pdf"]["sha256"]
    # Mailed to each recipient, the files attached byte for byte.
    wait_until(lambda: len(inbox.parsed()) >= 2, timeout=15, what="two report mails")
    got = {tuple(to): msg for _, to, msg in inbox.parsed()}
    assert set(got) == {("hr-lead@example.com",), ("ops@example.com",)}
    msg = got[("ops@example.com",)]
    assert "Daily operations" in msg["Subject"]
    attached = {p.get_filename(): p.get_content() for p in msg.iter_attachments()}
    assert attached[files["pdf"]["name"]] == pdf.content
    csv_part = attached[files["csv"]["name"]]
    assert (csv_part if isinstance(csv_part, str) else csv_part.decode()).startswith("report,Daily operations")
    # Once: later passes of the job find it no longer due, and it moved on a day.
    time.sleep(0.5)
    assert len(runs(srv)) == 1 and len(inbox.parsed()) == 2
    [after] = ok(srv.get("/api/v1/reports/schedules", srv.admin_token)).json()["items"]
    assert after["next_run_at"] > s["next_run_at"]
    # The run's record and its files, downloadable again, and a file it does not have is 404.
    assert ok(srv.get(f"/api/v1/reports/runs/{run['id']}", srv.admin_token)).json() == run
    assert_error(srv.get(f"/api/v1/reports/runs/{run['id']}/file", srv.admin_token, params={"format": "xlsx"}),
                 404, "not_found")
    assert_error(srv.get("/api/v1/reports/runs/999999", srv.admin_token), 404, "not_found")


@pytest.mark.skipif(BACKEND != "pg", reason="several processes share one database on PostgreSQL only")
def test_two_processes_run_a_due_schedule_exactly_once(start_server, clock, inbox, fresh_db):
    a = start_server(scheduler_env(clock, inbox), db=fresh_db, name="a")
    b = start_server(scheduler_env(clock, inbox), db=fresh_db, name="b")
    saved = ok(a.put("/api/v1/reports/schedules", a.admin_token,
                     json={"schedules": [schedule(name=f"s{i}", formats=["csv"], recipients=[f"r{i}@example.com"])
                                         for i in range(4)]})).json()["items"]
    due_now(a, clock, saved)
    wait_until(lambda: len([r for r in runs(a) if r["status"] == "succeeded"]) >= 4, timeout=20, what="four runs")
    time.sleep(1.0)  # several more passes of both processes' jobs
    done = runs(b)
    assert sorted(r["schedule_id"] for r in done) == sorted(s["id"] for s in saved), done
    wait_until(lambda: len(inbox.parsed()) >= 4, timeout=15, what="four mails")
    time.sleep(0.5)
    assert sorted(to[0] for _, to, _ in inbox.parsed()) == [f"r{i}@example.com" for i in range(4)]


def test_a_run_that_cannot_render_fails_with_its_reason_and_mails_nothing(start_server, clock, inbox):
    srv = start_server(scheduler_env(clock, inbox, HRMS_REPORT_FONT="/nonexistent/font.ttf"))
    saved = ok(srv.put("/api/v1/reports/schedules", srv.admin_token,
                       json={"schedules": [schedule(formats=["pdf"])]})).json()["items"]
    due_now(srv, clock, saved)
    wait_until(lambda: [r for r in runs(srv) if r["status"] != "running"], timeout=15, what="a finished run")
    [run] = runs(srv)
    assert run["status"] == "failed" and "/nonexistent/font.ttf" in run["error"] and run["files"] == []
    time.sleep(0.3)
    assert inbox.parsed() == []


def test_runs_past_retention_are_deleted_with_their_files(start_server, clock):
    srv = start_server(scheduler_env(clock, HRMS_REPORT_RETENTION_DAYS="1"))
    saved = ok(srv.put("/api/v1/reports/schedules", srv.admin_token,
                       json={"schedules": [schedule(formats=["csv"])]})).json()["items"]
    due_now(srv, clock, saved)
    wait_until(lambda: [r for r in runs(srv) if r["status"] == "succeeded"], timeout=15, what="a run")
    [first] = runs(srv)
    reports_dir = srv.db.data_dir / "reports"
    assert (reports_dir / first["files"][0]["name"]).exists()
    ok(srv.put("/api/v1/reports/schedules", srv.admin_token, json={"schedules": []}))  # no new runs
    clock.forward(2 * 86400)
    wait_until(lambda: runs(srv) == [], timeout=15, what="the run deleted")
    assert not (reports_dir / first["files"][0]["name"]).exists()


def test_weekly_schedules_run_on_their_weekday_in_their_time_zone(server):
    [s] = ok(server.put("/api/v1/reports/schedules", server.admin_token, json={"schedules": [
        schedule(kind="weekly", cadence="weekly", weekday=0, at="07:00", time_zone="Europe/Berlin")]})).json()["items"]
    local = dt.datetime.fromisoformat(s["next_run_at"].replace("Z", "+00:00")).astimezone(_zone("Europe/Berlin"))
    assert (local.weekday(), local.hour, local.minute) == (0, 7, 0)
    ok(server.put("/api/v1/reports/schedules", server.admin_token, json={"schedules": []}))


@pytest.mark.parametrize("change,field", [
    ({"kind": "monthly"}, "schedules[0].kind"),
    ({"cadence": "hourly"}, "schedules[0].cadence"),
    ({"weekday": 7}, "schedules[0].weekday"),
    ({"at": "24:00"}, "schedules[0].at"),
    ({"at": "7am"}, "schedules[0].at"),
    ({"time_zone": "Europe/Atlantis"}, "schedules[0].time_zone"),
    ({"formats": []}, "schedules[0].formats"),
    ({"formats": ["docx"]}, "schedules[0].formats[0]"),
    ({"recipients": []}, "schedules[0].recipients"),
    ({"recipients": ["not an address"]}, "schedules[0].recipients[0]"),
    ({"name": ""}, "schedules[0].name"),
    ({"name": "x" * 101}, "schedules[0].name"),
])
def test_a_bad_schedule_is_422_naming_it_and_changes_nothing(server, change, field):
    before = ok(server.get("/api/v1/reports/schedules", server.admin_token)).json()
    r = server.put("/api/v1/reports/schedules", server.admin_token, json={"schedules": [schedule(**change)]}, bad=True)
    assert_error(r, 422, "validation_failed", field)
    assert ok(server.get("/api/v1/reports/schedules", server.admin_token)).json() == before


def test_schedules_body_must_name_the_list(server):
    assert_error(server.put("/api/v1/reports/schedules", server.admin_token, json={}, bad=True), 422,
                 "validation_failed", "schedules")
    assert_error(server.put("/api/v1/reports/schedules", server.admin_token, data="{", bad=True,
                            headers={"Content-Type": "application/json"}), 400, "bad_request")
