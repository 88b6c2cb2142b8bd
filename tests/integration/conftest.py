"""End-to-end fixtures: the real hrms binary on a free port, driven over HTTP.

Environment (set by CTest, see CMakeLists.txt):
  HRMS_BIN            path of the binary (default build/release/bin/hrms)
  HRMS_TEST_BACKEND   sqlite (default) or pg
  HRMS_TEST_PG_BASE   for pg: postgresql://user@host:port, no database name; every server
                      gets a fresh database of its own (named after the xdist worker and the
                      process, so parallel workers and suites never share one), dropped at
                      teardown.

  HRMS_CONTRACT_REPORT  when set (CTest sets it), the contract coverage report is written there
                      at the end, and an operation no test exercised, or a route the document
                      lacks, fails the run.

Every HTTP response and WebSocket frame is validated against docs/openapi.yaml and
docs/websocket.schema.json (contract.py); a test that sends a bad request on purpose passes
`bad=True` to the server's request helpers or carries `@pytest.mark.bad_requests`.

In parallel (CTest does this): `-n N --dist loadfile` (python3-pytest-xdist). Each worker is a
process of its own with its own shared server, temp dirs and databases; a file runs whole on one
worker, so a module's server is started once. Every worker sends its contract coverage to the
controller, which alone writes the report and decides whether it fails the run: the report is
the same as a serial run's. Without -n nothing changes.

Python packages, all from Debian: python3-pytest, python3-requests, python3-websocket,
python3-jsonschema, python3-yaml and (for -n) python3-pytest-xdist.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import pathlib
import signal
import socket
import weakref
import subprocess
import time
import uuid
import warnings

import pytest
import requests
import websocket

from contract import CONTRACT, bad_requests, requests_marked_bad, set_test_bad

REPO = pathlib.Path(__file__).resolve().parents[2]
HRMS_BIN = os.environ.get("HRMS_BIN") or str(REPO / "build" / "release" / "bin" / "hrms")
BACKEND = os.environ.get("HRMS_TEST_BACKEND", "sqlite")
PG_BASE = os.environ.get("HRMS_TEST_PG_BASE", "").rstrip("/")
# "gw0", "gw1", ... in an xdist worker; "main" in a run without -n.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "admin-password-123"
PASSWORD = "correct-horse-battery-9"  # a valid password for test users

START_TIMEOUT_S = 20

# Servers alive right now, so that a failing test can show their logs.
_live_servers: list["Server"] = []


# A stand-in for the web interface's build (web/dist), so every server serves the same small
# files whatever is built in the tree: test_web.py checks how they are served.
WEB_INDEX = '<!doctype html><html lang="en"><head><title>hrms</title>' \
            '<script type="module" src="/assets/app-3f9a1c.js"></script></head>' \
            '<body><div id="app"></div></body></html>'
WEB_SCRIPT = "console.log('hrms web stand-in');\n" * 40


def web_fixture_dir() -> pathlib.Path:
    import gzip
    import tempfile
    d = pathlib.Path(tempfile.gettempdir()) / f"hrms-web-fixture-{os.getpid()}"
    if not (d / "index.html").exists():
        (d / "assets").mkdir(parents=True, exist_ok=True)
        (d / "assets" / "app-3f9a1c.js").write_text(WEB_SCRIPT)
        (d / "assets" / "app-3f9a1c.js.gz").write_bytes(gzip.compress(WEB_SCRIPT.encode()))
        (d / "favicon.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
        (d / "index.html").write_text(WEB_INDEX)
    return d


def uniq(prefix: str = "u") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def unique_email(prefix: str = "user") -> str:
    return f"{uniq(prefix)}@example.com"


def wait_until(predicate, timeout: float, interval: float = 0.05, what: str = "condition"):
    """Polls predicate() until it returns something truthy; returns that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def child_env(overrides: dict[str, str]) -> dict[str, str]:
    """The parent's environment without any HRMS_* setting, plus the given ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HRMS_")}
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def error_of(response: requests.Response) -> dict:
    """The error object of an error envelope, after checking the envelope's shape."""
    body = response.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert {"code", "message", "details", "request_id"} <= set(err), err
    assert isinstance(err["message"], str) and err["message"], err
    assert err["request_id"] == response.headers.get("X-Request-Id"), (err, response.headers)
    return err


def assert_error(response: requests.Response, status: int, code: str, field: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.text)
    err = error_of(response)
    assert err["code"] == code, err
    if field is not None:
        assert isinstance(err["details"], dict) and err["details"].get("field") == field, err
    return err


# --------------------------------------------------------------------------------------------
# The contract check on every exchange, however a test sends it: the server's helpers, a bare
# requests.post from a thread, or a WebSocket client.

_requests_send = requests.Session.send


def _checked_send(self, request, **kw):
    response = _requests_send(self, request, **kw)
    CONTRACT.check_http(request.method, request.url, request.headers, request.body,
                        response.status_code, response.headers, response.content,
                        bad_request=requests_marked_bad())
    return response


requests.Session.send = _checked_send

_ws_connect = websocket.WebSocket.connect
_ws_recv_frame = websocket.WebSocket.recv_frame


class _HeaderView(dict):
    """websocket-client's lower-cased headers, looked up by their canonical names."""

    def get(self, key, default=None):
        return super().get(key.lower(), default)


def _checked_connect(self, url, **options):
    try:
        _ws_connect(self, url, **options)
    except websocket.WebSocketBadStatusException as e:
        if "/api/v1/ws" in url:
            CONTRACT.check_ws_handshake(e.status_code, _HeaderView(e.resp_headers or {}))
        raise
    if "/api/v1/ws" in url:
        CONTRACT.check_ws_handshake(self.getstatus(), _HeaderView(self.getheaders() or {}))


def _checked_recv_frame(self):
    frame = _ws_recv_frame(self)
    if frame.opcode == websocket.ABNF.OPCODE_TEXT:
        CONTRACT.check_ws_frame(frame.data.decode("utf-8", errors="strict"))
    elif frame.opcode == websocket.ABNF.OPCODE_CLOSE and len(frame.data) >= 2:
        CONTRACT.check_ws_close(int.from_bytes(frame.data[:2], "big"))
    return frame


websocket.WebSocket.connect = _checked_connect
websocket.WebSocket.recv_frame = _checked_recv_frame


# --------------------------------------------------------------------------------------------
# Databases


class Database:
    """Where one server (or CLI run) keeps its data: a data dir, and for pg a fresh database."""

    def __init__(self, tmp: pathlib.Path):
        self.data_dir = tmp / "data"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.name = None
        self.url = None
        if BACKEND == "pg":
            if not PG_BASE:
                pytest.fail("HRMS_TEST_BACKEND=pg needs HRMS_TEST_PG_BASE=postgresql://user@host:port")
            self.name = f"hrms_e2e_{WORKER}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
            psql(f'CREATE DATABASE "{self.name}"')
            self.url = f"{PG_BASE}/{self.name}"
        elif BACKEND != "sqlite":
            pytest.fail(f"HRMS_TEST_BACKEND must be sqlite or pg, not {BACKEND!r}")

    def env(self) -> dict[str, str]:
        env = {"HRMS_DATA_DIR": str(self.data_dir)}
        if self.url:
            env["HRMS_DATABASE_URL"] = self.url
        return env

    def drop(self):
        if self.name:
            psql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)', check=False)
            self.name = None


def psql(sql: str, check: bool = True):
    r = subprocess.run(["psql", "-q", "-X", f"{PG_BASE}/postgres", "-c", sql],
                       capture_output=True, text=True, timeout=60)
    if check and r.returncode != 0:
        pytest.fail(f"psql {sql!r} failed: {r.stderr.strip()}")
    return r


# --------------------------------------------------------------------------------------------
# The server


class Server:
    """One `hrms serve` process on 127.0.0.1:<free port>; stderr (JSON lines) goes to a file."""

    def __init__(self, tmp: pathlib.Path, env_overrides: dict | None = None,
                 db: Database | None = None):
        tmp.mkdir(parents=True, exist_ok=True)
        self.tmp = tmp
        self.owns_db = db is None
        self.db = db or Database(tmp)
        self.log_path = tmp / "server.log"
        env = {
            "HRMS_LISTEN": "127.0.0.1:0",
            "HRMS_ADMIN_EMAIL": ADMIN_EMAIL,
            "HRMS_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "HRMS_DEV_MODE": "1",
            "HRMS_LOG_LEVEL": "info",
            "HRMS_WEB_DIR": str(web_fixture_dir()),
            **self.db.env(),
        }
        env.update({k: str(v) for k, v in (env_overrides or {}).items()})
        self.env = env
        self._log_file = open(self.log_path, "wb")
        # cwd is the temp dir: a stray ./hrms.toml must not change the settings.
        self.proc = subprocess.Popen([HRMS_BIN, "serve"], env=child_env(env), cwd=tmp,
                                     stdin=subprocess.DEVNULL, stdout=self._log_file,
                                     stderr=self._log_file)
        self.port = None
        _live_servers.append(self)
        try:
            listening = self.wait_log(lambda e: e.get("event") == "http.listening",
                                      timeout=START_TIMEOUT_S, what="http.listening")
        except BaseException:
            self.stop(signal.SIGKILL)
            if self.owns_db:
                self.db.drop()
            raise
        self.port = int(listening["port"])
        self.url = f"http://127.0.0.1:{self.port}"
        self.http = requests.Session()
        # Never keep cookies between requests: each test sends the ones it means to.
        self.http.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        self._admin_token = None

    # -- process ------------------------------------------------------------------------------

    def running(self) -> bool:
        return self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout: float = 15) -> int:
        """Signals the process and waits for it; returns the exit code (SIGKILL after timeout)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if hasattr(self, "http"):
            self.http.close()
        if not self._log_file.closed:
            self._log_file.close()
        if self in _live_servers:
            _live_servers.remove(self)
        return self.proc.returncode

    def cleanup(self):
        # Graceful exit has its own tests; here a slow exit must not slow the suite down.
        self.stop(signal.SIGTERM, timeout=3)
        if self.owns_db:
            self.db.drop()

    # -- logs ---------------------------------------------------------------------------------

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_lines(self) -> list[dict]:
        """Every complete stderr line that is a JSON object."""
        out = []
        for line in self.log_text().splitlines():
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                continue  # a line being written right now
            if isinstance(obj, dict):
                out.append(obj)
        return out

    def find_log(self, predicate) -> dict | None:
        for entry in self.log_lines():
            if predicate(entry):
                return entry
        return None

    def wait_log(self, predicate, timeout: float = 5, what: str = "a log line") -> dict:
        deadline = time.monotonic() + timeout
        while True:
            found = self.find_log(predicate)
            if found:
                return found
            if self.proc.poll() is not None:
                raise AssertionError(f"hrms exited with {self.proc.returncode} while waiting for "
                                     f"{what}; log:\n{self.log_text()[-4000:]}")
            if time.monotonic() >= deadline:
                raise AssertionError(f"timed out waiting for {what}; log:\n{self.log_text()[-4000:]}")
            time.sleep(0.02)

    def invite_token(self, user_id: int, timeout: float = 5) -> str:
        entry = self.wait_log(lambda e: e.get("event") == "invite.created" and e.get("user_id") == user_id,
                              timeout=timeout, what=f"invite.created for user {user_id}")
        return entry["token"]

    # -- HTTP ---------------------------------------------------------------------------------

    def request(self, method: str, path: str, token: str | None = None, bad: bool = False,
                **kw) -> requests.Response:
        """One request; `bad=True` when the test sends it against the contract on purpose (the
        response is still checked)."""
        headers = dict(kw.pop("headers", None) or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        kw.setdefault("timeout", 15)
        if bad:
            with bad_requests():
                return self.http.request(method, self.url + path, headers=headers, **kw)
        return self.http.request(method, self.url + path, headers=headers, **kw)

    def get(self, path, token=None, **kw):
        return self.request("GET", path, token, **kw)

    def post(self, path, token=None, **kw):
        return self.request("POST", path, token, **kw)

    def put(self, path, token=None, **kw):
        return self.request("PUT", path, token, **kw)

    def patch(self, path, token=None, **kw):
        return self.request("PATCH", path, token, **kw)

    def delete(self, path, token=None, **kw):
        return self.request("DELETE", path, token, **kw)

    def login(self, email: str, password: str, **kw) -> requests.Response:
        return self.post("/api/v1/auth/login", json={"email": email, "password": password}, **kw)

    def token_for(self, email: str, password: str = PASSWORD) -> str:
        r = self.login(email, password)
        assert r.status_code == 200, (email, r.status_code, r.text)
        return r.json()["token"]

    @property
    def admin_token(self) -> str:
        """A session of the bootstrap admin, made once per server."""
        if self._admin_token is None:
            self._admin_token = self.token_for(ADMIN_EMAIL, ADMIN_PASSWORD)
        return self._admin_token

    def create_user(self, email: str | None = None, name: str | None = None, roles=None,
                    password: str | None = PASSWORD, token: str | None = None) -> dict:
        """Creates a user as admin (or as `token`); returns the 201 body."""
        body = {"email": email or unique_email(), "name": name or "Test User"}
        if roles is not None:
            body["roles"] = roles
        if password is not None:
            body["password"] = password
        r = self.post("/api/v1/users", token or self.admin_token, json=body)
        assert r.status_code == 201, r.text
        return r.json()

    def user_with_token(self, roles=None, name: str | None = None) -> tuple[dict, str]:
        """A new active user with the given roles, and a session token of theirs."""
        user = self.create_user(roles=roles, name=name)
        return user, self.token_for(user["email"])

    def find_users(self, text: str, token: str | None = None) -> list[dict]:
        r = self.get("/api/v1/users", token or self.admin_token, params={"q": text, "limit": 200})
        assert r.status_code == 200, r.text
        return r.json()["items"]

    def raw(self, timeout: float = 5) -> socket.socket:
        """A plain TCP connection to the server."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        s.settimeout(timeout)
        return s


# --------------------------------------------------------------------------------------------
# Raw HTTP over a socket, for what requests would hide (limits, slow clients, shutdown).


_unread: "weakref.WeakKeyDictionary[socket.socket, bytes]" = weakref.WeakKeyDictionary()


def read_response(sock: socket.socket, timeout: float = 5) -> tuple[int, dict, bytes]:
    """Reads one HTTP/1.1 response with a Content-Length body: (status, headers, body)."""
    sock.settimeout(timeout)
    data = _unread.pop(sock, b"")  # bytes of a pipelined next response read last time
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"connection closed before a full response header: {data!r}")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    if len(rest) > length:
        _unread[sock] = rest[length:]
    CONTRACT.check_raw(status, headers, rest[:length])
    return status, headers, rest[:length]


def closed_by_peer(sock: socket.socket, timeout: float) -> bool:
    """True if the peer closes (EOF or reset) within timeout, ignoring any data it sends."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        sock.settimeout(left)
        try:
            if sock.recv(65536) == b"":
                return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False


# --------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="session", autouse=True)
def hrms_binary():
    if not os.access(HRMS_BIN, os.X_OK):
        pytest.exit(f"hrms binary not found at {HRMS_BIN} (set HRMS_BIN)", returncode=2)
    return HRMS_BIN


@pytest.fixture(scope="session")
def server(tmp_path_factory, hrms_binary):
    """The shared server for most tests. Per-IP login throttling is relaxed here because every
    test connects from 127.0.0.1; tests of the throttle use their own server."""
    srv = Server(tmp_path_factory.mktemp("shared"), {
        "HRMS_LOGIN_RATE_PER_IP": "10000",
        "HRMS_LOGIN_BURST_PER_IP": "10000",
        "HRMS_LOGIN_IP_MAX_FAILURES": "10000",
    })
    yield srv
    if not srv.running():
        warnings.warn(f"the shared server died during the run (exit {srv.proc.returncode})")
    srv.cleanup()


@pytest.fixture
def admin_token(server) -> str:
    return server.admin_token


@pytest.fixture
def start_server(tmp_path, hrms_binary):
    """Factory for a dedicated server with extra settings; stopped (and its DB dropped) after
    the test."""
    started: list[Server] = []

    def start(env_overrides: dict | None = None, db: Database | None = None, name: str = "srv") -> Server:
        srv = Server(tmp_path / f"{name}{len(started)}", env_overrides, db=db)
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.cleanup()


@pytest.fixture
def fresh_db(tmp_path):
    """A database no server owns yet (for CLI tests); dropped after the test."""
    db = Database(tmp_path / "db")
    yield db
    db.drop()


class MovableClock:
    """The clock of the servers started with `env()` (HRMS_TEST_CLOCK_FILE, dev mode only): the
    wall clock plus the seconds moved so far. A test of what time does (a delay, an expiry) moves
    it past the point instead of sleeping there, so a loaded machine cannot stretch the time
    between two requests past what the test means to be inside it."""

    def __init__(self, path: pathlib.Path):
        self.path = path
        self.offset = 0.0

    def env(self) -> dict[str, str]:
        return {"HRMS_TEST_CLOCK_FILE": str(self.path)}

    def forward(self, seconds: float):
        self.offset += seconds
        # Replaced whole: the server reads it at every use, and reads a half-written one as 0.
        tmp = self.path.with_name(self.path.name + ".new")
        tmp.write_text(f"{self.offset}\n")
        os.replace(tmp, self.path)


@pytest.fixture
def clock(tmp_path) -> MovableClock:
    return MovableClock(tmp_path / "clock")


def run_cli(args: list[str], db: Database, stdin: str | None = None, extra_env: dict | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**db.env(), "HRMS_LOG_LEVEL": "warn", **(extra_env or {})}
    return subprocess.run([HRMS_BIN, *args], env=child_env(env), cwd=db.data_dir.parent,
                          input=stdin, capture_output=True, text=True, timeout=timeout)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
    if report.failed and _live_servers:
        for srv in _live_servers:
            tail = "\n".join(srv.log_text().splitlines()[-40:])
            state = "running" if srv.running() else f"EXITED with {srv.proc.returncode}"
            report.sections.append((f"hrms log ({srv.tmp.name}, port {srv.port}, {state})", tail))


# xdist hands the files to its workers in collection order. The one that takes longest (mostly
# waiting out WebSocket timeouts) goes first, or it starts last and ends the run alone.
XDIST_FIRST = ("test_ws.py",)


def pytest_collection_modifyitems(config, items):
    if hasattr(config, "workerinput"):
        items.sort(key=lambda item: item.path.name not in XDIST_FIRST)  # stable: order kept otherwise



# --------------------------------------------------------------------------------------------
# The contract: per test, and the coverage report at the end


def pytest_configure(config):
    config.addinivalue_line("markers", "bad_requests: the test sends requests against the contract "
                                       "on purpose; their responses are still checked")


@pytest.fixture(autouse=True)
def _contract(request):
    """A contract violation fails the test that caused it, even where the test swallowed the
    exception (a thread, a pytest.raises)."""
    CONTRACT.take_violations()
    set_test_bad(request.node.get_closest_marker("bad_requests") is not None)
    yield
    set_test_bad(False)
    violations = CONTRACT.take_violations()
    call = getattr(request.node, "rep_call", None)
    if violations and (call is None or call.passed):
        pytest.fail("contract violations:\n" + "\n".join(violations), pytrace=False)


def router_table() -> list[tuple[str, str]]:
    """(method, path template) of every route, from `hrms routes`."""
    out = subprocess.run([HRMS_BIN, "routes"], capture_output=True, text=True, timeout=30, check=True)
    return [(r["method"], r["path"]) for r in map(json.loads, out.stdout.splitlines())]


_contract_report: dict = {}
# xdist workers whose coverage was merged (one stopped by ^C is reported down twice), and those
# that went down without sending any.
_merged_workers: set[str] = set()
_lost_workers: list[str] = []


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """The xdist controller, as each worker goes down: its coverage joins the controller's."""
    worker = node.gateway.id
    coverage = (getattr(node, "workeroutput", None) or {}).get("hrms_contract")
    if coverage is None:
        _lost_workers.append(f"{worker} ({str(error).strip().splitlines()[-1]})" if error else worker)
    elif worker not in _merged_workers:
        _merged_workers.add(worker)
        CONTRACT.merge(coverage)


def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workeroutput"):
        # An xdist worker saw only its share of the run: the controller reports on the whole.
        session.config.workeroutput["hrms_contract"] = CONTRACT.coverage()
        return
    target = os.environ.get("HRMS_CONTRACT_REPORT")
    if not target:
        return
    text, failures = CONTRACT.report(router_table())
    # Without a worker's share the table above undercounts: say why, rather than blame the tests.
    failures += [f"xdist worker {w} went down without sending its coverage" for w in _lost_workers]
    if failures:
        text += "\n\nThe contract check fails the run:\n" + "\n".join(f"  - {f}" for f in failures)
    pathlib.Path(target).parent.mkdir(parents=True, exist_ok=True)
    pathlib.Path(target).write_text(text + "\n")
    _contract_report.update(text=text, path=target, failed=bool(failures))
    if failures and session.exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    if _contract_report:
        terminalreporter.section("contract")
        terminalreporter.write_line(_contract_report["text"])
        terminalreporter.write_line(f"(written to {_contract_report['path']})")


# --------------------------------------------------------------------------------------------
# Onboarding helpers, shared by test_onboarding.py, test_documents.py and test_notifications.py


REQUIRED_DOCUMENTS = ["id_proof", "address_proof", "tax_form", "bank_details"]


def complete_details(**overrides) -> dict:
    """A full, valid set of personal details; keyword arguments replace top-level keys."""
    details = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "date_of_birth": "1990-12-10",
        "phone": "+44 20 7946 0958",
        "address": {"line1": "1 Main Street", "city": "London", "country": "GB"},
        "emergency_contact": {"name": "Charles Babbage", "phone": "+44 20 7946 0000"},
    }
    details.update(overrides)
    return details


def my_profile(server, token: str) -> dict:
    r = server.get("/api/v1/profiles/me", token)
    assert r.status_code == 200, r.text
    return r.json()


def profile_of(server, profile_id: int, token: str | None = None) -> dict:
    r = server.get(f"/api/v1/profiles/{profile_id}", token or server.admin_token)
    assert r.status_code == 200, r.text
    return r.json()


def save_details(server, token: str, details: dict, bad: bool = False) -> requests.Response:
    return server.put("/api/v1/profiles/me/details", token, json=details, bad=bad)


def submit_stage(server, token: str) -> requests.Response:
    return server.post("/api/v1/profiles/me/submit", token)


def decide(server, token: str, profile_id: int, stage: str, decision: str,
           reason: str | None = None, bad: bool = False) -> requests.Response:
    body = {"stage": stage, "decision": decision}
    if reason is not None:
        body["reason"] = reason
    return server.post(f"/api/v1/profiles/{profile_id}/decision", token, json=body, bad=bad)


def feed(server, token: str, **params) -> dict:
    """GET /api/v1/notifications; asserts 200 and returns {items, unread, next_after}."""
    r = server.get("/api/v1/notifications", token, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def employee_with_details_submitted(server, name: str | None = None) -> tuple[dict, str, dict]:
    """A new employee who saved complete details and submitted them: (user, token, profile)."""
    user, token = server.user_with_token(name=name)
    r = save_details(server, token, complete_details())
    assert r.status_code == 200, r.text
    r = submit_stage(server, token)
    assert r.status_code == 200, r.text
    return user, token, r.json()


def employee_at_documents(server, reviewer_token: str | None = None,
                          name: str | None = None) -> tuple[dict, str, dict]:
    """A new employee whose details are approved: stage documents, status draft."""
    user, token, profile = employee_with_details_submitted(server, name=name)
    r = decide(server, reviewer_token or server.admin_token, profile["id"], "details", "approve")
    assert r.status_code == 200, r.text
    return user, token, r.json()


def run_together(*calls, timeout: float = 30) -> list:
    """Runs each zero-argument callable on its own thread, released at the same moment; returns
    their results in order (an exception is returned in place of its result). Callables must not
    share a requests.Session: use requests.request directly."""
    import threading
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=timeout)
            results[i] = call()
        except BaseException as e:  # noqa: BLE001 - reported to the caller
            results[i] = e

    threads = [threading.Thread(target=run, args=(i, c), daemon=True) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return results
