#!/usr/bin/python3
"""The document archive's figures, on SQLite: POST /api/v1/bulk/documents/archive streaming a ZIP
of D documents (default 1,000 of 256 KiB: 250 employees with 4 each, uploaded through the API),
read to the end by the client.

1. Throughput: the archive's bytes per second, beside reading the same stored files straight
   from the data directory in this process; once from the disk (the page cache dropped before
   each, which needs root) and once warm (what is compared then is hrms's work per byte: CRC-32
   and SHA-256 of every byte, the chunked HTTP). Target: at disk speed.
2. Memory: the server's resident size sampled every 10 ms during the download, against its size
   before: constant memory means the archive never sits in memory.

Usage: bench/archive.py [DOCUMENTS=1000] [KIB=256]   (HRMS_BIN overrides the binary)
"""
import hashlib
import io
import os
import pathlib
import shutil
import sys
import tempfile
import threading
import time
import zipfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import bulk  # noqa: E402  (the server helpers)

D = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
KIB = int(sys.argv[2]) if len(sys.argv) > 2 else 256
TYPES = ["id_proof", "address_proof", "tax_form", "bank_details"]


def pdf(tag: str, size: int) -> bytes:
    """A valid PDF of about `size` bytes (libmagic must see a PDF), distinct per tag."""
    head = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n% " + tag.encode() + b"\n"
    filler = hashlib.sha256(tag.encode()).hexdigest().encode() * (size // 64 + 1)
    return head + b"% " + filler[: max(0, size - len(head) - 20)] + b"\n%%EOF\n"


def main():
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="hrms-archive-bench-"))
    try:
        # Hundreds of sign-ins from one address in a few seconds: the throttle would refuse them.
        srv = bulk.Server(tmp, {"HRMS_LOGIN_RATE_PER_IP": "100000", "HRMS_LOGIN_BURST_PER_IP": "100000"})
        try:
            run(srv, tmp)
        finally:
            srv.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(srv, tmp):
    s = srv.http
    profiles = []
    for e in range((D + len(TYPES) - 1) // len(TYPES)):
        email = f"emp{e}@example.com"
        r = s.post(srv.url + "/api/v1/users", json={"email": email, "name": f"Employee {e}", "roles": ["employee"],
                                                    "password": bulk.PASSWORD})
        assert r.status_code == 201, r.text
        token = s.post(srv.url + "/api/v1/auth/login", json={"email": email, "password": bulk.PASSWORD}).json()["token"]
        h = {"Authorization": f"Bearer {token}"}
        details = {"first_name": "Ada", "last_name": f"E{e}", "date_of_birth": "1990-12-10",
                   "phone": "+44 20 7946 0958", "address": {"line1": "1 Main Street", "city": "London", "country": "GB"},
                   "emergency_contact": {"name": "Charles Babbage", "phone": "+44 20 7946 0000"}}
        assert s.put(srv.url + "/api/v1/profiles/me/details", json=details, headers=h).status_code == 200
        pid = s.post(srv.url + "/api/v1/profiles/me/submit", headers=h).json()["id"]
        assert s.post(f"{srv.url}/api/v1/profiles/{pid}/decision", json={"stage": "details", "decision": "approve"}
                      ).status_code == 200
        for t in TYPES[: min(len(TYPES), D - e * len(TYPES))]:
            r = s.post(srv.url + "/api/v1/profiles/me/documents", headers=h, data={"type": t},
                       files={"file": (f"{t}.pdf", pdf(f"{e}-{t}", KIB * 1024), "application/pdf")})
            assert r.status_code == 201, r.text
        profiles.append(pid)
    blobs = [p for p in (tmp / "blobs").rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in blobs)
    cold = drop_caches()
    for label in (["from disk"] if cold else []) + ["warm"]:
        if label == "from disk":
            drop_caches()
        direct = read_directly(blobs)
        if label == "from disk":
            drop_caches()
        download(srv, s, profiles, blobs, total, direct, label)


def drop_caches() -> bool:
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError:
        print("(not root: the page cache cannot be dropped; warm figures only)")
        return False


def read_directly(blobs) -> float:
    t0 = time.perf_counter()
    for p in blobs:
        with open(p, "rb") as f:
            while f.read(1 << 20):
                pass
    return time.perf_counter() - t0


def download(srv, s, profiles, blobs, total, direct, label):
    before = bulk.rss_kb(srv.proc.pid)
    peak = [before]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], bulk.rss_kb(srv.proc.pid))
            time.sleep(0.01)
    sampler = threading.Thread(target=sample)
    sampler.start()
    t0 = time.perf_counter()
    r = s.post(srv.url + "/api/v1/bulk/documents/archive", json={"profile_ids": profiles}, stream=True)
    assert r.status_code == 200, r.text
    body = io.BytesIO()
    for chunk in r.iter_content(1 << 20):
        body.write(chunk)
    took = time.perf_counter() - t0
    done.set()
    sampler.join()
    z = zipfile.ZipFile(body)
    members = [n for n in z.namelist() if n != "manifest.csv"]
    assert len(members) == len(blobs) == D, (len(members), len(blobs))
    size = body.tell()
    print(f"{label}: {D} documents, {total / 2**20:.0f} MiB stored; archive {size / 2**20:.0f} MiB in {took:.2f} s: "
          f"{size / 2**20 / took:.0f} MiB/s; reading the stored files directly: {total / 2**20 / direct:.0f} MiB/s "
          f"(archive at {size / took / (total / direct):.2f}x that)")
    print(f"server memory: {before / 1024:.0f} MiB before, {peak[0] / 1024:.0f} MiB at most during the download "
          f"({(peak[0] - before) / 1024:.1f} MiB more for a {size / 2**20:.0f} MiB archive)")


if __name__ == "__main__":
    main()
