"""Every endpoint as every role: anonymous callers get 401, roles without the permission get 403
(or 404 where a resource is not theirs to see), and permitted roles get past authorization.
Requests use harmless bodies: the point is who is let through, not what the action does."""
import pytest

from conftest import complete_details

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
        ("POST", "/api/v1/users", j({"email": "", "name": ""}), {ADMIN}, 403),
        ("PATCH", f"/api/v1/users/{other_id}", j({}), {ADMIN}, 403),
        ("PUT", f"/api/v1/users/{other_id}/manager", j({"manager_id": None}), {ADMIN}, 403),
        ("PUT", f"/api/v1/users/{other_id}/roles", j({"roles": ["employee"]}), {ADMIN}, 403),
        ("GET", "/api/v1/roles", {}, {REVIEWER, ADMIN}, 403),
        ("POST", "/api/v1/roles", j({"name": "x"}), {ADMIN}, 403),
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
    ]


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
