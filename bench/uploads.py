#!/usr/bin/python3
"""20 concurrent 5 MiB document uploads: the server's memory must not grow by more than 1 MiB per
upload (uploads stream to disk). Starts its own server on SQLite in a temporary directory.
Usage: bench/uploads.py [HRMS_BIN] [UPLOADS=20] [MIB=5]"""
import concurrent.futures
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import requests

ROOT = pathlib.Path(__file__).resolve().parents[1]
BIN = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "build/release/bin/hrms")
N = int(sys.argv[2]) if len(sys.argv) > 2 else 20
MIB = int(sys.argv[3]) if len(sys.argv) > 3 else 5
PASSWORD = "bench-password-123"


def rss_kib(pid, field):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def main():
    tmp = tempfile.mkdtemp(prefix="hrms-upload-bench-")
    log = open(os.path.join(tmp, "server.log"), "w+")
    env = dict(os.environ, HRMS_DATA_DIR=tmp, HRMS_LISTEN="127.0.0.1:0", HRMS_ADMIN_EMAIL="admin@example.com",
               HRMS_ADMIN_PASSWORD=PASSWORD, HRMS_LOG_LEVEL="info")
    proc = subprocess.Popen([BIN, "serve"], env=env, stderr=log)
    try:
        port = None
        for _ in range(200):
            log.seek(0)
            for line in log:
                if '"http.listening"' in line:
                    port = json.loads(line)["port"]
            if port:
                break
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        s = requests.Session()

        def login(email):
            return s.post(f"{base}/api/v1/auth/login", json={"email": email, "password": PASSWORD}).json()["token"]

        admin = {"Authorization": f"Bearer {login('admin@example.com')}"}
        details = {"first_name": "Bench", "last_name": "User", "date_of_birth": "1990-01-15",
                   "phone": "+44 20 7946 0958",
                   "address": {"line1": "1 High St", "city": "London", "country": "GB"},
                   "emergency_contact": {"name": "Kin", "phone": "+44 20 7946 0000"}}
        tokens = []
        for i in range(N):
            email = f"up{i}@example.com"
            s.post(f"{base}/api/v1/users", headers=admin, json={"email": email, "name": f"Up {i}", "password": PASSWORD})
            h = {"Authorization": f"Bearer {login(email)}"}
            s.put(f"{base}/api/v1/profiles/me/details", headers=h, json=details)
            pid = s.post(f"{base}/api/v1/profiles/me/submit", headers=h).json()["id"]
            r = s.post(f"{base}/api/v1/profiles/{pid}/decision", headers=admin, json={"stage": "details", "decision": "approve"})
            assert r.status_code == 200, r.text
            tokens.append(h)
        # Distinct content per upload (so nothing is deduplicated), a valid PDF header for libmagic.
        files = []
        for i in range(N):
            path = os.path.join(tmp, f"doc{i}.pdf")
            with open(path, "wb") as f:
                f.write(b"%PDF-1.4\n%" + str(i).encode() + b"\n")
                f.write(os.urandom(MIB * 1024 * 1024 - 64))
                f.write(b"\n%%EOF\n")
            files.append(path)
        time.sleep(0.5)
        # Logins hash with argon2id (64 MiB each, freed at once): reset the peak so it measures
        # the uploads alone (writing 5 to clear_refs resets VmHWM).
        with open(f"/proc/{proc.pid}/clear_refs", "w") as f:
            f.write("5")
        before = rss_kib(proc.pid, "VmRSS")

        def upload(i):
            with open(files[i], "rb") as f:
                r = requests.post(f"{base}/api/v1/profiles/me/documents", headers=tokens[i],
                                  data={"type": "id_proof"}, files={"file": (f"doc{i}.pdf", f, "application/pdf")})
            return r.status_code

        t0 = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(N) as pool:
            codes = list(pool.map(upload, range(N)))
        elapsed = time.monotonic() - t0
        after = rss_kib(proc.pid, "VmRSS")
        peak = rss_kib(proc.pid, "VmHWM")
        assert codes == [201] * N, codes
        growth = (peak - before) / 1024
        print(f"{N} concurrent {MIB} MiB uploads in {elapsed:.2f} s: RSS before {before / 1024:.1f} MiB, "
              f"after {after / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB; peak growth {growth:.2f} MiB "
              f"= {growth / N:.3f} MiB per upload (target <= 1)")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
