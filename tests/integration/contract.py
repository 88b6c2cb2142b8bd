"""The contract check: every HTTP response and WebSocket frame the end-to-end suites receive is
validated against docs/openapi.yaml and docs/websocket.schema.json.

For a response, the operation it answers (method + path template) is found and checked for:
the status code documented, the content type documented, the JSON body against the schema (JSON
Schema 2020-12, as OpenAPI 3.1 defines it; `format` date-time, date, email and int64 enforced),
objects closed (a property no applicable schema declares is drift, unless the schema says
`additionalProperties`), and the documented headers (required ones present, values matching).
The request is checked too (query parameters, JSON body, content type): a test that sends a bad
request on purpose says so (`server.post(..., bad=True)`, or `@pytest.mark.bad_requests` on the
test), otherwise a request the document does not allow fails the test as well.

Every check is recorded per operation and status, for the coverage report at the end of the run
(see conftest.py: `HRMS_CONTRACT_REPORT`); under pytest-xdist each worker records its own share
and the controller merges them (`coverage()`, `merge()`) before reporting.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import json
import pathlib
import re
import threading
import urllib.parse

import jsonschema
import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
OPENAPI_PATH = REPO / "docs" / "openapi.yaml"
WS_SCHEMA_PATH = REPO / "docs" / "websocket.schema.json"

METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")
_ANY: dict = {}  # the schema of a parameter or header that gives none


class ContractViolation(AssertionError):
    pass


# --------------------------------------------------------------------------------------------
# Loading


class _Loader(yaml.SafeLoader):
    """YAML without implicit timestamps: an example date stays the string the document wrote."""


_Loader.yaml_implicit_resolvers = {
    k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_openapi(path: pathlib.Path = OPENAPI_PATH) -> dict:
    return parse_openapi(path.read_text(encoding="utf-8"))


def parse_openapi(text: str) -> dict:
    return yaml.load(text, Loader=_Loader)


_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value):
    # The document's convention: RFC 3339 UTC with milliseconds.
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.match(value):
        raise ValueError("not an RFC 3339 UTC time with milliseconds (2026-11-28T13:05:09.123Z)")
    datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ")
    return True


@FORMATS.checks("date", raises=ValueError)
def _is_date(value):
    if not isinstance(value, str):
        return True
    if not _DATE.match(value):
        raise ValueError("not a YYYY-MM-DD date")
    datetime.date.fromisoformat(value)
    return True


@FORMATS.checks("email")
def _is_email(value):
    return not isinstance(value, str) or re.match(r"^[^@\s]+@[^@\s]+$", value) is not None


@FORMATS.checks("int64")
def _is_int64(value):
    return not isinstance(value, int) or -(2**63) <= value < 2**63


@FORMATS.checks("int32")
def _is_int32(value):
    return not isinstance(value, int) or -(2**31) <= value < 2**31


def _pointer(path) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path) if path else ""


def _at(error) -> str:
    pointer = _pointer(list(error.absolute_path))
    return f"{pointer}: " if pointer else ""


class Schemas:
    """One JSON Schema document (the OpenAPI document or the WebSocket one): validates an
    instance against a schema inside it, and finds properties nothing declares."""

    def __init__(self, root: dict):
        self.root = root
        self.resolver = jsonschema.RefResolver.from_schema(root)
        self._validators: dict[int, tuple] = {}

    def validator(self, schema):
        """One validator per schema object, made once (the schemas are the loaded documents' own
        dicts, or constants, so their ids stay theirs: the cache holds on to each)."""
        hit = self._validators.get(id(schema))
        if hit is None or hit[0] is not schema:
            hit = (schema, jsonschema.Draft202012Validator(schema, resolver=self.resolver, format_checker=FORMATS))
            self._validators[id(schema)] = hit
        return hit[1]

    def errors(self, schema, instance, closed: bool = True) -> list[str]:
        """Every way `instance` breaks `schema`, as 'pointer: message' lines."""
        out = []
        errs = sorted(self.validator(schema).iter_errors(instance), key=lambda e: list(e.absolute_path))
        for e in errs[:8]:
            # For oneOf/anyOf the branch errors say more than "is not valid under any".
            if e.context:
                best = jsonschema.exceptions.best_match(e.context)
                out.append(f"{_at(e)}{e.message} ({_at(best)}{best.message})")
            else:
                out.append(f"{_at(e)}{e.message}" + (f" ({e.cause})" if e.cause else ""))
        if not out and closed:
            out.extend(f"{p or '/'}: property '{name}' is not in the schema" for p, name in self.undeclared(schema, instance))
        return out

    # -- closed objects -----------------------------------------------------------------------

    def _deref(self, schema):
        while isinstance(schema, dict) and "$ref" in schema and len(schema) == 1:
            _, schema = self.resolver.resolve(schema["$ref"])
        return schema

    def _applicable(self, schema, instance, out: list):
        """The schema objects that apply to `instance`: the schema, its `$ref`, its `allOf`
        members, the `oneOf`/`anyOf` branches and `if`/`then`/`else` parts that hold."""
        schema = self._deref(schema)
        if not isinstance(schema, dict):
            return
        out.append(schema)
        if "$ref" in schema:
            self._applicable({"$ref": schema["$ref"]}, instance, out)
        for sub in schema.get("allOf", []):
            self._applicable(sub, instance, out)
        for key in ("oneOf", "anyOf"):
            for sub in schema.get(key, []):
                if self.validator(sub).is_valid(instance):
                    self._applicable(sub, instance, out)
        if "if" in schema:
            if self.validator(schema["if"]).is_valid(instance):
                if "then" in schema:
                    self._applicable(schema["then"], instance, out)
            elif "else" in schema:
                self._applicable(schema["else"], instance, out)

    def undeclared(self, schema, instance, path=()):
        """(pointer, name) of each object property no applicable schema declares. An object
        schema with no `properties` anywhere (free-form) or with `additionalProperties` is open."""
        found = []
        applicable: list = []
        self._applicable(schema, instance, applicable)
        if isinstance(instance, dict):
            declared: dict[str, list] = {}
            extra = []
            open_ = True
            for s in applicable:
                for name, sub in (s.get("properties") or {}).items():
                    declared.setdefault(name, []).append(sub)
                    open_ = False
                ap = s.get("additionalProperties")
                if ap is True or isinstance(ap, dict):
                    extra.append(ap)
            for name, value in instance.items():
                # Every schema that applies to the value at once: what one declares, counts.
                subs = declared.get(name)
                if subs:
                    found += self.undeclared({"allOf": subs}, value, (*path, name))
                elif extra:
                    found += self.undeclared({"allOf": [ap for ap in extra if isinstance(ap, dict)]}, value, (*path, name))
                elif not open_:
                    found.append((_pointer(list(path)), name))
        elif isinstance(instance, list):
            items = [s["items"] for s in applicable if isinstance(s.get("items"), dict)]
            if items:
                for i, value in enumerate(instance):
                    found += self.undeclared({"allOf": items}, value, (*path, i))
        return sorted(set(found))


# --------------------------------------------------------------------------------------------
# Operations


class Operation:
    def __init__(self, method: str, template: str, op: dict, path_item: dict, deref):
        self.method = method.upper()
        self.template = template
        self.op = op
        self.id = op.get("operationId") or f"{self.method} {template}"
        parts = []
        for seg in template.split("/"):
            parts.append("([^/]+)" if re.fullmatch(r"\{[^}]+\}", seg) else re.escape(seg))
        self.regex = re.compile("^" + "/".join(parts) + "$")
        self.names = re.findall(r"\{([^}]+)\}", template)
        params = {}
        for p in map(deref, list(path_item.get("parameters", [])) + list(op.get("parameters", []))):
            params[(p["in"], p["name"])] = p  # operation-level wins
        self.params = params

    def statuses(self) -> list[str]:
        return list(self.op.get("responses", {}))

    def __repr__(self):
        return f"{self.method} {self.template} ({self.id})"


class Contract:
    def __init__(self):
        self.doc = load_openapi()
        self.schemas = Schemas(self.doc)
        self.ws = Schemas(json.loads(WS_SCHEMA_PATH.read_text(encoding="utf-8")))
        self.operations: list[Operation] = []
        for template, item in self.doc["paths"].items():
            for method in METHODS:
                if method in item:
                    self.operations.append(Operation(method, template, self._deref(item[method]), item, self._deref))
        self.error_schema = {"$ref": "#/components/schemas/Error"}
        self.frame_schema = {"$ref": "#/$defs/ServerFrame"}
        self.close_schema = {"$ref": "#/$defs/CloseCode"}
        self.data_schema = {"$ref": "#/$defs/NotificationData"}
        self._lock = threading.Lock()
        self.exercised: dict[str, set[str]] = {op.id: set() for op in self.operations}
        self.ws_frames: dict[str, int] = {}
        self.ws_close_codes: dict[int, int] = {}
        self.violations: list[str] = []  # since the current test started
        self.checked = 0

    def _deref(self, obj):
        while isinstance(obj, dict) and "$ref" in obj:
            _, obj = self.schemas.resolver.resolve(obj["$ref"])
        return obj

    # -- lookup -------------------------------------------------------------------------------

    def find(self, method: str, path: str) -> Operation | None:
        method = method.upper()
        if method == "HEAD":
            method = "GET"  # HEAD is accepted wherever GET is
        # A literal segment wins over a template ("/profiles/me" over "/profiles/{id}").
        best = None
        for op in self.operations:
            if op.method == method and op.regex.match(path):
                if best is None or len(op.names) < len(best.names):
                    best = op
        return best

    def path_exists(self, path: str) -> bool:
        return any(op.regex.match(path) for op in self.operations)

    # -- recording ----------------------------------------------------------------------------

    def _fail(self, message: str):
        with self._lock:
            self.violations.append(message)
        raise ContractViolation(message)

    def take_violations(self) -> list[str]:
        with self._lock:
            out, self.violations = self.violations, []
        return out

    # -- HTTP ---------------------------------------------------------------------------------

    def check_http(self, method: str, url: str, req_headers, req_body, status: int, headers, body: bytes,
                   bad_request: bool = False):
        """Validates one exchange; raises ContractViolation (and records it) on a mismatch."""
        self.checked += 1
        parsed = urllib.parse.urlsplit(url)
        path = parsed.path
        op = self.find(method, path)
        where = f"{method} {path}"
        problems: list[str] = []
        if op is None and not path.startswith("/api/") and method in ("GET", "HEAD") and status != 405:
            # The web interface's files and its app shell (test_web.py checks how they are
            # served): not part of the API's contract.
            return
        if op is None:
            # Not an operation: an unknown path (404) or a known path with another method (405).
            expected = 405 if self.path_exists(path) else 404
            if status not in (expected, 400, 413, 414, 431, 429, 503):
                problems.append(f"status {status} for an undocumented method/path; expected {expected}")
            if status == 405 and not headers.get("Allow"):
                problems.append("405 without an Allow header")
            self._check_error_body(headers, body, problems, method)
            if problems:
                self._fail(f"contract: {where} (no operation) {status}: " + "; ".join(problems))
            return
        where = f"{op.method} {op.template} ({op.id})"
        if not bad_request:
            req_problems = self._request_problems(op, parsed, req_headers, req_body)
            if req_problems:
                self._fail(f"contract: request {method} {path} ({op.id}) does not match the document: "
                           + "; ".join(req_problems)
                           + " -- if the test sends it on purpose, pass bad=True or mark the test bad_requests")
        responses = op.op.get("responses", {})
        key = str(status)
        if key not in responses:
            key = f"{key[0]}XX" if f"{key[0]}XX" in responses else ("default" if "default" in responses else None)
        if key is None:
            self._fail(f"contract: {where} answered {status}, which the document does not list "
                       f"(documented: {', '.join(responses)}); body: {body[:300]!r}")
        with self._lock:
            self.exercised[op.id].add(key)
        response = self._deref(responses[key])
        self._check_headers(response, headers, problems)
        content = response.get("content") or {}
        ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if method.upper() == "HEAD" or status in (101, 204, 304):
            pass
        elif not content:
            if body:
                problems.append(f"a body ({ctype or 'no content type'}) where the document has none")
        else:
            media = self._media(content, ctype)
            if media is None:
                problems.append(f"content type {ctype!r} is not documented ({', '.join(content)})")
            elif "schema" in media and _is_json(ctype):
                try:
                    value = json.loads(body.decode("utf-8"))
                except (UnicodeDecodeError, ValueError) as e:
                    problems.append(f"body is not JSON: {e}")
                else:
                    problems += self.schemas.errors(media["schema"], value)
                    if not problems:
                        problems += self._check_notifications(value)
        if problems:
            self._fail(f"contract: {where} {status}: " + "; ".join(problems))

    def _media(self, content: dict, ctype: str):
        if ctype in content:
            return content[ctype]
        for key, media in content.items():
            major, _, minor = key.partition("/")
            if key == "*/*" or (minor == "*" and ctype.startswith(major + "/")):
                return media
        return None

    def _check_headers(self, response: dict, headers, problems: list):
        for name, spec in (response.get("headers") or {}).items():
            spec = self._deref(spec)
            value = headers.get(name)
            if value is None:
                if spec.get("required"):
                    problems.append(f"header {name} is required but missing")
                continue
            schema = spec.get("schema", _ANY)
            typed = _coerce(value, self._deref(schema))
            for err in self.schemas.errors(schema, typed, closed=False):
                problems.append(f"header {name}={value!r}: {err}")

    def _check_error_body(self, headers, body: bytes, problems: list, method: str):
        if method.upper() == "HEAD":
            return
        ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if not body:
            problems.append("an error with no body")
            return
        if not _is_json(ctype):
            problems.append(f"an error that is not JSON ({ctype!r})")
            return
        try:
            value = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            problems.append(f"error body is not JSON: {e}")
            return
        problems += self.schemas.errors(self.error_schema, value)

    def _check_notifications(self, value) -> list[str]:
        """Notification `data` by kind, from the WebSocket schema (one definition for both)."""
        items = []
        if isinstance(value, dict) and isinstance(value.get("items"), list):
            items = [n for n in value["items"] if isinstance(n, dict) and "kind" in n and "data" in n]
        out = []
        for i, n in enumerate(items):
            for err in self.ws.errors(self.data_schema, {"kind": n["kind"], "data": n["data"]}):
                out.append(f"/items/{i}{err}")
        return out

    def _request_problems(self, op: Operation, parsed, headers, body) -> list[str]:
        problems = []
        # Path parameters.
        m = op.regex.match(parsed.path)
        for name, raw in zip(op.names, m.groups() if m else ()):
            spec = op.params.get(("path", name))
            if spec:
                schema = spec.get("schema", _ANY)
                value = _coerce(urllib.parse.unquote(raw), self._deref(schema))
                problems += [f"path {name}: {e}" for e in self.schemas.errors(schema, value, closed=False)]
        # Query parameters.
        query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        for name, raw in query.items():
            spec = op.params.get(("query", name))
            if spec is None:
                problems.append(f"query parameter {name!r} is not documented")
                continue
            schema = self._deref(spec.get("schema", _ANY))
            if schema.get("type") == "array":
                value = [_coerce(v, self._deref(schema.get("items", {}))) for v in raw]
            else:
                value = _coerce(raw[-1], schema) if len(raw) == 1 else raw
            problems += [f"query {name}: {e}" for e in self.schemas.errors(spec.get("schema", _ANY), value, closed=False)]
        for (where, name), spec in op.params.items():
            if where == "query" and spec.get("required") and name not in query:
                problems.append(f"query parameter {name!r} is required")
        # Body.
        request_body = self._deref(op.op.get("requestBody")) if op.op.get("requestBody") else None
        has_body = body not in (None, b"", "")
        ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if request_body is None:
            if has_body:
                problems.append("a request body where the document has none")
            return problems
        if not has_body:
            if request_body.get("required"):
                problems.append("the request body is required")
            return problems
        media = self._media(request_body.get("content", {}), ctype)
        if media is None:
            problems.append(f"request content type {ctype!r} is not documented")
        elif "schema" in media and _is_json(ctype):
            raw = body if isinstance(body, bytes) else str(body).encode()
            try:
                value = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as e:
                problems.append(f"request body is not JSON: {e}")
            else:
                problems += [f"body{e}" for e in self.schemas.errors(media["schema"], value)]
        return problems

    # -- raw responses (tests that speak HTTP over a socket) ------------------------------------

    def check_raw(self, status: int, headers: dict, body: bytes):
        """A response read off a socket, whose request the check cannot see: every error is the
        Error envelope and every response carries X-Request-Id."""
        self.checked += 1
        problems = []
        lower = {k.lower(): v for k, v in headers.items()}
        if "x-request-id" not in lower:
            problems.append("no X-Request-Id header")
        if status >= 400 and body:
            self._check_error_body({"Content-Type": lower.get("content-type", "")}, body, problems, "GET")
        if problems:
            self._fail(f"contract: raw response {status}: " + "; ".join(problems))

    # -- WebSocket ------------------------------------------------------------------------------

    def check_ws_frame(self, text: str):
        self.checked += 1
        try:
            value = json.loads(text)
        except ValueError as e:
            self._fail(f"contract: WebSocket frame is not JSON: {e}: {text[:200]!r}")
        errors = self.ws.errors(self.frame_schema, value)
        kind = value.get("type") if isinstance(value, dict) else None
        if errors:
            self._fail(f"contract: WebSocket frame {kind!r}: " + "; ".join(errors) + f" -- {text[:300]}")
        with self._lock:
            self.ws_frames[kind] = self.ws_frames.get(kind, 0) + 1

    def check_ws_close(self, code: int | None):
        if code is None:
            return  # the connection dropped without a close frame
        if self.ws.errors(self.close_schema, code):
            self._fail(f"contract: WebSocket close code {code} is not documented")
        with self._lock:
            self.ws_close_codes[code] = self.ws_close_codes.get(code, 0) + 1

    def check_ws_handshake(self, status: int, headers):
        """The answer to a WebSocket upgrade request: 101, or a refusal (whose body the client
        library does not keep: status and headers are checked)."""
        self.checked += 1
        op = self.find("GET", "/api/v1/ws")
        responses = op.op.get("responses", {})
        if str(status) not in responses:
            self._fail(f"contract: {op} answered {status}, which the document does not list "
                       f"(documented: {', '.join(responses)})")
        with self._lock:
            self.exercised[op.id].add(str(status))
        problems: list[str] = []
        self._check_headers(self._deref(responses[str(status)]), headers, problems)
        if problems:
            self._fail(f"contract: {op} {status}: " + "; ".join(problems))

    # -- the report -----------------------------------------------------------------------------

    def coverage(self) -> dict:
        """What the report is made of, as plain JSON: an xdist worker sends its share to the
        controller, which merges every worker's into its own (otherwise empty) Contract."""
        with self._lock:
            return {"exercised": {op: sorted(codes) for op, codes in self.exercised.items() if codes},
                    # Pairs, not objects: JSON would turn the close codes (and a None kind) into strings.
                    "ws_frames": [[kind, n] for kind, n in self.ws_frames.items()],
                    "ws_close_codes": [[code, n] for code, n in self.ws_close_codes.items()],
                    "checked": self.checked}

    def merge(self, coverage: dict):
        """Adds another process's coverage() to this one's. Every process loads the same
        document, so an operation id this one does not know is a bug: KeyError, not a guess."""
        with self._lock:
            for op, codes in coverage["exercised"].items():
                self.exercised[op].update(codes)
            for kind, n in coverage["ws_frames"]:
                self.ws_frames[kind] = self.ws_frames.get(kind, 0) + n
            for code, n in coverage["ws_close_codes"]:
                self.ws_close_codes[code] = self.ws_close_codes.get(code, 0) + n
            self.checked += coverage["checked"]

    def report(self, routes: list[tuple[str, str]] | None) -> tuple[str, list[str]]:
        """The coverage table, and what fails the run: operations no test exercised, routes the
        document lacks, documented operations the server lacks."""
        lines = ["Contract coverage (docs/openapi.yaml): operation, documented statuses, [x] exercised", ""]
        failures = []
        width = max(len(f"{op.method} {op.template}") for op in self.operations)
        hit_ops = hit_codes = all_codes = 0
        for op in sorted(self.operations, key=lambda o: (o.template, o.method)):
            seen = self.exercised[op.id]
            codes = " ".join(f"{'x' if c in seen else ' '}{c}" for c in op.statuses())
            all_codes += len(op.statuses())
            hit_codes += len(seen & set(op.statuses()))
            lines.append(f"  {'ok ' if seen else 'NO '} {op.method + ' ' + op.template:<{width}}  {op.id:<24} {codes}")
            if seen:
                hit_ops += 1
            else:
                failures.append(f"no test exercises {op.method} {op.template} ({op.id})")
        lines.append("")
        lines.append(f"  {hit_ops}/{len(self.operations)} operations, {hit_codes}/{all_codes} documented statuses exercised; "
                     f"{self.checked} responses and frames checked")
        frames = ", ".join(f"{k} {v}" for k, v in sorted(self.ws_frames.items(), key=str))
        closes = ", ".join(f"{k} {v}" for k, v in sorted(self.ws_close_codes.items()))
        lines.append(f"  WebSocket frames: {frames or 'none'}; close codes: {closes or 'none'}")
        if routes is not None:
            documented = {(op.method, op.template) for op in self.operations}
            served = set(routes)
            for method, path in sorted(served - documented):
                failures.append(f"the server routes {method} {path}, which docs/openapi.yaml does not document")
            for method, path in sorted(documented - served):
                failures.append(f"docs/openapi.yaml documents {method} {path}, which the server does not route")
        return "\n".join(lines), failures


def _is_json(ctype: str) -> bool:
    return ctype == "application/json" or ctype.endswith("+json")


def _coerce(value: str, schema: dict):
    """A string from a URL or header, as the type its schema wants (left a string if it is not one)."""
    types = schema.get("type")
    types = types if isinstance(types, list) else [types]
    if "integer" in types and re.fullmatch(r"-?\d+", value):
        return int(value)
    if "number" in types:
        try:
            return float(value)
        except ValueError:
            return value
    if "boolean" in types and value in ("true", "false"):
        return value == "true"
    return value


# --------------------------------------------------------------------------------------------
# The one instance, and marking bad requests

CONTRACT = Contract()

_bad = contextvars.ContextVar("hrms_contract_bad_requests", default=False)
_test_bad = False  # set for the whole test by the bad_requests marker (threads included)


@contextlib.contextmanager
def bad_requests():
    """Requests sent inside are bad on purpose: their responses are checked, not the requests."""
    token = _bad.set(True)
    try:
        yield
    finally:
        _bad.reset(token)


def requests_marked_bad() -> bool:
    return _bad.get() or _test_bad


def set_test_bad(value: bool):
    global _test_bad
    _test_bad = value
