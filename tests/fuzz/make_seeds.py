#!/usr/bin/env python3
"""Writes the seed corpus under tests/fuzz/corpus/<target>/: a few small, realistic inputs per
target in each harness's input layout (see the comment at the top of fuzz_<target>.cpp).
Rerun after changing a layout: python3 tests/fuzz/make_seeds.py"""
import json
import pathlib
import shutil

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE / "corpus"


def chunked(payload: bytes, sizes=(), options=0) -> bytes:
    """ChunkPlan layout: [head][k sizes][payload]; head = options << 3 | k, size byte b = b + 1 bytes."""
    assert len(sizes) <= 7
    return bytes([(options << 3) | len(sizes)]) + bytes(s - 1 for s in sizes) + payload


def multipart(boundary: bytes, parts, preamble=b"", epilogue=b"") -> bytes:
    out = preamble
    for headers, body in parts:
        out += b"--" + boundary + b"\r\n" + b"".join(h + b"\r\n" for h in headers) + b"\r\n" + body + b"\r\n"
    return out + b"--" + boundary + b"--\r\n" + epilogue


B = b"XyZzy-boundary"  # fuzz_multipart.cpp's kBoundary
FILE_PART = ([b'Content-Disposition: form-data; name="file"; filename="passport scan.pdf"',
              b"Content-Type: application/pdf"], b"%PDF-1.4\r\n%\xe2\xe3\xcf\xd3\r\n1 0 obj <<>> endobj\r\n%%EOF")
TYPE_PART = ([b'Content-Disposition: form-data; name="type"'], b"id_proof")
UPLOAD = multipart(B, [TYPE_PART, FILE_PART])

seeds = {"multipart": {}, "http_request": {}, "routes": {}, "json_requests": {},
         "ws_messages": {}, "forwarded": {}, "filenames_utf8": {}}

# --- multipart: option 1 = first line is a Content-Type, option 2 = the handler refuses large parts
m = seeds["multipart"]
m["upload-one-piece"] = chunked(UPLOAD)
m["upload-small-pieces"] = chunked(UPLOAD, sizes=(1, 7, 3, 64))
m["content-type-line"] = chunked(b'multipart/form-data; boundary="a b"\r\n'
                                 + multipart(b"a b", [TYPE_PART, FILE_PART]), sizes=(5, 40), options=1)
m["quoted-filename-preamble"] = chunked(multipart(B, [([
    b'Content-Disposition: form-data; name="file"; filename="scan \\"1\\".pdf"'], b"--XyNot\r\nbinary\x00\xff")],
    preamble=b"preamble\r\n", epilogue=b"epilogue"), sizes=(16,))
m["refused-large-part"] = chunked(multipart(B, [FILE_PART, FILE_PART]), sizes=(32,), options=2)
m["unicode-filename"] = chunked(multipart(B, [([
    "Content-Disposition: form-data; name=\"file\"; filename=\"Lebenslauf Jürgen 履歴書.pdf\"".encode()],
    b"data")]), sizes=(2, 3))

# --- http_request: raw connection bytes; option 1 = the client half-closes at the end
h = seeds["http_request"]
h["get-keepalive-pipelined"] = chunked(
    b"GET /api/v1/users?limit=5&cursor=10&q=ann%20lee HTTP/1.1\r\nHost: hrms\r\n"
    b"Authorization: Bearer abc\r\nX-Request-Id: r-1\r\n\r\n"
    b"GET /healthz HTTP/1.1\r\nHost: hrms\r\nCookie: hrms_session=tok; hrms_csrf=c\r\nConnection: close\r\n\r\n",
    sizes=(40, 13))
login = json.dumps({"email": "ann@example.com", "password": "correct horse battery"}).encode()
h["post-json"] = chunked(
    b"POST /api/v1/auth/login HTTP/1.1\r\nHost: hrms\r\nContent-Type: application/json\r\n"
    b"Content-Length: " + str(len(login)).encode() + b"\r\n\r\n" + login, options=1)
h["chunked-body"] = chunked(
    b"PUT /api/v1/profiles/me/details HTTP/1.1\r\nHost: hrms\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n"
    b"b\r\n{\"phone\":\"+\r\n7;ext=1\r\n4477009\r\n2\r\n\"}\r\n0\r\nX-Trailer: t\r\n\r\n", sizes=(7, 100), options=1)
h["upload-multipart"] = chunked(
    b"POST /api/v1/profiles/me/documents HTTP/1.1\r\nHost: hrms\r\nExpect: 100-continue\r\n"
    b"Content-Type: multipart/form-data; boundary=" + B + b"\r\nContent-Length: " + str(len(UPLOAD)).encode()
    + b"\r\n\r\n" + UPLOAD, sizes=(60, 5, 200), options=1)
h["upload-chunked"] = chunked(
    b"POST /api/v1/profiles/me/documents HTTP/1.1\r\nHost: hrms\r\nTransfer-Encoding: chunked\r\n"
    b"Content-Type: multipart/form-data; boundary=" + B + b"\r\n\r\n"
    + b"".join(b"%x\r\n" % len(UPLOAD[i:i + 50]) + UPLOAD[i:i + 50] + b"\r\n" for i in range(0, len(UPLOAD), 50))
    + b"0\r\n\r\n", sizes=(33,), options=1)
# A byte at a time: the final chunk arrives as "0\r\n", "\r", "\n" (see boost_assert.cpp).
h["chunked-byte-at-a-time"] = chunked(
    b"POST /api/v1/roles HTTP/1.1\r\nHost: hrms\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", sizes=(1,), options=1)
h["websocket-upgrade-forwarded"] = chunked(
    b"GET /api/v1/ws HTTP/1.1\r\nHost: hrms\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    b"Forwarded: for=192.0.2.60;proto=http, for=\"[2001:db8::1]:4711\"\r\n"
    b"X-Forwarded-For: 203.0.113.7, 10.0.0.2\r\n\r\n")
h["bad-content-length"] = chunked(b"POST /api/v1/users HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n", options=1)

# --- routes: "METHOD target"
r = seeds["routes"]
for name, line in {
    "profiles-queue": "GET /api/v1/profiles?limit=20&cursor=40&stage=documents&status=submitted&overdue=true&assignee=3&q=lee",
    "profile-decision": "POST /api/v1/profiles/17/decision",
    "profile-me": "HEAD /api/v1/profiles/me",
    "users-page": "GET /api/v1/users?limit=200&cursor=0&role=reviewer&q=%C3%A9",
    "user-sessions": "DELETE /api/v1/users/0042/sessions",
    "role-by-name": "PUT /api/v1/roles/team_lead",
    "notifications": "GET /api/v1/notifications?after=9223372036854775807&limit=0",
    "method-not-allowed": "PATCH /api/v1/documents/5/content",
    "not-found-encoded": "GET /api/v1/%FFusers/1?stage=%00",
    "upload": "POST /api/v1/profiles/me/documents",
}.items():
    r[name] = line.encode()

# --- json_requests: [kind][options][body]; kinds as in fuzz_json_requests.cpp's switch
j = seeds["json_requests"]
DOC = {"first_name": "Ann", "last_name": "Lee", "preferred_name": None, "date_of_birth": "1990-02-28",
       "phone": "+44 (20) 7946-0958", "address": {"line1": "1 High St", "line2": "", "city": "London",
       "region": None, "postal_code": "N1 9GU", "country": " gb "},
       "emergency_contact": {"name": "Bo Lee", "phone": "+44 7700 900123", "relationship": "partner"}}
bodies = {
    0: ("login", {"email": " Ann.Lee@Example.COM ", "password": "correct horse battery"}),
    1: ("accept-invite", {"token": "8f3a", "new_password": "new.hire@example.com"}),
    2: ("create-user", {"email": "bo@example.org", "name": "Bo Lee", "roles": ["employee", "reviewer"],
                        "password": "twelve chars!"}),
    3: ("update-user", {"name": "  Ann\u00a0Lee ", "status": "suspended"}),
    4: ("set-manager", {"manager_id": 42}),
    5: ("assign", {"reviewer_id": None}),
    6: ("set-roles", {"roles": ["team_lead", "auditor"]}),
    7: ("create-role", {"name": "hr_partner", "description": "HR", "permissions": ["users.read", "profiles.read"],
                        "inherits": ["reviewer"]}),
    8: ("update-role-cycle", {"inherits": ["dept_head"], "permissions": []}),
    9: ("decision-reject-final", {"stage": "final", "decision": "reject", "reason": "ID expired",
                                  "send_back_to": "documents"}),
    10: ("employment-status", {"employment_status": "on_hold", "reason": "parental leave"}),
    11: ("details", DOC),
    12: ("document-decision", {"decision": "approve", "reason": None}),
}
for kind, (name, body) in bodies.items():
    # Options: the profile state (state_of: final/submitted = 2 + 4), or for details the date
    # (110: late 2025, with the charset=utf-8 Content-Type).
    options = {8: 1, 9: 2 + 4, 10: 1 + 4, 11: 110}.get(kind, 0)
    j[name] = bytes([kind, options]) + json.dumps(body, ensure_ascii=False).encode()
j["details-bad-utf8"] = bytes([11, 110]) + b'{"first_name":"J\xc3\xbcrgen","address":{"city":"K\xf6ln"}}'

# --- ws_messages: one text frame
w = seeds["ws_messages"]
for name, text in {
    "ping": '{"type":"ping"}',
    "auth": '{"type":"auth","token":"x"}',
    "resume": '{"type":"resume","after":5}',
    "resume-big": '{"type":"resume","after":18446744073709551615}',
    "unknown-long-type": '{"type":"x' + "\u00e9" * 40 + '"}',  # cut inside a character
    "not-object": '["ping"]',
}.items():
    w[name] = text.encode()

# --- forwarded: an address, a CIDR list, or "Forwarded\nX-Forwarded-For"
fw = seeds["forwarded"]
fw["cidr-list"] = b"10.0.0.0/8, 192.168.1.0/24 ::1 2001:db8::/32 ::ffff:192.0.2.1"
fw["forwarded-chain"] = b'for=192.0.2.60;proto=http;by=203.0.113.43, for="[2001:db8:cafe::17]:4711", for=10.1.2.3'
fw["x-forwarded-for"] = b"\n203.0.113.7, 198.51.100.2:8080, 10.0.0.5"
fw["unknown-node"] = b"for=unknown, for=_hidden\n192.0.2.1"
fw["ipv6"] = b"2001:0db8:0000:0000:0000:ff00:0042:8329"

# --- filenames_utf8: a filename as a client sends it
f = seeds["filenames_utf8"]
f["windows-path"] = b"C:\\Users\\ann\\Documents\\passport scan (1).pdf"
f["unix-traversal"] = b"../../etc/passwd"
f["unicode"] = "Lebenslauf Jürgen 履歴書 📄.pdf".encode()
f["invalid-utf8"] = b"r\xe9sum\xe9\xc3.pdf"
f["controls-and-specials"] = b'\x00a\x1bb<c>|d:e*f?g;"h".docx'
f["hidden-long"] = b"..." + "é".encode() * 120 + b".jpeg"
# Text whose case folding is more than lowering: ß, final sigma, dotted İ, a ligature, ΐ (one
# code point that folds to three).
f["case-folding"] = "Jürgen STRAẞE ΣΊΣΥΦΟΣ İstanbul ﬁle ΐ".encode()

if __name__ == "__main__":
    for target, files in seeds.items():
        d = CORPUS / target
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
        for name, data in files.items():
            (d / name).write_bytes(data)
        print(f"{target}: {len(files)} seeds, {sum(len(v) for v in files.values())} bytes")
