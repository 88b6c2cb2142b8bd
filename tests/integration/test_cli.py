"""The command line: version, migrate, user create, config, and bad settings."""

import re
import subprocess

import pytest

from conftest import BACKEND, HRMS_BIN, PASSWORD, assert_error, child_env, run_cli, unique_email


def test_version_prints_the_version():
    r = subprocess.run([HRMS_BIN, "version"], capture_output=True, text=True, timeout=30,
                       env=child_env({}))
    assert r.returncode == 0, r.stderr
    assert re.fullmatch(r"hrms \d+\.\d+\.\d+\S*\n", r.stdout), r.stdout


def test_migrate_reports_the_schema_version_and_is_idempotent(fresh_db, start_server):
    first = run_cli(["migrate"], fresh_db)
    assert first.returncode == 0, first.stderr
    m = re.search(r"schema at version (\d+) \((\d+) applied\)", first.stdout)
    assert m, first.stdout
    version, applied = int(m.group(1)), int(m.group(2))
    assert version >= 1 and applied == version

    again = run_cli(["migrate"], fresh_db)
    assert again.returncode == 0, again.stderr
    assert f"schema at version {version} (0 applied)" in again.stdout

    srv = start_server(db=fresh_db)
    ready = srv.get("/readyz").json()
    assert ready["status"] == "ready" and ready["schema_version"] == version


def test_user_created_on_the_command_line_can_log_in(fresh_db, start_server):
    email = unique_email("cli")
    r = run_cli(["user", "create", "--email", email, "--name", "Cli Reviewer", "--role", "reviewer",
                 "--password-stdin"], fresh_db, stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    m = re.search(r"created user (\d+) <([^>]+)>", r.stdout)
    assert m and m.group(2) == email, r.stdout
    assert "invited" not in r.stdout
    assert PASSWORD not in r.stdout + r.stderr

    srv = start_server(db=fresh_db)
    login = srv.login(email, PASSWORD)
    assert login.status_code == 200, login.text
    user = login.json()["user"]
    assert user["id"] == int(m.group(1)) and user["roles"] == ["reviewer"] and user["name"] == "Cli Reviewer"
    assert srv.get("/api/v1/users", login.json()["token"]).status_code == 200


def test_command_line_user_create_validates_and_creates_nothing(fresh_db, start_server):
    email = unique_email("clibad")
    cases = [
        (["--email", email, "--name", "Weak", "--password-stdin"], "short\n"),
        (["--email", email, "--name", "Same", "--password-stdin"], email + "\n"),
        (["--email", "not-an-email", "--name", "Bad", "--password-stdin"], PASSWORD + "\n"),
        (["--email", email, "--name", "Ghost", "--role", "no_such_role", "--password-stdin"], PASSWORD + "\n"),
    ]
    for args, stdin in cases:
        r = run_cli(["user", "create", *args], fresh_db, stdin=stdin)
        assert r.returncode != 0, (args, r.stdout)
        assert "error" in r.stderr.lower(), r.stderr
    r = run_cli(["user", "create", "--name", "No Email"], fresh_db)
    assert r.returncode != 0

    ok = run_cli(["user", "create", "--email", email, "--name", "Fine", "--password-stdin"], fresh_db,
                 stdin=PASSWORD + "\n")
    assert ok.returncode == 0, ok.stderr
    dup = run_cli(["user", "create", "--email", email.upper(), "--name", "Dup", "--password-stdin"], fresh_db,
                  stdin="another-strong-password\n")
    assert dup.returncode != 0 and "error" in dup.stderr.lower()

    srv = start_server(db=fresh_db)
    users = srv.find_users("@")
    mine = [u for u in users if u["email"] != "admin@example.com"]
    assert [(u["email"], u["name"], u["roles"]) for u in mine] == [(email, "Fine", ["employee"])]
    assert srv.login(email, "another-strong-password").status_code == 401
    assert srv.login(email, PASSWORD).status_code == 200


def test_command_line_user_without_password_is_invited(fresh_db, start_server):
    email = unique_email("cliinv")
    r = run_cli(["user", "create", "--email", email, "--name", "Cli Invitee"], fresh_db)
    assert r.returncode == 0, r.stderr
    assert re.search(r"created user \d+ <" + re.escape(email) + r"> \(invited until \S+Z\)", r.stdout), r.stdout
    srv = start_server(db=fresh_db)
    found = srv.find_users(email)
    assert [u["status"] for u in found] == ["invited"]
    assert_error(srv.login(email, PASSWORD), 401, "unauthenticated")


def test_config_lists_the_settings(fresh_db):
    r = run_cli(["config"], fresh_db)
    assert r.returncode == 0, r.stderr
    names = set(r.stdout.split())
    assert {"HRMS_LISTEN", "HRMS_DATA_DIR", "HRMS_DATABASE_URL", "HRMS_MAX_BODY_BYTES",
            "HRMS_SESSION_TTL_S", "HRMS_LOGIN_MAX_FAILURES"} <= names


def test_serve_refuses_invalid_settings(fresh_db):
    for env in [{"HRMS_LOGIN_MAX_FAILURES": "lots"}, {"HRMS_MAX_BODY_BYTES": "10"},
                {"HRMS_LOG_LEVEL": "chatty"}, {"HRMS_DEV_MODE": "maybe"}]:
        r = run_cli(["serve"], fresh_db, extra_env={"HRMS_LISTEN": "127.0.0.1:0", **env}, timeout=20)
        assert r.returncode != 0, env
        assert "error" in r.stderr.lower(), (env, r.stderr)


def test_unknown_command_is_an_error():
    r = subprocess.run([HRMS_BIN, "frobnicate"], capture_output=True, text=True, timeout=30, env=child_env({}))
    assert r.returncode != 0


@pytest.mark.skipif(BACKEND != "pg", reason="PostgreSQL only")
def test_postgresql_url_forms_are_accepted(fresh_db):
    """postgresql://user@host:port/db (no query string) and the postgres:// alias both work."""
    for url in [fresh_db.url, fresh_db.url.replace("postgresql://", "postgres://", 1)]:
        r = run_cli(["migrate"], fresh_db, extra_env={"HRMS_DATABASE_URL": url})
        assert r.returncode == 0, (url, r.stderr)
        assert re.search(r"schema at version \d+", r.stdout), r.stdout


def test_demo_seed_walks_employees_through_every_stage_with_their_feeds(fresh_db, start_server):
    r = run_cli(["demo", "seed", "--employees", "60", "--seed", "7"], fresh_db, timeout=120)
    assert r.returncode == 0, r.stderr
    m = re.search(r"seeded (\d+) employees, (\d+) reviewers, (\d+) documents, (\d+) history rows, "
                  r"(\d+) notifications", r.stdout)
    assert m, r.stdout
    employees, reviewers, documents, history, notifications = map(int, m.groups())
    assert (employees, reviewers) == (60, 3) and documents > 0 and history > 0 and notifications > history

    srv = start_server(db=fresh_db)
    profiles = srv.get("/api/v1/profiles", srv.admin_token, params={"limit": 200}).json()["items"]
    assert len(profiles) == 60
    assert {p["stage"] for p in profiles} == {"details", "documents", "final", "completed"}
    # A seeded employee's feed tells their story, and the reviewers' feed their submissions;
    # the contract check validates every notification's data on the way.
    walked = next(p for p in profiles if p["stage"] == "completed")
    token = srv.token_for(walked["email"], "demo-password-123")
    kinds = [n["kind"] for n in srv.get("/api/v1/notifications", token, params={"limit": 200}).json()["items"]]
    assert "profile.submitted" in kinds and "document.uploaded" in kinds and kinds[-1] == "profile.completed"
    admin_kinds = {n["kind"] for n in srv.get("/api/v1/notifications", srv.admin_token,
                                               params={"limit": 200}).json()["items"]}
    assert "admin.new_submission" in admin_kinds
