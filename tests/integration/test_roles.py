"""Roles: built-ins, custom roles, permissions, inheritance and its cycles."""

import json
import threading

import requests

from conftest import PASSWORD, assert_error, uniq

REVIEWER_PERMISSIONS = {"users.read", "profiles.read", "profiles.review", "documents.review"}


def role_name(prefix: str = "role_") -> str:
    return uniq(prefix)


def get_role(server, name: str) -> dict:
    r = server.get(f"/api/v1/roles/{name}", server.admin_token)
    assert r.status_code == 200, r.text
    return r.json()


def create_role(server, name: str, **fields) -> dict:
    r = server.post("/api/v1/roles", server.admin_token, json={"name": name, **fields})
    assert r.status_code == 201, r.text
    return r.json()


def role_names(server) -> set[str]:
    r = server.get("/api/v1/roles", server.admin_token)
    assert r.status_code == 200, r.text
    return {role["name"] for role in r.json()["items"]}


def test_builtin_roles_are_listed_with_their_permissions(server, admin_token):
    r = server.get("/api/v1/roles", admin_token)
    assert r.status_code == 200
    body = r.json()
    assert body["next_cursor"] is None
    roles = {role["name"]: role for role in body["items"]}
    assert roles["employee"]["permissions"] == ["profile.self"]
    assert set(roles["reviewer"]["permissions"]) == REVIEWER_PERMISSIONS
    assert roles["admin"]["permissions"] == ["*"]
    for name in ("employee", "reviewer", "admin"):
        assert roles[name]["builtin"] is True and roles[name]["inherits"] == []


def test_admin_creates_a_custom_role(server, admin_token):
    name = role_name("payroll_")
    r = server.post("/api/v1/roles", admin_token,
                    json={"name": name, "description": "Runs payroll",
                          "permissions": ["reports.read", "users.read", "reports.read"],
                          "inherits": ["employee"]})
    assert r.status_code == 201, r.text
    role = r.json()
    assert r.headers["Location"] == f"/api/v1/roles/{name}"
    assert role["name"] == name and role["description"] == "Runs payroll"
    assert role["permissions"] == ["reports.read", "users.read"]
    assert role["inherits"] == ["employee"] and role["builtin"] is False
    assert get_role(server, name) == role
    assert name in role_names(server)


def test_role_inheritance_cycle_is_rejected_and_changes_nothing(server, admin_token):
    team_lead = create_role(server, "team_lead", inherits=["reviewer"], permissions=["reports.read"])
    create_role(server, "dept_head", inherits=["team_lead"])
    r = server.put("/api/v1/roles/team_lead", admin_token, json={"inherits": ["dept_head"]})
    err = assert_error(r, 422, "cycle")
    assert "team_lead -> dept_head -> team_lead" in err["message"]
    assert err["details"]["path"] == ["team_lead", "dept_head", "team_lead"]
    assert get_role(server, "team_lead") == team_lead
    assert get_role(server, "dept_head")["inherits"] == ["team_lead"]


def test_role_cannot_inherit_itself(server, admin_token):
    name = role_name("selfish_")
    r = server.post("/api/v1/roles", admin_token, json={"name": name, "inherits": [name]})
    assert assert_error(r, 422, "cycle")["details"]["path"] == [name, name]
    assert_error(server.get(f"/api/v1/roles/{name}", admin_token), 404, "not_found")

    before = create_role(server, name, inherits=["employee"])
    r = server.put(f"/api/v1/roles/{name}", admin_token, json={"inherits": ["employee", name]})
    assert assert_error(r, 422, "cycle")["details"]["path"] == [name, name]
    assert get_role(server, name) == before


def test_longer_inheritance_cycle_reports_the_whole_loop(server, admin_token):
    a, b, c = role_name("ca_"), role_name("cb_"), role_name("cc_")
    create_role(server, a)
    create_role(server, b, inherits=[a])
    create_role(server, c, inherits=[b])
    before = get_role(server, a)
    r = server.put(f"/api/v1/roles/{a}", admin_token, json={"inherits": ["employee", c]})
    err = assert_error(r, 422, "cycle")
    assert err["details"]["path"] == [a, c, b, a]
    assert f"{a} -> {c} -> {b} -> {a}" in err["message"]
    assert get_role(server, a) == before


def test_unknown_permission_is_rejected_naming_its_index(server, admin_token):
    name = role_name("badperm_")
    r = server.post("/api/v1/roles", admin_token, json={"name": name, "permissions": ["nope.nothing"]}, bad=True)
    assert_error(r, 422, "validation_failed", "permissions[0]")
    r = server.post("/api/v1/roles", admin_token, json={"name": name, "permissions": ["users.read", "root"]},
                    bad=True)
    assert_error(r, 422, "validation_failed", "permissions[1]")
    assert_error(server.get(f"/api/v1/roles/{name}", admin_token), 404, "not_found")

    before = create_role(server, name, permissions=["users.read"])
    r = server.put(f"/api/v1/roles/{name}", admin_token, json={"permissions": ["users.read", "USERS.READ"]},
                   bad=True)
    assert_error(r, 422, "validation_failed", "permissions[1]")
    assert get_role(server, name) == before


def test_unknown_parent_role_is_rejected(server, admin_token):
    name = role_name("orphan_")
    r = server.post("/api/v1/roles", admin_token, json={"name": name, "inherits": ["reviewer", "ghost_parent"]})
    assert_error(r, 422, "validation_failed", "inherits[1]")
    assert_error(server.get(f"/api/v1/roles/{name}", admin_token), 404, "not_found")


def test_role_body_is_validated(server, admin_token):
    name = role_name("shape_")
    cases = [
        ({}, "name"),
        ({"name": 5}, "name"),
        ({"name": name, "permissions": "users.read"}, "permissions"),
        ({"name": name, "permissions": [1]}, "permissions[0]"),
        ({"name": name, "inherits": "reviewer"}, "inherits"),
        ({"name": name, "description": 3}, "description"),
        ({"name": name, "description": "d" * 1001}, "description"),
    ]
    for body, field in cases:
        assert_error(server.post("/api/v1/roles", admin_token, json=body, bad=True), 422, "validation_failed",
                     field)
    r = server.post("/api/v1/roles", admin_token, data=json.dumps({"name": name}),
                    headers={"Content-Type": "text/plain"}, bad=True)
    assert_error(r, 415, "unsupported_media_type")
    assert name not in role_names(server)


def test_role_names_are_validated(server, admin_token):
    before = role_names(server)
    for bad in ["", "x", "Upper", "has space", "1starts_with_digit", "dash-ed", "_under", "x" * 65, "ünï"]:
        r = server.post("/api/v1/roles", admin_token, json={"name": bad}, bad=True)
        assert_error(r, 422, "validation_failed", "name")
    assert role_names(server) == before


def test_duplicate_role_is_409_and_changes_nothing(server, admin_token):
    name = role_name("dup_")
    before = create_role(server, name, description="first")
    r = server.post("/api/v1/roles", admin_token, json={"name": name, "description": "second"})
    assert_error(r, 409, "conflict", "name")
    assert get_role(server, name) == before
    assert_error(server.post("/api/v1/roles", admin_token, json={"name": "reviewer"}), 409, "conflict")


def test_builtin_roles_cannot_be_changed_or_deleted(server, admin_token):
    before = {n: get_role(server, n) for n in ("employee", "reviewer", "admin")}
    assert_error(server.put("/api/v1/roles/reviewer", admin_token, json={"permissions": ["*"]}), 409, "conflict")
    assert_error(server.put("/api/v1/roles/employee", admin_token, json={"inherits": ["admin"]}), 409, "conflict")
    assert_error(server.put("/api/v1/roles/admin", admin_token, json={"description": "x"}), 409, "conflict")
    for name in ("employee", "reviewer", "admin"):
        assert_error(server.delete(f"/api/v1/roles/{name}", admin_token), 409, "conflict")
    assert {n: get_role(server, n) for n in before} == before


def test_put_changes_only_the_given_fields(server, admin_token):
    name = role_name("partial_")
    create_role(server, name, description="old", permissions=["reports.read"], inherits=["employee"])
    r = server.put(f"/api/v1/roles/{name}", admin_token, json={"description": "new"})
    assert r.status_code == 200, r.text
    role = r.json()
    assert role["description"] == "new" and role["permissions"] == ["reports.read"]
    assert role["inherits"] == ["employee"]
    r = server.put(f"/api/v1/roles/{name}", admin_token, json={"permissions": [], "inherits": []})
    assert r.status_code == 200
    assert get_role(server, name)["permissions"] == [] and get_role(server, name)["inherits"] == []


def test_custom_role_inheriting_reviewer_grants_reviewer_permissions(server, admin_token):
    name = role_name("auditor_")
    create_role(server, name, inherits=["reviewer"], permissions=["audit.read"])
    user = server.create_user(roles=[name])
    token = server.token_for(user["email"])
    me = server.get("/api/v1/auth/me", token).json()
    assert me["roles"] == [name]
    assert set(me["permissions"]) == REVIEWER_PERMISSIONS | {"audit.read"}
    assert server.get("/api/v1/users", token).status_code == 200
    assert_error(server.post("/api/v1/users", token, json={"email": f"{name}@example.com", "name": "X"}),
                 403, "forbidden")


def test_permissions_follow_inheritance_two_levels_deep(server):
    base, mid, top = role_name("lvl0_"), role_name("lvl1_"), role_name("lvl2_")
    create_role(server, base, permissions=["reports.read"])
    create_role(server, mid, inherits=[base], permissions=["audit.read"])
    create_role(server, top, inherits=[mid])
    _, token = server.user_with_token(roles=[top])
    assert set(server.get("/api/v1/auth/me", token).json()["permissions"]) == {"reports.read", "audit.read"}


def test_role_changes_apply_to_existing_sessions(server, admin_token):
    name = role_name("live_")
    create_role(server, name, permissions=["reports.read"])
    _, token = server.user_with_token(roles=[name])
    assert server.get("/api/v1/auth/me", token).json()["permissions"] == ["reports.read"]
    assert_error(server.get("/api/v1/users", token), 403, "forbidden")

    r = server.put(f"/api/v1/roles/{name}", admin_token, json={"permissions": ["users.read"]})
    assert r.status_code == 200, r.text
    assert server.get("/api/v1/auth/me", token).json()["permissions"] == ["users.read"]
    assert server.get("/api/v1/users", token).status_code == 200

    r = server.put(f"/api/v1/roles/{name}", admin_token, json={"permissions": [], "inherits": ["reviewer"]})
    assert r.status_code == 200, r.text
    assert set(server.get("/api/v1/auth/me", token).json()["permissions"]) == REVIEWER_PERMISSIONS


def test_role_in_use_or_inherited_cannot_be_deleted(server, admin_token):
    held, parent, child, unused = (role_name(p) for p in ("held_", "parent_", "child_", "unused_"))
    create_role(server, held)
    server.create_user(roles=[held], password=None)
    create_role(server, parent)
    create_role(server, child, inherits=[parent])
    create_role(server, unused)

    assert_error(server.delete(f"/api/v1/roles/{held}", admin_token), 409, "conflict")
    assert_error(server.delete(f"/api/v1/roles/{parent}", admin_token), 409, "conflict")
    assert {held, parent, child, unused} <= role_names(server)

    r = server.delete(f"/api/v1/roles/{unused}", admin_token)
    assert r.status_code == 204 and r.content == b""
    assert_error(server.get(f"/api/v1/roles/{unused}", admin_token), 404, "not_found")
    assert_error(server.delete(f"/api/v1/roles/{unused}", admin_token), 404, "not_found")
    # The child goes first, then its parent may go.
    assert server.delete(f"/api/v1/roles/{child}", admin_token).status_code == 204
    assert server.delete(f"/api/v1/roles/{parent}", admin_token).status_code == 204


def test_unknown_role_is_404(server, admin_token):
    name = role_name("ghost_")
    assert_error(server.get(f"/api/v1/roles/{name}", admin_token), 404, "not_found")
    assert_error(server.put(f"/api/v1/roles/{name}", admin_token, json={"description": "x"}), 404, "not_found")
    assert_error(server.delete(f"/api/v1/roles/{name}", admin_token), 404, "not_found")
    assert name not in role_names(server)


def test_role_endpoints_need_the_right_permissions(server):
    _, employee = server.user_with_token()
    _, reviewer = server.user_with_token(roles=["reviewer"])
    existing = role_name("guarded_")
    before = create_role(server, existing, description="keep")
    assert_error(server.get("/api/v1/roles", employee), 403, "forbidden")
    assert_error(server.get(f"/api/v1/roles/{existing}", employee), 403, "forbidden")
    assert server.get("/api/v1/roles", reviewer).status_code == 200

    name = role_name("sneaky_")
    for token in (employee, reviewer):
        assert_error(server.post("/api/v1/roles", token, json={"name": name, "permissions": ["*"]}), 403, "forbidden")
        assert_error(server.put(f"/api/v1/roles/{existing}", token, json={"permissions": ["*"]}), 403, "forbidden")
        assert_error(server.delete(f"/api/v1/roles/{existing}", token), 403, "forbidden")
    assert name not in role_names(server)
    assert get_role(server, existing) == before


def test_only_admins_may_grant_a_role_that_carries_admin_power(server, admin_token):
    """A role that inherits admin (or holds "*") is admin: granting it is an admin act too."""
    clerk_role = role_name("clerk_")
    create_role(server, clerk_role, permissions=["users.read", "users.write"])
    deputy = role_name("deputy_")
    create_role(server, deputy, inherits=["admin"])
    wildcard = role_name("wild_")
    create_role(server, wildcard, permissions=["*"])
    _, clerk = server.user_with_token(roles=[clerk_role])
    for role in (deputy, wildcard):
        email = f"{uniq('escalate')}@example.com"
        r = server.post("/api/v1/users", clerk, json={"email": email, "name": "Escalated", "roles": [role],
                                                    "password": PASSWORD})
        assert_error(r, 403, "forbidden")
        assert server.find_users(email) == []


def test_concurrent_inheritance_updates_cannot_form_a_loop(server, admin_token):
    headers = {"Authorization": f"Bearer {admin_token}"}

    def inherit(role, parent):
        return lambda: requests.put(f"{server.url}/api/v1/roles/{role}", headers=headers,
                                    json={"inherits": [parent]}, timeout=30)

    for _ in range(5):
        a, b = role_name("ra_"), role_name("rb_")
        create_role(server, a)
        create_role(server, b)
        barrier = threading.Barrier(2)
        results = [None, None]

        def run(i, call):
            barrier.wait()
            results[i] = call()

        threads = [threading.Thread(target=run, args=(0, inherit(a, b))),
                   threading.Thread(target=run, args=(1, inherit(b, a)))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(r.status_code for r in results) == [200, 422], [(r.status_code, r.text) for r in results]
        stored = {a: get_role(server, a)["inherits"], b: get_role(server, b)["inherits"]}
        assert not (stored[a] == [b] and stored[b] == [a]), f"a role loop was stored: {stored}"
