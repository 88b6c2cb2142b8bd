#!/usr/bin/python3
"""The email system's figures, on SQLite, against a local SMTP server (aiosmtpd, in this process):

1. Delivery: N messages (default 10,000) queued through POST /api/v1/email/test while the sender
   is held back (no provider reachable), then the SMTP server is started and the time from its
   start until the last message is accepted is measured; target 300 messages/s or more. The
   SMTP connections the server sees are counted (connection reuse: far fewer than messages).
2. Enqueueing: the median latency of POST /api/v1/email/test (authentication, a write
   transaction that renders a template and writes the outbox row with its event) against that of
   POST /api/v1/notifications/read-all (authentication and a write transaction without mail),
   alternating: the difference is what queueing a mail adds to a request; target under 1 ms.

Usage: bench/mail.py [MESSAGES=10000]   (HRMS_BIN overrides the binary)
"""
import json
import os
import pathlib
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import requests
from aiosmtpd.controller import Controller

ROOT = pathlib.Path(__file__).resolve().parents[1]
BIN = os.environ.get("HRMS_BIN", str(ROOT / "build/release/bin/hrms"))
N = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
PASSWORD = "bench-password-123"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Counter:
    def __init__(self):
        self.count, self.connections, self.last = 0, 0, 0.0
        self.lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            self.last = time.monotonic()
        return "250 OK"


def main():
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="hrms-email-bench-"))
    port = free_port()
    env = dict(os.environ, HRMS_DATA_DIR=str(tmp), HRMS_LISTEN="127.0.0.1:0", HRMS_ADMIN_EMAIL="admin@example.com",
               HRMS_ADMIN_PASSWORD=PASSWORD, HRMS_LOG_LEVEL="warn", HRMS_EMAIL_PROVIDERS="smtp",
               HRMS_SMTP_URL=f"smtp://127.0.0.1:{port}", HRMS_EMAIL_POLL_INTERVAL_S="0.2",
               HRMS_EMAIL_CIRCUIT_OPEN_S="0.5", HRMS_EMAIL_BACKOFF_S="0.2", HRMS_EMAIL_BACKOFF_MAX_S="0.5",
               HRMS_EMAIL_MAX_ATTEMPTS="1000", HRMS_EMAIL_FROM="bench@example.com")
    log = open(tmp / "server.log", "w+")
    env["HRMS_LOG_LEVEL"] = "info"
    proc = subprocess.Popen([BIN, "serve"], env=env, stderr=log)
    try:
        run(proc, log, port)
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def run(proc, log, port):
    url = None
    for _ in range(300):
        log.seek(0)
        for line in log:
            if '"http.listening"' in line:
                url = f"http://127.0.0.1:{json.loads(line)['port']}"
        if url:
            break
        time.sleep(0.05)
    http = requests.Session()
    token = http.post(url + "/api/v1/auth/login", json={"email": "admin@example.com", "password": PASSWORD}).json()["token"]
    h = {"Authorization": f"Bearer {token}"}
    lat, base = [], []
    for i in range(N):
        t0 = time.perf_counter()
        r = http.post(url + "/api/v1/email/test", headers=h, json={"to": f"bench{i}@example.com"})
        lat.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 202, r.text
        t0 = time.perf_counter()
        r = http.post(url + "/api/v1/notifications/read-all", headers=h)
        base.append((time.perf_counter() - t0) * 1000)
        assert r.status_code in (200, 204), r.text
    mail, plain = statistics.median(lat), statistics.median(base)
    print(f"queued {N}: POST /email/test median {mail:.2f} ms (p99 {sorted(lat)[int(0.99 * len(lat))]:.2f}), "
          f"POST /notifications/read-all median {plain:.2f} ms: queueing adds {mail - plain:.2f} ms "
          f"(target < 1)", flush=True)
    counter = Counter()
    smtp = Controller(counter, hostname="127.0.0.1", port=port)
    smtp.start()
    t0 = time.monotonic()
    while counter.count < N and time.monotonic() - t0 < 600:
        time.sleep(0.05)
    took = counter.last - t0
    smtp.stop()
    print(f"delivered {counter.count} in {took:.1f} s: {counter.count / took:.0f} messages/s over "
          f"{counter.connections} SMTP connections (target >= 300/s)")


if __name__ == "__main__":
    main()
