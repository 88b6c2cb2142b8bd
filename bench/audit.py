#!/usr/bin/python3
"""The audit trail's figures, on SQLite, each server started fresh in a temporary directory:

1. GET /api/v1/auth/me throughput with access entries on and off (HRMS_AUDIT_ACCESS), wrk -t1
   -c64, the two alternating run by run (ABBA...); target: on >= 95% of off.
2. A POST decision's latency (reject a submitted details stage; the employee resubmits between
   decisions, untimed) with auditing on and off, alternating; target: on within 10% of off.
3. A chain of at least ENTRIES (default 1,000,000) access entries made by wrk on /me, then:
   `hrms audit verify` (target under 5 s) and GET /api/v1/audit by actor and by request id
   (p99 target under 50 ms).

Usage: bench/audit.py [RUNS=3] [SECONDS=10] [ENTRIES=1000000]   (HRMS_BIN overrides the binary; RUNS=0
skips phases 1 and 2, ENTRIES=0 phase 3)
"""
import datetime
import json
import os
import pathlib
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import requests

ROOT = pathlib.Path(__file__).resolve().parents[1]
BIN = os.environ.get("HRMS_BIN", str(ROOT / "build/release/bin/hrms"))
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
SECONDS = int(sys.argv[2]) if len(sys.argv) > 2 else 10
ENTRIES = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000
PASSWORD = "bench-password-123"
ADMIN = "admin@example.com"


class Server:
    def __init__(self, data: pathlib.Path, **env):
        self.data = data
        data.mkdir(parents=True, exist_ok=True)
        self.log = open(data / "server.log", "w+")
        full = dict(os.environ, HRMS_DATA_DIR=str(data), HRMS_LISTEN="127.0.0.1:0", HRMS_ADMIN_EMAIL=ADMIN,
                    HRMS_ADMIN_PASSWORD=PASSWORD, HRMS_LOG_LEVEL="info", **{k: str(v) for k, v in env.items()})
        self.proc = subprocess.Popen([BIN, "serve"], env=full, stderr=self.log)
        self.port = None
        for _ in range(300):
            self.log.seek(0)
            for line in self.log:
                if '"http.listening"' in line:
                    self.port = json.loads(line)["port"]
            if self.port:
                break
            time.sleep(0.05)
        if not self.port:
            raise SystemExit("server did not start")
        self.url = f"http://127.0.0.1:{self.port}"
        self.http = requests.Session()

    def token(self, email=ADMIN):
        r = self.http.post(self.url + "/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        r.raise_for_status()
        return r.json()["token"]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=60)
        self.log.close()


def wrk(url, token, seconds):
    out = subprocess.run(["wrk", "-t1", "-c64", f"-d{seconds}s", "--latency", "-H", f"Authorization: Bearer {token}",
                          url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return rps


def throughput(tmp):
    res = {"on": [], "off": []}
    for run in range(RUNS * 2):
        mode = ["on", "off"][(run + run // 2) % 2]  # on off off on on off ...
        srv = Server(tmp / f"tp{run}", HRMS_AUDIT_ACCESS=1 if mode == "on" else 0)
        tok = srv.token()
        url = srv.url + "/api/v1/auth/me"
        wrk(url, tok, 2)
        res[mode].append(wrk(url, tok, SECONDS))
        srv.stop()
        print(f"  /me audit {mode}: {res[mode][-1]:.0f} req/s", flush=True)
    return res


def details():
    return {"first_name": "Ada", "last_name": "Lovelace", "date_of_birth": "1990-12-10", "phone": "+44 20 7946 0000",
            "address": {"line1": "1 Analytical Way", "city": "London", "country": "GB"},
            "emergency_contact": {"name": "Charles Babbage", "phone": "+44 20 7946 0001"}}


def decision_latency(tmp, n=300, load=False):
    """Median decision latency; with `load`, while wrk keeps /me busy (-c16), so that access
    entries are being sealed all the time: a stall of domain writes behind the sealer shows."""
    res = {"on": [], "off": []}
    for run in range(RUNS * 2):
        mode = ["on", "off"][(run + run // 2) % 2]
        srv = Server(tmp / f"dec{'load' if load else ''}{run}", HRMS_AUDIT_ACCESS=1 if mode == "on" else 0)
        admin = srv.token()
        h = {"Authorization": f"Bearer {admin}"}
        emp = srv.http.post(srv.url + "/api/v1/users", headers=h,
                            json={"email": f"e{run}@example.com", "name": "Employee", "password": PASSWORD}).json()
        rev = srv.http.post(srv.url + "/api/v1/users", headers=h,
                            json={"email": f"r{run}@example.com", "name": "Reviewer", "roles": ["reviewer"],
                                  "password": PASSWORD}).json()
        et = {"Authorization": f"Bearer {srv.token(emp['email'])}"}
        rt = {"Authorization": f"Bearer {srv.token(rev['email'])}"}
        srv.http.put(srv.url + "/api/v1/profiles/me/details", headers=et, json=details()).raise_for_status()
        pid = srv.http.post(srv.url + "/api/v1/profiles/me/submit", headers=et).json()["id"]
        background = None
        if load:
            background = subprocess.Popen(["wrk", "-t1", "-c16", "-d120s", "-H", f"Authorization: Bearer {admin}",
                                           srv.url + "/api/v1/auth/me"], stdout=subprocess.DEVNULL)
            time.sleep(1)
        times = []
        for i in range(n):
            t0 = time.perf_counter()
            r = srv.http.post(srv.url + f"/api/v1/profiles/{pid}/decision", headers=rt,
                              json={"stage": "details", "decision": "reject", "reason": f"round {i}"})
            times.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, r.text
            srv.http.post(srv.url + "/api/v1/profiles/me/submit", headers=et).raise_for_status()
        if background:
            background.terminate()
            background.wait()
        srv.stop()
        res[mode].append(statistics.median(times[20:]))
        print(f"  decision audit {mode}{' under /me load' if load else ''}: median {res[mode][-1]:.2f} ms", flush=True)
    return res


def sealed(srv, token):
    text = srv.http.get(srv.url + "/metrics", headers={"Authorization": f"Bearer {token}"}).text
    m = re.search(r"^hrms_audit_entries_sealed_total (\d+)", text, re.M)
    return int(m.group(1)) if m else 0


def big_chain(tmp):
    data = tmp / "big"
    srv = Server(data)
    tok = srv.token()
    t0 = time.monotonic()
    while sealed(srv, tok) < ENTRIES:
        wrk(srv.url + "/api/v1/auth/me", tok, 10)
    fill_s = time.monotonic() - t0
    n = sealed(srv, tok)
    srv.stop()
    print(f"  chain: {n} entries written in {fill_s:.0f} s", flush=True)
    env = dict(os.environ, HRMS_DATA_DIR=str(data), HRMS_LOG_LEVEL="warn")
    verify = []
    for _ in range(3):
        out = subprocess.run([BIN, "audit", "verify"], env=env, capture_output=True, text=True)
        body = json.loads(out.stdout)
        assert body["ok"], body
        verify.append(body["seconds"])
    print(f"  verify: {body['checked']} entries, {statistics.median(verify):.2f} s (median of 3)", flush=True)

    srv = Server(data)
    tok = srv.token()
    h = {"Authorization": f"Bearer {tok}"}
    top = srv.http.get(srv.url + "/api/v1/audit", headers=h, params={"limit": 1}).json()["items"][0]["seq"]
    rng = random.Random(7)
    ids, times = [], []
    for seq in rng.sample(range(1, top), 300):
        e = srv.http.get(srv.url + f"/api/v1/audit/{seq}", headers=h).json()
        ids.append(e["request_id"])
        times.append(e["time"])
    admin_id = srv.http.get(srv.url + "/api/v1/auth/me", headers=h).json()["id"]

    def timed(params):
        t0 = time.perf_counter()
        r = srv.http.get(srv.url + "/api/v1/audit", headers=h, params=params)
        assert r.status_code == 200, r.text
        return (time.perf_counter() - t0) * 1000, len(r.json()["items"])

    by_request = [timed({"request_id": rid}) for rid in ids]
    by_actor = [timed({"actor_id": admin_id, "limit": 50}) for _ in range(300)]
    # An actor with few entries far apart: the employees' (none) and a deep page.
    by_actor_deep = [timed({"actor_id": admin_id, "limit": 50, "cursor": rng.randrange(2, top)}) for _ in range(300)]
    # One second of the chain (about 30,000 entries), anywhere in it: through the spans.
    def second_after(at):
        t = datetime.datetime.fromisoformat(at.replace("Z", "+00:00")) + datetime.timedelta(seconds=1)
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
    by_time = [timed({"from": at, "to": second_after(at), "limit": 50}) for at in times]

    # The whole chain as CSV, streamed: the server's resident memory is sampled as it goes.
    def rss_kib():
        for line in open(f"/proc/{srv.proc.pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    rss_before, rss_peak, rows, size = rss_kib(), 0, 0, 0
    t0 = time.monotonic()
    with srv.http.get(srv.url + "/api/v1/audit", headers=h, params={"format": "csv"}, stream=True) as r:
        for i, chunk in enumerate(r.iter_content(1 << 16)):
            rows += chunk.count(b"\n")
            size += len(chunk)
            if i % 64 == 0:
                rss_peak = max(rss_peak, rss_kib())
    csv_s = time.monotonic() - t0
    print(f"  csv: {rows - 1} rows, {size / 1e6:.0f} MB in {csv_s:.1f} s; server RSS {rss_before / 1024:.0f} MiB "
          f"before, at most {rss_peak / 1024:.0f} MiB during", flush=True)
    srv.stop()
    shutil.rmtree(data, ignore_errors=True)

    def p(xs, q):
        xs = sorted(x for x, _ in xs)
        return xs[min(len(xs) - 1, int(q * len(xs)))]

    return {"entries": n, "verify_s": statistics.median(verify),
            "request_p50": p(by_request, 0.5), "request_p99": p(by_request, 0.99),
            "actor_p50": p(by_actor, 0.5), "actor_p99": p(by_actor, 0.99),
            "actor_deep_p50": p(by_actor_deep, 0.5), "actor_deep_p99": p(by_actor_deep, 0.99),
            "time_p50": p(by_time, 0.5), "time_p99": p(by_time, 0.99),
            "csv_rows": rows - 1, "csv_s": csv_s, "csv_mb": size / 1e6,
            "rss_before_mib": rss_before / 1024, "rss_peak_mib": rss_peak / 1024}


def main():
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="hrms-audit-bench-"))
    try:
        print("throughput", flush=True)
        tp = throughput(tmp)
        print("decision latency", flush=True)
        dl = decision_latency(tmp)
        print("decision latency under load", flush=True)
        dll = decision_latency(tmp, n=200, load=True)
        print("a large chain", flush=True)
        big = big_chain(tmp) if ENTRIES > 0 else None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if RUNS > 0:
        on, off = statistics.median(tp["on"]), statistics.median(tp["off"])
        print(f"/me with access entries: {on:.0f} req/s, without: {off:.0f} req/s: {on / off:.3f}x (target >= 0.95)")
        don, doff = statistics.median(dl["on"]), statistics.median(dl["off"])
        print(f"decision median latency on {don:.2f} ms, off {doff:.2f} ms: {don / doff:.3f}x (target <= 1.10)")
        lon, loff = statistics.median(dll["on"]), statistics.median(dll["off"])
        print(f"decision median latency under /me load: on {lon:.2f} ms, off {loff:.2f} ms: {lon / loff:.3f}x")
    if big:
        print(f"verify {big['entries']} entries: {big['verify_s']:.2f} s (target < 5)")
        print(f"search by request id: p50 {big['request_p50']:.1f} ms, p99 {big['request_p99']:.1f} ms; "
              f"by actor: p50 {big['actor_p50']:.1f} ms, p99 {big['actor_p99']:.1f} ms; by actor from a deep "
              f"cursor: p50 {big['actor_deep_p50']:.1f} ms, p99 {big['actor_deep_p99']:.1f} ms (target p99 < 50); "
              f"one second anywhere in the chain: p50 {big['time_p50']:.1f} ms, p99 {big['time_p99']:.1f} ms")
        print(f"csv export: {big['csv_rows']} rows ({big['csv_mb']:.0f} MB) in {big['csv_s']:.1f} s; server RSS "
              f"{big['rss_before_mib']:.0f} MiB before, peak {big['rss_peak_mib']:.0f} MiB during")


if __name__ == "__main__":
    main()
