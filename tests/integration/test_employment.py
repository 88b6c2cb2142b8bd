"""Employment status: putting a profile on hold, withdrawing it and resuming onboarding. The SLA
clock of a stage awaiting review pauses while the profile is not onboarding, and resumes with
the time it had."""
import time

import pytest

from conftest import (assert_error, complete_details, decide, employee_at_documents,
                      employee_with_details_submitted, feed, my_profile, profile_of, save_details,
                      submit_stage)
from test_documents import employee_with_documents_submitted, review


def set_status(server, profile_id: int, status, reason=None, token=None):
    body = {"employment_status": status}
    if reason is not None:
        body["reason"] = reason
    return server.post(f"/api/v1/profiles/{profile_id}/status", token or server.admin_token, json=body)


def test_hold_pauses_the_sla_clock_and_resuming_keeps_the_elapsed_time(server):
    _, token, profile = employee_with_details_submitted(server)
    pid = profile["id"]
    time.sleep(0.3)
    r = set_status(server, pid, "on_hold", "waiting for the visa")
    assert r.status_code == 200, r.text
    held = r.json()
    assert held["employment_status"] == "on_hold"
    assert held["stage"] == "details" and held["status"] == "submitted"  # stage and status kept
    assert held["sla"]["state"] == "paused" and held["sla"]["deadline"] is None
    assert held["sla_due_at"] is None
    paused_hours = held["sla"]["elapsed_hours"]
    assert paused_hours > 0
    h = held["history"][-1]
    assert h["decision"] == "employment.on_hold" and h["reason"] == "waiting for the visa"
    assert h["from"] == h["to"] == {"stage": "details", "status": "submitted"}

    time.sleep(0.5)  # time on hold does not count
    again = profile_of(server, pid)
    assert again["sla"]["state"] == "paused"
    assert again["sla"]["elapsed_hours"] == pytest.approx(paused_hours)

    r = set_status(server, pid, "onboarding")
    assert r.status_code == 200, r.text
    resumed = r.json()
    assert resumed["employment_status"] == "onboarding"
    assert resumed["sla"]["state"] == "running" and resumed["sla_due_at"]
    # Elapsed continues from where it paused, not from the original submission.
    assert paused_hours <= resumed["sla"]["elapsed_hours"] < paused_hours + 0.3 / 3600
    assert decide(server, server.admin_token, pid, "details", "approve").status_code == 200


def test_nobody_moves_a_profile_on_hold_along(server):
    _, token, profile = employee_at_documents(server)
    pid = profile["id"]
    assert set_status(server, pid, "on_hold").status_code == 200
    err = assert_error(save_details(server, token, complete_details(first_name="Held")), 409, "conflict")
    assert "on hold" in err["message"]
    assert_error(submit_stage(server, token), 409, "conflict")
    # Held at a stage awaiting review: the reviewer cannot decide either.
    _, token2, p2 = employee_with_details_submitted(server)
    assert set_status(server, p2["id"], "withdrawn").status_code == 200
    err = assert_error(decide(server, server.admin_token, p2["id"], "details", "approve"), 409, "conflict")
    assert "withdrawn" in err["message"]
    assert profile_of(server, p2["id"])["status"] == "submitted"


def test_the_employee_is_told_of_every_change(server):
    user, token, profile = employee_with_details_submitted(server)
    assert set_status(server, profile["id"], "on_hold", "paperwork").status_code == 200
    assert set_status(server, profile["id"], "onboarding").status_code == 200
    items = [n for n in feed(server, token)["items"] if n["kind"] == "profile.employment_changed"]
    assert [n["data"]["employment_status"] for n in items] == ["on_hold", "onboarding"]  # oldest first
    assert items[0]["data"]["reason"] == "paperwork" and items[0]["data"]["profile_id"] == profile["id"]


def test_setting_the_current_status_changes_nothing(server):
    _, _, profile = employee_with_details_submitted(server)
    r = set_status(server, profile["id"], "onboarding")
    assert r.status_code == 200, r.text
    assert len(r.json()["history"]) == len(profile["history"])
    assert r.json()["sla"]["state"] == "running"


@pytest.mark.parametrize("body,status,code,field", [
    ({"employment_status": "retired"}, 422, "validation_failed", "employment_status"),
    ({"employment_status": "ON_HOLD"}, 422, "validation_failed", "employment_status"),
    ({}, 422, "validation_failed", "employment_status"),
    ({"employment_status": 3}, 422, "validation_failed", "employment_status"),
    ({"employment_status": "on_hold", "reason": "x" * 2001}, 422, "validation_failed", "reason"),
    ({"employment_status": "active"}, 409, "conflict", None),
])
def test_bad_status_changes_are_refused_and_change_nothing(server, body, status, code, field):
    _, _, profile = employee_with_details_submitted(server)
    # The 422 bodies break the document on purpose; the 409 one is a valid request.
    r = server.post(f"/api/v1/profiles/{profile['id']}/status", server.admin_token, json=body,
                    bad=status == 422)
    assert_error(r, status, code, field)
    after = profile_of(server, profile["id"])
    assert after["employment_status"] == "onboarding" and after["history"] == profile["history"]
    assert after["sla"]["state"] == "running"


def test_unknown_profile_is_404_and_reviewers_are_403(server):
    assert_error(set_status(server, 999999, "on_hold"), 404, "not_found")
    _, reviewer_token = server.user_with_token(roles=["reviewer"])
    _, _, profile = employee_with_details_submitted(server)
    assert_error(set_status(server, profile["id"], "on_hold", token=reviewer_token), 403, "forbidden")
    assert profile_of(server, profile["id"])["employment_status"] == "onboarding"


def test_withdrawn_and_held_profiles_can_move_between_each_other_and_back(server):
    _, token, profile = employee_at_documents(server)
    pid = profile["id"]
    for status in ("withdrawn", "on_hold", "onboarding"):
        r = set_status(server, pid, status)
        assert r.status_code == 200 and r.json()["employment_status"] == status, r.text
    assert my_profile(server, token)["employment_status"] == "onboarding"


def test_a_completed_profile_can_be_withdrawn_and_reactivated_only(server):
    _, token, profile, docs = employee_with_documents_submitted(server)
    pid = profile["id"]
    for d in docs.values():
        assert review(server, server.admin_token, d["id"], "approve").status_code == 200
    assert decide(server, server.admin_token, pid, "documents", "approve").status_code == 200
    done = decide(server, server.admin_token, pid, "final", "approve").json()
    assert (done["stage"], done["employment_status"]) == ("completed", "active")
    for status in ("onboarding", "on_hold"):
        err = assert_error(set_status(server, pid, status), 409, "conflict")
        assert "completed" in err["message"]
    assert set_status(server, pid, "withdrawn").json()["employment_status"] == "withdrawn"
    assert_error(set_status(server, pid, "onboarding"), 409, "conflict")
    back = set_status(server, pid, "active").json()
    assert (back["stage"], back["employment_status"], back["progress"]) == ("completed", "active", 100)
