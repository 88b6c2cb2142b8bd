"""Every endpoint as every role: anonymous callers get 401, roles without the permission get 403
(or 404 where a resource is not theirs to see), and permitted roles get past authorization.
Requests use harmless bodies: the point is who is let through, not what the action does."""
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import ADMIN_EMAIL, PASSWORD, Server, complete_details, uniq, unique_email

ANON, EMPLOYEE, REVIEWER, ADMIN = "anonymous", "employee", "reviewer", "admin"
ROLES = [ANON, EMPLOYEE, REVIEWER, ADMIN]


@pytest.fixture(scope="module")
def world(server):
    """One user per role, a second employee with a submitted profile, and ids to aim at."""
    tokens = {ANON: None, ADMIN: server.admin_token}
    users = {}
    for role in (EMPLOYEE, REVIEWER):
        users[role], tokens[role] = server.user_with_token(roles=[role])
    other, other_token = server.user_with_token(roles=[EMPLOYEE])
    assert server.put("/api/v1/profiles/me/details", other_token, json=complete_details()).status_code == 200
    profile = server.post("/api/v1/profiles/me/submit", other_token).json()
    return {"tokens": tokens, "users": users, "other": other, "profile": profile}


def endpoints(w):
    """(method, path, kwargs, roles allowed, status for a denied signed-in role)."""
    pid, other_id = w["profile"]["id"], w["other"]["id"]
    reviewer_id = w["users"][REVIEWER]["id"]
    j = lambda body: {"json": body}
    return [
        ("GET", "/api/v1/auth/me", {}, {EMPLOYEE, REVIEWER, ADMIN}, None),
        ("GET", "/api/v1/users", {}, {REVIEWER, ADMIN}, 403),
        ("GET", f"/api/v1/users/{other_id}", {}, {REVIEWER, ADMIN}, 404),
        ("POST", "/api/v1/users", j({"email": ADMIN_EMAIL, "name": "Nobody"}), {ADMIN}, 403),
        ("PATCH", f"/api/v1/users/{other_id}", j({}), {ADMIN}, 403),
        ("PUT", f"/api/v1/users/{other_id}/manager", j({"manager_id": None}), {ADMIN}, 403),
        ("PUT", f"/api/v1/users/{other_id}/roles", j({"roles": ["employee"]}), {ADMIN}, 403),
        ("DELETE", f"/api/v1/users/{other_id}/sessions", {}, {ADMIN}, 403),
        ("GET", "/api/v1/roles", {}, {REVIEWER, ADMIN}, 403),
        ("GET", "/api/v1/roles/employee", {}, {REVIEWER, ADMIN}, 403),
        ("POST", "/api/v1/roles", j({"name": "employee"}), {ADMIN}, 403),
        ("PUT", "/api/v1/roles/nope_role", j({}), {ADMIN}, 403),
        ("DELETE", "/api/v1/roles/nope_role", {}, {ADMIN}, 403),
        ("GET", "/api/v1/profiles", {}, {REVIEWER, ADMIN}, 403),
        ("GET", f"/api/v1/profiles/{pid}", {}, {REVIEWER, ADMIN}, 404),
        ("POST", f"/api/v1/profiles/{pid}/decision", j({"stage": "final", "decision": "approve"}), {REVIEWER, ADMIN}, 403),
        ("POST", f"/api/v1/profiles/{pid}/assign", j({"reviewer_id": reviewer_id}), {ADMIN}, 403),
        ("POST", f"/api/v1/profiles/{pid}/status", j({"employment_status": "onboarding"}), {ADMIN}, 403),
        # Admins hold every permission but have no profile of their own: 404 for them.
        ("GET", "/api/v1/profiles/me", {}, {EMPLOYEE}, (403, 404)),
        ("PUT", "/api/v1/profiles/me/details", j({}), {EMPLOYEE}, (403, 404)),
        ("POST", "/api/v1/profiles/me/submit", {}, {EMPLOYEE}, (403, 404)),
        ("GET", "/api/v1/document-types", {}, {EMPLOYEE, REVIEWER, ADMIN}, None),
        ("GET", "/api/v1/documents/999999", {}, set(), 404),
        ("POST", "/api/v1/documents/999999/decision", j({"decision": "approve"}), {REVIEWER, ADMIN}, 403),
        ("GET", "/api/v1/notifications", {}, {EMPLOYEE, REVIEWER, ADMIN}, None),
        ("GET", "/api/v1/notifications/unread-count", {}, {EMPLOYEE, REVIEWER, ADMIN}, None),
        ("POST", "/api/v1/notifications/read-all", {}, {EMPLOYEE, REVIEWER, ADMIN}, None),
        ("POST", "/api/v1/notifications/999999/read", {}, {EMPLOYEE, REVIEWER, ADMIN}, None),
        ("GET", "/api/v1/documents/999999/content", {}, set(), 404),
        ("GET", "/api/v1/admin/ws/sessions", {}, {ADMIN}, 403),
        ("GET", "/api/v1/admin/ws/stats", {}, {ADMIN}, 403),
        ("GET", "/api/v1/admin/jobs", {}, {ADMIN}, 403),
        ("GET", "/api/v1/admin/jobs/runs", {}, {ADMIN}, 403),
        ("POST", "/api/v1/admin/jobs/no.such.job/run", {}, {ADMIN}, 403),
        ("GET", "/api/v1/audit", {}, {ADMIN}, 403),
        ("GET", "/api/v1/audit/verify", {}, {ADMIN}, 403),
        ("GET", "/api/v1/audit/99999999", {}, {ADMIN}, 403),
        ("GET", "/api/v1/auth/me/email-preferences", {}, {EMPLOYEE, REVIEWER, ADMIN}, None),
        ("PUT", "/api/v1/auth/me/email-preferences", j({"notices_by_mail": True}), {EMPLOYEE, REVIEWER, ADMIN}, None),
        ("POST", "/api/v1/bulk/profiles/decision", j({"profile_ids": [999999999], "decision": "approve"}), {ADMIN}, 403),
        ("POST", "/api/v1/bulk/profiles/status", j({"profile_ids": [999999999], "employment_status": "on_hold"}), {ADMIN}, 403),
        ("POST", "/api/v1/bulk/roles", j({"user_ids": [999999999], "add": ["employee"]}), {ADMIN}, 403),
        ("POST", "/api/v1/bulk/managers", j({"assignments": [{"user_id": 999999999, "manager_id": None}]}), {ADMIN}, 403),
        ("POST", "/api/v1/bulk/documents/decision", j({"items": [{"document_id": 999999999, "decision": "approve"}]}), {ADMIN}, 403),
        ("POST", "/api/v1/bulk/documents/archive", j({"document_ids": [999999999]}), {ADMIN}, 403),
        ("POST", "/api/v1/bulk/notifications", j({"user_ids": [999999999], "title": "t", "body": "b"}), {ADMIN}, 403),
        ("POST", "/api/v1/bulk/reminders", j({"older_than_hours": 8000}), {ADMIN}, 403),
        ("POST", "/api/v1/bulk/escalations", j({"threshold_hours": 8000}), {ADMIN}, 403),
        ("GET", "/api/v1/bulk/jobs", {}, {ADMIN}, 403),
        ("GET", "/api/v1/dashboard", {}, {REVIEWER, ADMIN}, 403),
        ("GET", "/api/v1/reports/daily", {}, {ADMIN}, 403),
        ("GET", "/api/v1/reports/schedules", {}, {ADMIN}, 403),
        ("PUT", "/api/v1/reports/schedules", j({"schedules": []}), {ADMIN}, 403),
        ("GET", "/api/v1/reports/runs", {}, {ADMIN}, 403),
        ("GET", "/api/v1/reports/runs/99999999", {}, {ADMIN}, 403),
        ("GET", "/api/v1/reports/runs/99999999/file", {}, {ADMIN}, 403),
        ("GET", "/api/v1/bulk/jobs/99999999", {}, {ADMIN}, 403),
        ("POST", "/api/v1/bulk/jobs/99999999/cancel", {}, {ADMIN}, 403),
        ("GET", "/api/v1/email/messages", {}, {ADMIN}, 403),
        ("GET", "/api/v1/email/messages/99999999", {}, set(), (403, 404)),
        ("POST", "/api/v1/email/test", j({"to": "matrix@example.com"}), {ADMIN}, 403),
        ("GET", "/api/v1/email/providers", {}, {ADMIN}, 403),
        ("GET", "/api/v1/email/stats", {}, {ADMIN}, 403),
        ("GET", "/api/v1/email/suppressions", {}, {ADMIN}, 403),
        ("GET", "/api/v1/email/templates", {}, {ADMIN}, 403),
        ("GET", "/api/v1/email/templates/invite/preview", {}, {ADMIN}, 403),
    ]


# Documented operations the table above does not walk, and where they are covered instead.
NOT_IN_TABLE = {
    ("GET", "/healthz"): "public",
    ("GET", "/readyz"): "public",
    ("GET", "/metrics"): "its own rules: test_hygiene.py (token with metrics.read or HRMS_METRICS_ALLOW)",
    ("GET", "/api/openapi.yaml"): "public",
    ("POST", "/api/v1/auth/login"): "public",
    ("POST", "/api/v1/auth/password"): "public (invite token): test_auth.py",
    ("POST", "/api/v1/auth/password-reset"): "public (same answer for every email): test_email.py",
    ("POST", "/api/v1/auth/logout"): "any session, its own: test_auth.py (it would end the table's sessions)",
    ("POST", "/api/v1/profiles/me/documents"): "an upload: test_upload_is_refused_... below",
    ("GET", "/api/v1/ws"): "an upgrade: test_ws.py",
    ("POST", "/api/v1/webhooks/email/sendgrid"): "public, signed by the provider: test_email.py",
    ("POST", "/api/v1/webhooks/email/ses"): "public, signed by SNS: test_email.py",
}


def test_every_documented_operation_is_in_the_matrix(server, world):
    """A new endpoint joins the matrix the day it lands: documenting it without adding it to
    the table above (or to NOT_IN_TABLE with a reason) fails here."""
    from test_system import _openapi_paths
    import re
    documented = _openapi_paths(server.get("/api/openapi.yaml").text)
    walked = {(m, re.sub(r"/\d+(?=/|$)", "/{}", re.sub(r"/(nope_role|employee|no\.such\.job|invite|daily)(?=/|$)", "/{}", p)))
              for m, p, *_ in endpoints(world)}
    exempt = {(m, re.sub(r"\{[^}]*\}", "{}", p)) for m, p in NOT_IN_TABLE}
    missing = sorted(f"{m} {p}" for p, methods in documented.items() for m in methods
                     if (m.upper(), p) not in walked and (m.upper(), p) not in exempt)
    assert not missing, f"documented operations missing from the authorization matrix: {missing}"


def test_every_endpoint_answers_every_role_as_its_permissions_say(server, world):
    problems = []
    for method, path, kw, allowed, denied_status in endpoints(world):
        for role in ROLES:
            r = server.request(method, path, world["tokens"][role], **kw)
            if role == ANON:
                ok = r.status_code == 401
                want = "401"
            elif role in allowed:
                ok = r.status_code not in (401, 403)
                want = "not 401/403"
            else:
                accepted = denied_status if isinstance(denied_status, tuple) else (denied_status,)
                ok = denied_status is None or r.status_code in accepted
                want = str(denied_status)
            if not ok:
                problems.append(f"{method} {path} as {role}: {r.status_code} (want {want}) {r.text[:120]}")
    assert not problems, "\n".join(problems)


def test_upload_is_refused_for_anonymous_callers_and_users_without_a_profile(server, world):
    files = {"file": ("a.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}
    r = server.post("/api/v1/profiles/me/documents", None, data={"type": "id_proof"}, files=files)
    assert r.status_code == 401
    for role in (REVIEWER, ADMIN):
        r = server.post("/api/v1/profiles/me/documents", world["tokens"][role], data={"type": "id_proof"}, files=files)
        # reviewers lack profile.self; admins hold it but have no profile
        assert r.status_code in (403, 404), (role, r.text)


# --------------------------------------------------------------------------------------------
# Every permission on its own: what it opens, and that no path turns it into more.

# The permission vocabulary but "*" (GET /api/v1/roles shows the names in use).
VOCABULARY = ["profile.self", "users.read", "users.write", "roles.manage", "profiles.read",
              "profiles.review", "profiles.assign", "profiles.status", "documents.review", "bulk.run",
              "reports.read", "reports.manage", "audit.read", "email.manage", "metrics.read", "ws.admin",
              "jobs.manage"]
# Pairs that together reach every path that hands out power.
PAIRS = [("roles.manage", "users.write"), ("roles.manage", "users.read"), ("users.write", "users.read")]
SELF = "profile.self"  # power over one's own records only: never counted as power over others


@pytest.fixture(scope="module")
def ladder(tmp_path_factory, hrms_binary):
    """A server of its own (the tests below aim at its bootstrap admin) with, for each permission
    and each of PAIRS, a custom role holding exactly that and one user holding only that role; a
    second admin who checks the outcome; and an employee with a submitted profile to aim at.
    Both tests share the actors: the climb is meant to change nothing about them, and asserts so."""
    srv = Server(tmp_path_factory.mktemp("ladder"), {"HRMS_LOGIN_RATE_PER_IP": "10000",
                                                      "HRMS_LOGIN_BURST_PER_IP": "10000",
                                                      "HRMS_LOGIN_IP_MAX_FAILURES": "10000"})
    try:
        admin = srv.get("/api/v1/auth/me", srv.admin_token).json()
        _, witness_token = srv.user_with_token(roles=["admin"], name="Witness")
        other, other_token = srv.user_with_token()
        assert srv.put("/api/v1/profiles/me/details", other_token, json=complete_details()).status_code == 200
        profile = srv.post("/api/v1/profiles/me/submit", other_token).json()
        reviewer = srv.create_user(roles=["reviewer"], password=None)
        actors = []
        for perms in [(p,) for p in VOCABULARY] + PAIRS:
            role = uniq("only_")
            r = srv.post("/api/v1/roles", srv.admin_token, json={"name": role, "permissions": list(perms)})
            assert r.status_code == 201, r.text
            actors.append({"perms": set(perms), "role": role})
        # Password hashing dominates the setup: make the users side by side.
        with ThreadPoolExecutor(max_workers=4) as pool:
            made = list(pool.map(lambda a: new_user_with_token(srv, [a["role"]]), actors))
        for actor, (user, token) in zip(actors, made):
            actor.update(user=user, token=token)
        yield {"srv": srv, "admin": admin, "witness_token": witness_token, "other": other,
               "profile": profile, "reviewer": reviewer, "actors": actors}
    finally:
        srv.cleanup()


def new_user_with_token(srv, roles) -> tuple[dict, str]:
    """Server.user_with_token for a worker thread: its own connections, not the shared session."""
    auth = {"Authorization": f"Bearer {srv.admin_token}"}
    email = unique_email()
    r = requests.post(f"{srv.url}/api/v1/users", headers=auth, timeout=30,
                      json={"email": email, "name": "Only", "roles": roles, "password": PASSWORD})
    assert r.status_code == 201, r.text
    login = requests.post(f"{srv.url}/api/v1/auth/login", json={"email": email, "password": PASSWORD}, timeout=30)
    assert login.status_code == 200, login.text
    return r.json(), login.json()["token"]


def permission_endpoints(l):
    """(method, path, kwargs, the permission that opens it, statuses for everyone else). Harmless
    bodies again; every target holds no more than profile.self, so acting on it is within reach."""
    pid, other_id, reviewer_id = l["profile"]["id"], l["other"]["id"], l["reviewer"]["id"]
    j = lambda body: {"json": body}
    return [
        ("GET", "/api/v1/users", {}, "users.read", (403,)),
        ("GET", f"/api/v1/users/{other_id}", {}, "users.read", (404,)),
        ("GET", "/api/v1/roles", {}, "users.read", (403,)),
        ("GET", "/api/v1/roles/employee", {}, "users.read", (403,)),
        ("POST", "/api/v1/users", j({"email": ADMIN_EMAIL, "name": "Nobody"}), "users.write", (403,)),
        ("PATCH", f"/api/v1/users/{other_id}", j({}), "users.write", (403,)),
        ("PUT", f"/api/v1/users/{other_id}/manager", j({"manager_id": None}), "users.write", (403,)),
        ("DELETE", f"/api/v1/users/{other_id}/sessions", {}, "users.write", (403,)),
        ("PUT", f"/api/v1/users/{other_id}/roles", j({"roles": ["employee"]}), "roles.manage", (403,)),
        ("POST", "/api/v1/roles", j({"name": "employee"}), "roles.manage", (403,)),
        ("PUT", "/api/v1/roles/nope_role", j({}), "roles.manage", (403,)),
        ("DELETE", "/api/v1/roles/nope_role", {}, "roles.manage", (403,)),
        ("GET", "/api/v1/profiles", {}, "profiles.read", (403,)),
        ("GET", f"/api/v1/profiles/{pid}", {}, "profiles.read", (404,)),
        ("POST", f"/api/v1/profiles/{pid}/decision", j({"stage": "final", "decision": "approve"}),
         "profiles.review", (403,)),
        ("POST", f"/api/v1/profiles/{pid}/assign", j({"reviewer_id": reviewer_id}), "profiles.assign", (403,)),
        ("POST", f"/api/v1/profiles/{pid}/status", j({"employment_status": "onboarding"}), "profiles.status",
         (403,)),
        ("POST", "/api/v1/documents/999999/decision", j({"decision": "approve"}), "documents.review", (403,)),
        # Users made from a custom role are not onboarded: no profile, hence 404 past authorization.
        ("GET", "/api/v1/profiles/me", {}, SELF, (403,)),
        ("PUT", "/api/v1/profiles/me/details", j({}), SELF, (403,)),
        ("GET", "/api/v1/admin/ws/sessions", {}, "ws.admin", (403,)),
        ("GET", "/api/v1/admin/ws/stats", {}, "ws.admin", (403,)),
        ("GET", "/api/v1/admin/jobs", {}, "jobs.manage", (403,)),
        ("GET", "/api/v1/admin/jobs/runs", {}, "jobs.manage", (403,)),
        ("POST", "/api/v1/admin/jobs/no.such.job/run", {}, "jobs.manage", (403,)),
        ("GET", "/api/v1/audit", {}, "audit.read", (403,)),
        ("GET", "/api/v1/audit/verify", {}, "audit.read", (403,)),
        ("GET", "/api/v1/audit/99999999", {}, "audit.read", (403,)),
        ("POST", "/api/v1/bulk/profiles/decision", j({"profile_ids": [999999999], "decision": "approve"}), "bulk.run", (403,)),
        ("POST", "/api/v1/bulk/profiles/status", j({"profile_ids": [999999999], "employment_status": "on_hold"}), "bulk.run", (403,)),
        ("POST", "/api/v1/bulk/roles", j({"user_ids": [999999999], "add": ["employee"]}), "bulk.run", (403,)),
        ("POST", "/api/v1/bulk/managers", j({"assignments": [{"user_id": 999999999, "manager_id": None}]}), "bulk.run", (403,)),
        ("POST", "/api/v1/bulk/documents/decision", j({"items": [{"document_id": 999999999, "decision": "approve"}]}), "bulk.run", (403,)),
        ("POST", "/api/v1/bulk/notifications", j({"user_ids": [999999999], "title": "t", "body": "b"}), "bulk.run", (403,)),
        ("POST", "/api/v1/bulk/reminders", j({"older_than_hours": 8000}), "bulk.run", (403,)),
        ("POST", "/api/v1/bulk/escalations", j({"threshold_hours": 8000}), "bulk.run", (403,)),
        ("GET", "/api/v1/bulk/jobs", {}, "bulk.run", (403,)),
        ("GET", "/api/v1/bulk/jobs/99999999", {}, "bulk.run", (403,)),
        ("POST", "/api/v1/bulk/jobs/99999999/cancel", {}, "bulk.run", (403,)),
        ("GET", "/api/v1/email/messages", {}, "email.manage", (403,)),
        ("POST", "/api/v1/email/test", j({"to": "ladder@example.com"}), "email.manage", (403,)),
        ("GET", "/api/v1/email/providers", {}, "email.manage", (403,)),
        ("GET", "/api/v1/email/stats", {}, "email.manage", (403,)),
        ("GET", "/api/v1/email/suppressions", {}, "email.manage", (403,)),
        ("GET", "/api/v1/email/templates", {}, "email.manage", (403,)),
        ("GET", "/api/v1/email/templates/invite/preview", {}, "email.manage", (403,)),
        ("GET", "/api/v1/dashboard", {}, "profiles.read", (403,)),
        ("GET", "/api/v1/reports/sla", {}, "reports.read", (403,)),
        ("GET", "/api/v1/reports/schedules", {}, "reports.read", (403,)),
        ("GET", "/api/v1/reports/runs", {}, "reports.read", (403,)),
        ("GET", "/api/v1/reports/runs/99999999", {}, "reports.read", (403,)),
        ("GET", "/api/v1/reports/runs/99999999/file", {}, "reports.read", (403,)),
        ("PUT", "/api/v1/reports/schedules", j({"schedules": []}), "reports.manage", (403,)),
        # metrics.read is not here: /metrics answers loopback callers without a token.
    ]


def test_each_permission_opens_its_own_endpoints_and_no_others(ladder):
    srv, problems = ladder["srv"], []
    singles = [a for a in ladder["actors"] if len(a["perms"]) == 1]
    for method, path, kw, permission, denied in permission_endpoints(ladder):
        for actor in singles:
            (held,) = actor["perms"]
            r = srv.request(method, path, actor["token"], **kw)
            ok = r.status_code not in (401, 403) if held == permission else r.status_code in denied
            if not ok:
                want = "not 401/403" if held == permission else "/".join(map(str, denied))
                problems.append(f"{method} {path} with only {held}: {r.status_code} (want {want}) {r.text[:120]}")
    assert not problems, "\n".join(problems)


def effective_permissions(roles, catalog) -> set[str]:
    """The permissions `roles` grant, following inheritance through `catalog` (name -> role)."""
    out, seen, todo = set(), set(), list(roles)
    while todo:
        name = todo.pop()
        if name in seen or name not in catalog:
            continue
        seen.add(name)
        out |= set(catalog[name]["permissions"])
        todo += catalog[name]["inherits"]
    return out


def climb(srv, actor, admin_id, victim_id, witness) -> tuple[list[str], list[str]]:
    """Every path by which `actor` might gain power, or take it from the bootstrap admin: returns
    (names of the roles it tried to create, emails of the users it tried to create). `witness` is
    an admin session that looks without touching."""
    token, own, held = actor["token"], actor["role"], actor["perms"]
    lacking = sorted(set(VOCABULARY) - held - {SELF})
    role_names, emails = [], []

    def new_role(**body):
        name = uniq("climb_")
        role_names.append(name)
        return srv.post("/api/v1/roles", token, json={"name": name, **body})

    new_role(permissions=["*"])
    new_role(inherits=["admin"])
    for p in lacking:
        new_role(permissions=[p])
    for body in [{"permissions": sorted(held) + ["*"]}, {"inherits": ["admin"]}] + \
            [{"permissions": sorted(held | {p})} for p in lacking]:
        srv.put(f"/api/v1/roles/{own}", token, json=body)

    r = srv.get("/api/v1/roles", witness)
    assert r.status_code == 200, r.text
    existing = {role["name"] for role in r.json()["items"]}
    created = [n for n in role_names if n in existing]  # none, if the rules hold
    uid = actor["user"]["id"]
    srv.put(f"/api/v1/users/{uid}/roles", token, json={"roles": ["admin"]})
    srv.put(f"/api/v1/users/{victim_id}/roles", token, json={"roles": ["admin"]})
    for name in created:
        srv.put(f"/api/v1/users/{uid}/roles", token, json={"roles": [own, name]})
        srv.put(f"/api/v1/users/{victim_id}/roles", token, json={"roles": [name]})
    # An admin with a password, to sign in as; the rest as invites (no password to hash).
    for roles in [["admin"]] + [[n] for n in created]:
        email = unique_email("climbed")
        emails.append(email)
        body = {"email": email, "name": "Climbed", "roles": roles}
        if roles == ["admin"]:
            body["password"] = PASSWORD
        srv.post("/api/v1/users", token, json=body)

    srv.patch(f"/api/v1/users/{admin_id}", token, json={"status": "suspended"})
    srv.patch(f"/api/v1/users/{admin_id}", token, json={"name": "Pwned"})
    srv.put(f"/api/v1/users/{admin_id}/roles", token, json={"roles": ["employee"]})
    srv.put(f"/api/v1/users/{admin_id}/manager", token, json={"manager_id": uid})
    srv.delete(f"/api/v1/users/{admin_id}/sessions", token)
    return role_names, emails


def test_no_permission_set_can_be_raised_or_turned_on_an_admin(ladder):
    srv, witness = ladder["srv"], ladder["witness_token"]
    admin = ladder["admin"]
    admin_token = srv.admin_token  # signed in before the climb: it must still work after it
    victims = [srv.create_user(name="Victim", password=None) for _ in ladder["actors"]]
    attempts = [(actor, victim, *climb(srv, actor, admin["id"], victim["id"], witness))
                for actor, victim in zip(ladder["actors"], victims)]

    r = srv.get("/api/v1/roles", witness)
    assert r.status_code == 200, r.text
    catalog = {role["name"]: role for role in r.json()["items"]}
    problems = []
    for actor, victim, role_names, emails in attempts:
        held, who = actor["perms"], "+".join(sorted(actor["perms"]))
        reach = held | {SELF}
        # (1) The actor holds exactly what their role gave them, and their role is as it was.
        me = srv.get("/api/v1/auth/me", actor["token"])
        if me.status_code != 200 or set(me.json()["permissions"]) != held:
            problems.append(f"{who}: now holds {me.status_code} {me.text[:200]}")
        own = catalog.get(actor["role"])
        if own is None or set(own["permissions"]) != held or own["inherits"]:
            problems.append(f"{who}: own role is now {own}")
        # (2) Nothing they made or changed reaches beyond them.
        for name in role_names:
            if name in catalog and not effective_permissions([name], catalog) <= reach:
                problems.append(f"{who}: made role {name} granting {effective_permissions([name], catalog)}")
        victim_roles = srv.get(f"/api/v1/users/{victim['id']}", witness).json()["roles"]
        if not effective_permissions(victim_roles, catalog) <= reach:
            problems.append(f"{who}: gave user {victim['id']} the roles {victim_roles}")
        for email in emails:
            for made in srv.find_users(email, witness):
                if not effective_permissions(made["roles"], catalog) <= reach:
                    problems.append(f"{who}: created {email} with the roles {made['roles']}")
        # Sign in as the admin they tried to make, if it exists (a failed login is slow on purpose).
        if srv.find_users(emails[0], witness):
            r = srv.login(emails[0], PASSWORD)
            perms = set(srv.get("/api/v1/auth/me", r.json()["token"]).json()["permissions"])
            if not perms <= reach:
                problems.append(f"{who}: signed in as {emails[0]}, who holds {sorted(perms)}")
    # (3) The bootstrap admin is still an active admin, untouched, still signed in.
    now = srv.get(f"/api/v1/users/{admin['id']}", witness).json()
    for field, was in (("status", "active"), ("roles", ["admin"]), ("name", admin["name"]), ("manager_id", None)):
        if now[field] != was:
            problems.append(f"bootstrap admin's {field} is now {now[field]!r}, was {was!r}")
    me = srv.get("/api/v1/auth/me", admin_token)
    if me.status_code != 200 or "*" not in me.json()["permissions"]:
        problems.append(f"bootstrap admin's session: {me.status_code} {me.text[:200]}")
    assert not problems, "\n".join(problems)
