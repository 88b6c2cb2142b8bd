#!/usr/bin/env python3
"""What the end-to-end suites' contract check costs: the time to validate one response (a
profile view, a page of 50 users, an error) and one WebSocket frame against the document, as
tests/integration/contract.py does it for every exchange.

    /usr/bin/python3 bench/contract_check.py [ROUNDS]
"""
import json
import pathlib
import statistics
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests" / "integration"))
from contract import Contract  # noqa: E402

T = "2026-11-28T13:05:09.123Z"
USER = {"id": 7, "email": "ada@example.com", "name": "Ada Lovelace", "status": "active", "roles": ["employee"],
        "manager_id": None, "created_at": T, "updated_at": T}
PROFILE = {
    "id": 12, "user_id": 7, "email": "ada@example.com", "name": "Ada Lovelace", "stage": "documents",
    "status": "submitted", "employment_status": "onboarding", "progress": 55, "assignee_id": None,
    "submitted_at": T, "sla_due_at": T, "created_at": T, "updated_at": T,
    "details": {"first_name": "Ada", "last_name": "Lovelace", "preferred_name": None, "date_of_birth": "1990-12-10",
                "phone": "+44 20 7946 0958",
                "address": {"line1": "1 Main Street", "line2": None, "city": "London", "region": None,
                            "postal_code": None, "country": "GB"},
                "emergency_contact": {"name": "Charles Babbage", "phone": "+44 20 7946 0000", "relationship": None}},
    "documents": [], "history": [
        {"at": T, "actor_id": 7, "from": {"stage": "details", "status": "draft"},
         "to": {"stage": "details", "status": "submitted"}, "decision": None, "reason": None}],
    "sla": {"stage": "documents", "state": "running", "elapsed_hours": 3.5, "budget_hours": 72, "deadline": T,
            "overdue": False},
}
ERROR = {"error": {"code": "not_found", "message": "profile not found", "details": None, "request_id": "r1"}}
FRAME = json.dumps({"type": "notification", "id": 9, "kind": "profile.stage_advanced", "title": "t", "body": "b",
                    "data": {"profile_id": 12, "stage": "documents", "progress": 40}, "created_at": T})


def timed(fn, rounds):
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1e6)
    return statistics.median(samples)


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    c = Contract()
    h = {"Content-Type": "application/json", "X-Request-Id": "r1"}
    page = json.dumps({"items": [USER] * 50, "next_cursor": "57"}).encode()
    cases = {
        "profile view (GET /api/v1/profiles/{id})":
            lambda: c.check_http("GET", "http://h/api/v1/profiles/12", {}, None, 200, h, json.dumps(PROFILE).encode()),
        "50 users (GET /api/v1/users?limit=50)":
            lambda: c.check_http("GET", "http://h/api/v1/users?limit=50", {}, None, 200, h, page),
        "error envelope (404)":
            lambda: c.check_http("GET", "http://h/api/v1/profiles/99", {}, None, 404, h, json.dumps(ERROR).encode()),
        "WebSocket notification frame": lambda: c.check_ws_frame(FRAME),
    }
    print(f"contract check, median of {rounds} runs each")
    for name, fn in cases.items():
        fn()  # warm up
        print(f"  {name:<44} {timed(fn, rounds):8.0f} us")


if __name__ == "__main__":
    main()
