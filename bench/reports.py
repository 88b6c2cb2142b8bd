#!/usr/bin/python3
"""Report and dashboard figures on SQLite (issue 14's targets):

  "on data from `hrms demo seed --employees 100000` with its history: each report for a 30-day range
   in under 1 s as JSON and under 3 s as PDF on SQLite; dashboard p99 under 20 ms with 8 concurrent
   clients."

1. Seed: `hrms demo seed --employees N` into a fresh data directory (timed, for the record). The seed
   spreads employees over the last 42 days with their stage history, documents and notifications.
2. Reports: one server (default settings) answers GET /api/v1/reports/{kind}?format=F for every kind
   and format, RUNS times each, interleaved (kind by kind, format by format, then again), after one
   untimed JSON request per kind (its time is quoted as "first"). efficiency, sla and
   admin-performance cover their default range, the 30 days to today; daily and weekly cover their
   one period (today, this week). Each time is the wall clock around requests.get with the body read.
   The server's own time per request is read from its log (`ms`; HRMS_SLOW_REQUEST_MS=0 on this server
   only, so every request is logged).
3. Dashboard: CLIENTS clients GET /api/v1/dashboard, each a request at a time, as fast as they can for
   SECONDS; p50 / p99 / max of every latency and the throughput; RUNS passes of each of three clients:
   - raw: CLIENTS keep-alive connections on one asyncio loop writing the request bytes and reading the
     answer by its Content-Length (the verdict's client: the least client work per request);
   - threads: CLIENTS threads, each with a requests.Session of its own (they share one GIL, and their
     own p99 is about the target: see their floor);
   - wrk -t1 -cCLIENTS, whose latencies are corrected for coordinated omission (a connection stalled
     for 300 ms counts as the hundreds of requests it would have sent meanwhile).
   The raw and threads clients are also measured on /healthz (no work in the server): their floor.
   All of it twice: with the server's cache (HRMS_DASHBOARD_MAX_AGE_S's default, 1 s) and on a
   restarted server with HRMS_DASHBOARD_MAX_AGE_S=0 (every request recomputes, unless another is
   recomputing at that moment: that one answers the snapshot there is), plus one client alone there,
   which always recomputes.

Every phase records how busy the machine was and how much of it was neither the server nor this
script (other people's builds): `foreign` in percent of the two cores.

Usage: bench/reports.py [N=100000] [RUNS=5] [--keep DIR] [--seconds 10] [--clients 8]
  --keep DIR  seed into DIR once and reuse it on later runs (the seed is the slow part)
  HRMS_BIN overrides the binary (copied to a temporary path first, so a rebuild does not disturb it).
"""
import argparse
import asyncio
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import requests

ROOT = pathlib.Path(__file__).resolve().parents[1]
BIN = os.environ.get("HRMS_BIN", str(ROOT / "build/release/bin/hrms"))
KINDS = ["daily", "weekly", "efficiency", "sla", "admin-performance"]
RANGED = {"efficiency", "sla", "admin-performance"}  # the kinds whose default range is 30 days
FORMATS = ["json", "csv", "html", "pdf", "xlsx"]
TARGET_S = {"json": 1.0, "pdf": 3.0}
TARGET_P99_MS = 20.0
PASSWORD = "bench-password-123"
HZ = os.sysconf("SC_CLK_TCK")


class ServerFailed(Exception):
    pass


# ---- machine noise

def cpu_times() -> tuple[int, int]:
    v = list(map(int, open("/proc/stat").readline().split()[1:9]))
    return sum(v), sum(v) - v[3] - v[4]  # total, busy (all but idle and iowait)


def proc_ticks(pid: int) -> int:
    try:
        s = open(f"/proc/{pid}/stat").read()
        f = s[s.rindex(")") + 2:].split()
        return int(f[11]) + int(f[12])
    except (OSError, ValueError):
        return 0


def own_ticks() -> float:
    """CPU of this script (every thread) and of the children it has waited for (wrk), in clock ticks."""
    t = os.times()
    return (t.user + t.system + t.children_user + t.children_system) * HZ


class Noise:
    """CPU over a phase: busy % of the machine, the server's, the client's (this script and wrk), and
    foreign: the rest, other people's work."""

    def __init__(self, server_pid: int):
        self.pid = server_pid
        self.t0, self.b0 = cpu_times()
        self.s0, self.m0 = proc_ticks(server_pid), own_ticks()

    def stop(self) -> dict:
        t1, b1 = cpu_times()
        s1, m1 = proc_ticks(self.pid), own_ticks()
        total = max(1, t1 - self.t0)
        busy = 100.0 * (b1 - self.b0) / total
        server = 100.0 * (s1 - self.s0) / total
        client = 100.0 * (m1 - self.m0) / total
        return {"busy": busy, "server": server, "client": client, "foreign": max(0.0, busy - server - client)}


def noise_text(n: dict) -> str:
    return f"busy {n['busy']:.0f}%, server {n['server']:.0f}%, client {n['client']:.0f}%, foreign {n['foreign']:.0f}%"


# ---- the server

class Server:
    def __init__(self, exe: str, data: pathlib.Path, log: pathlib.Path, settings: dict | None = None):
        self.log_path = log
        self.log = open(log, "w+")
        env = dict(os.environ, HRMS_DATA_DIR=str(data), HRMS_LISTEN="127.0.0.1:0",
                   HRMS_ADMIN_EMAIL="admin@example.com", HRMS_ADMIN_PASSWORD=PASSWORD, HRMS_LOG_LEVEL="info",
                   **(settings or {}))
        self.proc = subprocess.Popen([exe, "serve"], env=env, stderr=self.log, stdout=subprocess.DEVNULL)
        try:
            self._start()
        except ServerFailed as e:
            self.stop()
            raise ServerFailed(f"{e}; its log ({log}):\n" + open(log).read()[-4000:]) from None

    def _start(self):
        self.url = None
        for _ in range(1200):
            self.log.seek(0)
            for line in self.log:
                if '"http.listening"' in line:
                    self.url = f"http://127.0.0.1:{json.loads(line)['port']}"
            if self.url:
                break
            if self.proc.poll() is not None:
                raise ServerFailed(f"the server exited with {self.proc.returncode} before listening")
            time.sleep(0.05)
        if not self.url:
            raise ServerFailed("the server did not listen within 60 s")
        r = requests.post(self.url + "/api/v1/auth/login", json={"email": "admin@example.com", "password": PASSWORD})
        if r.status_code != 200:
            raise ServerFailed(f"login answered {r.status_code}: {r.text[:500]}")
        self.token = r.json()["token"]

    def session(self) -> requests.Session:
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {self.token}"
        return s

    def log_lines(self) -> list[dict]:
        out = []
        for line in open(self.log_path):
            try:
                out.append(json.loads(line))
            except ValueError:
                out.append({"raw": line.rstrip()})
        return out

    def check_alive(self):
        if self.proc.poll() is not None:
            raise ServerFailed(f"the server exited with {self.proc.returncode}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=120)


def server_ms(srv: Server, request_ids: dict[str, tuple]) -> dict[tuple, list[float]]:
    """The server's own milliseconds per request, from its log (HRMS_SLOW_REQUEST_MS=0 logs every one)."""
    out: dict[tuple, list[float]] = {}
    for e in srv.log_lines():
        key = request_ids.get(e.get("request_id", ""))
        if key and e.get("event") in ("http.request", "http.slow_request") and "ms" in e:
            out.setdefault(key, []).append(float(e["ms"]))
    return out


# ---- phases

def seed(exe: str, data: pathlib.Path, n: int) -> float | None:
    """Seeds DATA with N employees and returns the seconds it took; None when DATA is already seeded."""
    marker = data / f"seeded-{n}"
    if marker.exists():
        return None
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    env = dict(os.environ, HRMS_DATA_DIR=str(data), HRMS_LOG_LEVEL="warn")
    t0 = time.perf_counter()
    r = subprocess.run([exe, "demo", "seed", "--employees", str(n)], env=env, capture_output=True, text=True)
    took = time.perf_counter() - t0
    if r.returncode != 0:
        raise ServerFailed(f"demo seed exited with {r.returncode}: {r.stderr[-2000:]}")
    marker.write_text(f"{took:.1f}\n")
    return took


def fetch(s: requests.Session, srv: Server, kind: str, fmt: str) -> tuple[float, int, str]:
    t0 = time.perf_counter()
    r = s.get(f"{srv.url}/api/v1/reports/{kind}", params={"format": fmt}, timeout=600)
    body = r.content
    took = time.perf_counter() - t0
    if r.status_code != 200:
        srv.check_alive()
        raise ServerFailed(f"GET /api/v1/reports/{kind}?format={fmt} answered {r.status_code} after {took:.2f} s "
                           f"(request id {r.headers.get('X-Request-Id')}): {body[:500]!r}")
    if fmt == "pdf" and not body.startswith(b"%PDF"):
        raise ServerFailed(f"{kind} as pdf does not start with %PDF: {body[:40]!r}")
    if fmt == "json":
        json.loads(body)
    if took > 10 * TARGET_S.get(fmt, 3.0):
        raise ServerFailed(f"GET /api/v1/reports/{kind}?format={fmt} took {took:.1f} s, ten times the target")
    return took, len(body), r.headers.get("X-Request-Id", "")


def reports_phase(srv: Server, runs: int) -> dict:
    s = srv.session()
    first, times, sizes, ids = {}, {}, {}, {}
    noise = Noise(srv.proc.pid)
    for kind in KINDS:
        took, size, rid = fetch(s, srv, kind, "json")
        first[kind] = took
        ids[rid] = (kind, "first")
        print(f"  first {kind} json: {took * 1000:.0f} ms, {size:,} bytes", flush=True)
    for run in range(runs):
        for kind in KINDS:
            for fmt in FORMATS:
                took, size, rid = fetch(s, srv, kind, fmt)
                times.setdefault((kind, fmt), []).append(took)
                sizes[(kind, fmt)] = size
                ids[rid] = (kind, fmt)
        print(f"  run {run + 1}: " + ", ".join(
            f"{k} {times[(k, 'json')][-1] * 1000:.0f}/{times[(k, 'pdf')][-1] * 1000:.0f} ms" for k in KINDS)
              + " (json/pdf)", flush=True)
    n = noise.stop()
    print(f"  machine during the reports: {noise_text(n)}", flush=True)
    return {"first": first, "times": times, "sizes": sizes, "server_ms": server_ms(srv, ids), "noise": n}


def percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def dashboard_pass(srv: Server, clients: int, seconds: float, path: str = "/api/v1/dashboard") -> dict:
    """CLIENTS threads with a session each; latencies of every request, throughput, snapshots seen."""
    sessions = [srv.session() for _ in range(clients)]
    for s in sessions:  # connect and warm each session, untimed
        s.get(srv.url + path).raise_for_status()
    lat: list[list[float]] = [[] for _ in range(clients)]
    snapshots: list[set] = [set() for _ in range(clients)]
    errors: list[str] = []
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(i: int):
        s, mine, seen = sessions[i], lat[i], snapshots[i]
        start.wait()
        while time.perf_counter() < stop_at[0]:
            t0 = time.perf_counter()
            r = s.get(srv.url + path)
            body = r.content
            mine.append(time.perf_counter() - t0)
            if r.status_code != 200:
                errors.append(f"{r.status_code} (request id {r.headers.get('X-Request-Id')}): {body[:300]!r}")
                return
            seen.add(body[body.find(b'"as_of"'):][:40])

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    noise = Noise(srv.proc.pid)
    stop_at[0] = time.perf_counter() + seconds
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    n = noise.stop()
    if errors:
        srv.check_alive()
        raise ServerFailed(f"GET {path} answered " + errors[0])
    all_ms = sorted(x * 1000 for l in lat for x in l)
    return {"n": len(all_ms), "p50": percentile(all_ms, 0.50), "p99": percentile(all_ms, 0.99), "max": all_ms[-1],
            "rps": len(all_ms) / wall, "snapshots": len(set().union(*snapshots)), "noise": n}


async def _raw_clients(host: str, port: int, request: bytes, clients: int, seconds: float) -> list[list[float]]:
    async def one(out: list[float], stop_at: float):
        reader, writer = await asyncio.open_connection(host, port)
        while time.perf_counter() < stop_at:
            t0 = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            out.append(time.perf_counter() - t0)
            if not head.startswith(b"HTTP/1.1 200"):
                raise ServerFailed(f"answered {head[:200]!r}")
        writer.close()

    lat: list[list[float]] = [[] for _ in range(clients)]
    stop_at = time.perf_counter() + seconds
    await asyncio.gather(*(one(lat[i], stop_at) for i in range(clients)))
    return lat


def raw_pass(srv: Server, clients: int, seconds: float, path: str = "/api/v1/dashboard") -> dict:
    """CLIENTS keep-alive connections on one asyncio loop, each a request at a time, raw sockets: far less
    client work per request than requests' (so less of the client in each latency), and, unlike wrk, the
    latencies as they were (wrk 4 adds the requests a stalled connection did not send: coordinated
    omission correction)."""
    host, port = srv.url.removeprefix("http://").split(":")
    request = (f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {srv.token}\r\n\r\n").encode()
    noise = Noise(srv.proc.pid)
    t0 = time.perf_counter()
    lat = asyncio.run(_raw_clients(host, int(port), request, clients, seconds))
    wall = time.perf_counter() - t0
    n = noise.stop()
    all_ms = sorted(x * 1000 for l in lat for x in l)
    return {"n": len(all_ms), "p50": percentile(all_ms, 0.50), "p99": percentile(all_ms, 0.99),
            "p999": percentile(all_ms, 0.999), "max": all_ms[-1], "rps": len(all_ms) / wall,
            "over_100ms": sum(1 for x in all_ms if x > 100), "noise": n}


def dashboard_alone(srv: Server, count: int) -> dict:
    s = srv.session()
    s.get(srv.url + "/api/v1/dashboard").raise_for_status()
    ms = []
    for _ in range(count):
        t0 = time.perf_counter()
        r = s.get(srv.url + "/api/v1/dashboard")
        r.content
        ms.append((time.perf_counter() - t0) * 1000)
        if r.status_code != 200:
            raise ServerFailed(f"GET /api/v1/dashboard answered {r.status_code}: {r.text[:300]}")
    ms.sort()
    return {"n": count, "p50": percentile(ms, 0.5), "p99": percentile(ms, 0.99), "max": ms[-1]}


def wrk_pass(srv: Server, clients: int, seconds: float) -> dict | None:
    if not shutil.which("wrk"):
        return None
    noise = Noise(srv.proc.pid)
    r = subprocess.run(["wrk", "-t1", f"-c{clients}", f"-d{seconds:g}s", "--latency", "-H",
                        f"Authorization: Bearer {srv.token}", srv.url + "/api/v1/dashboard"],
                       capture_output=True, text=True, check=True)
    n = noise.stop()

    def ms(text: str) -> float:
        v = float(text.rstrip("usm"))
        return v / 1000 if text.endswith("us") else v * 1000 if text.endswith("s") and not text.endswith("ms") else v

    out = {"noise": n}
    for line in r.stdout.splitlines():
        f = line.split()
        if len(f) == 2 and f[0] in ("50%", "99%"):
            out["p50" if f[0] == "50%" else "p99"] = ms(f[1])
        if line.startswith("Requests/sec:"):
            out["rps"] = float(f[1])
        if "Non-2xx" in line:
            raise ServerFailed(f"wrk on /api/v1/dashboard: {line.strip()}")
    return out


def dashboard_phase(srv: Server, runs: int, clients: int, seconds: float, alone: int = 0,
                    floor: bool = False) -> dict:
    res = {"threads": [], "wrk": [], "floor": [], "raw": [], "raw_floor": []}
    if alone:
        res["alone"] = dashboard_alone(srv, alone)
        a = res["alone"]
        print(f"  one client, {a['n']} requests: p50 {a['p50']:.2f} ms, p99 {a['p99']:.2f} ms, "
              f"max {a['max']:.2f} ms", flush=True)
    for run in range(runs):
        d = dashboard_pass(srv, clients, seconds)
        res["threads"].append(d)
        print(f"  run {run + 1}, {clients} Python clients: {d['n']:,} requests, {d['rps']:,.0f} req/s, "
              f"p50 {d['p50']:.2f} ms, p99 {d['p99']:.2f} ms, max {d['max']:.1f} ms, {d['snapshots']} snapshots; "
              f"{noise_text(d['noise'])}", flush=True)
        if floor:
            # The same clients on /healthz (answered on the I/O thread, no work): the client's own floor.
            f = dashboard_pass(srv, clients, seconds, "/healthz")
            res["floor"].append(f)
            print(f"  run {run + 1}, {clients} Python clients on /healthz: {f['rps']:,.0f} req/s, "
                  f"p50 {f['p50']:.2f} ms, p99 {f['p99']:.2f} ms; {noise_text(f['noise'])}", flush=True)
        r = raw_pass(srv, clients, seconds)
        res["raw"].append(r)
        print(f"  run {run + 1}, {clients} raw connections: {r['rps']:,.0f} req/s, p50 {r['p50']:.2f} ms, "
              f"p99 {r['p99']:.2f} ms, p99.9 {r['p999']:.2f} ms, max {r['max']:.1f} ms, "
              f"{r['over_100ms']} over 100 ms; {noise_text(r['noise'])}", flush=True)
        if floor:
            f = raw_pass(srv, clients, seconds, "/healthz")
            res["raw_floor"].append(f)
            print(f"  run {run + 1}, {clients} raw connections on /healthz: {f['rps']:,.0f} req/s, "
                  f"p50 {f['p50']:.2f} ms, p99 {f['p99']:.2f} ms", flush=True)
        w = wrk_pass(srv, clients, seconds)
        if w:
            res["wrk"].append(w)
            print(f"  run {run + 1}, wrk -c{clients}: {w['rps']:,.0f} req/s, p50 {w['p50']:.2f} ms, "
                  f"p99 {w['p99']:.2f} ms; busy {w['noise']['busy']:.0f}%, server {w['noise']['server']:.0f}%",
                  flush=True)
    srv.check_alive()
    res["seconds"] = seconds
    return res


# ---- the summary

def med(values: list[float]) -> float:
    return statistics.median(values)


def summary(n: int, runs: int, seed_s: float, rep: dict, cached: dict, uncached: dict, clients: int):
    print()
    print(f"Reports on {n:,} employees, medians of {runs} runs (ms; size of the answer):")
    print("| report | period | " + " | ".join(FORMATS) + " | server ms json / csv / pdf |")
    print("| --- | --- | " + " | ".join("---" for _ in FORMATS) + " | --- |")
    for kind in KINDS:
        cells = []
        for fmt in FORMATS:
            t = rep["times"][(kind, fmt)]
            cells.append(f"{med(t) * 1000:,.0f} (max {max(t) * 1000:,.0f}; {rep['sizes'][(kind, fmt)] / 1024:,.0f} KiB)")
        srv = [rep["server_ms"].get((kind, f)) for f in ("json", "csv", "pdf")]
        srv_text = " / ".join(f"{med(x):,.0f}" if x else "?" for x in srv)
        period = "30 days" if kind in RANGED else ("today" if kind == "daily" else "this week")
        print(f"| {kind} | {period} | " + " | ".join(cells) + f" | {srv_text} |")
    print("first JSON request per kind (ms): " + ", ".join(f"{k} {v * 1000:,.0f}" for k, v in rep["first"].items()))

    def row(label: str, client: str, passes: list[dict]):
        if not passes:
            return
        runs_p99 = " / ".join(format(x["p99"], ".1f") for x in passes)
        top = f"{med([x['max'] for x in passes]):.1f}" if "max" in passes[0] else ""
        print(f"| {label} | {client} | {med([x['rps'] for x in passes]):,.0f} | {med([x['p50'] for x in passes]):.2f} | "
              f"{med([x['p99'] for x in passes]):.2f} ({runs_p99}) | {top} |")

    def dash_lines(label: str, d: dict):
        row(label, f"{clients} raw connections", d["raw"])
        row(label, f"{clients} Python threads (requests)", d["threads"])
        row(label, f"wrk -t1 -c{clients} (corrected)", d["wrk"])
        row("(client floor: `/healthz`)", f"{clients} raw connections", d["raw_floor"])
        row("(client floor: `/healthz`)", f"{clients} Python threads (requests)", d["floor"])
        if "alone" in d:
            a = d["alone"]
            print(f"| {label} | 1 Python client | | {a['p50']:.2f} | {a['p99']:.2f} | {a['max']:.1f} |")

    print()
    print(f"Dashboard, medians of {runs} runs:")
    print("| server cache | clients | req/s | p50 ms | p99 ms (runs) | max ms |")
    print("| --- | --- | --- | --- | --- | --- |")
    dash_lines("1 s (default)", cached)
    dash_lines("0 (recompute)", uncached)
    print()
    print(f"seed: {n:,} employees in {seed_s:.1f} s")
    noise = [rep["noise"]] + [x["noise"] for d in (cached, uncached) for k in ("raw", "threads") for x in d[k]]
    foreign = ", ".join(format(x["foreign"], ".0f") + "%" for x in noise)
    print(f"foreign CPU (other processes) per phase: {foreign}")
    print()
    for kind in KINDS:
        for fmt, target in TARGET_S.items():
            m = med(rep["times"][(kind, fmt)])
            scope = "30-day range" if kind in RANGED else ("today" if kind == "daily" else "this week")
            print(f"{kind} ({scope}) as {fmt}: median {m:.3f} s, max {max(rep['times'][(kind, fmt)]):.3f} s "
                  f"(target under {target:g} s): {'met' if m < target else 'NOT MET'}")
    # The raw connections are the verdict's client: eight Python threads share one GIL and their own
    # p99 (on /healthz, where the server does nothing) is already about the target; wrk 4 corrects for
    # coordinated omission, which turns one stalled request into hundreds of synthetic ones.
    raw = med([x["p99"] for x in cached["raw"]])
    raw_floor = med([x["p99"] for x in cached["raw_floor"]])
    stalls = med([x["over_100ms"] for x in cached["raw"]])
    print(f"dashboard p99 with {clients} concurrent clients (cache on, raw connections): {raw:.2f} ms "
          f"(target under {TARGET_P99_MS:g} ms): {'met' if raw < TARGET_P99_MS else 'NOT MET'} "
          f"(client floor on /healthz {raw_floor:.2f} ms; max {med([x['max'] for x in cached['raw']]):.0f} ms, "
          f"{stalls:g} requests over 100 ms per {cached['seconds']:g} s)")
    p99 = med([x["p99"] for x in cached["threads"]])
    floor = med([x["p99"] for x in cached["floor"]])
    print(f"dashboard p99 with {clients} Python client threads (cache on): {p99:.2f} ms: "
          f"{'under' if p99 < TARGET_P99_MS else 'OVER'} {TARGET_P99_MS:g} ms; the same clients on /healthz, "
          f"where the server does no work: {floor:.2f} ms")
    if cached["wrk"]:
        p99w = med([x["p99"] for x in cached["wrk"]])
        print(f"dashboard p99 by wrk -t1 -c{clients} (cache on; coordinated-omission corrected): {p99w:.2f} ms: "
              f"{'under' if p99w < TARGET_P99_MS else 'OVER'} {TARGET_P99_MS:g} ms")


def main():
    ap = argparse.ArgumentParser(description="Report and dashboard figures (issue 14)")
    ap.add_argument("employees", nargs="?", type=int, default=100_000)
    ap.add_argument("runs", nargs="?", type=int, default=5)
    ap.add_argument("--keep", type=pathlib.Path, help="seed here once and reuse it")
    ap.add_argument("--seconds", type=float, default=10, help="each dashboard pass")
    ap.add_argument("--clients", type=int, default=8)
    a = ap.parse_args()

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="hrms-reports-bench-"))
    exe = str(tmp / "hrms")
    shutil.copy(BIN, exe)  # a rebuild of BIN while this runs would otherwise fail with "Text file busy"
    data = a.keep or tmp / "data"
    srv = None
    try:
        print(f"binary: {BIN}; data: {data}; logs: {tmp}", flush=True)
        seed_s = seed(exe, data, a.employees)
        if seed_s is None:
            seed_s = float((data / f"seeded-{a.employees}").read_text())
            print(f"seed: reusing {data} (seeded in {seed_s:.1f} s)", flush=True)
        else:
            print(f"seed: {a.employees:,} employees in {seed_s:.1f} s", flush=True)

        # HRMS_SLOW_REQUEST_MS=0 logs every request with its time; not on the dashboard's servers, where
        # a log line per request would be part of what is measured.
        srv = Server(exe, data, tmp / "server-reports.log", {"HRMS_SLOW_REQUEST_MS": "0"})
        print("reports (default settings but HRMS_SLOW_REQUEST_MS=0):", flush=True)
        rep = reports_phase(srv, a.runs)
        srv.stop()
        srv = None

        srv = Server(exe, data, tmp / "server-cached.log")
        print("dashboard, cache on (HRMS_DASHBOARD_MAX_AGE_S default):", flush=True)
        cached = dashboard_phase(srv, a.runs, a.clients, a.seconds, floor=True)
        srv.stop()
        srv = None

        srv = Server(exe, data, tmp / "server-uncached.log", {"HRMS_DASHBOARD_MAX_AGE_S": "0"})
        print("dashboard, HRMS_DASHBOARD_MAX_AGE_S=0:", flush=True)
        uncached = dashboard_phase(srv, a.runs, a.clients, a.seconds, alone=200)
        srv.stop()
        srv = None
        summary(a.employees, a.runs, seed_s, rep, cached, uncached, a.clients)
    except ServerFailed as e:
        print(f"\nFAILED: {e}", file=sys.stderr)
        if srv:
            srv.stop()
            print(f"server log ({srv.log_path}), warnings and errors:", file=sys.stderr)
            for line in open(srv.log_path):
                quiet = '"level":"info"' in line or '"level":"debug"' in line
                answered = '"http.slow_request"' in line and '"status":5' not in line  # every request, on one server
                if not quiet and not answered:
                    print("  " + line.rstrip(), file=sys.stderr)
        print(f"kept for inspection: {tmp}", file=sys.stderr)
        sys.exit(1)
    finally:
        if srv:
            srv.stop()
    # The binary and a fresh data directory go; the servers' logs stay.
    os.unlink(exe)
    if not a.keep:
        shutil.rmtree(data, ignore_errors=True)
    print(f"server logs: {tmp}")


if __name__ == "__main__":
    main()
