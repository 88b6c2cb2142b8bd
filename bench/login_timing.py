#!/usr/bin/python3
"""Failed logins must not tell which emails have an account: the latency of a wrong password for
an existing account, for an unknown email and for a suspended account's right password, side by
side, interleaved so that machine noise hits all three alike. Also the latency of a successful
login, and of the 429 that throttling answers without checking a password.
Starts its own server on SQLite in a temporary directory.
Usage: bench/login_timing.py [HRMS_BIN] [ROUNDS=60]"""
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import requests

ROOT = pathlib.Path(__file__).resolve().parents[1]
BIN = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "build/release/bin/hrms")
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 60
PASSWORD = "bench-password-123"


def start(tmp):
    log = open(os.path.join(tmp, "server.log"), "w+")
    # Forwarded addresses (from a trusted loopback proxy) give each attempt a fresh address, so
    # per-address throttling stays out of the measurement; the per-IP buckets are opened wide.
    env = dict(os.environ, HRMS_DATA_DIR=tmp, HRMS_LISTEN="127.0.0.1:0", HRMS_ADMIN_EMAIL="admin@example.com",
               HRMS_ADMIN_PASSWORD=PASSWORD, HRMS_LOG_LEVEL="info", HRMS_TRUSTED_PROXIES="127.0.0.1/32",
               HRMS_LOGIN_RATE_PER_IP="100000", HRMS_LOGIN_BURST_PER_IP="100000",
               HRMS_LOGIN_IP_MAX_FAILURES="100000", HRMS_LOGIN_LOCK_ADDRESSES="1000000")
    proc = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=log)
    for _ in range(400):
        log.seek(0)
        for line in log:
            if '"http.listening"' in line:
                return proc, json.loads(line)["port"]
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("server did not start")


def main():
    tmp = tempfile.mkdtemp(prefix="hrms-login-bench-")
    proc, port = start(tmp)
    base = f"http://127.0.0.1:{port}"
    s = requests.Session()
    try:
        admin = s.post(f"{base}/api/v1/auth/login",
                       json={"email": "admin@example.com", "password": PASSWORD}).json()["token"]
        auth = {"Authorization": f"Bearer {admin}"}
        known = s.post(f"{base}/api/v1/users", headers=auth,
                       json={"email": "known@example.com", "name": "Known", "password": PASSWORD}).json()
        suspended = s.post(f"{base}/api/v1/users", headers=auth,
                           json={"email": "gone@example.com", "name": "Gone", "password": PASSWORD}).json()
        s.patch(f"{base}/api/v1/users/{suspended['id']}", headers=auth, json={"status": "suspended"})

        kinds = {
            "wrong password, existing account": ("known@example.com", "wrong-password-123"),
            "any password, unknown email": ("nobody@example.com", "wrong-password-123"),
            "right password, suspended account": ("gone@example.com", PASSWORD),
            "right password (200)": ("known@example.com", PASSWORD),
        }
        times = {k: [] for k in kinds}
        bodies = {k: set() for k in kinds}
        addr = 0
        for _ in range(ROUNDS):
            for kind, (email, password) in kinds.items():
                addr += 1
                xff = f"10.{addr // 65536 % 256}.{addr // 256 % 256}.{addr % 256}"
                t0 = time.perf_counter()
                r = s.post(f"{base}/api/v1/auth/login", json={"email": email, "password": password},
                           headers={"X-Forwarded-For": xff})
                times[kind].append((time.perf_counter() - t0) * 1000)
                if r.status_code != 200:
                    e = r.json()["error"]
                    bodies[kind].add((r.status_code, e["code"], e["message"]))
        # The 429 of an address that must wait: no password is checked.
        throttled = []
        bodies["throttled (429)"] = set()
        for i in range(6 + ROUNDS):
            t0 = time.perf_counter()
            r = s.post(f"{base}/api/v1/auth/login", json={"email": "known@example.com", "password": "wrong-password-123"},
                       headers={"X-Forwarded-For": "192.0.2.1"})
            if i >= 6:
                assert r.status_code == 429, r.text
                throttled.append((time.perf_counter() - t0) * 1000)
                bodies["throttled (429)"].add((429, r.json()["error"]["code"], ""))
        times["throttled (429)"] = throttled

        print(f"{'login':36} {'median ms':>10} {'p90 ms':>8}  answer")
        for kind, ts in times.items():
            ts.sort()
            answer = "; ".join(f"{st} {code}" for st, code, _ in sorted(bodies.get(kind, ()))) or "200"
            print(f"{kind:36} {statistics.median(ts):10.1f} {ts[int(len(ts) * 0.9)]:8.1f}  {answer}")
        failing = [k for k in kinds if k != "right password (200)"]
        answers = {frozenset(bodies[k]) for k in failing}
        med = [statistics.median(times[k]) for k in failing]
        print(f"failed-login answers identical: {len(answers) == 1}; "
              f"slowest/fastest median among them: {max(med) / min(med):.2f}x")
    finally:
        proc.terminate()
        proc.wait(timeout=20)


if __name__ == "__main__":
    main()
