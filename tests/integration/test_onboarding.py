"""Onboarding: the employee's profile and details, submission, the review queue, decisions,
assignment and who may see what. Document uploads are in test_documents.py."""

import datetime

import pytest
import requests

from conftest import (REQUIRED_DOCUMENTS, assert_error, complete_details, decide, employee_at_documents,
                      employee_with_details_submitted, feed, my_profile, profile_of, save_details,
                      run_together, submit_stage, uniq, wait_until)

REQUIRED_FIELDS = ["first_name", "last_name", "date_of_birth", "phone", "address.line1", "address.city",
                   "address.country", "emergency_contact.name", "emergency_contact.phone"]


def today_utc() -> datetime.date:
    return datetime.datetime.now(datetime.timezone.utc).date()


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February -> 28 February
        return day.replace(year=day.year - years, day=28)


def reviewer(server) -> tuple[dict, str]:
    return server.user_with_token(roles=["reviewer"])


def queue(server, token: str, bad: bool = False, **params) -> requests.Response:
    return server.get("/api/v1/profiles", token, params=params, bad=bad)


def queue_ids(server, token: str, **params) -> list[int]:
    r = queue(server, token, **params)
    assert r.status_code == 200, r.text
    return [p["id"] for p in r.json()["items"]]


def kinds(items: list[dict]) -> list[str]:
    return [n["kind"] for n in items]


def settled(profile: dict) -> dict:
    """The profile without what changes by itself as time passes (a running clock's elapsed time)."""
    out = dict(profile)
    if out.get("sla"):
        out["sla"] = {k: v for k, v in out["sla"].items() if k != "elapsed_hours"}
    return out


# --------------------------------------------------------------------------------------------
# A new employee's profile


def test_new_employee_has_an_empty_draft_profile(server, admin_token):
    user, token = server.user_with_token(name="Fresh Hire")
    profile = my_profile(server, token)
    assert profile["user_id"] == user["id"]
    assert profile["email"] == user["email"] and profile["name"] == "Fresh Hire"
    assert profile["stage"] == "details" and profile["status"] == "draft"
    assert profile["employment_status"] == "onboarding"
    assert profile["progress"] == 0
    assert profile["history"] == [] and profile["documents"] == []
    assert profile["sla"] is None and profile["submitted_at"] is None and profile["sla_due_at"] is None
    assert profile["assignee_id"] is None
    assert all(v is None for k, v in profile["details"].items() if not isinstance(v, dict))
    assert all(v is None for v in profile["details"]["address"].values())
    assert all(v is None for v in profile["details"]["emergency_contact"].values())
    # Admins read the same profile by id.
    assert profile_of(server, profile["id"], admin_token) == profile


def test_reviewer_without_employee_role_has_no_own_profile(server):
    _, token = reviewer(server)
    assert_error(server.get("/api/v1/profiles/me", token), 403, "forbidden")
    assert_error(submit_stage(server, token), 403, "forbidden")
    assert_error(save_details(server, token, complete_details()), 403, "forbidden")


def test_profile_endpoints_need_authentication(server):
    assert_error(server.get("/api/v1/profiles/me"), 401, "unauthenticated")
    assert_error(server.get("/api/v1/profiles"), 401, "unauthenticated")
    assert_error(server.put("/api/v1/profiles/me/details", json=complete_details()), 401, "unauthenticated")
    assert_error(server.post("/api/v1/profiles/me/submit"), 401, "unauthenticated")


# --------------------------------------------------------------------------------------------
# Details


def test_partial_draft_is_saved_and_progress_rises_with_each_required_field(server):
    _, token = server.user_with_token()
    r = save_details(server, token, {"first_name": "Grace", "last_name": "Hopper"})
    assert r.status_code == 200, r.text
    p = r.json()
    assert p["details"]["first_name"] == "Grace" and p["details"]["last_name"] == "Hopper"
    assert p["details"]["phone"] is None
    assert p["status"] == "draft" and p["stage"] == "details"
    assert p["progress"] == 30 * 2 // 9

    # Optional fields do not count; each required one does.
    r = save_details(server, token, {"first_name": "Grace", "last_name": "Hopper", "preferred_name": "Amazing",
                                     "address": {"line2": "Flat 2"}})
    assert r.status_code == 200, r.text
    assert r.json()["progress"] == 30 * 2 // 9
    r = save_details(server, token, {"first_name": "Grace", "last_name": "Hopper", "phone": "+1 (202) 555-0143",
                                     "address": {"city": "Arlington", "country": "us"}})
    assert r.status_code == 200, r.text
    p = r.json()
    assert p["progress"] == 30 * 5 // 9
    assert p["details"]["address"]["country"] == "US"  # normalised
    assert p["details"]["preferred_name"] is None  # a save replaces the details as a whole

    r = save_details(server, token, complete_details())
    assert r.status_code == 200, r.text
    assert r.json()["progress"] == 30
    assert my_profile(server, token)["progress"] == 30
    assert my_profile(server, token)["status"] == "draft"


def test_details_are_trimmed_and_blank_fields_are_absent(server):
    _, token = server.user_with_token()
    r = save_details(server, token, {"first_name": "  Alan  ", "last_name": "   ", "phone": "",
                                     "address": {"country": " gb "}})
    assert r.status_code == 200, r.text
    d = r.json()["details"]
    assert d["first_name"] == "Alan" and d["last_name"] is None and d["phone"] is None
    assert d["address"]["country"] == "GB"
    assert r.json()["progress"] == 30 * 2 // 9


@pytest.mark.parametrize("field,details", [
    ("date_of_birth", {"date_of_birth": "2023-02-29"}),
    ("date_of_birth", {"date_of_birth": "1990-13-01"}),
    ("date_of_birth", {"date_of_birth": "10/12/1990"}),
    ("date_of_birth", {"date_of_birth": "1900-01-01"}),  # over 100
    ("phone", {"phone": "12345"}),
    ("phone", {"phone": "0123 456 789"}),
    ("phone", {"phone": "+44 20 CALL ME"}),
    ("phone", {"phone": "1234567890123456"}),
    ("address.country", {"address": {"country": "XX"}}),
    ("address.country", {"address": {"country": "UK"}}),
    ("address.country", {"address": {"country": "GBR"}}),
    ("first_name", {"first_name": "X" * 101}),
    ("first_name", {"first_name": "Bad\u0007Bell"}),
    ("address.line1", {"address": {"line1": "Y" * 201}}),
    ("emergency_contact.phone", {"emergency_contact": {"phone": "not a phone"}}),
])
def test_each_invalid_detail_is_422_naming_the_field_and_changes_nothing(server, field, details):
    _, token = server.user_with_token()
    assert save_details(server, token, {"first_name": "Keep", "last_name": "Me"}).status_code == 200
    before = my_profile(server, token)
    body = complete_details()
    for k, v in details.items():
        body[k] = {**body[k], **v} if isinstance(v, dict) else v
    err = assert_error(save_details(server, token, body, bad=True), 422, "validation_failed", field)
    assert list(err["details"]["fields"]) == [field], err
    assert field in err["details"]["fields"][field] or field in err["message"], err
    assert my_profile(server, token) == before


def test_too_young_is_refused_and_sixteen_today_is_accepted(server):
    _, token = server.user_with_token()
    today = today_utc()
    before = my_profile(server, token)
    for too_young in [years_before(today, 10), years_before(today, 16) + datetime.timedelta(days=1),
                      today + datetime.timedelta(days=30)]:
        err = assert_error(save_details(server, token, {"date_of_birth": too_young.isoformat()}), 422,
                           "validation_failed", "date_of_birth")
        assert "under 16" in err["message"] or "date_of_birth" in err["message"], err
        assert my_profile(server, token) == before
    if (today.month, today.day) != (2, 29):
        r = save_details(server, token, {"date_of_birth": years_before(today, 16).isoformat()})
        assert r.status_code == 200, r.text


def test_all_invalid_fields_are_listed_with_the_first_one_named(server):
    _, token = server.user_with_token()
    before = my_profile(server, token)
    too_young = years_before(today_utc(), 10).isoformat()
    body = complete_details(date_of_birth=too_young, phone="12",
                            address={"line1": "1 Main Street", "city": "London", "country": "XX"})
    err = assert_error(save_details(server, token, body), 422, "validation_failed", "date_of_birth")
    assert set(err["details"]["fields"]) == {"date_of_birth", "phone", "address.country"}, err
    assert all(isinstance(m, str) and m for m in err["details"]["fields"].values()), err
    assert my_profile(server, token) == before

    body = complete_details(date_of_birth="2023-02-29", phone="+44 20 7946 0958")
    body["address"]["country"] = "XX"
    err = assert_error(save_details(server, token, body, bad=True), 422, "validation_failed", "date_of_birth")
    assert set(err["details"]["fields"]) == {"date_of_birth", "address.country"}, err
    assert my_profile(server, token) == before


@pytest.mark.parametrize("field,body", [
    ("address.city", {"address": {"city": 42}}),
    ("address.city", {"address": {"city": ["London"]}}),
    ("address", {"address": "1 Main Street, London"}),
    ("emergency_contact", {"emergency_contact": ["Mum"]}),
    ("first_name", {"first_name": {"text": "Ada"}}),
    ("date_of_birth", {"date_of_birth": 19901210}),
    ("emergency_contact.phone", {"emergency_contact": {"phone": 4420794600}}),
])
def test_wrong_json_type_is_422_naming_the_field_and_changes_nothing(server, field, body):
    _, token = server.user_with_token()
    assert save_details(server, token, complete_details()).status_code == 200
    before = my_profile(server, token)
    assert_error(save_details(server, token, {**complete_details(first_name="Changed"), **body}, bad=True),
                 422, "validation_failed", field)
    assert my_profile(server, token) == before


def test_details_need_a_json_object(server):
    _, token = server.user_with_token()
    assert save_details(server, token, {"first_name": "Keep"}).status_code == 200
    before = my_profile(server, token)
    assert_error(server.put("/api/v1/profiles/me/details", token, data='{"first_name":"X"}', bad=True), 415,
                 "unsupported_media_type")
    assert_error(server.put("/api/v1/profiles/me/details", token, data='{"first_name":',
                            headers={"Content-Type": "application/json"}, bad=True), 400, "bad_request")
    assert_error(server.put("/api/v1/profiles/me/details", token, json=["first_name"], bad=True), 400,
                 "bad_request")
    assert my_profile(server, token) == before


# --------------------------------------------------------------------------------------------
# Submitting


def test_submitting_incomplete_details_is_422_listing_the_missing_fields(server):
    _, token = server.user_with_token()
    assert_error(submit_stage(server, token), 422, "validation_failed", "first_name")
    r = save_details(server, token, {"first_name": "Half", "last_name": "Done",
                                     "address": {"line1": "1 Main Street"}})
    assert r.status_code == 200, r.text
    before = my_profile(server, token)
    err = assert_error(submit_stage(server, token), 422, "validation_failed", "date_of_birth")
    missing = set(REQUIRED_FIELDS) - {"first_name", "last_name", "address.line1"}
    assert set(err["details"]["fields"]) == missing, err
    assert my_profile(server, token) == before
    assert before["status"] == "draft" and before["history"] == [] and before["sla"] is None


def test_submitting_complete_details_starts_review_and_the_sla_clock(server):
    user, token = server.user_with_token()
    assert save_details(server, token, complete_details()).status_code == 200
    r = submit_stage(server, token)
    assert r.status_code == 200, r.text
    p = r.json()
    assert p["stage"] == "details" and p["status"] == "submitted"
    assert p["progress"] == 30
    assert p["submitted_at"] and p["sla_due_at"]
    assert len(p["history"]) == 1
    h = p["history"][0]
    assert h["actor_id"] == user["id"] and h["at"]
    assert h["from"] == {"stage": "details", "status": "draft"}
    assert h["to"] == {"stage": "details", "status": "submitted"}
    assert h["decision"] is None and h["reason"] is None
    sla = p["sla"]
    assert sla["stage"] == "details" and sla["state"] == "running"
    assert sla["budget_hours"] == pytest.approx(48)
    assert 0 <= sla["elapsed_hours"] < 0.1
    assert sla["deadline"] and sla["overdue"] is False
    assert settled(my_profile(server, token)) == settled(p)


def test_double_submit_is_409_and_adds_no_history(server):
    _, token, profile = employee_with_details_submitted(server)
    assert_error(submit_stage(server, token), 409, "conflict")
    after = my_profile(server, token)
    assert after["status"] == "submitted" and len(after["history"]) == 1
    assert after["submitted_at"] == profile["submitted_at"]


def test_details_cannot_be_edited_while_awaiting_review(server):
    _, token, profile = employee_with_details_submitted(server)
    err = assert_error(save_details(server, token, complete_details(first_name="Sneaky")), 409, "conflict")
    assert "review" in err["message"], err
    after = my_profile(server, token)
    assert after["details"] == profile["details"] and after["details"]["first_name"] == "Ada"
    assert after["status"] == "submitted"


def test_sla_budget_follows_the_configured_hours(start_server):
    srv = start_server({"HRMS_SLA_HOURS_DETAILS": "1.5"})
    _, token, profile = employee_with_details_submitted(srv)
    assert profile["sla"]["budget_hours"] == pytest.approx(1.5)
    due = datetime.datetime.fromisoformat(profile["sla_due_at"].replace("Z", "+00:00"))
    submitted = datetime.datetime.fromisoformat(profile["submitted_at"].replace("Z", "+00:00"))
    assert abs((due - submitted).total_seconds() - 5400) < 5


# --------------------------------------------------------------------------------------------
# The review queue


def test_review_queue_filters_by_stage_status_and_text(server, admin_token):
    marker = uniq("queue")
    _, rtoken = reviewer(server)
    drafts = [server.user_with_token(name=f"Draft {marker} {i}") for i in range(2)]
    submitted = [employee_with_details_submitted(server, name=f"Sub {marker} {i}") for i in range(3)]
    at_documents = employee_at_documents(server, name=f"Docs {marker}")
    draft_ids = [my_profile(server, t)["id"] for _, t in drafts]
    submitted_ids = [p["id"] for _, _, p in submitted]
    docs_id = at_documents[2]["id"]
    all_ids = sorted(draft_ids + submitted_ids + [docs_id])

    assert queue_ids(server, rtoken, q=marker) == all_ids
    assert queue_ids(server, rtoken, q=marker.upper()) == all_ids  # case-insensitive
    assert queue_ids(server, rtoken, q=drafts[0][0]["email"]) == [draft_ids[0]]  # matches the email too
    assert queue_ids(server, rtoken, q=marker, stage="details") == sorted(draft_ids + submitted_ids)
    assert queue_ids(server, rtoken, q=marker, status="submitted") == submitted_ids
    assert queue_ids(server, rtoken, q=marker, stage="details", status="draft") == draft_ids
    assert queue_ids(server, rtoken, q=marker, stage="documents") == [docs_id]
    assert queue_ids(server, rtoken, q=marker, stage="documents", status="submitted") == []
    assert queue_ids(server, rtoken, q=marker, stage="completed") == []
    assert queue_ids(server, rtoken, q=marker, overdue="false") == all_ids
    assert queue_ids(server, rtoken, q=marker, overdue="true") == []
    assert queue_ids(server, rtoken, q=uniq("nobody")) == []
    # LIKE wildcards in q are literal.
    assert queue_ids(server, rtoken, q=marker[:4] + "%" + marker[5:]) == []
    # Admins see the same queue.
    assert queue_ids(server, admin_token, q=marker, status="submitted") == submitted_ids

    r = queue(server, rtoken, q=marker, stage="documents")
    item = r.json()["items"][0]
    assert item["stage"] == "documents" and item["status"] == "draft" and item["progress"] == 40
    assert item["name"] == f"Docs {marker}" and item["user_id"] == at_documents[0]["id"]
    assert {"id", "user_id", "email", "name", "stage", "status", "employment_status", "progress",
            "assignee_id", "submitted_at", "sla_due_at", "created_at", "updated_at"} <= set(item)


def test_review_queue_text_folds_case_in_every_script(server, admin_token):
    marker = uniq("fold")
    _, rtoken = reviewer(server)
    strasse_user, strasse_token = server.user_with_token(name=f"Jürgen Straße {marker}")
    _, sisyphus_token = server.user_with_token(name=f"ΣΊΣΥΦΟΣ {marker}")
    strasse = my_profile(server, strasse_token)["id"]
    sisyphus = my_profile(server, sisyphus_token)["id"]

    assert queue_ids(server, rtoken, q=f"STRASSE {marker.upper()}") == [strasse]
    assert queue_ids(server, rtoken, q=f"ße {marker}") == [strasse]
    assert queue_ids(server, rtoken, q=f"σίσυφος {marker}") == [sisyphus]  # final ς finds Σ
    assert queue_ids(server, rtoken, q=f"ΣΊΣΥΦΟΣ {marker}") == [sisyphus]
    # A rename refolds the queue's text too.
    r = server.patch(f"/api/v1/users/{strasse_user['id']}", admin_token, json={"name": f"Ёлка {marker}"})
    assert r.status_code == 200, r.text
    assert queue_ids(server, rtoken, q=f"strasse {marker}") == []
    assert queue_ids(server, rtoken, q=f"ЁЛКА {marker}") == [strasse]


def test_review_queue_pages_with_limit_and_cursor(server):
    marker = uniq("page")
    _, rtoken = reviewer(server)
    ids = sorted(my_profile(server, server.user_with_token(name=f"Page {marker} {i}")[1])["id"] for i in range(7))
    seen, cursor, pages = [], None, 0
    while True:
        params = {"q": marker, "limit": 3}
        if cursor is not None:
            params["cursor"] = cursor
        r = queue(server, rtoken, **params)
        assert r.status_code == 200, r.text
        body = r.json()
        assert len(body["items"]) <= 3
        seen += [p["id"] for p in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert isinstance(cursor, str)
    assert seen == ids and pages == 3
    # An exact fit has no next page.
    r = queue(server, rtoken, q=marker, limit=7)
    assert [p["id"] for p in r.json()["items"]] == ids and r.json()["next_cursor"] is None
    # The cursor is the last id of the page: items after it, whatever else changed.
    r = queue(server, rtoken, q=marker, limit=2, cursor=ids[3])
    assert [p["id"] for p in r.json()["items"]] == ids[4:6] and r.json()["next_cursor"] == str(ids[5])


def test_overdue_filter_finds_reviews_past_their_sla(start_server):
    srv = start_server({"HRMS_SLA_HOURS_DETAILS": "0.001"})  # 3.6 s, the smallest budget allowed
    marker = uniq("late")
    _, rtoken = srv.user_with_token(roles=["reviewer"])
    _, _, late = employee_with_details_submitted(srv, name=f"Late {marker}")
    _, draft_token = srv.user_with_token(name=f"Draft {marker}")
    draft_id = my_profile(srv, draft_token)["id"]
    assert queue_ids(srv, rtoken, q=marker, overdue="true") == []
    assert profile_of(srv, late["id"], rtoken)["sla"]["overdue"] is False
    wait_until(lambda: queue_ids(srv, rtoken, q=marker, overdue="true"), timeout=10, interval=0.25,
               what="the review to become overdue")
    assert queue_ids(srv, rtoken, q=marker, overdue="true") == [late["id"]]
    assert queue_ids(srv, rtoken, q=marker, overdue="false") == [draft_id]
    sla = profile_of(srv, late["id"], rtoken)["sla"]
    assert sla["overdue"] is True and sla["state"] == "running"
    # Approving stops the clock: the profile leaves the overdue queue.
    assert decide(srv, rtoken, late["id"], "details", "approve").status_code == 200
    assert queue_ids(srv, rtoken, q=marker, overdue="true") == []


@pytest.mark.parametrize("params,field", [
    ({"stage": "onboarding"}, "stage"),
    ({"stage": "DETAILS"}, "stage"),
    ({"status": "pending"}, "status"),
    ({"overdue": "yes"}, "overdue"),
    ({"urgent": "1"}, "urgent"),
    ({"limit": "0"}, "limit"),
    ({"limit": "201"}, "limit"),
    ({"limit": "ten"}, "limit"),
    ({"cursor": "-1"}, "cursor"),
    ({"cursor": "abc"}, "cursor"),
    ({"assignee": "0"}, "assignee"),
    ({"assignee": "me"}, "assignee"),
    ({"q": "x" * 201}, "q"),
])
def test_review_queue_rejects_bad_parameters(server, params, field):
    _, rtoken = reviewer(server)
    assert_error(queue(server, rtoken, bad=True, **params), 422, "validation_failed", field)


def test_employees_get_403_on_the_review_queue(server):
    _, token = server.user_with_token()
    assert_error(queue(server, token), 403, "forbidden")
    assert_error(queue(server, token, q="a"), 403, "forbidden")


# --------------------------------------------------------------------------------------------
# Decisions


def test_rejecting_requires_a_reason_and_changes_nothing_without_one(server):
    _, token, profile = employee_with_details_submitted(server)
    _, rtoken = reviewer(server)
    before = profile_of(server, profile["id"], rtoken)
    assert_error(decide(server, rtoken, profile["id"], "details", "reject"), 422, "validation_failed", "reason")
    assert_error(decide(server, rtoken, profile["id"], "details", "reject", "   "), 422, "validation_failed",
                 "reason")
    assert_error(decide(server, rtoken, profile["id"], "details", "reject", "x" * 2001, bad=True), 422,
                 "validation_failed", "reason")
    assert_error(decide(server, rtoken, profile["id"], "details", "maybe", bad=True), 422, "validation_failed",
                 "decision")
    assert_error(decide(server, rtoken, profile["id"], "welcome", "approve", bad=True), 422, "validation_failed",
                 "stage")
    assert_error(decide(server, rtoken, profile["id"], "completed", "approve", bad=True), 422,
                 "validation_failed", "stage")
    assert_error(server.post(f"/api/v1/profiles/{profile['id']}/decision", rtoken, json={"decision": "approve"},
                             bad=True), 422, "validation_failed", "stage")
    assert_error(server.post(f"/api/v1/profiles/{profile['id']}/decision", rtoken, json={"stage": "details"},
                             bad=True), 422, "validation_failed", "decision")
    assert_error(server.post(f"/api/v1/profiles/{profile['id']}/decision", rtoken,
                             json={"stage": "details", "decision": "approve", "send_back_to": "details"}),
                 422, "validation_failed", "send_back_to")
    assert settled(profile_of(server, profile["id"], rtoken)) == settled(before)
    assert kinds(feed(server, token)["items"]) == ["profile.submitted"]


def test_rejection_sends_details_back_with_the_reason(server):
    user, token, profile = employee_with_details_submitted(server)
    rev, rtoken = reviewer(server)
    reason = "Your phone number looks wrong; please check it."
    r = decide(server, rtoken, profile["id"], "details", "reject", reason)
    assert r.status_code == 200, r.text
    p = r.json()
    assert p["stage"] == "details" and p["status"] == "rejected"
    assert p["progress"] == 30
    h = p["history"][-1]
    assert h["actor_id"] == rev["id"] and h["decision"] == "reject" and h["reason"] == reason
    assert h["from"] == {"stage": "details", "status": "submitted"}
    assert h["to"] == {"stage": "details", "status": "rejected"}
    assert p["sla"]["state"] == "paused" and p["sla_due_at"] is None
    assert my_profile(server, token)["status"] == "rejected"

    notes = feed(server, token)["items"]
    assert kinds(notes) == ["profile.submitted", "profile.rejected"]
    rejected = notes[-1]
    assert rejected["data"]["reason"] == reason and rejected["data"]["profile_id"] == profile["id"]
    assert rejected["data"]["stage"] == "details"
    assert rejected["body"] == reason and rejected["read"] is False

    # The employee fixes the details and submits again; the clock resumes.
    r = save_details(server, token, complete_details(phone="+44 20 7946 0999"))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "rejected"
    r = submit_stage(server, token)
    assert r.status_code == 200, r.text
    p = r.json()
    assert p["status"] == "submitted" and p["sla"]["state"] == "running" and p["sla_due_at"]
    assert [h["to"]["status"] for h in p["history"]] == ["submitted", "rejected", "submitted"]


def test_approving_details_advances_to_documents_and_notifies(server):
    user, token, profile = employee_with_details_submitted(server)
    _, rtoken = reviewer(server)
    r = decide(server, rtoken, profile["id"], "details", "approve", "Looks good")
    assert r.status_code == 200, r.text
    p = r.json()
    assert p["stage"] == "documents" and p["status"] == "draft"
    assert p["progress"] >= 40 and p["progress"] == 40
    assert p["history"][-1]["decision"] == "approve" and p["history"][-1]["reason"] == "Looks good"
    assert p["history"][-1]["to"] == {"stage": "documents", "status": "draft"}
    assert p["sla"] is None and p["sla_due_at"] is None  # documents are the employee's turn
    assert my_profile(server, token)["stage"] == "documents"

    notes = feed(server, token)["items"]
    assert kinds(notes) == ["profile.submitted", "profile.stage_advanced"]
    advanced = notes[-1]
    assert advanced["data"]["stage"] == "documents" and advanced["data"]["progress"] == p["progress"]
    assert advanced["data"]["profile_id"] == profile["id"]

    # Details are frozen once approved.
    assert_error(save_details(server, token, complete_details(first_name="Late")), 409, "conflict")
    assert my_profile(server, token)["details"]["first_name"] == "Ada"


def test_decision_on_a_stage_that_is_no_longer_current_is_409(server):
    _, token, profile = employee_at_documents(server)
    _, rtoken = reviewer(server)
    before = profile_of(server, profile["id"], rtoken)
    for decision, reason in [("approve", None), ("reject", "too late")]:
        err = assert_error(decide(server, rtoken, profile["id"], "details", decision, reason), 409, "conflict")
        assert err["details"]["current_stage"] == "documents", err
    err = assert_error(decide(server, rtoken, profile["id"], "final", "approve"), 409, "conflict")
    assert err["details"]["current_stage"] == "documents", err
    assert profile_of(server, profile["id"], rtoken) == before
    assert kinds(feed(server, token)["items"]) == ["profile.submitted", "profile.stage_advanced"]


def test_decision_on_a_draft_is_409(server):
    _, token = server.user_with_token()
    assert save_details(server, token, complete_details()).status_code == 200
    pid = my_profile(server, token)["id"]
    _, rtoken = reviewer(server)
    before = my_profile(server, token)
    assert_error(decide(server, rtoken, pid, "details", "approve"), 409, "conflict")
    assert_error(decide(server, rtoken, pid, "details", "reject", "no"), 409, "conflict")
    assert my_profile(server, token) == before
    assert feed(server, token)["items"] == []

    # A documents stage the employee has not submitted is not awaiting review either.
    _, token2, at_docs = employee_at_documents(server)
    assert_error(decide(server, rtoken, at_docs["id"], "documents", "approve"), 409, "conflict")
    assert my_profile(server, token2)["stage"] == "documents"


def test_decision_on_an_unknown_profile_is_404(server):
    _, rtoken = reviewer(server)
    assert_error(decide(server, rtoken, 987654321, "details", "approve"), 404, "not_found")


def test_concurrent_approvals_of_one_stage_succeed_exactly_once(server):
    _, rtoken = reviewer(server)
    body = {"stage": "details", "decision": "approve"}
    for _ in range(4):
        _, token, profile = employee_with_details_submitted(server)
        url = f"{server.url}/api/v1/profiles/{profile['id']}/decision"
        results = run_together(*[
            (lambda tok=tok: requests.post(url, json=body, headers={"Authorization": f"Bearer {tok}"}, timeout=20))
            for tok in (rtoken, server.admin_token)])
        assert sorted(r.status_code for r in results) == [200, 409], [(r.status_code, r.text) for r in results]
        p = my_profile(server, token)
        assert p["stage"] == "documents" and p["status"] == "draft"
        assert [h["decision"] for h in p["history"]] == [None, "approve"], p["history"]
        assert kinds(feed(server, token)["items"]) == ["profile.submitted", "profile.stage_advanced"]


def test_concurrent_approve_and_reject_of_one_stage_succeed_exactly_once(server):
    _, rtoken = reviewer(server)
    for _ in range(3):
        _, token, profile = employee_with_details_submitted(server)
        url = f"{server.url}/api/v1/profiles/{profile['id']}/decision"
        bodies = [({"stage": "details", "decision": "approve"}, rtoken),
                  ({"stage": "details", "decision": "reject", "reason": "no"}, server.admin_token)]
        results = run_together(*[
            (lambda b=b, tok=tok: requests.post(url, json=b, headers={"Authorization": f"Bearer {tok}"}, timeout=20))
            for b, tok in bodies])
        assert sorted(r.status_code for r in results) == [200, 409], [(r.status_code, r.text) for r in results]
        p = my_profile(server, token)
        assert len(p["history"]) == 2, p["history"]
        assert len(feed(server, token)["items"]) == 2


def test_concurrent_submits_make_one_submission(server):
    for _ in range(3):
        _, token = server.user_with_token()
        assert save_details(server, token, complete_details()).status_code == 200
        url = f"{server.url}/api/v1/profiles/me/submit"
        results = run_together(*[
            (lambda: requests.post(url, headers={"Authorization": f"Bearer {token}"}, timeout=20))
            for _ in range(2)])
        assert sorted(r.status_code for r in results) == [200, 409], [(r.status_code, r.text) for r in results]
        p = my_profile(server, token)
        assert p["status"] == "submitted" and len(p["history"]) == 1, p["history"]
        assert kinds(feed(server, token)["items"]) == ["profile.submitted"]


def test_employees_cannot_decide_even_on_their_own_profile(server):
    _, token, profile = employee_with_details_submitted(server)
    _, other_token, other = employee_with_details_submitted(server)
    for who in (token, other_token):
        assert_error(decide(server, who, profile["id"], "details", "approve"), 403, "forbidden")
        assert_error(decide(server, who, profile["id"], "details", "reject", "no"), 403, "forbidden")
    p = my_profile(server, token)
    assert p["status"] == "submitted" and len(p["history"]) == 1


def test_documents_stage_cannot_be_submitted_without_uploads(server):
    _, token, profile = employee_at_documents(server)
    before = my_profile(server, token)
    err = assert_error(submit_stage(server, token), 422, "validation_failed", "documents")
    assert err["details"]["missing"] == REQUIRED_DOCUMENTS, err
    assert my_profile(server, token) == before
    assert before["status"] == "draft" and before["stage"] == "documents"


# --------------------------------------------------------------------------------------------
# Assignment


def test_admin_assigns_a_reviewer_and_the_queue_filters_by_assignee(server, admin_token):
    marker = uniq("assign")
    rev, rtoken = reviewer(server)
    other_rev, _ = reviewer(server)
    _, _, mine = employee_with_details_submitted(server, name=f"Mine {marker}")
    _, _, theirs = employee_with_details_submitted(server, name=f"Theirs {marker}")
    r = server.post(f"/api/v1/profiles/{mine['id']}/assign", admin_token, json={"reviewer_id": rev["id"]})
    assert r.status_code == 200, r.text
    assert r.json()["assignee_id"] == rev["id"]
    r = server.post(f"/api/v1/profiles/{theirs['id']}/assign", admin_token, json={"reviewer_id": other_rev["id"]})
    assert r.status_code == 200, r.text
    assert profile_of(server, mine["id"])["assignee_id"] == rev["id"]

    assert queue_ids(server, rtoken, q=marker, assignee=rev["id"]) == [mine["id"]]
    assert queue_ids(server, rtoken, q=marker, assignee=other_rev["id"]) == [theirs["id"]]
    assert queue_ids(server, rtoken, assignee=rev["id"]) == [mine["id"]]

    # Reassigning and unassigning.
    r = server.post(f"/api/v1/profiles/{mine['id']}/assign", admin_token, json={"reviewer_id": other_rev["id"]})
    assert r.status_code == 200 and r.json()["assignee_id"] == other_rev["id"], r.text
    assert queue_ids(server, rtoken, assignee=rev["id"]) == []
    r = server.post(f"/api/v1/profiles/{mine['id']}/assign", admin_token, json={"reviewer_id": None})
    assert r.status_code == 200 and r.json()["assignee_id"] is None, r.text
    assert queue_ids(server, rtoken, q=marker, assignee=other_rev["id"]) == [theirs["id"]]


def test_assigning_someone_who_cannot_review_is_422_and_changes_nothing(server, admin_token):
    rev, _ = reviewer(server)
    _, _, profile = employee_with_details_submitted(server)
    pid = profile["id"]
    r = server.post(f"/api/v1/profiles/{pid}/assign", admin_token, json={"reviewer_id": rev["id"]})
    assert r.status_code == 200, r.text
    employee = server.create_user()
    suspended, _ = reviewer(server)
    r = server.patch(f"/api/v1/users/{suspended['id']}", admin_token, json={"status": "suspended"})
    assert r.status_code == 200, r.text
    invited = server.create_user(roles=["reviewer"], password=None)
    for reviewer_id in [employee["id"], suspended["id"], invited["id"], 987654321]:
        assert_error(server.post(f"/api/v1/profiles/{pid}/assign", admin_token, json={"reviewer_id": reviewer_id}),
                     422, "validation_failed", "reviewer_id")
    for body in [{}, {"reviewer_id": "abc"}, {"reviewer_id": 0}, {"reviewer_id": -3}, {"reviewer_id": 1.5}]:
        assert_error(server.post(f"/api/v1/profiles/{pid}/assign", admin_token, json=body, bad=True), 422,
                     "validation_failed", "reviewer_id")
    assert profile_of(server, pid)["assignee_id"] == rev["id"]


def test_only_holders_of_profiles_assign_may_assign(server, admin_token):
    rev, rtoken = reviewer(server)
    _, etoken, profile = employee_with_details_submitted(server)
    for token in (rtoken, etoken):
        assert_error(server.post(f"/api/v1/profiles/{profile['id']}/assign", token, json={"reviewer_id": rev["id"]}),
                     403, "forbidden")
    assert profile_of(server, profile["id"])["assignee_id"] is None
    assert_error(server.post("/api/v1/profiles/987654321/assign", admin_token, json={"reviewer_id": rev["id"]}),
                 404, "not_found")


# --------------------------------------------------------------------------------------------
# Who sees what


def test_employees_see_only_their_own_profile(server):
    _, token = server.user_with_token()
    _, other_token = server.user_with_token()
    mine = my_profile(server, token)
    theirs = my_profile(server, other_token)
    assert profile_of(server, mine["id"], token) == mine
    not_found = assert_error(server.get(f"/api/v1/profiles/{theirs['id']}", token), 404, "not_found")
    missing = assert_error(server.get("/api/v1/profiles/987654321", token), 404, "not_found")
    assert not_found["message"] == missing["message"]  # nothing tells the two apart
    _, rtoken = reviewer(server)
    assert profile_of(server, theirs["id"], rtoken)["id"] == theirs["id"]


def test_unknown_documents_are_404_for_everyone(server, admin_token):
    _, token = server.user_with_token()
    for who in (token, admin_token):
        assert_error(server.get("/api/v1/documents/987654321", who), 404, "not_found")
        assert_error(server.get("/api/v1/documents/987654321/content", who), 404, "not_found")


def test_document_types_list_the_required_documents(server):
    _, token = server.user_with_token()
    r = server.get("/api/v1/document-types", token)
    assert r.status_code == 200, r.text
    types = {t["code"]: t for t in r.json()["items"]}
    assert [c for c, t in types.items() if t["required"]] == REQUIRED_DOCUMENTS
    assert types["tax_form"]["allowed_types"] == ["application/pdf"]
    assert "image/png" in types["id_proof"]["allowed_types"]
    assert all(t["max_bytes"] > 0 and t["name"] for t in types.values())
    assert_error(server.get("/api/v1/document-types"), 401, "unauthenticated")
