"""Login, sessions (bearer and cookie + CSRF), logout, lockout and throttling, expiry."""

import datetime
import http.client
import json
import time


from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, assert_error, unique_email


def parse_time(text: str) -> datetime.datetime:
    assert text.endswith("Z"), text
    return datetime.datetime.fromisoformat(text[:-1]).replace(tzinfo=datetime.timezone.utc)


def set_cookies(response) -> dict[str, str]:
    """name -> the whole Set-Cookie line, for every Set-Cookie header."""
    out = {}
    for line in response.raw.headers.get_all("Set-Cookie") or []:
        out[line.split("=", 1)[0]] = line
    return out


def cookie_value(line: str) -> str:
    return line.split(";", 1)[0].split("=", 1)[1]


# --------------------------------------------------------------------------------------------
# Login


def test_login_returns_token_csrf_user_and_cookies(server):
    user = server.create_user(roles=["reviewer"], name="Login Person")
    r = server.login(user["email"], PASSWORD)
    assert r.status_code == 200, r.text
    body = r.json()
    assert isinstance(body["token"], str) and len(body["token"]) >= 20
    assert isinstance(body["csrf_token"], str) and body["csrf_token"]
    assert parse_time(body["expires_at"]) > datetime.datetime.now(datetime.timezone.utc)
    assert body["user"] == {"id": user["id"], "email": user["email"], "name": "Login Person",
                            "roles": ["reviewer"]}

    cookies = set_cookies(r)
    session, csrf = cookies["hrms_session"], cookies["hrms_csrf"]
    assert cookie_value(session) == body["token"]
    assert cookie_value(csrf) == body["csrf_token"]
    assert "HttpOnly" in session and "SameSite=Strict" in session and "Path=/" in session
    assert "HttpOnly" not in csrf  # the page's script must read it to echo it


def test_login_email_is_case_insensitive(server):
    user = server.create_user()
    r = server.login("  " + user["email"].upper() + " ", PASSWORD)
    assert r.status_code == 200, r.text
    assert r.json()["user"]["id"] == user["id"]


def test_login_failure_does_not_reveal_whether_the_account_exists(server):
    user = server.create_user()
    wrong = server.login(user["email"], "wrong-password-xyz")
    nobody = server.login(unique_email("ghost"), "wrong-password-xyz")
    e1 = assert_error(wrong, 401, "unauthenticated")
    e2 = assert_error(nobody, 401, "unauthenticated")
    assert e1["message"] == e2["message"]
    assert "token" not in wrong.json() and "Set-Cookie" not in wrong.headers


def test_invited_user_cannot_log_in_before_accepting(server):
    user = server.create_user(password=None)
    assert_error(server.login(user["email"], PASSWORD), 401, "unauthenticated")


def test_login_body_must_be_json_object_with_string_fields(server):
    email = unique_email()
    r = server.post("/api/v1/auth/login", data=json.dumps({"email": email, "password": "x" * 12}),
                    headers={"Content-Type": "text/plain"}, bad=True)
    assert_error(r, 415, "unsupported_media_type")
    r = server.post("/api/v1/auth/login", data='{"email": "a@b.c", "password": ',
                    headers={"Content-Type": "application/json"}, bad=True)
    assert_error(r, 400, "bad_request")
    r = server.post("/api/v1/auth/login", data="", headers={"Content-Type": "application/json"},
                    bad=True)
    assert_error(r, 400, "bad_request")
    r = server.post("/api/v1/auth/login", json=["a@b.c", "pw"], bad=True)
    assert_error(r, 400, "bad_request")
    assert_error(server.post("/api/v1/auth/login", json={"email": email}, bad=True), 422,
                 "validation_failed", "password")
    assert_error(server.post("/api/v1/auth/login", json={"password": PASSWORD}, bad=True), 422,
                 "validation_failed", "email")
    assert_error(server.post("/api/v1/auth/login", json={"email": 42, "password": PASSWORD},
                             bad=True), 422, "validation_failed", "email")
    assert_error(server.post("/api/v1/auth/login", json={"email": email, "password": ["x"]},
                             bad=True), 422, "validation_failed", "password")
    # Charset parameters are fine.
    r = server.post("/api/v1/auth/login", data=json.dumps({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
                    headers={"Content-Type": "application/json; charset=utf-8"})
    assert r.status_code == 200, r.text


def test_deeply_nested_json_is_rejected(server):
    body = '{"email":' + "[" * 200 + "]" * 200 + ',"password":"x"}'
    r = server.post("/api/v1/auth/login", data=body, headers={"Content-Type": "application/json"},
                    bad=True)
    assert_error(r, 400, "bad_request")


def test_suspended_user_cannot_log_in(server, admin_token):
    user = server.create_user()
    r = server.patch(f"/api/v1/users/{user['id']}", admin_token, json={"status": "suspended"})
    assert r.status_code == 200, r.text
    # The right password is not confirmed: the answer is that of a wrong one.
    r = server.login(user["email"], PASSWORD)
    assert_error(r, 401, "unauthenticated")
    assert r.json()["error"]["message"] == "invalid email or password"


# --------------------------------------------------------------------------------------------
# Sessions


def test_me_returns_identity_roles_and_permissions(server, admin_token):
    r = server.get("/api/v1/auth/me", admin_token)
    assert r.status_code == 200
    me = r.json()
    assert me["email"] == ADMIN_EMAIL and me["roles"] == ["admin"] and "*" in me["permissions"]

    user, token = server.user_with_token(name="Plain Employee")
    me = server.get("/api/v1/auth/me", token).json()
    assert me == {"id": user["id"], "email": user["email"], "name": "Plain Employee",
                  "roles": ["employee"], "permissions": ["profile.self"]}


def test_requests_without_credentials_are_401(server):
    assert_error(server.get("/api/v1/auth/me"), 401, "unauthenticated")
    assert_error(server.get("/api/v1/users"), 401, "unauthenticated")


def test_authorization_header_must_be_a_valid_bearer_token(server, admin_token):
    for value in [f"Basic {admin_token}", admin_token, "Bearer ", "Bearer not-a-real-token",
                  "Bearer " + "x" * 300, f"bearer{admin_token}"]:
        r = server.get("/api/v1/auth/me", headers={"Authorization": value})
        assert_error(r, 401, "unauthenticated")


def test_cookie_session_authenticates_safe_requests(server):
    user = server.create_user()
    login = server.login(user["email"], PASSWORD).json()
    r = server.get("/api/v1/auth/me", cookies={"hrms_session": login["token"]})
    assert r.status_code == 200 and r.json()["id"] == user["id"]


def test_cookie_session_unsafe_requests_need_matching_csrf_header(server):
    login = server.login(ADMIN_EMAIL, ADMIN_PASSWORD).json()
    cookies = {"hrms_session": login["token"], "hrms_csrf": login["csrf_token"]}
    email = unique_email("csrf")
    body = {"email": email, "name": "Csrf Victim", "password": PASSWORD}

    r = server.post("/api/v1/users", json=body, cookies=cookies)
    assert_error(r, 403, "forbidden")
    r = server.post("/api/v1/users", json=body, cookies=cookies, headers={"X-CSRF-Token": "wrong"})
    assert_error(r, 403, "forbidden")
    # Header equal to a forged cookie, but not to this session's token.
    r = server.post("/api/v1/users", json=body, headers={"X-CSRF-Token": "forged"},
                    cookies={"hrms_session": login["token"], "hrms_csrf": "forged"})
    assert_error(r, 403, "forbidden")
    # The right token in the header but no csrf cookie.
    r = server.post("/api/v1/users", json=body, headers={"X-CSRF-Token": login["csrf_token"]},
                    cookies={"hrms_session": login["token"]})
    assert_error(r, 403, "forbidden")
    assert server.find_users(email) == []

    r = server.post("/api/v1/users", json=body, cookies=cookies,
                    headers={"X-CSRF-Token": login["csrf_token"]})
    assert r.status_code == 201, r.text
    assert [u["email"] for u in server.find_users(email)] == [email]


def test_csrf_token_of_another_session_is_refused(server):
    a = server.login(ADMIN_EMAIL, ADMIN_PASSWORD).json()
    b = server.login(ADMIN_EMAIL, ADMIN_PASSWORD).json()
    email = unique_email("csrf2")
    r = server.post("/api/v1/users", json={"email": email, "name": "X", "password": PASSWORD},
                    cookies={"hrms_session": a["token"], "hrms_csrf": b["csrf_token"]},
                    headers={"X-CSRF-Token": b["csrf_token"]})
    assert_error(r, 403, "forbidden")
    assert server.find_users(email) == []


def test_bearer_requests_need_no_csrf_even_with_cookies_present(server, admin_token):
    email = unique_email("bearer")
    r = server.post("/api/v1/users", admin_token,
                    json={"email": email, "name": "Bearer Made", "password": PASSWORD},
                    cookies={"hrms_session": "stale", "hrms_csrf": "stale"})
    assert r.status_code == 201, r.text


def test_logout_ends_only_that_session(server):
    user = server.create_user()
    first = server.token_for(user["email"])
    second = server.token_for(user["email"])
    r = server.post("/api/v1/auth/logout", first)
    assert r.status_code == 204
    assert r.content == b""
    cleared = set_cookies(r)
    assert "Max-Age=0" in cleared["hrms_session"] and "Max-Age=0" in cleared["hrms_csrf"]
    assert_error(server.get("/api/v1/auth/me", first), 401, "unauthenticated")
    assert_error(server.post("/api/v1/auth/logout", first), 401, "unauthenticated")
    assert server.get("/api/v1/auth/me", second).status_code == 200


def test_logout_everywhere_ends_every_session_of_the_account(server):
    user = server.create_user()
    other = server.create_user()
    first = server.token_for(user["email"])
    second = server.token_for(user["email"])
    bystander = server.token_for(other["email"])
    r = server.post("/api/v1/auth/logout?everywhere=true", first)
    assert r.status_code == 204
    assert "Max-Age=0" in set_cookies(r)["hrms_session"]
    assert_error(server.get("/api/v1/auth/me", first), 401, "unauthenticated")
    assert_error(server.get("/api/v1/auth/me", second), 401, "unauthenticated")
    assert server.get("/api/v1/auth/me", bystander).status_code == 200


def test_logout_with_a_bad_everywhere_is_refused_and_ends_nothing(server):
    user = server.create_user()
    token = server.token_for(user["email"])
    for value in ("yes", "TRUE", "1"):
        assert_error(server.post(f"/api/v1/auth/logout?everywhere={value}", token, bad=True), 422,
                     "validation_failed", field="everywhere")
    assert server.get("/api/v1/auth/me", token).status_code == 200
    r = server.post("/api/v1/auth/logout?everywhere=false", token)
    assert r.status_code == 204
    assert_error(server.get("/api/v1/auth/me", token), 401, "unauthenticated")


def test_cookie_logout_needs_csrf(server):
    user = server.create_user()
    login = server.login(user["email"], PASSWORD).json()
    cookies = {"hrms_session": login["token"], "hrms_csrf": login["csrf_token"]}
    assert_error(server.post("/api/v1/auth/logout", cookies=cookies), 403, "forbidden")
    assert server.get("/api/v1/auth/me", login["token"]).status_code == 200
    r = server.post("/api/v1/auth/logout", cookies=cookies,
                    headers={"X-CSRF-Token": login["csrf_token"]})
    assert r.status_code == 204
    assert_error(server.get("/api/v1/auth/me", login["token"]), 401, "unauthenticated")


# --------------------------------------------------------------------------------------------
# Lockout and throttling (dedicated servers)


def retry_after(r) -> int:
    value = int(r.headers["Retry-After"])
    assert value >= 1
    return value


def test_repeated_wrong_passwords_slow_down_that_address_for_that_email(start_server):
    srv = start_server({"HRMS_LOGIN_MAX_FAILURES": "3", "HRMS_LOGIN_LOCKOUT_S": "600",
                        "HRMS_LOGIN_BACKOFF_S": "600",
                        "HRMS_LOGIN_IP_MAX_FAILURES": "1000", "HRMS_LOGIN_BURST_PER_IP": "1000",
                        "HRMS_LOGIN_RATE_PER_IP": "1000"})
    victim = srv.create_user()
    bystander = srv.create_user()
    for _ in range(3):
        assert_error(srv.login(victim["email"], "wrong-password-1"), 401, "unauthenticated")
    r = srv.login(victim["email"], "wrong-password-1")
    assert_error(r, 429, "rate_limited")
    assert 1 <= retry_after(r) <= 600
    # While this address waits, even the right password is not checked, and no session is made.
    r = srv.login(victim["email"], PASSWORD)
    assert_error(r, 429, "rate_limited")
    assert 1 <= retry_after(r) <= 600
    assert "token" not in r.json()
    # Other emails from this address, and this email from another address, are not affected:
    # whoever guesses at one address cannot lock the real user out.
    assert srv.login(bystander["email"], PASSWORD).status_code == 200
    status, _, body = login_from(srv, "127.0.0.2", victim["email"], PASSWORD)
    assert status == 200, body


def test_successful_login_resets_the_failure_count(start_server):
    srv = start_server({"HRMS_LOGIN_MAX_FAILURES": "3", "HRMS_LOGIN_LOCKOUT_S": "600",
                        "HRMS_LOGIN_IP_MAX_FAILURES": "1000", "HRMS_LOGIN_BURST_PER_IP": "1000",
                        "HRMS_LOGIN_RATE_PER_IP": "1000"})
    user = srv.create_user()
    for _ in range(2):
        assert srv.login(user["email"], "wrong-password-1").status_code == 401
    assert srv.login(user["email"], PASSWORD).status_code == 200
    for _ in range(2):
        assert srv.login(user["email"], "wrong-password-1").status_code == 401
    assert srv.login(user["email"], PASSWORD).status_code == 200


def test_the_delay_after_repeated_failures_expires(start_server, clock):
    # A delay of minutes on a clock the test moves: however long a loaded machine takes to hash
    # the passwords, the third attempt still comes inside it, and the test need not wait it out.
    srv = start_server({"HRMS_LOGIN_MAX_FAILURES": "2", "HRMS_LOGIN_LOCKOUT_S": "600",
                        "HRMS_LOGIN_BACKOFF_S": "600", **clock.env(),
                        "HRMS_LOGIN_IP_MAX_FAILURES": "1000", "HRMS_LOGIN_BURST_PER_IP": "1000",
                        "HRMS_LOGIN_RATE_PER_IP": "1000"})
    user = srv.create_user()
    assert srv.login(user["email"], "wrong-password-1").status_code == 401
    assert srv.login(user["email"], "wrong-password-1").status_code == 401
    assert srv.login(user["email"], "wrong-password-1").status_code == 429
    clock.forward(540)
    assert srv.login(user["email"], PASSWORD).status_code == 429
    clock.forward(70)
    assert srv.login(user["email"], PASSWORD).status_code == 200


def login_from(srv, source_ip: str, email: str, password: str) -> tuple[int, dict, dict]:
    """A login from another loopback address (127.0.0.0/8 all reach 127.0.0.1)."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10, source_address=(source_ip, 0))
    try:
        conn.request("POST", "/api/v1/auth/login", body=json.dumps({"email": email, "password": password}),
                     headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), json.loads(resp.read() or b"null")
    finally:
        conn.close()


def test_failures_from_one_ip_are_rate_limited_per_ip(start_server):
    srv = start_server({"HRMS_LOGIN_IP_MAX_FAILURES": "3", "HRMS_LOGIN_LOCKOUT_S": "600",
                        "HRMS_LOGIN_MAX_FAILURES": "1000", "HRMS_LOGIN_BURST_PER_IP": "1000",
                        "HRMS_LOGIN_RATE_PER_IP": "1000"})
    srv.admin_token  # log in before the address is blocked
    for _ in range(3):
        assert srv.login(unique_email("spray"), "wrong-password-1").status_code == 401
    r = srv.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    assert_error(r, 429, "rate_limited")
    assert 1 <= retry_after(r) <= 600
    # Another address is not affected.
    status, _, body = login_from(srv, "127.0.0.2", ADMIN_EMAIL, ADMIN_PASSWORD)
    assert status == 200, body
    # Sessions made before still work: only logins are throttled.
    assert srv.get("/api/v1/auth/me", srv.admin_token).status_code == 200


def test_login_attempts_per_ip_are_limited_by_a_token_bucket(start_server):
    srv = start_server({"HRMS_LOGIN_BURST_PER_IP": "3", "HRMS_LOGIN_RATE_PER_IP": "0.01",
                        "HRMS_LOGIN_IP_MAX_FAILURES": "1000", "HRMS_LOGIN_MAX_FAILURES": "1000"})
    for _ in range(3):
        assert srv.login(ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 200
    r = srv.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    assert_error(r, 429, "rate_limited")
    assert retry_after(r) >= 1
    status, _, body = login_from(srv, "127.0.0.3", ADMIN_EMAIL, ADMIN_PASSWORD)
    assert status == 200, body


# --------------------------------------------------------------------------------------------
# Expiry (a dedicated server with one-second sessions)


def test_idle_session_expires_and_use_renews_it(start_server):
    srv = start_server({"HRMS_SESSION_TTL_S": "1", "HRMS_SESSION_RENEW_AFTER_S": "0"})
    token = srv.token_for(ADMIN_EMAIL, ADMIN_PASSWORD)
    # Used every 0.25 s for longer than the TTL: renewed each time.
    started = time.monotonic()
    while time.monotonic() - started < 1.6:
        r = srv.get("/api/v1/auth/me", token)
        assert r.status_code == 200, (time.monotonic() - started, r.text)
        time.sleep(0.25)
    # Left alone, it expires: poll with growing gaps (each success renews it) until refused.
    gap, deadline = 0.6, time.monotonic() + 10
    while True:
        time.sleep(gap)
        r = srv.get("/api/v1/auth/me", token)
        if r.status_code == 401:
            assert_error(r, 401, "unauthenticated")
            break
        assert r.status_code == 200, r.text
        assert time.monotonic() < deadline, "the idle session never expired"
        gap *= 2
    # Once expired, it stays expired; a new login works.
    assert srv.get("/api/v1/auth/me", token).status_code == 401
    assert srv.get("/api/v1/auth/me", srv.token_for(ADMIN_EMAIL, ADMIN_PASSWORD)).status_code == 200


def test_session_ends_at_max_age_even_when_used(start_server):
    srv = start_server({"HRMS_SESSION_TTL_S": "1", "HRMS_SESSION_RENEW_AFTER_S": "0",
                        "HRMS_SESSION_MAX_AGE_S": "3"})
    token = srv.token_for(ADMIN_EMAIL, ADMIN_PASSWORD)
    started = time.monotonic()
    while True:
        r = srv.get("/api/v1/auth/me", token)
        if r.status_code == 401:
            break
        assert r.status_code == 200, r.text
        assert time.monotonic() - started < 8, "the session outlived its maximum age"
        time.sleep(0.25)
    assert time.monotonic() - started >= 2, "ended long before its maximum age of 3 s"
