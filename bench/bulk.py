#!/usr/bin/python3
"""Bulk approval figures on SQLite, beside the SQLite ceiling of ../shared/peers:

1. hrms: `hrms demo seed --employees N --awaiting-review` (N profiles whose details await review),
   then one POST /api/v1/bulk/profiles/decision approving all N at `details`; the time from the
   POST until GET /api/v1/bulk/jobs/{id} says `completed` (every side effect: stage history, SLA
   clocks, the employee's notification and its queued mail, the audit entry, the item's row,
   live progress). Target: N = 10,000 in under 2 s.
2. The peer: `sqlite_bulk run DB b N BATCH` (three writes and a read per item, BATCH items per
   transaction, a SAVEPOINT each), built from ../shared/peers/sqlite_bulk.cpp, run on the same
   machine in the same invocation; the ratio of the two medians is quoted.
3. Memory: the server's resident size after the first job and after JOBS more jobs of N items each
   (the job keeps only its result rows on disk: memory must not grow with the items run).

Usage: bench/bulk.py [N=10000] [RUNS=3] [JOBS=4]   (HRMS_BIN overrides the binary)
"""
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import requests

ROOT = pathlib.Path(__file__).resolve().parents[1]
BIN = os.environ.get("HRMS_BIN", str(ROOT / "build/release/bin/hrms"))
PEERS = ROOT.parent / "shared" / "peers"
N = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
JOBS = int(sys.argv[3]) if len(sys.argv) > 3 else 4
BATCH = 250  # HRMS_BULK_BATCH_SIZE's default
PASSWORD = "bench-password-123"


def rss_kb(pid: int) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Server:
    def __init__(self, data: pathlib.Path, settings: dict | None = None):
        self.log = open(data / "server.log", "w+")
        env = dict(os.environ, HRMS_DATA_DIR=str(data), HRMS_LISTEN="127.0.0.1:0",
                   HRMS_ADMIN_EMAIL="admin@example.com", HRMS_ADMIN_PASSWORD=PASSWORD, HRMS_LOG_LEVEL="info",
                   **(settings or {}))
        self.proc = subprocess.Popen([BIN, "serve"], env=env, stderr=self.log)
        self.url = None
        for _ in range(600):
            self.log.seek(0)
            for line in self.log:
                if '"http.listening"' in line:
                    self.url = f"http://127.0.0.1:{json.loads(line)['port']}"
            if self.url:
                break
            time.sleep(0.05)
        self.http = requests.Session()
        token = self.http.post(self.url + "/api/v1/auth/login",
                               json={"email": "admin@example.com", "password": PASSWORD}).json()["token"]
        self.http.headers["Authorization"] = f"Bearer {token}"

    def awaiting(self) -> list[int]:
        ids, cursor = [], None
        while True:
            params = {"stage": "details", "status": "submitted", "limit": 200}
            if cursor:
                params["cursor"] = cursor
            page = self.http.get(self.url + "/api/v1/profiles", params=params).json()
            ids += [p["id"] for p in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                return ids

    def approve(self, ids: list[int]) -> tuple[float, dict]:
        t0 = time.perf_counter()
        r = self.http.post(self.url + "/api/v1/bulk/profiles/decision",
                           json={"profile_ids": ids, "decision": "approve", "stage": "details"})
        assert r.status_code in (200, 202), r.text
        job = r.json()
        while job["status"] == "running":
            time.sleep(0.005)
            job = self.http.get(f"{self.url}/api/v1/bulk/jobs/{job['job_id']}", params={"limit": 1}).json()
        return time.perf_counter() - t0, job

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=120)


def seed(data: pathlib.Path, n: int):
    env = dict(os.environ, HRMS_DATA_DIR=str(data), HRMS_LOG_LEVEL="warn")
    subprocess.run([BIN, "demo", "seed", "--employees", str(n), "--awaiting-review"], env=env, check=True,
                   capture_output=True)


def peer(tmp: pathlib.Path) -> list[float]:
    exe = tmp / "sqlite_bulk"
    subprocess.run(["g++", "-O2", "-std=c++17", "-o", str(exe), str(PEERS / "sqlite_bulk.cpp"), "-lsqlite3"],
                   check=True)
    template = tmp / "template.db"
    subprocess.run([str(exe), "init", str(template)], check=True, capture_output=True)
    out = []
    for _ in range(RUNS):
        db = tmp / "run.db"
        for f in tmp.glob("run.db*"):
            f.unlink()
        shutil.copy(template, db)
        r = subprocess.run([str(exe), "run", str(db), "b", str(N), str(BATCH)], check=True, capture_output=True,
                           text=True)
        line = [l for l in r.stdout.splitlines() if l.startswith("RESULT")][0]
        out.append(float(line.split("seconds=")[1].split()[0]))
    return out


def main():
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="hrms-bulk-bench-"))
    try:
        hrms, peer_s = [], peer(tmp)
        for run in range(RUNS):
            data = tmp / f"data{run}"
            data.mkdir()
            seed(data, N * (1 + (JOBS if run == 0 else 0)))
            srv = Server(data)
            try:
                ids = srv.awaiting()
                took, job = srv.approve(ids[:N])
                assert job["succeeded"] == N and job["failed"] == 0, job
                hrms.append(took)
                print(f"run {run + 1}: hrms {N} approvals in {took:.2f} s ({N / took:.0f} items/s); "
                      f"peer {peer_s[run]:.2f} s", flush=True)
                if run == 0 and JOBS:
                    first = rss_kb(srv.proc.pid)
                    for j in range(JOBS):
                        srv.approve(ids[N * (j + 1):N * (j + 2)])
                    print(f"memory: {first / 1024:.0f} MiB after one job of {N}, "
                          f"{rss_kb(srv.proc.pid) / 1024:.0f} MiB after {JOBS} more", flush=True)
            finally:
                srv.stop()
        h, p = statistics.median(hrms), statistics.median(peer_s)
        print(f"median: hrms {h:.2f} s ({N / h:.0f} items/s), peer {p:.2f} s ({N / p:.0f} items/s): "
              f"hrms takes {h / p:.1f}x the peer's time (target: {N} in under 2 s)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
