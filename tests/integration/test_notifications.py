"""The persisted notification feed: whose rows each user sees, paging with after=, read state."""

import pytest

from conftest import (assert_error, complete_details, decide, employee_with_details_submitted, feed, my_profile,
                      save_details, submit_stage)


def kinds(items: list[dict]) -> list[str]:
    return [n["kind"] for n in items]


def unread(server, token: str) -> int:
    r = server.get("/api/v1/notifications/unread-count", token)
    assert r.status_code == 200, r.text
    n = r.json()["unread"]
    assert feed(server, token, limit=1)["unread"] == n
    return n


def latest_id(server, token: str) -> int:
    """The id of the newest row in this user's feed (0 when empty)."""
    after = 0
    while True:
        page = feed(server, token, after=after, limit=200)
        if not page["items"]:
            return after
        after = page["next_after"]


def employee_with_three_notifications(server):
    """submitted, rejected, submitted again: three rows of the employee's own feed."""
    user, token, profile = employee_with_details_submitted(server)
    r = decide(server, server.admin_token, profile["id"], "details", "reject", "Please use your legal name")
    assert r.status_code == 200, r.text
    assert save_details(server, token, complete_details(first_name="Augusta")).status_code == 200
    assert submit_stage(server, token).status_code == 200
    return user, token, profile


def test_new_employee_has_an_empty_feed(server):
    _, token = server.user_with_token()
    body = feed(server, token)
    assert body == {"items": [], "unread": 0, "next_after": 0}
    assert unread(server, token) == 0


def test_feed_needs_authentication(server):
    assert_error(server.get("/api/v1/notifications"), 401, "unauthenticated")
    assert_error(server.post("/api/v1/notifications/read-all"), 401, "unauthenticated")
    assert_error(server.post("/api/v1/notifications/1/read"), 401, "unauthenticated")


def test_employee_sees_only_their_own_rows(server):
    user, token, profile = employee_with_details_submitted(server)
    _, other_token, other_profile = employee_with_details_submitted(server)
    items = feed(server, token)["items"]
    assert kinds(items) == ["profile.submitted"]
    n = items[0]
    assert n["data"] == {"profile_id": profile["id"], "stage": "details"}
    assert n["title"] and n["body"] and n["created_at"] and n["read"] is False
    assert set(n) >= {"id", "kind", "title", "body", "data", "created_at", "read"}
    # Neither the other employee's rows nor the admins' new-submission alerts.
    other_items = feed(server, other_token)["items"]
    assert kinds(other_items) == ["profile.submitted"]
    assert other_items[0]["data"]["profile_id"] == other_profile["id"]
    assert not {x["id"] for x in items} & {x["id"] for x in other_items}


def test_admins_and_reviewers_see_new_submissions(server, admin_token):
    rev, rtoken = server.user_with_token(roles=["reviewer"])
    before_admin = latest_id(server, admin_token)
    before_reviewer = latest_id(server, rtoken)
    user, token, profile = employee_with_details_submitted(server, name="Notify Me")
    own = feed(server, token)["items"]
    for reader, before in ((admin_token, before_admin), (rtoken, before_reviewer)):
        rows = [n for n in feed(server, reader, after=before, limit=200)["items"]
                if n["kind"] == "admin.new_submission" and n["data"].get("profile_id") == profile["id"]]
        assert len(rows) == 1, rows
        assert rows[0]["data"]["stage"] == "details"
        assert "Notify Me" in rows[0]["title"]
        # The employee's own row is not theirs.
        assert own[0]["id"] not in [n["id"] for n in feed(server, reader, after=before, limit=200)["items"]]
    # Read state is per user: the admin reading it leaves it unread for the reviewer.
    alert = [n for n in feed(server, admin_token, after=before_admin, limit=200)["items"]
             if n["kind"] == "admin.new_submission" and n["data"].get("profile_id") == profile["id"]][0]
    r = server.post(f"/api/v1/notifications/{alert['id']}/read", admin_token)
    assert r.status_code == 204, r.text
    rows = {n["id"]: n for n in feed(server, rtoken, after=before_reviewer, limit=200)["items"]}
    assert rows[alert["id"]]["read"] is False
    rows = {n["id"]: n for n in feed(server, admin_token, after=before_admin, limit=200)["items"]}
    assert rows[alert["id"]]["read"] is True


def test_after_returns_only_newer_rows_in_increasing_id_order(server):
    _, token, _ = employee_with_three_notifications(server)
    items = feed(server, token)["items"]
    ids = [n["id"] for n in items]
    assert kinds(items) == ["profile.submitted", "profile.rejected", "profile.submitted"]
    assert ids == sorted(ids) and len(set(ids)) == 3
    assert items[1]["data"]["reason"] == "Please use your legal name"

    page = feed(server, token, after=ids[0])
    assert [n["id"] for n in page["items"]] == ids[1:] and page["next_after"] == ids[2]
    page = feed(server, token, after=ids[2])
    assert page["items"] == [] and page["next_after"] == ids[2]
    # Paging one at a time with next_after visits every row once.
    seen, after = [], 0
    while True:
        page = feed(server, token, after=after, limit=1)
        if not page["items"]:
            break
        assert len(page["items"]) == 1
        seen.append(page["items"][0]["id"])
        after = page["next_after"]
    assert seen == ids
    assert feed(server, token, limit=2)["items"] == items[:2]


def test_reading_one_row_lowers_unread_by_one(server):
    _, token, _ = employee_with_three_notifications(server)
    items = feed(server, token)["items"]
    assert unread(server, token) == 3
    r = server.post(f"/api/v1/notifications/{items[1]['id']}/read", token)
    assert r.status_code == 204, r.text
    assert unread(server, token) == 2
    assert [n["read"] for n in feed(server, token)["items"]] == [False, True, False]
    # Reading it again changes nothing.
    assert server.post(f"/api/v1/notifications/{items[1]['id']}/read", token).status_code == 204
    assert unread(server, token) == 2


def test_read_all_zeroes_unread_and_later_rows_are_unread(server, admin_token):
    _, token, profile = employee_with_three_notifications(server)
    r = server.post("/api/v1/notifications/read-all", token)
    assert r.status_code == 204, r.text
    assert unread(server, token) == 0
    assert all(n["read"] for n in feed(server, token)["items"])
    # A new row after read-all is unread.
    r = decide(server, admin_token, profile["id"], "details", "approve")
    assert r.status_code == 200, r.text
    items = feed(server, token)["items"]
    assert kinds(items)[-1] == "profile.stage_advanced" and items[-1]["read"] is False
    assert unread(server, token) == 1
    assert server.post("/api/v1/notifications/read-all", token).status_code == 204
    assert unread(server, token) == 0


def test_reading_someone_elses_notification_is_404(server, admin_token):
    _, token, _ = employee_with_details_submitted(server)
    _, other_token, other_profile = employee_with_details_submitted(server)
    theirs = feed(server, other_token)["items"][0]
    assert_error(server.post(f"/api/v1/notifications/{theirs['id']}/read", token), 404, "not_found")
    assert unread(server, other_token) == 1
    assert feed(server, other_token)["items"][0]["read"] is False
    # An admin-channel alert is not an employee's either.
    alert = [n for n in feed(server, admin_token, after=theirs["id"], limit=200)["items"]
             if n["kind"] == "admin.new_submission" and n["data"]["profile_id"] == other_profile["id"]][0]
    assert_error(server.post(f"/api/v1/notifications/{alert['id']}/read", token), 404, "not_found")
    assert_error(server.post("/api/v1/notifications/987654321/read", token), 404, "not_found")
    assert unread(server, token) == 1
    # A malformed id is not a notification either.
    r = server.post("/api/v1/notifications/abc/read", token, bad=True)
    assert r.status_code in (400, 404, 422), r.text


@pytest.mark.parametrize("params,field", [
    ({"limit": "0"}, "limit"),
    ({"limit": "201"}, "limit"),
    ({"limit": "-1"}, "limit"),
    ({"limit": "many"}, "limit"),
    ({"after": "-1"}, "after"),
    ({"after": "x"}, "after"),
])
def test_feed_parameters_out_of_range_are_422(server, params, field):
    _, token = server.user_with_token()
    assert_error(server.get("/api/v1/notifications", token, params=params, bad=True), 422,
                 "validation_failed", field)


def test_limit_bounds_are_inclusive(server):
    _, token = server.user_with_token()
    for limit in (1, 200):
        assert feed(server, token, limit=limit)["items"] == []


def test_decisions_notify_the_employee_not_the_reviewer(server):
    user, token, profile = employee_with_details_submitted(server)
    rev, rtoken = server.user_with_token(roles=["reviewer"])
    before = latest_id(server, rtoken)
    assert decide(server, rtoken, profile["id"], "details", "approve").status_code == 200
    assert kinds(feed(server, token)["items"]) == ["profile.submitted", "profile.stage_advanced"]
    advanced = feed(server, token)["items"][-1]
    assert advanced["data"] == {"profile_id": profile["id"], "stage": "documents", "progress": 40}
    assert my_profile(server, token)["progress"] == 40
    assert all(n["kind"] != "profile.stage_advanced" for n in feed(server, rtoken, after=before, limit=200)["items"])
