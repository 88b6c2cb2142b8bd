"""Users: creation and invites, listing, reading, suspension, managers and roles."""

import json
import threading

import requests

from conftest import (ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, assert_error, uniq, unique_email,
                      wait_until)


def get_user(server, user_id: int) -> dict:
    r = server.get(f"/api/v1/users/{user_id}", server.admin_token)
    assert r.status_code == 200, r.text
    return r.json()


# --------------------------------------------------------------------------------------------
# Creation


def test_admin_creates_an_active_user_who_can_log_in(server, admin_token):
    email = unique_email("new")
    r = server.post("/api/v1/users", admin_token,
                    json={"email": email, "name": "  New Hire  ", "password": PASSWORD})
    assert r.status_code == 201, r.text
    user = r.json()
    assert user["email"] == email and user["name"] == "New Hire"
    assert user["status"] == "active" and user["roles"] == ["employee"]
    assert user["manager_id"] is None and "invite_expires_at" not in user
    assert "password" not in json.dumps(user) and "hash" not in json.dumps(user)
    assert r.headers["Location"] == f"/api/v1/users/{user['id']}"
    assert get_user(server, user["id"]) == user

    token = server.token_for(email)
    assert server.get("/api/v1/auth/me", token).json()["permissions"] == ["profile.self"]


def test_email_is_stored_trimmed_and_lower_case(server):
    marker = uniq("mixed")
    user = server.create_user(email=f"  {marker.upper()}@Example.COM ")
    assert user["email"] == f"{marker}@example.com"
    assert server.login(f"{marker}@example.com", PASSWORD).status_code == 200


def test_user_without_password_is_invited_and_activated_by_the_invite(server, admin_token):
    email = unique_email("invitee")
    r = server.post("/api/v1/users", admin_token, json={"email": email, "name": "Invitee"})
    assert r.status_code == 201, r.text
    user = r.json()
    assert user["status"] == "invited" and user["invite_expires_at"]
    token = server.invite_token(user["id"])
    assert server.login(email, PASSWORD).status_code == 401

    r = server.post("/api/v1/auth/password", json={"token": token, "new_password": PASSWORD})
    assert r.status_code == 204, r.text
    assert get_user(server, user["id"])["status"] == "active"
    assert server.login(email, PASSWORD).status_code == 200


def test_invite_token_is_single_use(server):
    user = server.create_user(password=None)
    token = server.invite_token(user["id"])
    assert server.post("/api/v1/auth/password", json={"token": token, "new_password": PASSWORD}).status_code == 204
    other = "another-strong-password-2"
    r = server.post("/api/v1/auth/password", json={"token": token, "new_password": other})
    assert_error(r, 401, "unauthenticated")
    # The second use changed nothing.
    assert server.login(user["email"], other).status_code == 401
    assert server.login(user["email"], PASSWORD).status_code == 200


def test_invite_refuses_weak_passwords_and_stays_usable(server):
    user = server.create_user(password=None)
    token = server.invite_token(user["id"])
    for weak in ["short", "elevenchars", user["email"], user["email"].upper()]:
        r = server.post("/api/v1/auth/password", json={"token": token, "new_password": weak}, bad=True)
        assert_error(r, 422, "validation_failed", "new_password")
        assert get_user(server, user["id"])["status"] == "invited"
    assert_error(server.post("/api/v1/auth/password", json={"token": token}, bad=True), 422,
                 "validation_failed", "new_password")
    assert_error(server.post("/api/v1/auth/password", json={"token": token, "new_password": 123456789012},
                             bad=True), 422, "validation_failed", "new_password")
    assert get_user(server, user["id"])["status"] == "invited"
    # Twelve characters is enough, and the token still works.
    r = server.post("/api/v1/auth/password", json={"token": token, "new_password": "twelve-chars"})
    assert r.status_code == 204, r.text
    assert server.login(user["email"], "twelve-chars").status_code == 200


def test_expired_invite_token_is_refused(start_server):
    srv = start_server({"HRMS_INVITE_TTL_HOURS": "0.001"})  # 3.6 s
    user = srv.create_user(password=None)
    token = srv.invite_token(user["id"])
    # A weak password is refused (422) while the token is valid, so polling with it uses nothing up.
    wait_until(lambda: srv.post("/api/v1/auth/password",
                                json={"token": token, "new_password": "weak"}, bad=True).status_code == 401,
               timeout=10, interval=0.25, what="the invite to expire")
    r = srv.post("/api/v1/auth/password", json={"token": token, "new_password": PASSWORD})
    assert_error(r, 401, "unauthenticated")
    assert get_user(srv, user["id"])["status"] == "invited"
    assert srv.login(user["email"], PASSWORD).status_code == 401


def test_unknown_invite_token_is_refused(server):
    for token in ["no-such-token", ""]:
        r = server.post("/api/v1/auth/password", json={"token": token, "new_password": PASSWORD})
        assert r.status_code in (401, 422), r.text
        assert error_code(r) in ("unauthenticated", "validation_failed")
    assert_error(server.post("/api/v1/auth/password", json={"new_password": PASSWORD}, bad=True), 422,
                 "validation_failed", "token")


def error_code(r) -> str:
    return r.json()["error"]["code"]


def test_duplicate_email_is_409_and_changes_nothing(server, admin_token):
    user = server.create_user(name="Original Name")
    for email in [user["email"], user["email"].upper(), " " + user["email"]]:
        r = server.post("/api/v1/users", admin_token,
                        json={"email": email, "name": "Impostor", "password": PASSWORD})
        assert_error(r, 409, "conflict", "email")
    found = server.find_users(user["email"])
    assert [(u["id"], u["name"]) for u in found] == [(user["id"], "Original Name")]
    assert server.login(user["email"], PASSWORD).status_code == 200


def test_create_user_validates_each_field_and_creates_nothing(server, admin_token):
    email = unique_email("invalid")
    cases = [
        ({"name": "No Email", "password": PASSWORD}, "email"),
        ({"email": 7, "name": "X", "password": PASSWORD}, "email"),
        ({"email": "not-an-email", "name": "X", "password": PASSWORD}, "email"),
        ({"email": "two@@example.com", "name": "X", "password": PASSWORD}, "email"),
        ({"email": "a@nodot", "name": "X", "password": PASSWORD}, "email"),
        ({"email": email}, "name"),
        ({"email": email, "name": "   "}, "name"),
        ({"email": email, "name": ["X"]}, "name"),
        ({"email": email, "name": "Bad\u0007Bell"}, "name"),
        ({"email": email, "name": "X" * 201}, "name"),
        ({"email": email, "name": "X", "roles": "reviewer"}, "roles"),
        ({"email": email, "name": "X", "roles": []}, "roles"),
        ({"email": email, "name": "X", "roles": ["ghost_role"]}, "roles[0]"),
        ({"email": email, "name": "X", "roles": ["employee", "ghost_role"]}, "roles[1]"),
        ({"email": email, "name": "X", "roles": ["employee", 5]}, "roles[1]"),
        ({"email": email, "name": "X", "password": "short"}, "password"),
        ({"email": email, "name": "X", "password": email}, "password"),
        ({"email": email, "name": "X", "password": 123456789012345}, "password"),
    ]
    for body, field in cases:
        r = server.post("/api/v1/users", admin_token, json=body, bad=True)
        assert_error(r, 422, "validation_failed", field)
    assert server.find_users(email.split("@")[0]) == []
    assert server.find_users("not-an-email") == []


def test_create_user_needs_a_json_body(server, admin_token):
    email = unique_email("nonjson")
    body = json.dumps({"email": email, "name": "X", "password": PASSWORD})
    r = server.post("/api/v1/users", admin_token, data=body, bad=True)  # no Content-Type
    assert_error(r, 415, "unsupported_media_type")
    r = server.post("/api/v1/users", admin_token, data=body, headers={"Content-Type": "text/json"}, bad=True)
    assert_error(r, 415, "unsupported_media_type")
    r = server.post("/api/v1/users", admin_token, data=body[:-1],
                    headers={"Content-Type": "application/json"}, bad=True)
    assert_error(r, 400, "bad_request")
    assert server.find_users(email) == []


def test_employee_gets_403_on_admin_endpoints(server):
    me, token = server.user_with_token()
    victim = server.create_user()
    email = unique_email("byemployee")
    assert_error(server.post("/api/v1/users", token, json={"email": email, "name": "X", "password": PASSWORD}),
                 403, "forbidden")
    assert_error(server.get("/api/v1/users", token), 403, "forbidden")
    assert_error(server.put(f"/api/v1/users/{me['id']}/roles", token, json={"roles": ["admin"]}),
                 403, "forbidden")
    assert_error(server.put(f"/api/v1/users/{victim['id']}/manager", token, json={"manager_id": me["id"]}),
                 403, "forbidden")
    assert_error(server.patch(f"/api/v1/users/{victim['id']}", token, json={"status": "suspended"}),
                 403, "forbidden")
    assert_error(server.post("/api/v1/roles", token, json={"name": uniq("r")}), 403, "forbidden")
    # Nothing changed.
    assert server.find_users(email) == []
    assert get_user(server, me["id"])["roles"] == ["employee"]
    assert get_user(server, victim["id"])["manager_id"] is None
    assert get_user(server, victim["id"])["status"] == "active"


def test_only_admins_may_create_admins(server, admin_token):
    # A role that may write users (and is an employee itself), but may not manage roles.
    role = uniq("hr_clerk_")
    r = server.post("/api/v1/roles", admin_token, json={"name": role, "permissions": ["users.read", "users.write"],
                                                        "inherits": ["employee"]})
    assert r.status_code == 201, r.text
    _, token = server.user_with_token(roles=[role])
    email = unique_email("wannabe")
    r = server.post("/api/v1/users", token, json={"email": email, "name": "X", "roles": ["admin"], "password": PASSWORD})
    assert_error(r, 403, "forbidden")
    assert server.find_users(email) == []
    r = server.post("/api/v1/users", token, json={"email": email, "name": "Clerk Made", "password": PASSWORD})
    assert r.status_code == 201, r.text
    assert r.json()["roles"] == ["employee"]


def test_user_writers_cannot_grant_permissions_they_lack(server, admin_token):
    """Nobody hands out more power than they hold (permissions over one's own records aside)."""
    role = uniq("hr_writer_")
    r = server.post("/api/v1/roles", admin_token, json={"name": role, "permissions": ["users.read", "users.write"]})
    assert r.status_code == 201, r.text
    _, token = server.user_with_token(roles=[role])
    for roles in (["reviewer"], ["employee", "reviewer"]):
        email = unique_email("ungrantable")
        r = server.post("/api/v1/users", token, json={"email": email, "name": "X", "roles": roles, "password": PASSWORD})
        assert_error(r, 403, "forbidden")
        assert server.find_users(email) == []
    # Their own role, and plain employees (profile.self is power over oneself only), they may grant.
    for roles in ([role], ["employee"], None):
        body = {"email": unique_email("grantable"), "name": "Peer"}
        if roles is not None:
            body["roles"] = roles
        r = server.post("/api/v1/users", token, json=body)
        assert r.status_code == 201, r.text


# --------------------------------------------------------------------------------------------
# Reading and listing


def test_employee_may_read_only_themselves(server):
    me, token = server.user_with_token()
    other = server.create_user()
    r = server.get(f"/api/v1/users/{me['id']}", token)
    assert r.status_code == 200 and r.json()["id"] == me["id"]
    # Someone else's id looks exactly like a missing one.
    hidden = server.get(f"/api/v1/users/{other['id']}", token)
    missing = server.get("/api/v1/users/987654321", token)
    e1 = assert_error(hidden, 404, "not_found")
    e2 = assert_error(missing, 404, "not_found")
    assert e1["message"] == e2["message"]


def test_reviewer_may_list_and_read_users_but_not_write(server):
    _, token = server.user_with_token(roles=["reviewer"])
    other = server.create_user()
    assert server.get("/api/v1/users", token).status_code == 200
    assert server.get(f"/api/v1/users/{other['id']}", token).json()["id"] == other["id"]
    email = unique_email("byreviewer")
    assert_error(server.post("/api/v1/users", token, json={"email": email, "name": "X", "password": PASSWORD}),
                 403, "forbidden")
    assert server.find_users(email) == []


def test_unknown_or_malformed_user_ids_are_404(server, admin_token):
    assert_error(server.get("/api/v1/users/987654321", admin_token), 404, "not_found")
    for path in ["/api/v1/users/0", "/api/v1/users/-1", "/api/v1/users/abc", "/api/v1/users/1e3",
                 "/api/v1/users/99999999999999999999999"]:
        assert_error(server.get(path, admin_token, bad=True), 404, "not_found")


def test_user_list_pages_with_a_keyset_cursor(server, admin_token):
    marker = uniq("page")
    ids = [server.create_user(name=f"Pager {marker} {i}", password=None)["id"] for i in range(5)]
    seen, cursor, pages = [], None, 0
    while True:
        params = {"q": marker, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        r = server.get("/api/v1/users", admin_token, params=params)
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"items", "next_cursor"}
        assert len(body["items"]) <= 2
        seen += [u["id"] for u in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert isinstance(cursor, str)
        assert pages < 10
    assert seen == sorted(ids)  # each once, in id order
    assert pages == 3


def test_user_list_filters_by_role_and_text(server, admin_token):
    marker = uniq("filt")
    reviewer = server.create_user(name=f"Rev {marker}", roles=["reviewer"], password=None)
    employee = server.create_user(name=f"Emp {marker}", password=None)
    by_email = server.create_user(email=f"{marker}-mail@example.com", name="Mail Match", password=None)

    r = server.get("/api/v1/users", admin_token, params={"q": marker.upper(), "limit": 200})
    assert {u["id"] for u in r.json()["items"]} == {reviewer["id"], employee["id"], by_email["id"]}

    r = server.get("/api/v1/users", admin_token, params={"q": marker, "role": "reviewer"})
    assert [u["id"] for u in r.json()["items"]] == [reviewer["id"]]

    r = server.get("/api/v1/users", admin_token, params={"role": "reviewer", "limit": 200})
    assert all("reviewer" in u["roles"] for u in r.json()["items"])
    assert reviewer["id"] in {u["id"] for u in r.json()["items"]}

    r = server.get("/api/v1/users", admin_token, params={"role": "no_such_role"})
    assert r.status_code in (200, 422)
    if r.status_code == 200:
        assert r.json()["items"] == []


def test_user_search_treats_wildcards_literally(server, admin_token):
    marker = uniq("lit")
    pct = server.create_user(name=f"Pct 100%x{marker}", password=None)
    server.create_user(name=f"Pct 100yx{marker}", password=None)
    server.create_user(name=f"Und a_b{marker}", password=None)
    under_other = server.create_user(name=f"Und acb{marker}", password=None)
    r = server.get("/api/v1/users", admin_token, params={"q": f"100%x{marker}"})
    assert [u["id"] for u in r.json()["items"]] == [pct["id"]]
    r = server.get("/api/v1/users", admin_token, params={"q": f"a_b{marker}"})
    assert under_other["id"] not in [u["id"] for u in r.json()["items"]]
    assert len(r.json()["items"]) == 1


def test_user_search_folds_case_in_every_script(server, admin_token):
    marker = uniq("fold")
    strasse = server.create_user(name=f"Jürgen Straße {marker}", password=None)
    sisyphus = server.create_user(name=f"ΣΊΣΥΦΟΣ {marker}", password=None)

    def found(text):
        return [u["id"] for u in server.find_users(text)]

    assert found(f"STRASSE {marker.upper()}") == [strasse["id"]]
    assert found(f"straße {marker}") == [strasse["id"]]
    assert found(f"σίσυφος {marker}") == [sisyphus["id"]]  # final ς finds Σ
    assert found(f"jurgen strasse {marker}") == []  # case is folded, accents are not
    # A rename refolds the search text.
    r = server.patch(f"/api/v1/users/{strasse['id']}", admin_token, json={"name": f"ΑΘΗΝΆ {marker}"})
    assert r.status_code == 200, r.text
    assert found(f"strasse {marker}") == []
    assert found(f"αθηνά {marker}") == [strasse["id"]]


def test_user_list_rejects_bad_limit_and_cursor(server, admin_token):
    for limit in ["0", "201", "-1", "abc", "2.5", ""]:
        r = server.get("/api/v1/users", admin_token, params={"limit": limit}, bad=True)
        assert_error(r, 422, "validation_failed", "limit")
    for cursor in ["abc", "-5", "1.5"]:
        r = server.get("/api/v1/users", admin_token, params={"cursor": cursor})
        assert_error(r, 422, "validation_failed", "cursor")
    assert_error(server.get("/api/v1/users", admin_token, params={"q": "x" * 201}, bad=True), 422,
                 "validation_failed", "q")
    assert server.get("/api/v1/users", admin_token, params={"limit": "200"}).status_code == 200


# --------------------------------------------------------------------------------------------
# Updates


def test_suspending_a_user_ends_their_sessions(server, admin_token):
    user, token = server.user_with_token()
    other_user, other_token = server.user_with_token()
    r = server.patch(f"/api/v1/users/{user['id']}", admin_token, json={"status": "suspended"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "suspended"
    assert_error(server.get("/api/v1/auth/me", token), 401, "unauthenticated")
    assert server.login(user["email"], PASSWORD).status_code in (401, 403)
    assert server.get("/api/v1/auth/me", other_token).status_code == 200  # others unaffected

    r = server.patch(f"/api/v1/users/{user['id']}", admin_token, json={"status": "active"})
    assert r.status_code == 200 and r.json()["status"] == "active"
    assert_error(server.get("/api/v1/auth/me", token), 401, "unauthenticated")  # stays ended
    assert server.login(user["email"], PASSWORD).status_code == 200


def test_patch_user_renames_and_validates(server, admin_token):
    user = server.create_user(name="Before Rename")
    r = server.patch(f"/api/v1/users/{user['id']}", admin_token, json={"name": "After Rename"})
    assert r.status_code == 200 and r.json()["name"] == "After Rename"
    for body, field in [({"status": "deleted"}, "status"), ({"status": 1}, "status"),
                        ({"name": ""}, "name"), ({"name": 5}, "name")]:
        r = server.patch(f"/api/v1/users/{user['id']}", admin_token, json=body, bad=True)
        assert_error(r, 422, "validation_failed", field)
    after = get_user(server, user["id"])
    assert after["name"] == "After Rename" and after["status"] == "active"
    assert_error(server.patch("/api/v1/users/987654321", admin_token, json={"name": "X"}), 404, "not_found")


def test_invited_user_cannot_be_made_active_by_an_admin(server, admin_token):
    user = server.create_user(password=None)
    r = server.patch(f"/api/v1/users/{user['id']}", admin_token, json={"status": "active"})
    assert_error(r, 409, "conflict")
    assert get_user(server, user["id"])["status"] == "invited"


def test_admin_cannot_suspend_themselves(server):
    admin = server.create_user(roles=["admin"])
    token = server.token_for(admin["email"])
    r = server.patch(f"/api/v1/users/{admin['id']}", token, json={"status": "suspended"})
    assert_error(r, 409, "conflict")
    assert get_user(server, admin["id"])["status"] == "active"
    assert server.get("/api/v1/auth/me", token).status_code == 200


def test_manager_can_be_set_and_cleared(server, admin_token):
    boss = server.create_user(name="Boss", password=None)
    worker = server.create_user(name="Worker", password=None)
    r = server.put(f"/api/v1/users/{worker['id']}/manager", admin_token, json={"manager_id": boss["id"]})
    assert r.status_code == 200, r.text
    assert r.json()["manager_id"] == boss["id"]
    assert get_user(server, worker["id"])["manager_id"] == boss["id"]
    r = server.put(f"/api/v1/users/{worker['id']}/manager", admin_token, json={"manager_id": None})
    assert r.status_code == 200 and r.json()["manager_id"] is None
    assert get_user(server, worker["id"])["manager_id"] is None


def test_manager_loop_is_rejected_with_its_path(server, admin_token):
    a = server.create_user(name="Loop A", password=None)["id"]
    b = server.create_user(name="Loop B", password=None)["id"]
    assert server.put(f"/api/v1/users/{a}/manager", admin_token, json={"manager_id": b}).status_code == 200
    r = server.put(f"/api/v1/users/{b}/manager", admin_token, json={"manager_id": a})
    err = assert_error(r, 422, "cycle")
    assert err["details"]["path"] == [b, a, b]
    assert get_user(server, b)["manager_id"] is None
    assert get_user(server, a)["manager_id"] == b


def test_longer_manager_loop_and_self_management_are_rejected(server, admin_token):
    a, b, c = (server.create_user(name=f"Chain {n}", password=None)["id"] for n in "ABC")
    assert server.put(f"/api/v1/users/{a}/manager", admin_token, json={"manager_id": b}).status_code == 200
    assert server.put(f"/api/v1/users/{b}/manager", admin_token, json={"manager_id": c}).status_code == 200
    r = server.put(f"/api/v1/users/{c}/manager", admin_token, json={"manager_id": a})
    assert assert_error(r, 422, "cycle")["details"]["path"] == [c, a, b, c]
    assert get_user(server, c)["manager_id"] is None

    r = server.put(f"/api/v1/users/{a}/manager", admin_token, json={"manager_id": a})
    assert assert_error(r, 422, "cycle")["details"]["path"] == [a, a]
    assert get_user(server, a)["manager_id"] == b


def test_manager_update_validates_input(server, admin_token):
    user = server.create_user(password=None)
    boss = server.create_user(password=None)
    path = f"/api/v1/users/{user['id']}/manager"
    assert server.put(path, admin_token, json={"manager_id": boss["id"]}).status_code == 200
    for body in [{}, {"manager_id": 987654321}, {"manager_id": "1"}, {"manager_id": 0},
                 {"manager_id": -3}, {"manager_id": 1.5}, {"manager_id": True}]:
        assert_error(server.put(path, admin_token, json=body, bad=True), 422, "validation_failed", "manager_id")
    assert get_user(server, user["id"])["manager_id"] == boss["id"]
    assert_error(server.put("/api/v1/users/987654321/manager", admin_token, json={"manager_id": boss["id"]}),
                 404, "not_found")


def test_roles_of_a_user_can_be_replaced_and_apply_to_live_sessions(server, admin_token):
    user, token = server.user_with_token()
    assert_error(server.get("/api/v1/users", token), 403, "forbidden")
    r = server.put(f"/api/v1/users/{user['id']}/roles", admin_token, json={"roles": ["reviewer", "employee", "reviewer"]})
    assert r.status_code == 200, r.text
    assert r.json()["roles"] == ["employee", "reviewer"]
    me = server.get("/api/v1/auth/me", token).json()
    assert set(me["roles"]) == {"employee", "reviewer"}
    assert {"users.read", "profile.self"} <= set(me["permissions"])
    assert server.get("/api/v1/users", token).status_code == 200


def test_role_update_validates_input_and_changes_nothing(server, admin_token):
    user = server.create_user(roles=["reviewer"], password=None)
    path = f"/api/v1/users/{user['id']}/roles"
    for body, field in [({}, "roles"), ({"roles": []}, "roles"), ({"roles": "admin"}, "roles"),
                        ({"roles": ["ghost"]}, "roles[0]"), ({"roles": ["employee", "ghost"]}, "roles[1]"),
                        ({"roles": [None]}, "roles[0]")]:
        assert_error(server.put(path, admin_token, json=body, bad=True), 422, "validation_failed", field)
    assert get_user(server, user["id"])["roles"] == ["reviewer"]
    assert_error(server.put("/api/v1/users/987654321/roles", admin_token, json={"roles": ["employee"]}),
                 404, "not_found")


def test_the_last_admin_cannot_be_demoted_or_suspended(start_server):
    srv = start_server()
    token = srv.admin_token
    admin_id = srv.get("/api/v1/auth/me", token).json()["id"]
    assert_error(srv.put(f"/api/v1/users/{admin_id}/roles", token, json={"roles": ["employee"]}), 409, "conflict")
    assert srv.get("/api/v1/auth/me", token).json()["roles"] == ["admin"]
    # Someone who may write users still cannot suspend the only admin (nor any admin: they
    # hold less than one).
    r = srv.post("/api/v1/roles", token, json={"name": "hr_clerk", "permissions": ["users.read", "users.write"]})
    assert r.status_code == 201, r.text
    _, clerk_token = srv.user_with_token(roles=["hr_clerk"])
    assert_error(srv.patch(f"/api/v1/users/{admin_id}", clerk_token, json={"status": "suspended"}),
                 403, "forbidden")
    assert srv.get("/api/v1/auth/me", token).status_code == 200
    # With a second admin, the first may step down; the second is then the last one.
    second = srv.create_user(roles=["admin"])
    second_token = srv.token_for(second["email"])
    r = srv.put(f"/api/v1/users/{admin_id}/roles", token, json={"roles": ["employee"]})
    assert r.status_code == 200, r.text
    assert_error(srv.put(f"/api/v1/users/{second['id']}/roles", second_token, json={"roles": ["reviewer"]}),
                 409, "conflict")
    assert srv.get("/api/v1/auth/me", second_token).json()["roles"] == ["admin"]
    assert srv.login(ADMIN_EMAIL, ADMIN_PASSWORD).json()["user"]["roles"] == ["employee"]


# --------------------------------------------------------------------------------------------
# Concurrency


def concurrently(calls) -> list:
    """Runs the callables at the same moment, each on its own thread and connection."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_concurrent_creates_of_one_email_make_exactly_one_user(server, admin_token):
    email = unique_email("race")
    headers = {"Authorization": f"Bearer {admin_token}"}
    calls = [lambda i=i: requests.post(server.url + "/api/v1/users", headers=headers, timeout=30,
                                       json={"email": email, "name": f"Racer {i}"}) for i in range(6)]
    statuses = sorted(r.status_code for r in concurrently(calls))
    assert statuses == [201] + [409] * 5, statuses
    assert len(server.find_users(email)) == 1


def test_concurrent_manager_updates_cannot_form_a_loop(server, admin_token):
    headers = {"Authorization": f"Bearer {admin_token}"}

    def set_manager(user, manager):
        return lambda: requests.put(f"{server.url}/api/v1/users/{user}/manager", headers=headers,
                                    json={"manager_id": manager}, timeout=30)

    for _ in range(5):
        a = server.create_user(name="Race A", password=None)["id"]
        b = server.create_user(name="Race B", password=None)["id"]
        results = concurrently([set_manager(a, b), set_manager(b, a)])
        statuses = sorted(r.status_code for r in results)
        assert statuses == [200, 422], [(r.status_code, r.text) for r in results]
        links = {a: get_user(server, a)["manager_id"], b: get_user(server, b)["manager_id"]}
        assert not (links[a] == b and links[b] == a), f"a manager loop was stored: {links}"
