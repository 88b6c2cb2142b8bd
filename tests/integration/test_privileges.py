"""Privileges: nobody grants what they do not hold, nobody acts on a user who holds more than they
do, the last active admin stays, and nobody decides their own profile or documents.

`profile.self` is left out of every comparison: it is power over one's own records only."""

import pytest

from conftest import (ADMIN_PASSWORD, PASSWORD, REQUIRED_DOCUMENTS, assert_error, complete_details,
                      decide, profile_of, save_details, submit_stage, uniq, unique_email)

PDF = b"%PDF-1.4\n%%EOF\n"  # the smallest file the upload's content sniffing takes for a PDF

# What the role managers of these tests hold: enough to reach every path that hands out power.
MANAGER_PERMISSIONS = ["roles.manage", "users.read", "users.write"]


# --------------------------------------------------------------------------------------------
# Helpers


def create_role(server, permissions=(), inherits=(), prefix: str = "role_") -> dict:
    """A custom role made by the admin; returns the 201 body."""
    r = server.post("/api/v1/roles", server.admin_token,
                    json={"name": uniq(prefix), "permissions": list(permissions), "inherits": list(inherits)})
    assert r.status_code == 201, r.text
    return r.json()


def get_role(server, name: str) -> dict:
    r = server.get(f"/api/v1/roles/{name}", server.admin_token)
    assert r.status_code == 200, r.text
    return r.json()


def role_is_absent(server, name: str) -> bool:
    r = server.get(f"/api/v1/roles/{name}", server.admin_token)
    assert r.status_code in (200, 404), r.text
    return r.status_code == 404


def get_user(server, user_id: int) -> dict:
    r = server.get(f"/api/v1/users/{user_id}", server.admin_token)
    assert r.status_code == 200, r.text
    return r.json()


def permissions_of(server, token: str) -> set[str]:
    r = server.get("/api/v1/auth/me", token)
    assert r.status_code == 200, r.text
    return set(r.json()["permissions"])


def holder_of(server, permissions, prefix: str = "custom_") -> tuple[dict, str, dict]:
    """A user whose only role is a new custom role with exactly `permissions`: (user, token, role)."""
    role = create_role(server, permissions, prefix=prefix)
    user, token = server.user_with_token(roles=[role["name"]])
    return user, token, role


def role_manager(server) -> tuple[dict, str, dict]:
    """A user who may manage roles and write users, but is not an admin."""
    return holder_of(server, MANAGER_PERMISSIONS, prefix="manager_")


def another_admin(server) -> tuple[dict, str]:
    """A second admin (never the bootstrap one, so a broken rule cannot lock the suite out)."""
    return server.user_with_token(roles=["admin"], name="Second Admin")


def still_admin(server, user: dict, token: str):
    """The admin is unchanged: active, still an admin, and their session still works."""
    now = get_user(server, user["id"])
    assert now["status"] == "active" and now["roles"] == ["admin"] and now["name"] == user["name"], now
    assert "*" in permissions_of(server, token)


def stable(profile: dict) -> dict:
    """A profile without its SLA block, whose elapsed time moves on by itself."""
    return {k: v for k, v in profile.items() if k != "sla"}


def reviewing_employee(server, roles=("employee", "reviewer")) -> tuple[dict, str, dict]:
    """A user who is both onboarded and a reviewer (or admin), with their details submitted:
    (user, token, profile)."""
    user, token = server.user_with_token(roles=list(roles))
    assert save_details(server, token, complete_details()).status_code == 200
    r = submit_stage(server, token)
    assert r.status_code == 200, r.text
    return user, token, r.json()


def upload(server, token: str, doc_type: str) -> dict:
    files = {"file": (f"{doc_type}.pdf", PDF, "application/pdf")}
    r = server.post("/api/v1/profiles/me/documents", token, data={"type": doc_type}, files=files)
    assert r.status_code == 201, r.text
    return r.json()


def document(server, doc_id: int) -> dict:
    r = server.get(f"/api/v1/documents/{doc_id}", server.admin_token)
    assert r.status_code == 200, r.text
    return r.json()


def review_document(server, token: str, doc_id: int, decision: str, reason: str | None = None):
    body = {"decision": decision}
    if reason is not None:
        body["reason"] = reason
    return server.post(f"/api/v1/documents/{doc_id}/decision", token, json=body)


def reviewer_with_documents_submitted(server) -> tuple[dict, str, dict, dict[str, dict]]:
    """An employee-reviewer whose details another reviewer approved, and who uploaded every
    required document and submitted the stage: (user, token, profile, documents by type)."""
    user, token, profile = reviewing_employee(server)
    _, other_reviewer = server.user_with_token(roles=["reviewer"])
    r = decide(server, other_reviewer, profile["id"], "details", "approve")
    assert r.status_code == 200, r.text
    docs = {t: upload(server, token, t) for t in REQUIRED_DOCUMENTS}
    r = submit_stage(server, token)
    assert r.status_code == 200, r.text
    assert r.json()["stage"] == "documents" and r.json()["status"] == "submitted"
    return user, token, r.json(), docs


def end_sessions(server, token: str | None, user_id: int):
    return server.delete(f"/api/v1/users/{user_id}/sessions", token)


# --------------------------------------------------------------------------------------------
# A. Nobody grants what they do not hold


@pytest.mark.parametrize("permissions", [["*"], ["audit.read"], ["users.read", "audit.read"]],
                         ids=["wildcard", "one_lacking", "held_and_lacking"])
def test_a_role_with_a_permission_you_lack_cannot_be_created(server, permissions):
    _, token, _ = role_manager(server)
    name = uniq("grab_")
    r = server.post("/api/v1/roles", token, json={"name": name, "permissions": permissions})
    assert_error(r, 403, "forbidden")
    assert role_is_absent(server, name)


def test_a_role_inheriting_power_you_lack_cannot_be_created(server):
    _, token, _ = role_manager(server)
    auditor = create_role(server, ["audit.read"], prefix="auditor_")
    for parent in ("admin", "reviewer", auditor["name"]):
        name = uniq("heir_")
        r = server.post("/api/v1/roles", token, json={"name": name, "inherits": [parent]})
        assert_error(r, 403, "forbidden")
        assert role_is_absent(server, name), parent


def test_a_role_with_only_permissions_you_hold_can_be_created(server):
    _, token, own = role_manager(server)
    # Your own permissions, a role made of them, and profile.self (power over oneself only).
    for body in ({"permissions": ["users.read", "users.write"]},
                 {"inherits": [own["name"]]},
                 {"permissions": ["profile.self"], "inherits": ["employee"]}):
        name = uniq("granted_")
        r = server.post("/api/v1/roles", token, json={"name": name, **body})
        assert r.status_code == 201, (body, r.text)
        assert get_role(server, name)["permissions"] == sorted(body.get("permissions", []))


def test_raising_your_own_role_is_forbidden_and_changes_nothing(server):
    user, token, own = role_manager(server)
    before = get_role(server, own["name"])
    for body in ({"permissions": ["*"]},
                 {"inherits": ["admin"]},
                 {"inherits": ["reviewer"]},
                 {"permissions": MANAGER_PERMISSIONS + ["audit.read"]}):
        r = server.put(f"/api/v1/roles/{own['name']}", token, json=body)
        assert_error(r, 403, "forbidden")
        assert get_role(server, own["name"]) == before, body
        assert permissions_of(server, token) == set(MANAGER_PERMISSIONS), body
    # And so they still cannot make an admin.
    email = unique_email("madeadmin")
    r = server.post("/api/v1/users", token, json={"email": email, "name": "X", "roles": ["admin"],
                                                  "password": PASSWORD})
    assert_error(r, 403, "forbidden")
    assert server.find_users(email) == []
    assert get_user(server, user["id"])["roles"] == [own["name"]]


def test_a_role_carrying_a_permission_you_lack_cannot_be_edited_even_to_reduce_it(server):
    _, token, _ = role_manager(server)
    auditor = create_role(server, ["audit.read", "users.read"], prefix="auditor_")
    reviewer_child = create_role(server, inherits=["reviewer"], prefix="revchild_")
    for role, body in ((auditor, {"permissions": []}),
                       (auditor, {"permissions": ["users.read"]}),
                       (auditor, {"description": "renamed"}),
                       (reviewer_child, {"inherits": []})):
        r = server.put(f"/api/v1/roles/{role['name']}", token, json=body)
        assert_error(r, 403, "forbidden")
        assert get_role(server, role["name"]) == role, body


def test_a_role_manager_may_grant_permissions_they_hold(server):
    _, token, _ = role_manager(server)
    role = create_role(server, [], prefix="grow_")
    _, holder_token = server.user_with_token(roles=[role["name"]])
    assert permissions_of(server, holder_token) == set()

    r = server.put(f"/api/v1/roles/{role['name']}", token, json={"permissions": ["users.read", "users.write"]})
    assert r.status_code == 200, r.text
    assert r.json()["permissions"] == ["users.read", "users.write"]
    assert permissions_of(server, holder_token) == {"users.read", "users.write"}
    assert server.get("/api/v1/users", holder_token).status_code == 200


def test_a_role_carrying_a_permission_you_lack_cannot_be_deleted(server):
    _, token, _ = role_manager(server)
    auditor = create_role(server, ["audit.read"], prefix="auditor_")
    deputy = create_role(server, inherits=["admin"], prefix="deputy_")
    for role in (auditor, deputy):
        assert_error(server.delete(f"/api/v1/roles/{role['name']}", token), 403, "forbidden")
        assert get_role(server, role["name"]) == role
    # A role within your own power you may delete.
    mine = create_role(server, ["users.read"], prefix="mine_")
    r = server.delete(f"/api/v1/roles/{mine['name']}", token)
    assert r.status_code == 204, r.text
    assert role_is_absent(server, mine["name"])


# --------------------------------------------------------------------------------------------
# B. Nobody acts on a user who holds more than they do


def test_a_role_manager_cannot_change_the_roles_of_an_admin(server):
    _, token, _ = role_manager(server)
    admin, admin_token = another_admin(server)
    for roles in (["employee"], ["admin", "employee"]):
        r = server.put(f"/api/v1/users/{admin['id']}/roles", token, json={"roles": roles})
        assert_error(r, 403, "forbidden")
        still_admin(server, admin, admin_token)


def test_a_role_manager_cannot_change_the_roles_of_a_user_holding_more(server):
    _, token, _ = role_manager(server)
    reviewer, reviewer_token = server.user_with_token(roles=["reviewer"])
    r = server.put(f"/api/v1/users/{reviewer['id']}/roles", token, json={"roles": ["employee"]})
    assert_error(r, 403, "forbidden")
    assert get_user(server, reviewer["id"])["roles"] == ["reviewer"]
    assert "profiles.review" in permissions_of(server, reviewer_token)


def test_a_role_manager_may_change_the_roles_of_a_user_within_their_power(server):
    _, token, own = role_manager(server)
    employee, employee_token = server.user_with_token()
    r = server.put(f"/api/v1/users/{employee['id']}/roles", token, json={"roles": ["employee", own["name"]]})
    assert r.status_code == 200, r.text
    assert permissions_of(server, employee_token) == {"profile.self", *MANAGER_PERMISSIONS}


def test_a_user_writer_cannot_suspend_or_rename_an_admin(server):
    _, token, _ = holder_of(server, ["users.read", "users.write"], prefix="clerk_")
    admin, admin_token = another_admin(server)
    for body in ({"status": "suspended"}, {"name": "x"}):
        r = server.patch(f"/api/v1/users/{admin['id']}", token, json=body)
        assert_error(r, 403, "forbidden")
        still_admin(server, admin, admin_token)
    assert server.login(admin["email"], PASSWORD).status_code == 200


def test_a_user_writer_cannot_set_the_manager_of_an_admin(server):
    clerk, token, _ = holder_of(server, ["users.read", "users.write"], prefix="clerk_")
    admin, admin_token = another_admin(server)
    r = server.put(f"/api/v1/users/{admin['id']}/manager", token, json={"manager_id": clerk["id"]})
    assert_error(r, 403, "forbidden")
    assert get_user(server, admin["id"])["manager_id"] is None
    still_admin(server, admin, admin_token)


def test_a_user_writer_cannot_reactivate_a_suspended_user_holding_more(server):
    _, token, _ = holder_of(server, ["users.write"], prefix="writer_")
    reviewer = server.create_user(roles=["reviewer"])
    r = server.patch(f"/api/v1/users/{reviewer['id']}", server.admin_token, json={"status": "suspended"})
    assert r.status_code == 200, r.text

    r = server.patch(f"/api/v1/users/{reviewer['id']}", token, json={"status": "active"})
    assert_error(r, 403, "forbidden")
    assert get_user(server, reviewer["id"])["status"] == "suspended"
    assert server.login(reviewer["email"], PASSWORD).status_code in (401, 403)


def test_a_user_writer_may_suspend_an_ordinary_employee(server):
    _, token, _ = holder_of(server, ["users.write"], prefix="writer_")
    employee, employee_token = server.user_with_token()
    r = server.patch(f"/api/v1/users/{employee['id']}", token, json={"status": "suspended"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "suspended"
    assert_error(server.get("/api/v1/auth/me", employee_token), 401, "unauthenticated")


def test_an_admin_may_act_on_another_admin(server):
    first, first_token = another_admin(server)
    second, second_token = another_admin(server)
    r = server.patch(f"/api/v1/users/{second['id']}", first_token, json={"name": "Renamed Admin"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Renamed Admin"
    r = server.put(f"/api/v1/users/{second['id']}/roles", first_token, json={"roles": ["admin", "reviewer"]})
    assert r.status_code == 200, r.text
    assert r.json()["roles"] == ["admin", "reviewer"]
    r = server.patch(f"/api/v1/users/{second['id']}", first_token, json={"status": "suspended"})
    assert r.status_code == 200, r.text
    assert_error(server.get("/api/v1/auth/me", second_token), 401, "unauthenticated")


# -- DELETE /api/v1/users/{id}/sessions


def test_ending_a_users_sessions_signs_out_every_one_of_them(server):
    user, token = server.user_with_token()
    second_token = server.token_for(user["email"])
    _, bystander_token = server.user_with_token()
    r = end_sessions(server, server.admin_token, user["id"])
    assert r.status_code == 204, r.text
    assert r.content == b""
    for t in (token, second_token):
        assert_error(server.get("/api/v1/auth/me", t), 401, "unauthenticated")
    assert server.get("/api/v1/auth/me", bystander_token).status_code == 200
    # Their sessions ended; their account did not.
    assert get_user(server, user["id"])["status"] == "active"
    assert server.login(user["email"], PASSWORD).status_code == 200


def test_an_admin_may_end_the_sessions_of_another_admin(server):
    _, first_token = another_admin(server)
    second, second_token = another_admin(server)
    r = end_sessions(server, first_token, second["id"])
    assert r.status_code == 204, r.text
    assert_error(server.get("/api/v1/auth/me", second_token), 401, "unauthenticated")
    assert server.get("/api/v1/auth/me", first_token).status_code == 200


def test_a_user_writer_may_end_the_sessions_of_an_ordinary_employee(server):
    _, token, _ = holder_of(server, ["users.write"], prefix="writer_")
    employee, employee_token = server.user_with_token()
    r = end_sessions(server, token, employee["id"])
    assert r.status_code == 204, r.text
    assert_error(server.get("/api/v1/auth/me", employee_token), 401, "unauthenticated")


def test_a_user_writer_cannot_end_the_sessions_of_a_user_holding_more(server):
    _, token, _ = holder_of(server, ["users.read", "users.write"], prefix="clerk_")
    admin, admin_token = another_admin(server)
    reviewer, reviewer_token = server.user_with_token(roles=["reviewer"])
    for target, target_token in ((admin, admin_token), (reviewer, reviewer_token)):
        assert_error(end_sessions(server, token, target["id"]), 403, "forbidden")
        assert server.get("/api/v1/auth/me", target_token).status_code == 200


def test_ending_sessions_needs_users_write(server):
    target, target_token = server.user_with_token()
    _, employee = server.user_with_token()
    _, reviewer = server.user_with_token(roles=["reviewer"])
    _, reader, _ = holder_of(server, ["users.read"], prefix="reader_")
    for token in (employee, reviewer, reader):
        assert_error(end_sessions(server, token, target["id"]), 403, "forbidden")
    assert_error(end_sessions(server, None, target["id"]), 401, "unauthenticated")
    assert server.get("/api/v1/auth/me", target_token).status_code == 200


def test_ending_the_sessions_of_an_unknown_user_is_404(server):
    assert_error(end_sessions(server, server.admin_token, 987654321), 404, "not_found")


# -- The last active admin
# test_users.py already covers: the only admin cannot demote themselves, a users.write holder
# cannot suspend them, and a second admin lets the first step down. Here: what it leaves out.


def test_the_last_active_admin_cannot_suspend_themselves(start_server):
    srv = start_server()
    token = srv.admin_token
    me = srv.get("/api/v1/auth/me", token).json()
    assert_error(srv.patch(f"/api/v1/users/{me['id']}", token, json={"status": "suspended"}), 409, "conflict")
    assert get_user(srv, me["id"])["status"] == "active"
    assert "*" in permissions_of(srv, token)


def test_a_suspended_admin_does_not_count_as_another_admin(start_server):
    srv = start_server()
    token = srv.admin_token
    me = srv.get("/api/v1/auth/me", token).json()
    second = srv.create_user(roles=["admin"])
    r = srv.patch(f"/api/v1/users/{second['id']}", token, json={"status": "suspended"})
    assert r.status_code == 200, r.text

    assert_error(srv.put(f"/api/v1/users/{me['id']}/roles", token, json={"roles": ["employee"]}),
                 409, "conflict")
    assert_error(srv.patch(f"/api/v1/users/{me['id']}", token, json={"status": "suspended"}), 409, "conflict")
    after = get_user(srv, me["id"])
    assert after["roles"] == ["admin"] and after["status"] == "active"
    assert srv.login(me["email"], ADMIN_PASSWORD).status_code == 200


# --------------------------------------------------------------------------------------------
# C. Nobody decides their own profile or documents


@pytest.mark.parametrize("decision, reason", [("approve", None), ("reject", "Looks wrong to me")],
                         ids=["approve", "reject"])
def test_a_reviewer_cannot_decide_their_own_details(server, decision, reason):
    _, token, profile = reviewing_employee(server)
    before = stable(profile_of(server, profile["id"]))
    r = decide(server, token, profile["id"], "details", decision, reason)
    assert_error(r, 403, "self_review")
    after = stable(profile_of(server, profile["id"]))
    assert after == before
    assert after["stage"] == "details" and after["status"] == "submitted"


def test_a_reviewer_cannot_decide_their_own_documents(server):
    _, token, profile, docs = reviewer_with_documents_submitted(server)
    doc = docs["id_proof"]
    assert_error(review_document(server, token, doc["id"], "approve"), 403, "self_review")
    assert_error(review_document(server, token, doc["id"], "reject", "Blurred"), 403, "self_review")
    assert document(server, doc["id"]) == doc
    assert document(server, doc["id"])["status"] == "pending"


def test_a_reviewer_cannot_approve_their_own_documents_stage(server):
    _, token, profile, docs = reviewer_with_documents_submitted(server)
    _, other_reviewer = server.user_with_token(roles=["reviewer"])
    for doc in docs.values():
        assert review_document(server, other_reviewer, doc["id"], "approve").status_code == 200
    before = stable(profile_of(server, profile["id"]))
    assert_error(decide(server, token, profile["id"], "documents", "approve"), 403, "self_review")
    assert stable(profile_of(server, profile["id"])) == before


def test_an_admin_who_is_also_an_employee_cannot_approve_their_own_profile(server):
    _, token, profile = reviewing_employee(server, roles=("admin", "employee"))
    before = stable(profile_of(server, profile["id"]))
    assert_error(decide(server, token, profile["id"], "details", "approve"), 403, "self_review")
    assert stable(profile_of(server, profile["id"])) == before


def test_another_reviewer_may_decide_a_reviewers_profile(server):
    _, _, profile = reviewing_employee(server)
    _, other_reviewer = server.user_with_token(roles=["reviewer"])
    r = decide(server, other_reviewer, profile["id"], "details", "approve")
    assert r.status_code == 200, r.text
    assert r.json()["stage"] == "documents" and r.json()["status"] == "draft"


def test_self_review_is_allowed_when_the_server_setting_allows_it(start_server):
    srv = start_server({"HRMS_ALLOW_SELF_REVIEW": "1"})
    _, token, profile = reviewing_employee(srv)
    r = decide(srv, token, profile["id"], "details", "approve")
    assert r.status_code == 200, r.text
    assert r.json()["stage"] == "documents"
